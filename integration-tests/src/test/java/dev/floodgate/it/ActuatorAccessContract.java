package dev.floodgate.it;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import dev.floodgate.it.app.TestApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may use the actuator, the same on every store: deny-listed, banned and blocked clients
 * are refused on every actuator path but health (on the application's port and on a separate
 * management port), nothing is counted there, and the {@code floodgate} endpoint answers
 * out-of-range durations with a problem, never with an exception's text.
 * <p>
 * The test's requests come from 127.0.0.1, a trusted proxy: {@code X-Forwarded-For} names
 * the client, and a request without it is the operator's.
 */
interface ActuatorAccessContract {

	/** The properties that point an application at the store. */
	List<String> storeProperties();

	private RunningApp start(String... properties) {
		List<String> all = new ArrayList<>(storeProperties());
		all.addAll(List.of("floodgate.behind-proxy=true", "floodgate.limit=2/minute",
				"management.endpoints.web.exposure.include=health,metrics,floodgate",
				"management.endpoint.health.show-components=always"));
		all.addAll(List.of(properties));
		return RunningApp.start(TestApplication.class, all.toArray(new String[0]));
	}

	/** A client address of its own for each call, so that tests on one store never share a client. */
	private static String randomClient() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return "100." + random.nextInt(64, 128) + "." + random.nextInt(256) + "." + random.nextInt(1, 255);
	}

	private static String[] from(String client) {
		return new String[] { "X-Forwarded-For", client };
	}

	@Test
	default void aBannedClientIsRefusedOnTheActuatorAndCannotLiftItsOwnBanButPassesHealth() {
		try (RunningApp app = start("management.endpoint.health.group.probe.include=ping",
				"management.endpoint.health.group.probe.additional-path=server:/probe")) {
			assertRefusedButHealthy(app, app, "/actuator");
		}
	}

	@Test
	default void onASeparateManagementPortABannedClientIsRefusedButPassesHealth() {
		try (RunningApp app = start("management.server.port=0", "management.server.address=127.0.0.1")) {
			assertThat(app.get("/actuator/health").statusCode()).as("not on the application's port").isEqualTo(404);
			assertRefusedButHealthy(app, app.management(), "/actuator");
		}
	}

	@Test
	default void onAManagementPortAtTheRootABannedClientIsRefusedButPassesHealthAndItsGroups() {
		try (RunningApp app = start("management.server.port=0", "management.server.address=127.0.0.1",
				"management.endpoints.web.base-path=/", "management.endpoint.health.group.live.include=ping",
				"management.endpoint.health.group.live.additional-path=management:/livez")) {
			RunningApp management = app.management();
			assertRefusedButHealthy(app, management, "");
			String client = randomClient();
			assertThat(management.postJson("/floodgate/" + client, "{\"action\":\"ban\"}").statusCode()).isEqualTo(200);
			assertThat(management.get("/livez", from(client)).statusCode()).isEqualTo(200);
			assertThat(management.get("/health/live", from(client)).statusCode()).isEqualTo(200);
		}
	}

	/**
	 * Bans and blocks clients on {@code management} (the operator), then requests as them.
	 */
	private static void assertRefusedButHealthy(RunningApp app, RunningApp management, String base) {
		String banned = randomClient();
		assertThat(management.postJson(base + "/floodgate/" + banned, "{\"action\":\"ban\"}").statusCode())
			.isEqualTo(200);
		assertThat(app.get("/open", from(banned)).statusCode()).isEqualTo(403);

		HttpResponse<String> overview = management.get(base + "/floodgate", from(banned));
		assertThat(overview.statusCode()).isEqualTo(403);
		assertThat(overview.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(overview.body()).doesNotContain("trustedProxies").doesNotContain("\"clients\"");
		assertThat(management.get(base + "/floodgate/" + banned, from(banned)).statusCode()).isEqualTo(403);
		assertThat(management.get(base + "/metrics", from(banned)).statusCode()).isEqualTo(403);
		if (!base.isEmpty()) {
			assertThat(management.get(base, from(banned)).statusCode()).as("links").isEqualTo(403);
		}
		assertThat(management.delete(base + "/floodgate/" + banned, from(banned)).statusCode())
			.as("cannot lift its own ban")
			.isEqualTo(403);
		assertThat(management.postJson(base + "/floodgate/" + randomClient(), "{\"action\":\"ban\"}", from(banned))
			.statusCode()).as("cannot ban others").isEqualTo(403);
		assertThat(app.get("/open", from(banned)).statusCode()).as("still banned").isEqualTo(403);
		assertThat(management.get(base + "/floodgate/" + banned).body()).contains("\"state\":\"banned\"");

		HttpResponse<String> health = management.get(base + "/health", from(banned));
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.body()).contains("\"status\":\"UP\"");
		assertThat(management.get(base + "/health/ping", from(banned)).statusCode()).isEqualTo(200);

		String blocked = randomClient();
		assertThat(management.postJson(base + "/floodgate/" + blocked, "{\"action\":\"block\",\"duration\":\"1h\"}")
			.statusCode()).isEqualTo(200);
		HttpResponse<String> refused = management.get(base + "/floodgate", from(blocked));
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(refused.headers().firstValue("Retry-After")).hasValue("3600");
		assertThat(management.delete(base + "/floodgate/" + blocked, from(blocked)).statusCode()).isEqualTo(429);
		assertThat(management.get(base + "/health", from(blocked)).statusCode()).isEqualTo(200);

		// the operator lifts the ban; the client may use the actuator again
		assertThat(management.delete(base + "/floodgate/" + banned).statusCode()).isEqualTo(200);
		assertThat(management.get(base + "/floodgate", from(banned)).statusCode()).isEqualTo(200);
		if (app != management) {
			return;
		}
		assertThat(app.get("/probe", from(blocked)).statusCode()).as("a health group's additional path")
			.isEqualTo(200);
		assertThat(app.get("/error", from(blocked)).statusCode()).as("the error page, never limited").isEqualTo(429);
	}

	@Test
	default void aDenyListedClientIsRefusedOnTheActuatorButPassesHealth() {
		String denied = "192.0.2.77";
		try (RunningApp app = start("floodgate.deny-list=192.0.2.0/24")) {
			assertDenied(app, denied);
		}
		try (RunningApp app = start("floodgate.deny-list=192.0.2.0/24", "management.server.port=0",
				"management.server.address=127.0.0.1")) {
			assertDenied(app.management(), denied);
		}
	}

	private static void assertDenied(RunningApp management, String denied) {
		HttpResponse<String> overview = management.get("/actuator/floodgate", from(denied));
		assertThat(overview.statusCode()).isEqualTo(403);
		assertThat(overview.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(management.delete("/actuator/floodgate/" + denied, from(denied)).statusCode()).isEqualTo(403);
		assertThat(management.get("/actuator/metrics", from(denied)).statusCode()).isEqualTo(403);
		assertThat(management.get("/actuator/health", from(denied)).statusCode()).isEqualTo(200);
		assertThat(management.get("/actuator/floodgate").statusCode()).as("the operator").isEqualTo(200);
	}

	@Test
	default void nothingIsCountedOnTheActuator() {
		try (RunningApp app = start("floodgate.block.after-violations=1", "floodgate.ban.after-violations=1")) {
			assertNothingCounted(app, app);
		}
		try (RunningApp app = start("floodgate.block.after-violations=1", "floodgate.ban.after-violations=1",
				"management.server.port=0", "management.server.address=127.0.0.1")) {
			assertNothingCounted(app, app.management());
		}
	}

	private static void assertNothingCounted(RunningApp app, RunningApp management) {
		String client = randomClient();
		for (int i = 0; i < 5; i++) {
			assertThat(management.get("/actuator/floodgate", from(client)).statusCode()).isEqualTo(200);
			assertThat(management.get("/actuator/metrics", from(client)).statusCode()).isEqualTo(200);
			assertThat(management.get("/actuator/health", from(client)).statusCode()).isEqualTo(200);
		}
		HttpResponse<String> first = app.get("/open", from(client));
		assertThat(first.statusCode()).isEqualTo(200);
		assertThat(first.headers().firstValue("RateLimit")).get().asString().startsWith("\"default\";r=1;");
		assertThat(management.get("/actuator/floodgate/" + client).body()).contains("\"state\":\"none\"")
			.contains("\"violations\":0");
	}

	@Test
	default void durationsOutOfRangeAnswer400WithAProblemAndNoInternals() {
		try (RunningApp app = start()) {
			String client = randomClient();
			for (String duration : List.of("9223372036854775807ms", "PT2562047788015215H", "3651d", "1ns", "999ms",
					"0s", "-1h")) {
				for (String action : List.of("ban", "block")) {
					HttpResponse<String> response = app.postJson("/actuator/floodgate/" + client,
							"{\"action\":\"" + action + "\",\"duration\":\"" + duration + "\"}");
					assertThat(response.statusCode()).as(action + " " + duration).isEqualTo(400);
					assertThat(response.headers().firstValue("Content-Type")).as(action + " " + duration)
						.hasValue("application/problem+json");
					assertThat(response.body()).as(action + " " + duration)
						.contains("\"status\":400")
						.contains("\"title\":\"Invalid duration\"")
						.doesNotContainIgnoringCase("exception")
						.doesNotContain("script")
						.doesNotContain("ERR");
				}
			}
			assertThat(app.get("/actuator/floodgate/" + client).statusCode()).as("nothing was restricted")
				.isEqualTo(404);
			assertThat(app.get("/open", from(client)).statusCode()).isEqualTo(200);

			HttpResponse<String> shortest = app.postJson("/actuator/floodgate/" + client,
					"{\"action\":\"block\",\"duration\":\"1s\"}");
			assertThat(shortest.statusCode()).isEqualTo(200);
			assertThat(app.get("/open", from(client)).headers().firstValue("Retry-After")).hasValue("1");
			HttpResponse<String> longest = app.postJson("/actuator/floodgate/" + client,
					"{\"action\":\"ban\",\"duration\":\"3650d\"}");
			assertThat(longest.statusCode()).isEqualTo(200);
			assertThat(longest.body()).contains("\"state\":\"banned\"").contains("\"permanent\":false")
				.doesNotContain("\"until\":null");
			assertThat(app.get("/open", from(client)).statusCode()).isEqualTo(403);
		}
	}

}
