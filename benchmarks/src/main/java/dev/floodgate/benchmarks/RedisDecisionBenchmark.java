package dev.floodgate.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import dev.floodgate.core.Decision;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.StoreUnavailableException;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.redis.RedisClientRecords;
import dev.floodgate.testsupport.RedisServer;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.jspecify.annotations.Nullable;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * One Redis decision per operation against a real {@code redis-server} on loopback (started
 * for each trial, or the one on the port in {@code FLOODGATE_BENCH_REDIS_PORT}):
 * <ul>
 * <li>{@code floodgate}: Floodgate's Redis store (the {@link RuleBookStore} over its
 * {@link RedisClientRecords}) over a
 * {@link LettuceConnectionFactory} with its shared native connection, as Spring Boot
 * configures it;</li>
 * <li>{@code bucket4j}: bucket4j's {@link LettuceBasedProxyManager} (compare-and-swap based)
 * over one Lettuce connection, one bucket per client key, built per request as
 * bucket4j-spring-boot-starter does, {@code tryConsume(1)};</li>
 * <li>{@code floor}: a bare {@code EVALSHA} of a trivial counter script ({@code INCR} +
 * {@code PEXPIRE}) through a {@link LettuceConnectionFactory} exactly as the store calls
 * Redis: the native asynchronous commands of the factory's shared connection (taken once),
 * {@code get} on the future with the store's timeout. No decision in Redis can cost less
 * than this one round trip.</li>
 * </ul>
 * The same limit for all, never reached (see {@link Baselines}); every client's state lives
 * longer than the run (Floodgate's and the floor's keys for twice the window, bucket4j's
 * buckets likewise), and all of them are written before measuring, so {@code 100000}
 * measures the steady state of that many known clients, not their first requests.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
@State(Scope.Benchmark)
public class RedisDecisionBenchmark {

	/** The environment variable naming the port of a running Redis server to use instead. */
	public static final String PORT_VARIABLE = "FLOODGATE_BENCH_REDIS_PORT";

	private static final long TIMEOUT_MILLIS = 500;

	private static final Duration RETENTION = Baselines.REDIS_WINDOW.multipliedBy(2);

	/** How many distinct clients send the requests. */
	@Param({ "1", "100000" })
	public int clients;

	String[] keys;

	int port;

	/** Unique per trial, so that trials against one server never share state. */
	String prefix;

	private @Nullable RedisServer server;

	@Setup
	public void setUp() {
		this.keys = ClientKeys.ipv4(this.clients);
		this.prefix = "bench" + System.nanoTime() + ":";
		String configured = System.getenv(PORT_VARIABLE);
		if (configured != null && !configured.isBlank()) {
			this.port = Integer.parseInt(configured.trim());
		}
		else {
			RedisServer started = RedisServer.start();
			// stopped even when a trial fails in a set-up, where JMH calls no tear-down
			Runtime.getRuntime().addShutdownHook(new Thread(started::close));
			this.server = started;
			this.port = started.port();
		}
	}

