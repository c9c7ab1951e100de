package dev.floodgate.store;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.floodgate.core.Decision;
import dev.floodgate.core.Outcome;
import org.jspecify.annotations.Nullable;

/**
 * Remembers, on this instance, the clients the store said are blocked or banned, so that a
 * flood from them is answered without calling the store at all. An entry answers for at most
 * {@code ttl} after the store said so ({@link #get}): after that the next request asks the
 * store again, so a ban lifted on another instance takes effect here within {@code ttl}.
 * Lifting or restricting a client through this instance's actuator endpoint updates it at
 * once.
 * <p>
 * An entry is kept until its restriction ends (at most {@code maxClients} of them): while
 * the store cannot be reached, what this instance already knows still holds
 * ({@link #known}), whatever {@code floodgate.store.on-failure} says.
 * <p>
 * With relative blocks each request made while blocked restarts the block; from this cache
 * the store hears of it once per {@code ttl}, so the block restarts with that granularity.
 */
public final class RestrictionCache {

	private final Clock clock;

	private final long ttlMillis;

	private final @Nullable Cache<String, Restriction> restrictions;

	/**
	 * Creates a cache.
	 * @param clock the time source
	 * @param ttl how long an entry may answer without asking the store again; zero disables
	 * the cache
	 * @param maxClients the most clients remembered
	 */
	public RestrictionCache(Clock clock, Duration ttl, long maxClients) {
		this.clock = clock;
		this.ttlMillis = ttl.toMillis();
		this.restrictions = (this.ttlMillis > 0) ? Caffeine.newBuilder()
			.maximumSize(maxClients)
			.expireAfter(new RestrictionExpiry())
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			.executor(Runnable::run)
			.build() : null;
	}

	/**
	 * The remembered decision for a client, if it is still blocked or banned and the store
	 * said so within the ttl.
	 * @param client the client key
	 * @return a {@link Outcome#BLOCKED} or {@link Outcome#BANNED} decision, or {@code null}
	 * when the store must decide
	 */
	public @Nullable Decision get(String client) {
		return lookup(client, true);
	}

	/**
	 * The remembered decision for a client, if it is still blocked or banned, however long
	 * ago the store said so: for when the store cannot be asked.
	 * @param client the client key
	 * @return a {@link Outcome#BLOCKED} or {@link Outcome#BANNED} decision, or {@code null}
	 * when nothing is known
	 */
	public @Nullable Decision known(String client) {
		return lookup(client, false);
	}

	private @Nullable Decision lookup(String client, boolean fresh) {
		if (this.restrictions == null) {
			return null;
		}
		Restriction restriction = this.restrictions.getIfPresent(client);
		if (restriction == null) {
			return null;
		}
		long now = this.clock.millis();
		if (restriction.untilMillis <= now || (fresh && now - restriction.learntMillis >= this.ttlMillis)) {
			return null;
		}
		long retryAfter = (restriction.untilMillis == Long.MAX_VALUE) ? -1 : restriction.untilMillis - now;
		return Decision.of(restriction.outcome, retryAfter, null);
	}

	/**
	 * Remembers a store's decision: a blocked or banned client is remembered, any other
	 * decision forgets what was remembered of the client (its restriction was lifted).
	 * @param client the client key
	 * @param decision the store's decision
	 */
	public void remember(String client, Decision decision) {
		if (this.restrictions == null) {
			return;
		}
		if (decision.outcome() != Outcome.BLOCKED && decision.outcome() != Outcome.BANNED) {
			if (this.restrictions.estimatedSize() > 0) {
				this.restrictions.invalidate(client);
			}
			return;
		}
		long now = this.clock.millis();
		long until = (decision.retryAfterMillis() < 0) ? Long.MAX_VALUE : now + decision.retryAfterMillis();
		this.restrictions.put(client, new Restriction(decision.outcome(), until, now));
	}

	/**
	 * Forgets a client, so that its next request asks the store.
	 * @param client the client key
	 */
	public void forget(String client) {
		if (this.restrictions != null) {
			this.restrictions.invalidate(client);
		}
	}

	private record Restriction(Outcome outcome, long untilMillis, long learntMillis) {
	}

	/** An entry lives until its restriction ends. */
	private static final class RestrictionExpiry implements Expiry<String, Restriction> {

		@Override
		public long expireAfterCreate(String client, Restriction restriction, long currentTime) {
			if (restriction.untilMillis == Long.MAX_VALUE) {
				return Long.MAX_VALUE;
			}
			long now = TimeUnit.NANOSECONDS.toMillis(currentTime);
			return TimeUnit.MILLISECONDS.toNanos(Math.max(1, restriction.untilMillis - now));
		}

		@Override
		public long expireAfterUpdate(String client, Restriction restriction, long currentTime, long currentDuration) {
			return expireAfterCreate(client, restriction, currentTime);
		}

		@Override
		public long expireAfterRead(String client, Restriction restriction, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
