package dev.floodgate.it;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import dev.floodgate.it.app.TestApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator sees and does through the actuator, the same on every store: metrics
 * after a ban, the {@code floodgate} endpoint listing and showing the client, lifting it with
 * {@code DELETE}, and blocking one by hand.
 */
interface OperationsContract {

	/**
	 * The properties that point an application at the store, with a key prefix or collection
	 * of this test's own, so that no test sees another's clients on the shared server.
	 */
	List<String> storeProperties();

	@Test
	default void anOperatorSeesABanInMetricsAndTheEndpointAndLiftsIt() {
		List<String> properties = new ArrayList<>(storeProperties());
		properties.addAll(List.of("floodgate.limit=2/minute", "floodgate.block.enabled=false",
				"floodgate.ban.after-violations=2", "floodgate.behind-proxy=true",
				"management.endpoints.web.exposure.include=health,metrics,floodgate"));
		try (RunningApp app = RunningApp.start(TestApplication.class, properties.toArray(new String[0]))) {
			String ip = "203.0.113.70";
			assertThat(app.statuses("/open", 4, "X-Forwarded-For", ip)).containsExactly(200, 200, 429, 403);

			HttpResponse<String> requests = app.get("/actuator/metrics/floodgate.requests");
			assertThat(requests.statusCode()).isEqualTo(200);
			assertThat(requests.body()).contains("\"tag\":\"outcome\"").contains("\"allowed\"").contains("\"banned\"");
			HttpResponse<String> bans = app.get("/actuator/metrics/floodgate.blocks?tag=kind:permanent");
			assertThat(bans.body()).contains("\"statistic\":\"COUNT\",\"value\":1.0");

			HttpResponse<String> overview = app.get("/actuator/floodgate");
			assertThat(overview.statusCode()).isEqualTo(200);
			assertThat(overview.body()).contains("\"client\":\"" + ip + "\",\"state\":\"banned\"")
				.contains("\"name\":\"default\",\"limits\":[\"2/1m\"],\"cost\":1")
				.contains("\"permanent\":true");
			HttpResponse<String> client = app.get("/actuator/floodgate/" + ip);
			assertThat(client.statusCode()).isEqualTo(200);
			assertThat(client.body()).contains("\"state\":\"banned\"").contains("\"violations\":2");

			assertThat(app.delete("/actuator/floodgate/" + ip).statusCode()).isEqualTo(200);
			assertThat(app.get("/open", "X-Forwarded-For", ip).statusCode()).as("lifted").isEqualTo(200);
			assertThat(app.get("/actuator/floodgate/" + ip).body()).contains("\"state\":\"none\"");

			assertThat(app.get("/actuator/floodgate/not-an-ip").statusCode()).isEqualTo(400);
			assertThat(app.get("/actuator/floodgate/203.0.113.1").statusCode()).isEqualTo(404);
			assertThat(app.delete("/actuator/floodgate/203.0.113.1").statusCode()).isEqualTo(404);

			String other = "198.18.0.70";
			HttpResponse<String> blocked = app.postJson("/actuator/floodgate/" + other,
					"{\"action\":\"block\",\"duration\":\"1h\"}");
			assertThat(blocked.statusCode()).isEqualTo(200);
			assertThat(blocked.body()).contains("\"state\":\"blocked\"");
			HttpResponse<String> rejected = app.get("/strict", "X-Forwarded-For", other);
			assertThat(rejected.statusCode()).isEqualTo(429);
			assertThat(rejected.headers().firstValue("Retry-After")).hasValue("3600");
			assertThat(app.postJson("/actuator/floodgate/" + other, "{\"action\":\"block\"}").statusCode()).isEqualTo(400);
			assertThat(app.postJson("/actuator/floodgate/" + other, "{\"action\":\"ban\"}").body())
				.contains("\"state\":\"banned\"");
			assertThat(app.get("/open", "X-Forwarded-For", other).statusCode()).isEqualTo(403);
			assertThat(app.get("/actuator/health").body()).contains("\"status\":\"UP\"");
		}
	}

	@Test
	default void aClientRotatingThroughTheSixtyFoursOfItsFortyEightIsRestrictedAsOneClient() {
		List<String> properties = new ArrayList<>(storeProperties());
		properties.addAll(List.of("floodgate.limit=1/minute", "floodgate.block.after-violations=1",
				"floodgate.behind-proxy=true", "management.endpoints.web.exposure.include=floodgate"));
		try (RunningApp app = RunningApp.start(TestApplication.class, properties.toArray(new String[0]))) {
			String network = "2001:db8:" + Integer.toHexString((int) (Math.random() * 0xfff0) + 1) + ":";
			for (int i = 1; i <= 8; i++) {
				assertThat(app.statuses("/open", 2, "X-Forwarded-For", network + Integer.toHexString(i) + "::1"))
					.as("/64 number %d blocks itself", i)
					.containsExactly(200, 429);
			}
			HttpResponse<String> fresh = app.get("/open", "X-Forwarded-For", network + "beef::1");
			assertThat(fresh.statusCode()).as("a /64 never seen before, in the widened /48").isEqualTo(429);
			assertThat(fresh.body()).contains("urn:floodgate:problem:blocked");
			assertThat(app.get("/open", "X-Forwarded-For", "2001:db8:ffff:1::1").statusCode()).as("another /48")
				.isEqualTo(200);
			assertThat(app.get("/actuator/floodgate").body()).contains("\"client\":\"" + network + ":/48\"");
			// lifting any address of the network lifts the network here
			assertThat(app.delete("/actuator/floodgate/" + network + "beef::1").statusCode()).isEqualTo(200);
			assertThat(app.get("/open", "X-Forwarded-For", network + "beef::1").statusCode()).isEqualTo(200);
		}
	}

}
