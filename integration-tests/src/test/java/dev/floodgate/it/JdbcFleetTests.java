package dev.floodgate.it;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.floodgate.it.app.JdbcStatementCounter;
import dev.floodgate.testsupport.PostgresTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * Two instances on one real PostgreSQL (started on a free loopback port, or the one
 * {@code FLOODGATE_TEST_POSTGRES_URL} names: then the outage test, which needs to stop the
 * server, is skipped), each application with a pool of its own, the table made by
 * {@code floodgate.store.jdbc.initialize-schema=always}.
 */
class JdbcFleetTests extends FleetTests implements OperationsContract {

	private static PostgresTestServer postgres;

	private static String database;

	private static final AtomicInteger tables = new AtomicInteger();

	@BeforeAll
	static void startPostgres() {
		postgres = PostgresTestServer.start();
		database = postgres.createDatabase();
	}

	@AfterAll
	static void stopPostgres() {
		postgres.close();
	}

	/** This test's own table (JUnit creates an instance per test): its clients are no other test's. */
	private final String table = "floodgate_clients_" + tables.incrementAndGet();

	@Override
	public List<String> storeProperties() {
		// a generous store timeout, so that a loaded CI machine does not fail open (the outage test sets its own)
		return List.of("floodgate.store.type=jdbc", "floodgate.store.timeout=5s",
				"spring.datasource.url=" + postgres.jdbcUrl(database), "spring.datasource.hikari.connection-timeout=1000",
				"floodgate.store.jdbc.table=" + this.table, "floodgate.store.jdbc.initialize-schema=always");
	}

	@Override
	protected void killStore() {
		Assumptions.assumeFalse(postgres.isExternal(), "an external PostgreSQL cannot be stopped by the test");
		postgres.kill();
	}

	@Override
	protected void restartStore() {
		postgres.restart();
	}

	@Override
	protected long storeCommands() {
		return JdbcStatementCounter.STATEMENTS.get();
	}

}
