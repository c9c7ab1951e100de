package dev.floodgate.store.memory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjLongConsumer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.floodgate.core.ClientState;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.ViolationStore;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ViolationStore} in this JVM's heap, for a single instance. Bounded by a Caffeine
 * cache: at most {@code maxClients} clients that are neither blocked nor banned are tracked,
 * and when more arrive the least recently seen of them are evicted (blocked and banned
 * clients weigh nothing, so they are never evicted before their restriction lapses). Each
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

	private final DecisionRules rules;

	private final Clock clock;

	private final Cache<String, ClientState> clients;

	/**
	 * Creates a store.
	 * @param rules the decision rules
	 * @param clock the clock
	 * @param maxClients the most clients tracked that are neither blocked nor banned
	 */
	public InMemoryViolationStore(DecisionRules rules, Clock clock, long maxClients) {
		this.rules = rules;
		this.clock = clock;
		this.clients = Caffeine.newBuilder()
			.maximumWeight(maxClients)
			.weigher((String client, ClientState state) -> state.weighedRestricted() ? 0 : 1)
			.expireAfter(new StateExpiry())
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
				state.weighedRestricted(state.restricted(now));
			}
			return state;
		});
		return decision[0];
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
		long now = this.clock.millis();
		List<ClientStatus> restricted = new ArrayList<>();
		for (Map.Entry<String, ClientState> entry : this.clients.asMap().entrySet()) {
			ClientState state = entry.getValue();
			synchronized (state) {
				if (state.restricted(now)) {
					restricted.add(ClientStatus.of(entry.getKey(), state, this.rules.escalation(), now));
				}
			}
		}
		return ClientStatus.mostRecentFirst(restricted, max);
	}

	@Override
	public boolean forget(String client) {
		return this.clients.asMap().remove(client) != null;
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
				state.weighedRestricted(state.restricted(now));
				status[0] = ClientStatus.of(client, state, this.rules.escalation(), now);
			}
			return state;
		});
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
	 * Runs pending evictions and expirations now (for tests and gauges).
	 */
	public void cleanUp() {
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
