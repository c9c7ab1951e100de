package dev.floodgate.benchmarks;

import java.time.Clock;
import java.time.Duration;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.BanPolicy;
import dev.floodgate.core.BlockPolicy;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.EscalationPolicy;
import dev.floodgate.core.LimitParser;
import dev.floodgate.core.RatePolicies;
import dev.floodgate.core.RatePolicy;
import io.github.bucket4j.BucketConfiguration;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;

/**
 * The limits the benchmarks decide by, as each library spells them, and Floodgate's
 * defaults. A limit is never reached, so every decision admits the request and each library
 * does the work a request within its limit costs it: in memory, 1,000,000,000 requests per
 * second (no thread decides that many for one client in a second, however long the run); in
 * Redis, 1,000,000,000 per hour (a round trip per decision keeps a client far below that), so
 * that every client's state lives through the run.
 */
final class Baselines {

	/** The limit's count: 1,000,000,000 requests per window and client. */
	static final long LIMIT_COUNT = 1_000_000_000L;

	/** The in-memory limit's window. */
	static final Duration MEMORY_WINDOW = Duration.ofSeconds(1);

	/** The Redis limit's window. */
	static final Duration REDIS_WINDOW = Duration.ofHours(1);

	/**
	 * The most clients any in-memory cache holds: more than any benchmark uses, so no
	 * benchmark measures eviction.
	 */
	static final long MAX_CLIENTS = 1_000_000;

	private Baselines() {
	}

	/**
	 * Floodgate's rules with the defaults of {@code floodgate.*}: sliding window, blocks after
	 * 3 violations in 10 minutes (15 minutes, doubling, at most 24 hours), a permanent ban
	 * after 10 violations in a day.
	 * @return the rules
	 */
	static DecisionRules floodgateRules() {
		BlockPolicy block = new BlockPolicy(true, 3, Duration.ofMinutes(10), Duration.ofMinutes(15), 2,
				Duration.ofHours(24), false);
		BanPolicy ban = new BanPolicy(true, 10, Duration.ofHours(24), null);
		return new DecisionRules(Algorithm.SLIDING_WINDOW, new EscalationPolicy(block, ban));
	}

	/**
	 * The policy of {@code floodgate.limit}, named {@code default} as Floodgate names it.
	 * @param limit the limit text
	 * @return the policy
	 */
	static RatePolicy floodgatePolicy(String limit) {
		return new RatePolicies().getOrCreate("default", LimitParser.parse(limit));
	}

	/**
	 * The limit as Floodgate's {@code floodgate.limit} would read it.
	 * @param window the window
	 * @return the limit text, such as {@code 1000000000/PT1S}
	 */
	static String limitText(Duration window) {
		return LIMIT_COUNT + "/" + window;
	}

	/**
	 * The limit for bucket4j: a bucket of that capacity refilled greedily over the window.
	 * @param window the window
	 * @return the bucket configuration
	 */
	static BucketConfiguration bucket4jConfiguration(Duration window) {
		return BucketConfiguration.builder()
			.addLimit((limit) -> limit.capacity(LIMIT_COUNT).refillGreedy(LIMIT_COUNT, window))
			.build();
	}

	/**
	 * The limit for Resilience4j: that many permits per refresh period, and no waiting for a
	 * permit (a request over the limit is rejected at once, as Floodgate rejects it).
	 * @param window the window
	 * @return the rate limiter configuration
	 */
	static RateLimiterConfig resilience4jConfiguration(Duration window) {
		return RateLimiterConfig.custom()
			.limitForPeriod((int) LIMIT_COUNT)
			.limitRefreshPeriod(window)
			.timeoutDuration(Duration.ZERO)
			.build();
	}

	/**
	 * The clock Floodgate's in-memory store reads, as its auto-configuration gives it.
	 * @return the system clock
	 */
	static Clock clock() {
		return Clock.systemUTC();
	}

}
