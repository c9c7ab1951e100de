package dev.floodgate.it;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.floodgate.it.app.TestApplication;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of an application on one shared store: what one decides, the other sees.
 * Each store's test says how to point an application at its server and how to stop it.
 */
abstract class FleetTests {

	/**
	 * The properties that point an application at the store, with a key prefix or collection
	 * of this test's own (JUnit creates an instance per test), so that no test sees another's
	 * clients on the shared server.
	 */
	public abstract List<String> storeProperties();

	/** Stops the store's server as an outage would. */
	protected abstract void killStore();

	/** Starts the store's server again. */
	protected abstract void restartStore();

	/** How many commands the store's server has been sent so far. */
	protected abstract long storeCommands();

	private RunningApp start(String... properties) {
		List<String> all = new ArrayList<>(storeProperties());
		all.addAll(List.of(properties));
		return RunningApp.start(TestApplication.class, all.toArray(new String[0]));
	}

	@Test
	void instancesShareLimitsAndBans() {
		String[] settings = { "floodgate.limit=3/minute", "floodgate.block.enabled=false",
				"floodgate.ban.after-violations=2", "floodgate.behind-proxy=true" };
		try (RunningApp one = start(settings); RunningApp two = start(settings)) {
			String[] client = { "X-Forwarded-For", "198.51.100.7" };
			assertThat(one.statuses("/open", 2, client)).containsExactly(200, 200);
			HttpResponse<String> third = two.get("/other", client);
			assertThat(third.statusCode()).isEqualTo(200);
			assertThat(third.headers().firstValue("RateLimit")).get().asString().startsWith("\"default\";r=0;t=");
			assertThat(two.get("/open", client).statusCode()).isEqualTo(429);
			assertThat(one.get("/open", client).statusCode()).as("the second violation bans").isEqualTo(403);
			assertThat(two.get("/strict", client).statusCode()).isEqualTo(403);
			// a ban outlives a restart
			one.close();
			try (RunningApp restarted = start(settings)) {
				assertThat(restarted.get("/open", client).statusCode()).isEqualTo(403);
			}
		}
	}

	@Test
	void instancesAdmitExactlyTheLimitUnderConcurrentRequests() throws Exception {
		String[] settings = { "floodgate.limit=40/hour", "floodgate.behind-proxy=true" };
		try (RunningApp one = start(settings); RunningApp two = start(settings)) {
			String[] client = { "X-Forwarded-For", "198.51.100.8" };
			ExecutorService executor = Executors.newFixedThreadPool(16);
			try {
				CountDownLatch start = new CountDownLatch(1);
				List<Future<Integer>> statuses = new ArrayList<>();
				for (int i = 0; i < 80; i++) {
					RunningApp app = (i % 2 == 0) ? one : two;
					statuses.add(executor.submit(() -> {
						start.await();
						return app.get("/open", client).statusCode();
					}));
				}
				start.countDown();
				List<Integer> results = new ArrayList<>();
				for (Future<Integer> status : statuses) {
					results.add(status.get(60, TimeUnit.SECONDS));
				}
				assertThat(results).filteredOn((status) -> status == 200).hasSize(40);
				assertThat(results).filteredOn((status) -> status == 429).hasSize(40);
			}
			finally {
				executor.shutdownNow();
			}
		}
	}

	@Test
	void anOutageIsAnsweredByTheFailurePolicyWithinTheTimeoutThenServedNormally() {
		String[] allow = { "floodgate.limit=100/minute", "floodgate.store.timeout=300ms" };
		try (RunningApp allowing = start(allow);
				RunningApp denying = start("floodgate.limit=100/minute", "floodgate.store.timeout=300ms",
						"floodgate.store.on-failure=deny")) {
			assertThat(allowing.get("/open").headers().firstValue("RateLimit")).isPresent();
			assertThat(denying.get("/open").statusCode()).isEqualTo(200);
			killStore();
			try {
				long started = System.nanoTime();
				HttpResponse<String> allowed = allowing.get("/open");
				long allowedMillis = (System.nanoTime() - started) / 1_000_000;
				assertThat(allowed.statusCode()).isEqualTo(200);
				assertThat(allowed.headers().firstValue("RateLimit")).as("nobody decided").isEmpty();
				assertThat(allowedMillis).as("answered within the store timeout and a little").isLessThan(300 + 1_500);
				started = System.nanoTime();
				HttpResponse<String> denied = denying.get("/open");
				long deniedMillis = (System.nanoTime() - started) / 1_000_000;
				assertThat(denied.statusCode()).isEqualTo(503);
				assertThat(denied.headers().firstValue("Content-Type")).hasValue("application/problem+json");
				assertThat(denied.body()).contains("urn:floodgate:problem:unavailable");
				assertThat(deniedMillis).isLessThan(300 + 1_500);
				// while the circuit is open the store is not called: answers come at once
				for (int i = 0; i < 20; i++) {
					assertThat(allowing.get("/open").statusCode()).isEqualTo(200);
					assertThat(denying.get("/open").statusCode()).isEqualTo(503);
				}
			}
			finally {
				restartStore();
			}
			assertThat(servedByTheStoreAgain(allowing)).isTrue();
			assertThat(servedByTheStoreAgain(denying)).isTrue();
		}
	}

