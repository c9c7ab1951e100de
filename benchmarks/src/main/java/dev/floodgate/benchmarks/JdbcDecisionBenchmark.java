package dev.floodgate.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.floodgate.core.Decision;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.jdbc.JdbcClientRecords;
import dev.floodgate.testsupport.PostgresTestServer;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
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

/**
 * One PostgreSQL decision per operation against a real PostgreSQL on loopback (started by
 * {@link PostgresTestServer} for each trial, or the database that the JDBC URL in
 * {@code FLOODGATE_BENCH_POSTGRES_URL} names), each over a HikariCP pool of
 * {@value #POOL_SIZE} connections of its own:
 * <ul>
 * <li>{@code floodgate}: Floodgate's JDBC store ({@link JdbcClientRecords#asStore()}) on its
 * table, made by its own DDL;</li>
 * <li>{@code bucket4jSelectForUpdate} and {@code bucket4jAdvisoryLock}: bucket4j's PostgreSQL
 * proxy managers ({@code Bucket4jPostgreSQL.selectForUpdateBasedBuilder} and
 * {@code advisoryLockBasedBuilder}) with a {@code String} primary key
 * ({@link PrimaryKeyMapper#STRING}), one bucket per client key, built per request as
 * bucket4j-spring-boot-starter does, {@code tryConsume(1)}.</li>
 * </ul>
 * The same limit for all, never reached (see {@link Baselines}); every client's row lives
 * longer than the run, and all of them are written before measuring, so {@code 10000}
 * measures the steady state of that many known clients, not their first requests.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@Threads(1)
@State(Scope.Benchmark)
public class JdbcDecisionBenchmark {

	/** The environment variable naming the JDBC URL of a database to use instead. */
	public static final String URL_VARIABLE = "FLOODGATE_BENCH_POSTGRES_URL";

	static final int POOL_SIZE = 10;

	private static final Duration TIMEOUT = Duration.ofMillis(500);

	private static final Duration RETENTION = Baselines.REDIS_WINDOW.multipliedBy(2);

	/** How many distinct clients send the requests. */
	@Param({ "1", "10000" })
	public int clients;

	String[] keys;

	String jdbcUrl;

	/** Unique per trial, so that trials against one database never share tables. */
	String suffix;

	private @Nullable PostgresTestServer server;

	@Setup
	public void setUp() {
		this.keys = ClientKeys.ipv4(this.clients);
		this.suffix = "_" + System.nanoTime();
		String configured = System.getenv(URL_VARIABLE);
		if (configured != null && !configured.isBlank()) {
			this.jdbcUrl = configured.trim();
		}
		else {
			PostgresTestServer started = PostgresTestServer.start();
			// stopped even when a trial fails in a set-up, where JMH calls no tear-down
			Runtime.getRuntime().addShutdownHook(new Thread(started::close));
			this.server = started;
			this.jdbcUrl = started.jdbcUrl(started.createDatabase());
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
	public boolean bucket4jSelectForUpdate(Bucket4jSelectForUpdate buckets, ClientKeys.Cursor cursor) {
		return buckets.tryConsume(cursor.next(this.keys));
	}

	@Benchmark
	public boolean bucket4jAdvisoryLock(Bucket4jAdvisoryLock buckets, ClientKeys.Cursor cursor) {
		return buckets.tryConsume(cursor.next(this.keys));
	}

	static HikariDataSource pool(String jdbcUrl, String name) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(jdbcUrl);
		config.setMaximumPoolSize(POOL_SIZE);
		config.setMinimumIdle(POOL_SIZE);
		config.setPoolName(name);
		return new HikariDataSource(config);
	}

	static void execute(HikariDataSource dataSource, String sql) {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot run " + sql, ex);
		}
	}

	/**
	 * Floodgate's JDBC store with the defaults of {@code floodgate.*}.
	 */
	@State(Scope.Benchmark)
	public static class FloodgateStore {

		private HikariDataSource dataSource;

		private ViolationStore store;

		private RatePolicy policy;

		@Setup
		public void setUp(JdbcDecisionBenchmark benchmark) {
			this.dataSource = pool(benchmark.jdbcUrl, "floodgate");
			String table = JdbcClientRecords.DEFAULT_TABLE + benchmark.suffix;
			try (InputStream in = JdbcClientRecords.class.getResourceAsStream("schema-postgresql.sql")) {
				execute(this.dataSource, new String(in.readAllBytes(), StandardCharsets.UTF_8)
					.replace(JdbcClientRecords.DEFAULT_TABLE, table));
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			this.store = new JdbcClientRecords(this.dataSource, table, Baselines.floodgateRules(), Baselines.clock(),
					TIMEOUT)
				.asStore();
			this.policy = Baselines.floodgatePolicy(Baselines.limitText(Baselines.REDIS_WINDOW));
			RedisDecisionBenchmark.writeAll(benchmark.keys, (key) -> decide(key).outcome() == Outcome.ALLOWED);
		}

		@TearDown
		public void tearDown() {
			this.dataSource.close();
		}

		Decision decide(String client) {
			return this.store.decide(client, this.policy);
		}

	}

	/**
	 * What both of bucket4j's PostgreSQL proxy managers share: a table per bucket4j's
	 * documentation with a {@code VARCHAR} key, one bucket per client key.
	 */
	abstract static class Bucket4jBuckets {

		private HikariDataSource dataSource;

		private ProxyManager<String> buckets;

		private BucketConfiguration configuration;

		void setUp(JdbcDecisionBenchmark benchmark, String name, String extraColumns) {
			this.dataSource = pool(benchmark.jdbcUrl, name);
			String table = "bucket_" + name + benchmark.suffix;
			execute(this.dataSource, "CREATE TABLE " + table
					+ " (id VARCHAR(512) PRIMARY KEY, state BYTEA, expires_at BIGINT" + extraColumns + ")");
			this.buckets = build(this.dataSource, table);
			this.configuration = Baselines.bucket4jConfiguration(Baselines.REDIS_WINDOW);
			RedisDecisionBenchmark.writeAll(benchmark.keys, this::tryConsume);
		}

		abstract ProxyManager<String> build(HikariDataSource dataSource, String table);

		@TearDown
		public void tearDown() {
			this.dataSource.close();
		}

		boolean tryConsume(String client) {
			// as bucket4j-spring-boot-starter does per request: a proxy for the client's key
			return this.buckets.builder().build(client, this.configuration).tryConsume(1);
		}

	}

	/**
	 * bucket4j's {@code SELECT ... FOR UPDATE} based proxy manager.
	 */
	@State(Scope.Benchmark)
	public static class Bucket4jSelectForUpdate extends Bucket4jBuckets {

		@Setup
		public void setUp(JdbcDecisionBenchmark benchmark) {
			setUp(benchmark, "select_for_update", "");
		}

		@Override
		ProxyManager<String> build(HikariDataSource dataSource, String table) {
			// the bucket lives as long as Floodgate keeps a client's counters: see the class javadoc
			return Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
				.primaryKeyMapper(PrimaryKeyMapper.STRING)
				.table(table)
				.expirationAfterWrite(ExpirationAfterWriteStrategy.fixedTimeToLive(RETENTION))
				.build();
		}

	}

	/**
	 * bucket4j's advisory-lock based proxy manager.
	 */
	@State(Scope.Benchmark)
	public static class Bucket4jAdvisoryLock extends Bucket4jBuckets {

		@Setup
		public void setUp(JdbcDecisionBenchmark benchmark) {
			// a key that is no number locks on the number in explicit_lock (from its lock id supplier)
			setUp(benchmark, "advisory_lock", ", explicit_lock BIGINT");
		}

		@Override
		ProxyManager<String> build(HikariDataSource dataSource, String table) {
			return Bucket4jPostgreSQL.advisoryLockBasedBuilder(dataSource)
				.primaryKeyMapper(PrimaryKeyMapper.STRING)
				.table(table)
				.expirationAfterWrite(ExpirationAfterWriteStrategy.fixedTimeToLive(RETENTION))
				.build();
		}

	}

}
