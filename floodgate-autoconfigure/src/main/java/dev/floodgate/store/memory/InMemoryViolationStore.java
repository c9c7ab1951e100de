package dev.floodgate.store.memory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.floodgate.core.ClientState;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.ViolationStore;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ViolationStore} in this JVM's heap, for a single instance. Bounded by a Caffeine
 * cache: at most {@code maxClients} clients are tracked, and when more arrive the least
 * recently seen ones that are neither blocked nor banned are evicted (blocked and banned
 * clients weigh nothing, so they are never evicted before their restriction and history
 * lapse). Each client's state expires by itself once nothing in it matters any more.
 * <p>
 * Decisions for one client are serialised by locking that client's state; different clients
 * never wait for each other. Time comes from the given {@link Clock}.
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
			.weigher((String client, ClientState state) -> state.restricted(clock.millis()) ? 0 : 1)
			.expireAfter(new StateExpiry())
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			.executor(Runnable::run)
			.build();
	}

	@Override
	public Decision decide(String client, @Nullable RatePolicy policy) {
		ClientState state = this.clients.getIfPresent(client);
		boolean created = false;
		if (state == null) {
			if (policy == null) {
				return Decision.UNLIMITED;
			}
			ClientState fresh = new ClientState();
			state = this.clients.asMap().putIfAbsent(client, fresh);
			if (state == null) {
				state = fresh;
				created = true;
			}
		}
		Decision decision;
		boolean reweigh;
		synchronized (state) {
			decision = this.rules.decide(state, policy, this.clock.millis());
			reweigh = state.consumeEscalationChange() || created;
		}
		if (reweigh) {
			// let the cache see the state's new weight and expiry; put it back if it was evicted
			ClientState current = state;
			this.clients.asMap().compute(client, (key, existing) -> (existing == null) ? current : existing);
		}
		return decision;
	}

	@Override
	public Optional<ClientStatus> status(String client) {
		ClientState state = this.clients.policy().getIfPresentQuietly(client);
		if (state == null) {
			return Optional.empty();
		}
		synchronized (state) {
			return Optional.of(status(client, state, this.clock.millis()));
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
					restricted.add(status(entry.getKey(), state, now));
				}
			}
		}
		restricted.sort(Comparator.comparing(ClientStatus::since, Comparator.nullsLast(Comparator.reverseOrder())));
		return (restricted.size() > max) ? List.copyOf(restricted.subList(0, max)) : List.copyOf(restricted);
	}

	@Override
	public long restrictedCount() {
		long now = this.clock.millis();
		long count = 0;
		for (ClientState state : this.clients.asMap().values()) {
			synchronized (state) {
				if (state.restricted(now)) {
					count++;
				}
			}
		}
		return count;
	}

	@Override
	public boolean forget(String client) {
		return this.clients.asMap().remove(client) != null;
	}

	@Override
	public ClientStatus block(String client, Duration duration) {
		return change(client, (state, now) -> this.rules.block(state, duration.toMillis(), now));
	}

	@Override
	public ClientStatus ban(String client, @Nullable Duration duration) {
		return change(client, (state, now) -> this.rules.ban(state, (duration != null) ? duration.toMillis() : -1, now));
	}

	private ClientStatus change(String client, StateChange change) {
		ClientState state = this.clients.asMap().computeIfAbsent(client, (key) -> new ClientState());
		ClientStatus status;
		synchronized (state) {
			long now = this.clock.millis();
			change.apply(state, now);
			state.consumeEscalationChange();
			status = status(client, state, now);
		}
		ClientState current = state;
		this.clients.asMap().compute(client, (key, existing) -> (existing == null) ? current : existing);
		return status;
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

	private ClientStatus status(String client, ClientState state, long now) {
		return ClientStatus.of(client, now, this.rules.escalation(), state.bannedAtMillis(), state.bannedUntilMillis(),
				state.blockedAtMillis(), state.blockedUntilMillis(), state.blocks(), state.blocksSinceMillis(),
				state.banViolations(), state.banViolationsSinceMillis());
	}

	@FunctionalInterface
	private interface StateChange {

		void apply(ClientState state, long now);

	}

	/**
	 * Keeps a state until {@link ClientState#expiresAtMillis} and, on every read, at least as
	 * long as its counters matter after a request made now.
	 */
	private final class StateExpiry implements Expiry<String, ClientState> {

		private static final long NEW_STATE_NANOS = TimeUnit.DAYS.toNanos(1);

		@Override
		public long expireAfterCreate(String client, ClientState state, long currentTime) {
			// a new state is decided and put back straight away, which sets its real expiry
			return NEW_STATE_NANOS;
		}

		@Override
		public long expireAfterUpdate(String client, ClientState state, long currentTime, long currentDuration) {
			return nanosUntilExpiry(state, currentTime, 0);
		}

		// Caffeine treats putting back the same state as a read: both give the state's own expiry

		@Override
		public long expireAfterRead(String client, ClientState state, long currentTime, long currentDuration) {
			// a read comes before the decision that may count a request now: keep the counters that long
			return nanosUntilExpiry(state, currentTime, state.counterRetentionMillis());
		}

		private long nanosUntilExpiry(ClientState state, long currentTime, long atLeastMillis) {
			long now = TimeUnit.NANOSECONDS.toMillis(currentTime);
			long expiresAt = state.expiresAtMillis(InMemoryViolationStore.this.rules.escalation());
			if (expiresAt == Long.MAX_VALUE) {
				return Long.MAX_VALUE;
			}
			long millis = Math.max(atLeastMillis, expiresAt - now);
			return TimeUnit.MILLISECONDS.toNanos(Math.max(millis, 1));
		}

	}

}