	@Test
	void aFloodFromABannedClientCostsTheStoreNothing() throws Exception {
		String[] settings = { "floodgate.limit=1/minute", "floodgate.block.enabled=false",
				"floodgate.ban.after-violations=1", "floodgate.behind-proxy=true" };
		try (RunningApp app = start(settings)) {
			String[] client = { "X-Forwarded-For", "198.18.1.7" };
			assertThat(app.statuses("/open", 3, client)).containsExactly(200, 403, 403);
			long before = storeCommands();
			ExecutorService executor = Executors.newFixedThreadPool(8);
			try {
				List<Future<List<Integer>>> floods = new ArrayList<>();
				for (int t = 0; t < 8; t++) {
					floods.add(executor.submit(() -> app.statuses("/open", 1_250, client)));
				}
				for (Future<List<Integer>> flood : floods) {
					assertThat(flood.get(120, TimeUnit.SECONDS)).containsOnly(403);
				}
			}
			finally {
				executor.shutdownNow();
			}
			assertThat(storeCommands() - before).as("store commands during 10,000 rejected requests").isZero();
		}
	}

	@Test
	void aBanLiftedOnOneInstanceEndsOnTheOthersWithinTheLocalCacheTtl() {
		String[] settings = { "floodgate.limit=100/minute", "floodgate.behind-proxy=true",
				"floodgate.store.local-cache.ttl=5s", "management.endpoints.web.exposure.include=floodgate" };
		try (RunningApp one = start(settings); RunningApp two = start(settings)) {
			String ip = "198.18.2.7";
			String[] client = { "X-Forwarded-For", ip };
			assertThat(one.postJson("/actuator/floodgate/" + ip, "{\"action\":\"ban\"}").statusCode()).isEqualTo(200);
			assertThat(one.get("/open", client).statusCode()).isEqualTo(403);
			assertThat(two.get("/open", client).statusCode()).isEqualTo(403);
			assertThat(one.delete("/actuator/floodgate/" + ip).statusCode()).isEqualTo(200);
			assertThat(one.get("/open", client).statusCode()).as("at once where it was lifted").isEqualTo(200);
			two.clock.advance(Duration.ofMillis(4_999));
			assertThat(two.get("/open", client).statusCode()).as("the other instance's cache still answers")
				.isEqualTo(403);
			two.clock.advance(Duration.ofMillis(1));
			assertThat(two.get("/other", client).statusCode()).as("within the local cache's ttl").isEqualTo(200);
		}
	}

	@Test
	void aRestrictionAnInstanceKnowsHoldsWhileTheStoreIsUnreachableUnderAllow() {
		String[] settings = { "floodgate.limit=2/minute", "floodgate.behind-proxy=true",
				"floodgate.store.timeout=2s", "floodgate.store.local-cache.ttl=5s",
				"management.endpoints.web.exposure.include=floodgate" };
		try (RunningApp app = start(settings)) {
			String ip = "198.18.3.7";
			String[] banned = { "X-Forwarded-For", ip };
			assertThat(app.postJson("/actuator/floodgate/" + ip, "{\"action\":\"ban\"}").statusCode()).isEqualTo(200);
			assertThat(app.get("/open", banned).statusCode()).isEqualTo(403);
			killStore();
			try {
				// long past the local cache's ttl: the store would be asked, and cannot answer
				app.clock.advance(Duration.ofSeconds(30));
				assertThat(app.statuses("/open", 5, banned)).as("still banned").containsOnly(403);
				assertThat(app.get("/open", "X-Forwarded-For", "198.18.4.1").statusCode())
					.as("an unknown client is allowed, as on-failure says").isEqualTo(200);
			}
			finally {
				restartStore();
			}
		}
	}

	private static boolean servedByTheStoreAgain(RunningApp app) {
		for (int attempt = 0; attempt < 100; attempt++) {
			app.clock.advance(Duration.ofSeconds(31));
			HttpResponse<String> response = app.get("/open");
			if (response.statusCode() == 200 && response.headers().firstValue("RateLimit").isPresent()) {
				return true;
			}
			pause();
		}
		return false;
	}

	private static void pause() {
		try {
			Thread.sleep(200);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
