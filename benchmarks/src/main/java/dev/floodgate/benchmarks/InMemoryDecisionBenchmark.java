package dev.floodgate.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.floodgate.core.Decision;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.memory.InMemoryViolationStore;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One in-memory decision per operation, for one client's request within its limit: Floodgate's
 * {@link InMemoryViolationStore} against the two things a Spring user would pick instead,
 * each keyed by client IP as it is used for that:
 * <ul>
 * <li>{@code bucket4j}: one bucket4j {@link Bucket} per client in a Caffeine cache (bounded,
 * expiring after an hour without access), {@code tryConsume(1)}: what
 * bucket4j-spring-boot-starter does per request;</li>
 * <li>{@code resilience4j}: one Resilience4j rate limiter per client from a
 * {@link RateLimiterRegistry}, {@code acquirePermission()} without waiting.</li>
 * </ul>
 * The same limit for all (never reached, see {@link Baselines}). {@code clients} is how many
 * distinct clients the requests come from: {@code 1} is one hot client (with {@code -t 2},
 * two threads contend for it), {@code 100000} spreads requests round-robin over that many
 * clients, all tracked before measuring. Run with {@code -t 1} and {@code -t 2}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
@State(Scope.Benchmark)
public class InMemoryDecisionBenchmark {

	/** How many distinct clients send the requests. */
	@Param({ "1", "100000" })
	public int clients;

	private String[] keys;

	private InMemoryViolationStore floodgate;

	private RatePolicy policy;

	private Cache<String, Bucket> buckets;

	private BucketConfiguration bucketConfiguration;

	/** Held in a field so that looking a bucket up allocates no lambda. */
	private final Function<String, Bucket> newBucket = this::newBucket;

	private RateLimiterRegistry rateLimiters;

	@Setup
	public void setUp() {
		this.keys = ClientKeys.ipv4(this.clients);
		this.floodgate = new InMemoryViolationStore(Baselines.floodgateRules(), Baselines.clock(),
				Baselines.MAX_CLIENTS);
		this.policy = Baselines.floodgatePolicy(Baselines.LIMIT_TEXT);
		this.buckets = Caffeine.newBuilder()
			.maximumSize(Baselines.MAX_CLIENTS)
			.expireAfterAccess(Duration.ofHours(1))
			.build();
		this.bucketConfiguration = Baselines.bucket4jConfiguration();
		RateLimiterConfig rateLimiterConfig = Baselines.resilience4jConfiguration();
		this.rateLimiters = RateLimiterRegistry.of(rateLimiterConfig);
		// every client is tracked before measuring: the benchmark measures the steady state
		for (String key : this.keys) {
			check(this.floodgate.decide(key, this.policy).outcome() == Outcome.ALLOWED);
			check(bucket(key).tryConsume(1));
			check(this.rateLimiters.rateLimiter(key).acquirePermission());
		}
	}

	@Benchmark
	public Decision floodgate(ClientKeys.Cursor cursor) {
		return this.floodgate.decide(cursor.next(this.keys), this.policy);
	}

	@Benchmark
	public boolean bucket4j(ClientKeys.Cursor cursor) {
		return bucket(cursor.next(this.keys)).tryConsume(1);
	}

	@Benchmark
	public boolean resilience4j(ClientKeys.Cursor cursor) {
		return this.rateLimiters.rateLimiter(cursor.next(this.keys)).acquirePermission();
	}

	private Bucket bucket(String client) {
		return this.buckets.get(client, this.newBucket);
	}

	private Bucket newBucket(String client) {
		return Bucket.builder().addLimit(this.bucketConfiguration.getBandwidths()[0]).build();
	}

	private static void check(boolean admitted) {
		if (!admitted) {
			throw new IllegalStateException("A request within the limit was rejected");
		}
	}

}
