package dev.floodgate.it;

import java.util.List;
import java.util.UUID;

import dev.floodgate.testsupport.MongoTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Actuator access on MongoDB (the in-process wire-protocol server, or the MongoDB named by
 * {@code FLOODGATE_TEST_MONGODB_URI}).
 */
class MongoActuatorAccessTests implements ActuatorAccessContract {

	private static MongoTestServer mongo;

	private static final String DATABASE = "floodgate_it_" + UUID.randomUUID().toString().replace("-", "");

	@BeforeAll
	static void startMongo() {
		mongo = MongoTestServer.start();
	}

	@AfterAll
	static void stopMongo() {
		mongo.close();
	}

	@Override
	public List<String> storeProperties() {
		return List.of("floodgate.store.type=mongo", "floodgate.store.timeout=5s", "spring.mongodb.uri=" + mongo.uri(),
				"spring.mongodb.database=" + DATABASE);
	}

}