	@TearDown
	public void tearDown() {
		if (this.server != null) {
			this.server.close();
			this.server = null;
		}
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
	public long floor(Floor floor, ClientKeys.Cursor cursor) {
		return floor.increment(cursor.next(this.keys));
	}

	/**
	 * A connection factory as Spring Boot configures it, with its shared connection open (in an
	 * application it opens at start-up, or on the first request; the benchmark measures
	 * neither).
	 */
	static LettuceConnectionFactory connectionFactory(int port) {
		LettuceConnectionFactory connectionFactory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", port));
		connectionFactory.afterPropertiesSet();
		connectionFactory.start();
		try (RedisConnection connection = connectionFactory.getConnection()) {
			connection.ping();
		}
		return connectionFactory;
	}

	/**
	 * Sends every client's first request before measuring, from several threads so that it
	 * takes seconds, not minutes.
	 */
	static void writeAll(String[] keys, Predicate<String> request) {
		IntStream.range(0, keys.length).parallel().forEach((i) -> {
			if (!request.test(keys[i])) {
				throw new IllegalStateException("A request within the limit was rejected");
			}
		});
	}

	/**
	 * Floodgate's Redis store with the defaults of {@code floodgate.*}.
	 */
	@State(Scope.Benchmark)
	public static class FloodgateStore {

		private LettuceConnectionFactory connectionFactory;

		private RuleBookStore store;

		private RatePolicy policy;

		@Setup
		public void setUp(RedisDecisionBenchmark benchmark) {
			this.connectionFactory = connectionFactory(benchmark.port);
			RedisClientRecords records = new RedisClientRecords(this.connectionFactory, Baselines.floodgateRules(),
					benchmark.prefix, Duration.ofMillis(TIMEOUT_MILLIS));
			this.store = new RuleBookStore(records, Baselines.floodgateRules(), records.clock());
			this.policy = Baselines.floodgatePolicy(Baselines.limitText(Baselines.REDIS_WINDOW));
			awaitConnected(benchmark.keys[0]);
			writeAll(benchmark.keys, (key) -> decide(key).outcome() == Outcome.ALLOWED);
		}

		@TearDown
		public void tearDown() {
			this.connectionFactory.destroy();
		}

		Decision decide(String client) {
			return this.store.decide(client, this.policy);
		}

		/**
		 * The store takes the factory's connection on a background thread at its first call, and
		 * fails a call that waits for it longer than the store's timeout: wait until it answers.
		 */
		private void awaitConnected(String client) {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (true) {
				try {
					decide(client);
					return;
				}
				catch (StoreUnavailableException ex) {
					if (System.nanoTime() > deadline) {
						throw ex;
					}
				}
			}
		}

	}

	/**
	 * bucket4j's Lettuce proxy manager, one bucket per client key.
	 */
	@State(Scope.Benchmark)
	public static class Bucket4jBuckets {

		private RedisClient client;

		private StatefulRedisConnection<byte[], byte[]> connection;

		private LettuceBasedProxyManager<byte[]> buckets;

		private BucketConfiguration configuration;

		private String prefix;

		@Setup
		public void setUp(RedisDecisionBenchmark benchmark) {
			this.client = RedisClient.create(RedisURI.create("127.0.0.1", benchmark.port));
			this.connection = this.client.connect(ByteArrayCodec.INSTANCE);
			// the bucket lives as long as Floodgate keeps a client's counters: see the class javadoc
			this.buckets = Bucket4jLettuce.casBasedBuilder(this.connection)
				.expirationAfterWrite(ExpirationAfterWriteStrategy.fixedTimeToLive(RETENTION))
				.build();
			this.configuration = Baselines.bucket4jConfiguration(Baselines.REDIS_WINDOW);
			this.prefix = benchmark.prefix + "bucket4j:";
			writeAll(benchmark.keys, this::tryConsume);
		}

		@TearDown
		public void tearDown() {
			this.connection.close();
			this.client.shutdown(0, 2, TimeUnit.SECONDS);
		}

		boolean tryConsume(String client) {
			// as bucket4j-spring-boot-starter does per request: a proxy for the client's key
			byte[] key = (this.prefix + client).getBytes(StandardCharsets.UTF_8);
			return this.buckets.builder().build(key, this.configuration).tryConsume(1);
		}

	}

	/**
	 * The floor: one {@code EVALSHA} of {@code INCR} + {@code PEXPIRE}, called as the store calls
	 * its script.
	 */
	@State(Scope.Benchmark)
	public static class Floor {

		private static final String SCRIPT = "local n = redis.call('INCR', KEYS[1]) "
				+ "redis.call('PEXPIRE', KEYS[1], ARGV[1]) return n";

		private static final byte[][] TTL = { Long.toString(RETENTION.toMillis()).getBytes(StandardCharsets.UTF_8) };

		private LettuceConnectionFactory connectionFactory;

		private RedisScriptingAsyncCommands<byte[], byte[]> commands;

		private String sha;

		private String prefix;

		@Setup
		@SuppressWarnings("unchecked")
		public void setUp(RedisDecisionBenchmark benchmark) {
			this.connectionFactory = connectionFactory(benchmark.port);
			// the factory's shared connection, taken once as the store takes it
			try (RedisConnection connection = this.connectionFactory.getConnection()) {
				this.sha = connection.scriptingCommands().scriptLoad(SCRIPT.getBytes(StandardCharsets.UTF_8));
				this.commands = (RedisScriptingAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
			}
			this.prefix = benchmark.prefix + "floor:{";
			writeAll(benchmark.keys, (key) -> increment(key) > 0);
		}

		@TearDown
		public void tearDown() {
			this.connectionFactory.destroy();
		}

		long increment(String client) {
			byte[][] key = { (this.prefix + client + "}").getBytes(StandardCharsets.UTF_8) };
			try {
				Long count = this.commands.<Long>evalsha(this.sha, ScriptOutputType.INTEGER, key, TTL)
					.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
				return count;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			catch (ExecutionException | TimeoutException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
