package dev.floodgate.it;

import java.util.List;
import java.util.UUID;

import dev.floodgate.it.app.MongoCommandCounter;
import dev.floodgate.testsupport.MongoTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * Two instances on one MongoDB: the in-process wire-protocol server, or a real MongoDB named
 * by {@code FLOODGATE_TEST_MONGODB_URI} (then the outage test, which needs to stop the
 * server, is skipped).
 */
class MongoFleetTests extends FleetTests implements OperationsContract {

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

	/** This test's own collection (JUnit creates an instance per test): its clients are no other test's. */
	private final String collection = "floodgate_clients_" + UUID.randomUUID().toString().replace("-", "");

	@Override
	public List<String> storeProperties() {
		// a generous store timeout, so that a loaded CI machine does not fail open (the outage test sets its own)
		return List.of("floodgate.store.type=mongo", "floodgate.store.timeout=5s", "spring.mongodb.uri=" + mongo.uri(),
				"spring.mongodb.database=" + DATABASE, "floodgate.store.mongo.collection=" + this.collection);
	}

	@Override
	protected void killStore() {
		Assumptions.assumeFalse(mongo.isExternal(), "a real MongoDB cannot be stopped by the test");
		mongo.kill();
	}

	@Override
	protected void restartStore() {
		mongo.restart();
	}

	@Override
	protected long storeCommands() {
		return MongoCommandCounter.COMMANDS.get();
	}

}
