package dev.floodgate.store.memory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.floodgate.core.ClientState;
import dev.floodgate.core.Counted;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.Refusal;
import dev.floodgate.store.ClientRecords;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.memory.RestrictedClients.Restriction;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ClientRecords} of a single instance, in this JVM's heap (the default store, as the
 * {@link dev.floodgate.store.RuleBookStore} over it). Bounded twice:
 * <ul>
 * <li>at most {@code maxClients} clients that are neither blocked nor banned are tracked
 * (a Caffeine cache), and when more arrive the least recently seen of them are evicted;</li>
 * <li>at most {@code maxRestricted} blocked or banned clients, which weigh nothing against
 * {@code maxClients} while restricted. When more are restricted, one yields for each: blocks
 * before bans (a ban outlives a block), and among blocks or among bans the one ending
 * soonest (of permanent bans, the oldest). A client that yields is forgotten entirely; the
 * first time the bound is reached a WARN is logged, and {@link #restrictedEvictions()}
 * counts them.</li>
 * </ul>
 * A client whose block or ban has ended counts against {@code maxClients} again, whether or
 * not it is seen again: every write also re-weighs a few restrictions that have ended. Each
 * client's state expires by itself once nothing in it matters any more.
 * <p>
 * Most requests are decided on the fast path: a cache read and a lock on that one client's
 * state, for a request within its limits or a client already blocked or banned. Everything
 * that changes how long the state must live or what it weighs — a new client, a violation, a
 * block or ban, a relative block, a longer window — is decided inside the cache's atomic
 * {@code compute} for that key, so that the cache re-weighs it and recomputes its expiry in
 * the same step, and a concurrent {@link #forget} or eviction can never be undone. No lock
 * is global: one client never waits for another.
 */
public final class InMemoryClientRecords implements ClientRecords {

	private static final Log logger = LogFactory.getLog(InMemoryClientRecords.class);

	/** The most ended restrictions one write re-weighs, so that no request pays for many. */
	private static final int ENDED_PER_WRITE = 16;

	private final DecisionRules rules;

	private final Clock clock;

	private final Cache<String, ClientState> clients;

	private final RestrictedClients restricted = new RestrictedClients();

	private final long maxRestricted;

	private final AtomicLong restrictedEvictions = new AtomicLong();

	private final AtomicBoolean warnedFull = new AtomicBoolean();

	/**
	 * Creates a store that holds as many restricted clients as other clients.
	 * @param rules the decision rules
	 * @param clock the clock
	 * @param maxClients the most clients tracked that are neither blocked nor banned
	 */
	public InMemoryClientRecords(DecisionRules rules, Clock clock, long maxClients) {
		this(rules, clock, maxClients, maxClients);
	}

	/**
	 * Creates a store.
	 * @param rules the decision rules
	 * @param clock the clock
	 * @param maxClients the most clients tracked that are neither blocked nor banned
	 * @param maxRestricted the most clients tracked that are blocked or banned
	 */
	public InMemoryClientRecords(DecisionRules rules, Clock clock, long maxClients, long maxRestricted) {
		if (maxClients < 1 || maxRestricted < 1) {
			throw new IllegalArgumentException("maxClients and maxRestricted must be at least 1");
		}
		this.rules = rules;
		this.clock = clock;
		this.maxRestricted = maxRestricted;
		this.clients = Caffeine.newBuilder()
			.maximumWeight(maxClients)
			.weigher((String client, ClientState state) -> state.weighedRestricted() ? 0 : 1)
			.expireAfter(new StateExpiry())
			.evictionListener((String client, ClientState state, RemovalCause cause) -> {
				if (client != null) {
					this.restricted.remove(client);
				}
			})
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			.executor(Runnable::run)
			.build();
	}

	@Override
	public String type() {
		return "memory";
	}

	@Override
	public Counted count(String client, @Nullable RatePolicy policy) {
		ClientState state = this.clients.getIfPresent(client);
		if (state == null && policy == null) {
			return Decision.UNLIMITED;
		}
		if (state != null) {
			Counted counted = countInPlace(state, policy);
			if (counted != null) {
				return counted;
			}
		}
		return countAndWrite(client, policy);
	}

	private @Nullable Counted countInPlace(ClientState state, @Nullable RatePolicy policy) {
		synchronized (state) {
			long now = this.clock.millis();
			boolean restricted = state.restricted(now);
			if (restricted != state.weighedRestricted()) {
				return null;
			}
			if (restricted) {
				return refusal(state, null, now);
			}
			if (policy == null) {
				return Decision.UNLIMITED;
			}
			if (this.rules.extendsRetention(state, policy)) {
				return null;
			}
			Decision admitted = this.rules.admit(state, policy, now);
			return (admitted != null) ? admitted : refusal(state, this.rules.checkLimits(state, policy, now), now);
		}
	}

	private Counted countAndWrite(String client, @Nullable RatePolicy policy) {
		Counted[] counted = new Counted[1];
		boolean[] wrote = new boolean[1];
		this.clients.asMap().compute(client, (key, existing) -> {
			ClientState state = (existing != null) ? existing : new ClientState();
			synchronized (state) {
				long now = this.clock.millis();
				if (state.restricted(now)) {
					counted[0] = refusal(state, null, now);
				}
				else if (policy == null) {
					counted[0] = Decision.UNLIMITED;
				}
				else {
					Decision limits = this.rules.checkLimits(state, policy, now);
					if (limits.outcome() == Outcome.ALLOWED) {
						this.rules.count(state, policy, now);
						counted[0] = limits;
						wrote[0] = true;
					}
					else {
						counted[0] = refusal(state, limits, now);
					}
				}
				if (existing == null && !wrote[0]) {
					// nothing was counted for a client the store did not hold: it stays unknown
					return null;
				}
				weigh(key, state, now);
			}
			return state;
		});
		maintain(ENDED_PER_WRITE);
		return counted[0];
	}

	private static Refusal refusal(ClientState state, @Nullable Decision limited, long now) {
		return new Refusal(now, limited, state.escalations(), state.version());
	}

	@Override
	public boolean write(String client, long version, ClientState.Escalations escalations, long expiresAtMillis,
			long nowMillis) {
		boolean[] written = new boolean[1];
		this.clients.asMap().compute(client, (key, existing) -> {
			if (existing == null && version != 0) {
				// forgotten since it was read
				return null;
			}
			ClientState state = (existing != null) ? existing : new ClientState();
			synchronized (state) {
				if (state.version() != version) {
					return existing;
				}
				state.restore(escalations);
				state.version(version + 1);
				weigh(key, state, this.clock.millis());
				written[0] = true;
			}
			return state;
		});
		maintain(ENDED_PER_WRITE);
		return written[0];
	}

	private void weigh(String client, ClientState state, long now) {
		state.weighedRestricted(this.restricted.record(client, state, now));
	}

	/**
	 * Re-weighs clients whose restriction has ended (at most {@code maxEnded}), then lets
	 * restrictions yield while there are more than the bound. Runs outside any compute.
	 */
	private void maintain(int maxEnded) {
		long now = this.clock.millis();
		for (int i = 0; i < maxEnded; i++) {
			Restriction ended = this.restricted.ended(now);
			if (ended == null || !reweigh(ended)) {
				break;
			}
		}
		while (this.restricted.size() > this.maxRestricted) {
			Restriction yielding = this.restricted.yielding();
			if (yielding == null) {
				break;
			}
			if (yielding.untilMillis() > now) {
				evict(yielding);
			}
			else if (!reweigh(yielding)) {
				break;
			}
		}
		if (this.restricted.size() < this.maxRestricted - this.maxRestricted / 10) {
			this.warnedFull.set(false);
		}
	}

	/** Re-weighs a client whose restriction ended; whether its entry is gone afterwards. */
	private boolean reweigh(Restriction ended) {
		ClientState state = this.clients.asMap().computeIfPresent(ended.client(), (key, existing) -> {
			synchronized (existing) {
				weigh(key, existing, this.clock.millis());
			}
			return existing;
		});
		if (state != null && this.restricted.isCurrent(ended)) {
			return false;
		}
		// the cache no longer held the client, or a newer entry replaced this one
		this.restricted.discard(ended);
		return true;
	}

	private void evict(Restriction yielding) {
		boolean[] evicted = new boolean[1];
		this.clients.asMap().computeIfPresent(yielding.client(), (key, existing) -> {
			if (!this.restricted.isCurrent(yielding)) {
				return existing;
			}
			this.restricted.remove(key);
			evicted[0] = true;
			return null;
		});
		if (!evicted[0]) {
			// the cache no longer held the client, or a newer entry replaced this one
			this.restricted.discard(yielding);
		}
		else {
			this.restrictedEvictions.incrementAndGet();
			if (this.warnedFull.compareAndSet(false, true)) {
				logger.warn("Floodgate's in-memory store holds " + this.maxRestricted
						+ " blocked or banned clients (floodgate.store.memory.max-restricted): to restrict more, it "
						+ "forgets blocks first, then the bans ending soonest (first forgotten: " + yielding.client()
						+ (yielding.ban() ? ", banned" : ", blocked") + ")");
			}
		}
	}

	@Override
	public @Nullable ClientRecord read(String client) {
		ClientState state = this.clients.policy().getIfPresentQuietly(client);
		if (state == null) {
			return null;
		}
		synchronized (state) {
			return new ClientRecord(client, this.clock.millis(), state.escalations(), state.version());
		}
	}

	@Override
	public List<ClientRecord> restricted(int max) {
		maintain(Integer.MAX_VALUE);
		long now = this.clock.millis();
		List<ClientRecord> restricted = new ArrayList<>();
		for (String client : this.restricted.clients()) {
			ClientState state = this.clients.policy().getIfPresentQuietly(client);
			if (state == null) {
				continue;
			}
			synchronized (state) {
				if (state.restricted(now)) {
					restricted.add(new ClientRecord(client, now, state.escalations(), state.version()));
				}
			}
		}
		return ClientRecord.mostRecentFirst(restricted, max);
	}

	@Override
	public long restrictedCount() {
		maintain(Integer.MAX_VALUE);
		return this.restricted.size();
	}

	@Override
	public boolean forget(String client) {
		boolean[] forgotten = new boolean[1];
		this.clients.asMap().computeIfPresent(client, (key, existing) -> {
			this.restricted.remove(key);
			forgotten[0] = true;
			return null;
		});
		return forgotten[0];
	}

	/**
	 * The store that decides by these records' rules over them.
	 * @return a new {@link RuleBookStore} over this
	 */
	public RuleBookStore asStore() {
		return new RuleBookStore(this, this.rules, this.clock);
	}

	/**
	 * The number of clients tracked now (blocked and banned ones included).
	 * @return the estimated number of tracked clients
	 */
	public long trackedClients() {
		return this.clients.estimatedSize();
	}

	/**
	 * How many blocked or banned clients were forgotten to keep within {@code maxRestricted}.
	 * @return the number since the store was created
	 */
	public long restrictedEvictions() {
		return this.restrictedEvictions.get();
	}

	/**
	 * Re-weighs every client whose restriction has ended, then runs pending evictions and
	 * expirations now (for tests and gauges).
	 */
	public void cleanUp() {
		maintain(Integer.MAX_VALUE);
		this.clients.cleanUp();
	}

	/**
	 * Keeps a state until {@link ClientState#expiresAtMillis} and, on every read, at least as
	 * long as its counters matter after a request made now (a read precedes a fast-path
	 * decision, which may count a request without writing the entry).
	 */
	private final class StateExpiry implements Expiry<String, ClientState> {

		private static final long EXPIRY_SLACK_MILLIS = 1_100;

		@Override
		public long expireAfterCreate(String client, ClientState state, long currentTime) {
			return nanosUntilExpiry(state, currentTime, 0);
		}

		@Override
		public long expireAfterUpdate(String client, ClientState state, long currentTime, long currentDuration) {
			return nanosUntilExpiry(state, currentTime, 0);
		}

		@Override
		public long expireAfterRead(String client, ClientState state, long currentTime, long currentDuration) {
			return nanosUntilExpiry(state, currentTime, state.counterRetentionMillis());
		}

		private long nanosUntilExpiry(ClientState state, long currentTime, long atLeastMillis) {
			long now = TimeUnit.NANOSECONDS.toMillis(currentTime);
			long expiresAt = state.expiresAtMillis(InMemoryClientRecords.this.rules.escalation());
			if (expiresAt == Long.MAX_VALUE) {
				return Long.MAX_VALUE;
			}
			// Caffeine ignores changes of an entry's expiry below about a second (to spare writes):
			// keep a second more than needed, so that no ignored change can expire a state early
			long millis = Math.max(atLeastMillis, expiresAt - now) + EXPIRY_SLACK_MILLIS;
			return TimeUnit.MILLISECONDS.toNanos(millis);
		}

	}

}
