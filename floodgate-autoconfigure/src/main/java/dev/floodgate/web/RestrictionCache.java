package dev.floodgate.web;

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
 * flood from them is answered without calling the store at all. An entry lasts until the
 * restriction ends, and at most {@code ttl}: after that the next request asks the store again,
 * so a ban lifted on another instance takes effect here within {@code ttl}. Lifting or
 * restricting a client through this instance's actuator endpoint updates it at once.
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
	 * The remembered decision for a client, if it is still blocked or banned.
	 * @param client the client key
	 * @return a {@link Outcome#BLOCKED} or {@link Outcome#BANNED} decision, or {@code null}
	 * when the store must decide
	 */
	public @Nullable Decision get(String client) {
		if (this.restrictions == null) {
			return null;
		}
		Restriction restriction = this.restrictions.getIfPresent(client);
		if (restriction == null) {
			return null;
		}
		long now = this.clock.millis();
		if (restriction.untilMillis <= now) {
			return null;
		}
		long retryAfter = (restriction.untilMillis == Long.MAX_VALUE) ? -1 : restriction.untilMillis - now;
		return Decision.of(restriction.outcome, retryAfter, null);
	}

	/**
	 * Remembers a store's decision when it says the client is blocked or banned.
	 * @param client the client key
	 * @param decision the store's decision
	 */
	public void remember(String client, Decision decision) {
		if (this.restrictions == null
				|| (decision.outcome() != Outcome.BLOCKED && decision.outcome() != Outcome.BANNED)) {
			return;
		}
		long until = (decision.retryAfterMillis() < 0) ? Long.MAX_VALUE
				: this.clock.millis() + decision.retryAfterMillis();
		this.restrictions.put(client, new Restriction(decision.outcome(), until));
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

	private record Restriction(Outcome outcome, long untilMillis) {
	}

	private final class RestrictionExpiry implements Expiry<String, Restriction> {

		@Override
		public long expireAfterCreate(String client, Restriction restriction, long currentTime) {
			long now = TimeUnit.NANOSECONDS.toMillis(currentTime);
			long until = Math.min(restriction.untilMillis, now + RestrictionCache.this.ttlMillis);
			return TimeUnit.MILLISECONDS.toNanos(Math.max(1, until - now));
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
