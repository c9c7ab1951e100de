package dev.floodgate.it;

import java.util.List;
import java.util.UUID;

import dev.floodgate.testsupport.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances on one real {@code redis-server}.
 */
class RedisFleetTests extends FleetTests implements OperationsContract {

	private static RedisServer redis;

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	/** This test's own keys (JUnit creates an instance per test): its clients are no other test's. */
	private final String keyPrefix = "floodgate-it:" + UUID.randomUUID() + ":";

	@Override
	public List<String> storeProperties() {
		// a generous store timeout, so that a loaded CI machine does not fail open (the outage test sets its own)
		return List.of("floodgate.store.type=redis", "floodgate.store.timeout=5s", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redis.port(), "spring.data.redis.connect-timeout=500ms",
				"floodgate.store.redis.key-prefix=" + this.keyPrefix);
	}

	@Override
	protected void killStore() {
		redis.kill();
	}

	@Override
	protected void restartStore() {
		redis.restart();
	}

	@Override
	protected long storeCommands() {
		// INFO itself is counted once per call
		String stats = redis.command("INFO", "stats");
		for (String line : stats.split("\r\n")) {
			if (line.startsWith("total_commands_processed:")) {
				return Long.parseLong(line.substring("total_commands_processed:".length()).trim()) - infoCalls++;
			}
		}
		throw new IllegalStateException("no total_commands_processed in " + stats);
	}

	private long infoCalls;

	@Test
	void eachRequestIsOneEvalsha() {
		List<String> properties = new java.util.ArrayList<>(storeProperties());
		properties.add("floodgate.limit=1000/minute");
		try (RunningApp app = RunningApp.start(dev.floodgate.it.app.TestApplication.class,
				properties.toArray(new String[0]))) {
			app.get("/open");
			long before = redis.calls("evalsha");
			long eval = redis.calls("eval");
			for (int i = 0; i < 50; i++) {
				assertThat(app.get((i % 2 == 0) ? "/open" : "/other").statusCode()).isEqualTo(200);
			}
			assertThat(redis.calls("evalsha") - before).isEqualTo(50);
			assertThat(redis.calls("eval")).isEqualTo(eval);
		}
	}

}
