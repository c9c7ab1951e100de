package dev.floodgate.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.floodgate.core.Decision;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.redis.RedisViolationStore;
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
 * for each trial, or the one on {@code FLOODGATE_BENCH_REDIS_PORT}):
 * <ul>
 * <li>{@code floodgate}: Floodgate's {@link RedisViolationStore} over a
 * {@link LettuceConnectionFactory} with its shared native connection, as Spring Boot
 * configures it;</li>
 * <li>{@code bucket4j}: bucket4j's {@link LettuceBasedProxyManager} (compare-and-swap based)
 * over one Lettuce connection, one bucket per client key, {@code tryConsume(1)};</li>
 * <li>{@code floor}: a bare {@code EVALSHA} of a trivial counter script ({@code INCR} +
 * {@code PEXPIRE}) through the same connection factory exactly as the store calls Redis:
 * a connection from the factory, its native asynchronous commands, {@code get} on the
 * future. No decision can cost less than this one round trip.</li>
 * </ul>
 * The same limit as the in-memory benchmark, never reached.
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

	private static final String COUNTER_SCRIPT = "local n = redis.call('INCR', KEYS[1]) "
			+ "redis.call('PEXPIRE', KEYS[1], ARGV[1]) return n";

	private static final byte[][] COUNTER_TTL = { Long.toString(2 * Baselines.LIMIT_WINDOW.toMillis())
		.getBytes(StandardCharsets.UTF_8) };

	private static final long TIMEOUT_MILLIS = 500;

	/** How many distinct clients send the requests. */
	@Param({ "1", "100000" })
	public int clients;

	private String[] keys;

	private @Nullable RedisServer server;

	private LettuceConnectionFactory connectionFactory;

	private RedisViolationStore floodgate;

	private RatePolicy policy;

	private String counterSha;

	private String floorPrefix;

	private String bucket4jPrefix;

	private RedisClient bucket4jClient;

	private StatefulRedisConnection<byte[], byte[]> bucket4jConnection;

	private LettuceBasedProxyManager<byte[]> buckets;

	private BucketConfiguration bucketConfiguration;

	@Setup
	public void setUp() {
		this.keys = ClientKeys.ipv4(this.clients);
		int port = port();
		// a unique prefix per trial, so that trials against one server never share state
		String prefix = "bench" + System.nanoTime() + ":";
		this.connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
		this.floodgate = new RedisViolationStore(this.connectionFactory, Baselines.floodgateRules(), prefix,
				Duration.ofMillis(TIMEOUT_MILLIS));
		this.policy = Baselines.floodgatePolicy(Baselines.LIMIT_TEXT);
		this.floorPrefix = prefix + "floor:{";
		this.bucket4jPrefix = prefix + "bucket4j:";
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			this.counterSha = connection.scriptingCommands()
				.scriptLoad(COUNTER_SCRIPT.getBytes(StandardCharsets.UTF_8));
		}
		this.bucket4jClient = RedisClient.create(RedisURI.create("127.0.0.1", port));
		this.bucket4jConnection = this.bucket4jClient.connect(ByteArrayCodec.INSTANCE);
		this.buckets = Bucket4jLettuce.casBasedBuilder(this.bucket4jConnection)
			.expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
			.build();
		this.bucketConfiguration = Baselines.bucket4jConfiguration();
		// each store answers before measuring (loads the scripts)
		String key = this.keys[0];
		check(this.floodgate.decide(key, this.policy).outcome() == Outcome.ALLOWED);
		check(bucket4j(key));
		check(floor(key) > 0);
	}

	@TearDown
	public void tearDown() {
		this.bucket4jConnection.close();
		this.bucket4jClient.shutdown(0, 2, TimeUnit.SECONDS);
		this.connectionFactory.destroy();
		if (this.server != null) {
			this.server.close();
			this.server = null;
		}
	}

	@Benchmark
	public Decision floodgate(ClientKeys.Cursor cursor) {
		return this.floodgate.decide(cursor.next(this.keys), this.policy);
	}

	@Benchmark
	public boolean bucket4j(ClientKeys.Cursor cursor) {
		return bucket4j(cursor.next(this.keys));
	}

	@Benchmark
	public long floor(ClientKeys.Cursor cursor) {
		return floor(cursor.next(this.keys));
	}

	private boolean bucket4j(String client) {
		// as bucket4j-spring-boot-starter does per request: a proxy for the client's key
		byte[] key = (this.bucket4jPrefix + client).getBytes(StandardCharsets.UTF_8);
		return this.buckets.builder().build(key, this.bucketConfiguration).tryConsume(1);
	}

	@SuppressWarnings("unchecked")
	private long floor(String client) {
		byte[][] key = { (this.floorPrefix + client + "}").getBytes(StandardCharsets.UTF_8) };
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			RedisScriptingAsyncCommands<byte[], byte[]> commands = (RedisScriptingAsyncCommands<byte[], byte[]>) connection
				.getNativeConnection();
			Long count = commands.<Long>evalsha(this.counterSha, ScriptOutputType.INTEGER, key, COUNTER_TTL)
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

	private int port() {
		String configured = System.getenv(PORT_VARIABLE);
		if (configured != null && !configured.isBlank()) {
			return Integer.parseInt(configured.trim());
		}
		this.server = RedisServer.start();
		return this.server.port();
	}

	private static void check(boolean ok) {
		if (!ok) {
			throw new IllegalStateException("A request within the limit was rejected");
		}
	}

}
