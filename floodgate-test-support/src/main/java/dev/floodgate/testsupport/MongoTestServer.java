package dev.floodgate.testsupport;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import org.jspecify.annotations.Nullable;

/**
 * The MongoDB the tests run against: a real MongoDB when {@code FLOODGATE_TEST_MONGODB_URI}
 * names one, otherwise {@code de.bwaldvogel:mongo-java-server} (the MongoDB wire protocol,
 * in process) on a free loopback port.
 */
public final class MongoTestServer implements AutoCloseable {

	/** The environment variable that names a real MongoDB to test against. */
	public static final String URI_VARIABLE = "FLOODGATE_TEST_MONGODB_URI";

	private final @Nullable String externalUri;

	private final MemoryBackend backend = new MemoryBackend();

	private final int port;

	private @Nullable MongoServer server;

	private MongoTestServer(@Nullable String externalUri) {
		this.externalUri = externalUri;
		this.port = (externalUri != null) ? -1 : RedisServer.freePort();
	}

	/**
	 * Starts the in-process server, or uses the real MongoDB named by
	 * {@code FLOODGATE_TEST_MONGODB_URI}.
	 * @return the server
	 */
	public static MongoTestServer start() {
		String uri = System.getenv(URI_VARIABLE);
		MongoTestServer server = new MongoTestServer((uri != null && !uri.isBlank()) ? uri : null);
		server.startServer();
		return server;
	}

	/**
	 * The connection string.
	 * @return a {@code mongodb://} URI
	 */
	public String uri() {
		return (this.externalUri != null) ? this.externalUri : "mongodb://127.0.0.1:" + this.port;
	}

	/**
	 * Whether the tests run against a real MongoDB (which they cannot stop).
	 * @return {@code true} for a real MongoDB
	 */
	public boolean isExternal() {
		return this.externalUri != null;
	}

	/**
	 * Stops the in-process server as an outage would: its connections are closed and its port
	 * refuses new ones. Its data is kept for {@link #restart()}.
	 */
	public void kill() {
		MongoServer running = this.server;
		if (running != null) {
			running.shutdownNow();
			this.server = null;
		}
	}

	/**
	 * Starts the in-process server again on the same port, with the data it had.
	 */
	public void restart() {
		kill();
		startServer();
	}

	private void startServer() {
		if (this.externalUri == null) {
			MongoServer started = new MongoServer(this.backend);
			started.bind("127.0.0.1", this.port);
			this.server = started;
		}
	}

	@Override
	public void close() {
		kill();
	}

}
