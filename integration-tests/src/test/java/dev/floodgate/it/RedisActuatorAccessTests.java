package dev.floodgate.it;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import dev.floodgate.it.app.TestApplication;
import dev.floodgate.testsupport.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Actuator access on a real {@code redis-server}, and what the endpoint answers while Redis
 * is down.
 */
class RedisActuatorAccessTests implements ActuatorAccessContract {

	private static RedisServer redis;

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Override
	public List<String> storeProperties() {
		return List.of("floodgate.store.type=redis", "floodgate.store.timeout=5s", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redis.port(), "spring.data.redis.connect-timeout=500ms");
	}

	@Test
	void whileTheStoreIsDownTheEndpointAnswers503WithoutTheStoresError() {
		List<String> properties = new ArrayList<>(storeProperties());
		properties.addAll(List.of("floodgate.store.timeout=500ms", "spring.data.redis.timeout=500ms",
				"management.endpoints.web.exposure.include=health,floodgate"));
		try (RunningApp app = RunningApp.start(TestApplication.class, properties.toArray(new String[0]))) {
			assertThat(app.postJson("/actuator/floodgate/192.0.2.1", "{\"action\":\"ban\"}").statusCode()).isEqualTo(200);
			redis.kill();
			try {
				for (HttpResponse<String> response : List.of(app.get("/actuator/floodgate/192.0.2.1"),
						app.delete("/actuator/floodgate/192.0.2.1"),
						app.postJson("/actuator/floodgate/192.0.2.2", "{\"action\":\"block\",\"duration\":\"1h\"}"))) {
					assertThat(response.statusCode()).isEqualTo(503);
					assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
					assertThat(response.body()).contains("\"status\":503")
						.doesNotContainIgnoringCase("exception")
						.doesNotContainIgnoringCase("redis")
						.doesNotContain("127.0.0.1");
				}
				HttpResponse<String> overview = app.get("/actuator/floodgate");
				assertThat(overview.statusCode()).isEqualTo(200);
				assertThat(overview.body()).contains("\"total\":-1")
					.doesNotContainIgnoringCase("exception")
					.doesNotContain("127.0.0.1:" + redis.port());
			}
			finally {
				redis.restart();
			}
		}
	}

}
