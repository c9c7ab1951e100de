package dev.floodgate.it;

import java.util.List;

import dev.floodgate.testsupport.PostgresTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Actuator access on a real PostgreSQL (started on a free loopback port, or the one
 * {@code FLOODGATE_TEST_POSTGRES_URL} names).
 */
class JdbcActuatorAccessTests implements ActuatorAccessContract {

	private static PostgresTestServer postgres;

	private static String database;

	@BeforeAll
	static void startPostgres() {
		postgres = PostgresTestServer.start();
		database = postgres.createDatabase();
	}

	@AfterAll
	static void stopPostgres() {
		postgres.close();
	}

	@Override
	public List<String> storeProperties() {
		return List.of("floodgate.store.type=jdbc", "floodgate.store.timeout=5s",
				"spring.datasource.url=" + postgres.jdbcUrl(database), "spring.datasource.hikari.connection-timeout=1000",
				"floodgate.store.jdbc.initialize-schema=always");
	}

}
