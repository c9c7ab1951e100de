package dev.floodgate.store.memory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ObjLongConsumer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.floodgate.core.ClientState;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.memory.RestrictedClients.Restriction;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ViolationStore} in this JVM's heap, for a single instance. Bounded twice:
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
public final class InMemoryViolationStore implements ViolationStore {

	private static final Log logger = LogFactory.getLog(InMemoryViolationStore.class);

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
	public InMemoryViolationStore(DecisionRules rules, Clock clock, long maxClients) {
		this(rules, clock, maxClients, maxClients);
	}

	/**
	 * Creates a store.
	 * @param rules the decision rules
	 * @param clock the clock
	 * @param maxClients the most clients tracked that are neither blocked nor banned
	 * @param maxRestricted the most clients tracked that are blocked or banned
	 */
	public InMemoryViolationStore(DecisionRules rules, Clock clock, long maxClients, long maxRestricted) {
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
	public Decision decide(String client, @Nullable RatePolicy policy) {
		ClientState state = this.clients.getIfPresent(client);
		if (state == null && policy == null) {
			return Decision.UNLIMITED;
		}
		if (state != null) {
			Decision decision = decideInPlace(state, policy);
			if (decision != null) {
				return decision;
			}
		}
		return decideAndWrite(client, policy);
	}

	/** The fast path: only decisions that change neither weight nor expiry. */
	private @Nullable Decision decideInPlace(ClientState state, @Nullable RatePolicy policy) {
		synchronized (state) {
			long now = this.clock.millis();
			boolean restricted = state.restricted(now);
			if (restricted != state.weighedRestricted()) {
				return null;
			}
			if (restricted) {
				return this.rules.restrictionIfUnchanged(state, now);
			}
			if (policy == null) {
				return Decision.UNLIMITED;
			}
			return this.rules.extendsRetention(state, policy) ? null : this.rules.admit(state, policy, now);
		}
	}

	/** The slow path: decided within the cache's atomic compute, which re-weighs and re-expires. */
	private Decision decideAndWrite(String client, @Nullable RatePolicy policy) {
		Decision[] decision = new Decision[1];
		this.clients.asMap().compute(client, (key, existing) -> {
			ClientState state = (existing != null) ? existing : new ClientState();
			synchronized (state) {
				long now = this.clock.millis();
				decision[0] = this.rules.decide(state, policy, now);
				state.consumeEscalationChange();
				weigh(key, state, now);
			}
			return state;
		});
		maintain(ENDED_PER_WRITE);
		return decision[0];
	}

	/** Within the compute for that client: records its restriction and what it weighs. */
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
	public Optional<ClientStatus> status(String client) {
		ClientState state = this.clients.policy().getIfPresentQuietly(client);
		if (state == null) {
			return Optional.empty();
		}
		synchronized (state) {
			return Optional.of(ClientStatus.of(client, state, this.rules.escalation(), this.clock.millis()));
		}
	}

	@Override
	public List<ClientStatus> restrictedClients(int max) {
		maintain(Integer.MAX_VALUE);
		long now = this.clock.millis();
		List<ClientStatus> restricted = new ArrayList<>();
		for (String client : this.restricted.clients()) {
			ClientState state = this.clients.policy().getIfPresentQuietly(client);
			if (state == null) {
				continue;
			}
			synchronized (state) {
				if (state.restricted(now)) {
					restricted.add(ClientStatus.of(client, state, this.rules.escalation(), now));
				}
			}
		}
		return ClientStatus.mostRecentFirst(restricted, max);
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

	@Override
	public ClientStatus block(String client, Duration duration) {
		return change(client, this.rules.blockFor(duration));
	}

	@Override
	public ClientStatus ban(String client, @Nullable Duration duration) {
		return change(client, this.rules.banFor(duration));
	}

	private ClientStatus change(String client, ObjLongConsumer<ClientState> change) {
		ClientStatus[] status = new ClientStatus[1];
		this.clients.asMap().compute(client, (key, existing) -> {
			ClientState state = (existing != null) ? existing : new ClientState();
			synchronized (state) {
				long now = this.clock.millis();
				change.accept(state, now);
				state.consumeEscalationChange();
				weigh(key, state, now);
				status[0] = ClientStatus.of(client, state, this.rules.escalation(), now);
			}
			return state;
		});
		maintain(ENDED_PER_WRITE);
		return status[0];
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
			long expiresAt = state.expiresAtMillis(InMemoryViolationStore.this.rules.escalation());
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
