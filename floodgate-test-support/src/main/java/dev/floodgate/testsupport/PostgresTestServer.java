package dev.floodgate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL the tests run against: a real {@code postgres} process from Debian's
 * {@code postgresql} package (version 15, {@code /usr/lib/postgresql/15/bin}, else the newest
 * version installed there, or the directory named by {@code FLOODGATE_POSTGRES_BIN}), in a temporary directory on a free loopback port,
 * without fsync; or, when {@code FLOODGATE_TEST_POSTGRES_URL} names one (a JDBC URL of a
 * database whose user may create databases), an existing server. {@code initdb} refuses to run
 * as root: as root the server runs as the {@code postgres} user, through {@code runuser}.
 * <p>
 * Each {@link #createDatabase()} makes a database of its own, so that test classes never see
 * each other's tables. {@link #close()} stops the server and deletes its directory.
 */
public final class PostgresTestServer implements AutoCloseable {

	/** The environment variable that names an existing PostgreSQL to test against. */
	public static final String URL_VARIABLE = "FLOODGATE_TEST_POSTGRES_URL";

	private static final String DEFAULT_BIN = "/usr/lib/postgresql/15/bin";

	private static final AtomicInteger databases = new AtomicInteger();

	private final @Nullable String externalUrl;

	private final int port;

	private final @Nullable Path directory;

	private final boolean asPostgresUser;

	private final List<HikariDataSource> dataSources = new ArrayList<>();

	private @Nullable Process process;

	private PostgresTestServer(@Nullable String externalUrl) {
		this.externalUrl = externalUrl;
		this.asPostgresUser = externalUrl == null && isRoot();
		if (externalUrl != null) {
			this.port = -1;
			this.directory = null;
		}
		else {
			this.port = RedisServer.freePort();
			try {
				this.directory = Files.createTempDirectory("floodgate-postgres-" + this.port);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	/**
	 * Starts a server, or uses the one {@code FLOODGATE_TEST_POSTGRES_URL} names.
	 * @return the running server
	 */
	public static PostgresTestServer start() {
		String url = System.getenv(URL_VARIABLE);
		PostgresTestServer server = new PostgresTestServer((url != null && !url.isBlank()) ? url : null);
		try {
			server.startServer();
		}
		catch (RuntimeException ex) {
			server.close();
			throw ex;
		}
		return server;
	}

	/**
	 * Whether the tests run against an existing server (which they do not stop).
	 * @return {@code true} for a server named by {@code FLOODGATE_TEST_POSTGRES_URL}
	 */
	public boolean isExternal() {
		return this.externalUrl != null;
	}

	/**
	 * The server's port on 127.0.0.1.
	 * @return the port, -1 for an external server
	 */
	public int port() {
		return this.port;
	}

	/**
	 * The JDBC URL of the server's {@code postgres} database (or of the external one).
	 * @return a {@code jdbc:postgresql:} URL
	 */
	public String jdbcUrl() {
		return (this.externalUrl != null) ? this.externalUrl : jdbcUrl("postgres");
	}

	/**
	 * The JDBC URL of one database of this server.
	 * @param database the database's name
	 * @return a {@code jdbc:postgresql:} URL
	 */
	public String jdbcUrl(String database) {
		if (this.externalUrl != null) {
			int query = this.externalUrl.indexOf('?');
			String base = (query >= 0) ? this.externalUrl.substring(0, query) : this.externalUrl;
			String parameters = (query >= 0) ? this.externalUrl.substring(query) : "";
			return base.substring(0, base.lastIndexOf('/') + 1) + database + parameters;
		}
		return "jdbc:postgresql://127.0.0.1:" + this.port + "/" + database + "?user=postgres";
	}

	/**
	 * Creates a new, empty database.
	 * @return its name, unique to this JVM run
	 */
	public String createDatabase() {
		String name = "floodgate_" + databases.incrementAndGet() + "_" + Long.toHexString(System.nanoTime());
		execute("CREATE DATABASE " + name);
		return name;
	}

	/**
	 * A pooled {@link javax.sql.DataSource} of a new, empty database, closed with the server.
	 * @return the data source
	 */
	public HikariDataSource dataSource() {
		return dataSource(createDatabase());
	}

	/**
	 * A pooled {@link javax.sql.DataSource} of one database, closed with the server.
	 * @param database the database's name
	 * @return the data source
	 */
	public HikariDataSource dataSource(String database) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(jdbcUrl(database));
		config.setMaximumPoolSize(20);
		config.setPoolName("floodgate-test-" + database);
		HikariDataSource dataSource = new HikariDataSource(config);
		synchronized (this.dataSources) {
			this.dataSources.add(dataSource);
		}
		return dataSource;
	}

	/**
	 * Runs one statement on the server's {@code postgres} database.
	 * @param sql the statement
	 */
	public void execute(String sql) {
		try (Connection connection = DriverManager.getConnection(jdbcUrl()); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Cannot run " + sql + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Stops the server at once, as an outage would (its data stays for {@link #restart()}).
	 * @throws IllegalStateException for an external server
	 */
	public void kill() {
		if (this.externalUrl != null) {
			throw new IllegalStateException("An external PostgreSQL is not stopped by the tests");
		}
		Process running = this.process;
		if (running != null) {
			// immediate shutdown: the backends end with the server, as in a crash (recovered on restart)
			run(Duration.ofSeconds(30), bin("pg_ctl"), "-D", this.directory.resolve("data").toString(), "-m",
					"immediate", "-w", "stop");
			try {
				if (!running.waitFor(10, TimeUnit.SECONDS)) {
					running.destroyForcibly();
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.process = null;
		}
	}

	/**
	 * Starts the server again on the same port and data, after {@link #kill()}.
	 */
	public void restart() {
		kill();
		startProcess();
	}

	@Override
	public void close() {
		synchronized (this.dataSources) {
			this.dataSources.forEach(HikariDataSource::close);
			this.dataSources.clear();
		}
		Process running = this.process;
		Path directory = this.directory;
		if (running != null && directory != null) {
			try {
				run(Duration.ofSeconds(30), bin("pg_ctl"), "-D", directory.resolve("data").toString(), "-m", "immediate",
						"-w", "stop");
			}
			catch (RuntimeException ex) {
				// fall back to killing the process
			}
			running.destroy();
			try {
				if (!running.waitFor(10, TimeUnit.SECONDS)) {
					running.destroyForcibly();
					running.waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.process = null;
		}
		if (directory != null) {
			delete(directory);
		}
	}

	private void startServer() {
		if (this.externalUrl != null) {
			awaitConnection(Duration.ofSeconds(20));
			return;
		}
		Path directory = this.directory;
		Path data = directory.resolve("data");
		if (this.asPostgresUser) {
			run(Duration.ofSeconds(10), "chown", "-R", "postgres", directory.toString());
		}
		run(Duration.ofSeconds(120), bin("initdb"), "-D", data.toString(), "-U", "postgres", "--auth=trust",
				"--encoding=UTF8", "--locale=C", "--no-sync");
		startProcess();
	}

	private void startProcess() {
		Path directory = this.directory;
		Path data = directory.resolve("data");
		List<String> command = command(bin("postgres"), "-D", data.toString(), "-p", Integer.toString(this.port), "-k",
				directory.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c",
				"synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200", "-c",
				"shared_buffers=32MB", "-c", "log_min_messages=warning");
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("postgres.log").toFile()))
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start " + command, ex);
		}
		awaitConnection(Duration.ofSeconds(60));
	}

	private void awaitConnection(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		SQLException last = null;
		while (System.nanoTime() < deadline) {
			Process running = this.process;
			if (this.externalUrl == null && (running == null || !running.isAlive())) {
				throw new IllegalStateException("postgres exited: " + log());
			}
			try (Connection connection = DriverManager.getConnection(jdbcUrl())) {
				return;
			}
			catch (SQLException ex) {
				last = ex;
			}
			RedisServer.pause(50);
		}
		throw new IllegalStateException("PostgreSQL did not answer at " + jdbcUrl() + ": "
				+ ((last != null) ? last.getMessage() : "") + " " + log(), last);
	}

	private String log() {
		try {
			return (this.directory != null) ? Files.readString(this.directory.resolve("postgres.log")) : "";
		}
		catch (IOException ex) {
			return "(no log)";
		}
	}

	private List<String> command(String... command) {
		List<String> all = new ArrayList<>();
		if (this.asPostgresUser) {
			all.addAll(List.of("runuser", "-u", "postgres", "--"));
		}
		all.addAll(List.of(command));
		return all;
	}

	private void run(Duration timeout, String... arguments) {
		List<String> command = arguments[0].equals("chown") ? List.of(arguments) : command(arguments);
		try {
			Process started = new ProcessBuilder(command).redirectErrorStream(true).start();
			byte[] output = started.getInputStream().readAllBytes();
			if (!started.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				started.destroyForcibly();
				throw new IllegalStateException(command + " did not finish in " + timeout);
			}
			if (started.exitValue() != 0) {
				throw new IllegalStateException(command + " failed (" + started.exitValue() + "): " + new String(output));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String bin(String program) {
		String configured = System.getenv("FLOODGATE_POSTGRES_BIN");
		String directory = (configured != null && !configured.isBlank()) ? configured : DEFAULT_BIN;
		if (!Files.isDirectory(Path.of(directory)) && (configured == null || configured.isBlank())) {
			// another Debian release's version: the newest installed
			try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
				directory = versions.map((version) -> version.resolve("bin"))
					.filter(Files::isDirectory)
					.max(Comparator.comparingInt(PostgresTestServer::majorVersion))
					.map(Path::toString)
					.orElse(DEFAULT_BIN);
			}
			catch (IOException ex) {
				// none installed: say so below
			}
		}
		Path path = Path.of(directory, program);
		if (!Files.isExecutable(path)) {
			throw new IllegalStateException("No " + path + ": install Debian's postgresql package (15), set "
					+ "FLOODGATE_POSTGRES_BIN to its bin directory, or " + URL_VARIABLE + " to a server's JDBC URL");
		}
		return path.toString();
	}

	private static int majorVersion(Path bin) {
		try {
			return Integer.parseInt(bin.getParent().getFileName().toString());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	private static boolean isRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

	private static void delete(Path directory) {
		try (Stream<Path> paths = Files.walk(directory)) {
			paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
		}
		catch (IOException ex) {
			// best effort: a temporary directory
		}
	}

}
