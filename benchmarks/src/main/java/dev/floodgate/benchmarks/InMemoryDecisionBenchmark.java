package dev.floodgate.benchmarks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.floodgate.core.Decision;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.memory.InMemoryClientRecords;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
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
 * in-memory store ({@link InMemoryClientRecords}) against the two things a Spring user would pick instead,
 * each keyed by client IP as it is used for that:
 * <ul>
 * <li>{@code bucket4j}: one bucket4j {@link Bucket} per client in a Caffeine cache (bounded,
 * expiring after an hour without access), {@code tryConsume(1)}: what
 * bucket4j-spring-boot-starter does per request;</li>
 * <li>{@code resilience4j}: one Resilience4j rate limiter per client from a
 * {@link RateLimiterRegistry}, {@code acquirePermission()} without waiting.</li>
 * </ul>
 * The same limit for all, never reached (see {@link Baselines}). {@code clients} is how many
 * distinct clients the requests come from: {@code 1} is one hot client (with {@code -t 2},
 * two threads contend for it), {@code 100000} spreads each thread's requests round-robin over
 * that many clients, all tracked before measuring. Each benchmark builds only its own
 * library's state. Run with {@code -t 1} and {@code -t 2}.
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

	String[] keys;

	@Setup
	public void setUp() {
		this.keys = ClientKeys.ipv4(this.clients);
	}

	@Benchmark
	public Decision floodgate(FloodgateStore store, ClientKeys.Cursor cursor) {
		return store.decide(cursor.next(this.keys));
	}

	@Benchmark
	public boolean bucket4j(Bucket4jBuckets buckets, ClientKeys.Cursor cursor) {
		return buckets.tryConsume(cursor.next(this.keys));
	}

	@Benchmark
	public boolean resilience4j(Resilience4jRateLimiters rateLimiters, ClientKeys.Cursor cursor) {
		return rateLimiters.acquirePermission(cursor.next(this.keys));
	}

	private static void check(boolean admitted) {
		if (!admitted) {
			throw new IllegalStateException("A request within the limit was rejected");
		}
	}

	/**
	 * Floodgate's in-memory store with the defaults of {@code floodgate.*}.
	 */
	@State(Scope.Benchmark)
	public static class FloodgateStore {

		private ViolationStore store;

		private RatePolicy policy;

		@Setup
		public void setUp(InMemoryDecisionBenchmark benchmark) {
			this.store = new InMemoryClientRecords(Baselines.floodgateRules(), Baselines.clock(),
					Baselines.MAX_CLIENTS).asStore();
			this.policy = Baselines.floodgatePolicy(Baselines.limitText(Baselines.MEMORY_WINDOW));
			for (String key : benchmark.keys) {
				check(decide(key).outcome() == Outcome.ALLOWED);
			}
		}

		Decision decide(String client) {
			return this.store.decide(client, this.policy);
		}

	}

	/**
	 * A bucket4j bucket per client in a Caffeine cache.
	 */
	@State(Scope.Benchmark)
	public static class Bucket4jBuckets {

		private Cache<String, Bucket> buckets;

		private Bandwidth limit;

		/** Held in a field so that looking a bucket up allocates no lambda. */
		private final Function<String, Bucket> newBucket = this::newBucket;

		@Setup
		public void setUp(InMemoryDecisionBenchmark benchmark) {
			this.buckets = Caffeine.newBuilder()
				.maximumSize(Baselines.MAX_CLIENTS)
				.expireAfterAccess(Duration.ofHours(1))
				.build();
			this.limit = Baselines.bucket4jConfiguration(Baselines.MEMORY_WINDOW).getBandwidths()[0];
			for (String key : benchmark.keys) {
				check(tryConsume(key));
			}
		}

		boolean tryConsume(String client) {
			return this.buckets.get(client, this.newBucket).tryConsume(1);
		}

		private Bucket newBucket(String client) {
			return Bucket.builder().addLimit(this.limit).build();
		}

	}

	/**
	 * A Resilience4j rate limiter per client, from a registry.
	 */
	@State(Scope.Benchmark)
	public static class Resilience4jRateLimiters {

		private RateLimiterRegistry registry;

		@Setup
		public void setUp(InMemoryDecisionBenchmark benchmark) {
			this.registry = RateLimiterRegistry.of(Baselines.resilience4jConfiguration(Baselines.MEMORY_WINDOW));
			for (String key : benchmark.keys) {
				check(acquirePermission(key));
			}
		}

		boolean acquirePermission(String client) {
			return this.registry.rateLimiter(client).acquirePermission();
		}

	}

}
