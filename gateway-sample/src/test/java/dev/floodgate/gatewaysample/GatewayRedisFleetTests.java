package dev.floodgate.gatewaysample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.floodgate.testsupport.RedisServer;
import dev.floodgate.testsupport.BlockingCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of the gateway sharing a real {@code redis-server}, in front of one real
 * upstream, BlockHound watching every event-loop thread: a burst on a route's own policy
 * spread over both admits exactly its limit, a scanner blocked and banned on one is refused
 * by the other, and an outage is answered by {@code floodgate.store.on-failure} within the
 * store's timeout while the routes keep proxying.
 */
@ExtendWith(BlockingCalls.class)
class GatewayRedisFleetTests {

	private static RedisServer redis;

	private static RedirectService upstream;

	private final List<GatewayApp> apps = new ArrayList<>();

	@BeforeAll
	static void start() {
		redis = RedisServer.start();
		upstream = new RedirectService(0);
	}

	@AfterAll
	static void stop() {
		upstream.close();
		redis.close();
	}

	@BeforeEach
	void flush() {
		redis.command("FLUSHALL");
	}

	@AfterEach
	void close() {
		this.apps.forEach(GatewayApp::close);
	}

	private GatewayApp gateway(String... properties) {
		List<String> all = new ArrayList<>(List.of("spring.profiles.active=redis", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redis.port(), "management.health.redis.enabled=false"));
		all.addAll(List.of(properties));
		GatewayApp app = new GatewayApp(upstream, all.toArray(new String[0]));
		this.apps.add(app);
		return app;
	}

	@Test
	void aBurstOnARoutesOwnPolicySpreadOverTwoInstancesAdmitsExactlyItsLimit() throws Exception {
		GatewayApp one = gateway("sample.search-limit=40/hour");
		GatewayApp two = gateway("sample.search-limit=40/hour");
		ExecutorService executor = Executors.newFixedThreadPool(16);
		try {
			CountDownLatch go = new CountDownLatch(1);
			List<Future<Integer>> statuses = new ArrayList<>();
			for (int i = 0; i < 80; i++) {
				GatewayApp app = (i % 2 == 0) ? one : two;
				statuses.add(executor.submit(() -> {
					go.await();
					return app.status("198.51.100.8", "/search?q=" + Thread.currentThread().getId());
				}));
			}
			go.countDown();
			List<Integer> results = new ArrayList<>();
			for (Future<Integer> status : statuses) {
				results.add(status.get(60, TimeUnit.SECONDS));
			}
			assertThat(results).as("statuses %s", results).filteredOn((status) -> status == 200).hasSize(40);
			// the rest refused: over the limit, then blocked, and banned once the violations reach ten
			assertThat(results).as("statuses %s", results)
				.filteredOn((status) -> status == 429 || status == 403)
				.hasSize(40);
		}
		finally {
			executor.shutdownNow();
		}
		// 40 violations: the flooder is blocked on every route, on both instances; others are not
		two.get("198.51.100.8", "/links/abc").expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:blocked");
		one.get("198.51.100.9", "/search").expectStatus().isOk();
	}

	@Test
	void aScannerBlockedAndBannedThroughOneInstanceIsRefusedByTheOther() {
		GatewayApp one = gateway("floodgate.penalize.statuses=404", "floodgate.limit=100/minute");
		GatewayApp two = gateway("floodgate.penalize.statuses=404", "floodgate.limit=100/minute");
		String scanner = "203.0.113.50";
		for (int i = 0; i < 3; i++) {
			assertThat(one.status(scanner, "/links/x" + i)).isEqualTo(404);
		}
		two.get(scanner, "/links/abc")
			.expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:blocked");
		for (int misses = 3; misses < 10; misses++) {
			one.clock.advance(Duration.ofMinutes(30));
			two.clock.advance(Duration.ofMinutes(30));
			GatewayApp app = (misses % 2 == 0) ? one : two;
			assertThat(app.status(scanner, "/links/y" + misses)).isEqualTo(404);
		}
		for (GatewayApp app : List.of(one, two)) {
			app.get(scanner, "/search")
				.expectStatus().isEqualTo(HttpStatus.FORBIDDEN)
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:banned");
		}
		two.get("198.51.100.20", "/links/abc").expectStatus().isOk();
	}

	@Test
	void anOutageIsAnsweredByTheFailurePolicyWithinTheTimeoutThenServedNormally() {
		GatewayApp allowing = gateway("floodgate.store.timeout=300ms");
		GatewayApp denying = gateway("floodgate.store.timeout=300ms", "floodgate.store.on-failure=deny");
		allowing.get("198.51.100.30", "/links/abc").expectStatus().isOk().expectHeader().exists("RateLimit");
		denying.get("198.51.100.30", "/links/abc").expectStatus().isOk();
		redis.kill();
		try {
			long started = System.nanoTime();
			EntityExchangeResult<String> allowed = allowing.get("198.51.100.31", "/links/abc")
				.expectStatus().isOk()
				.expectBody(String.class).isEqualTo("https://example.com/abc")
				.returnResult();
			assertThat(allowed.getResponseHeaders().getFirst("RateLimit")).as("nobody decided").isNull();
			assertThat(millisSince(started)).as("within the store timeout and a little").isLessThan(300 + 1_500);
			started = System.nanoTime();
			denying.get("198.51.100.31", "/links/abc")
				.expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:unavailable");
			assertThat(millisSince(started)).isLessThan(300 + 1_500);
			for (int i = 0; i < 10; i++) {
				assertThat(allowing.status("198.51.100.32", "/search")).isEqualTo(200);
				assertThat(denying.status("198.51.100.32", "/search")).isEqualTo(503);
			}
		}
		finally {
			redis.restart();
		}
		assertThat(servedByTheStoreAgain(allowing)).isTrue();
		assertThat(servedByTheStoreAgain(denying)).isTrue();
	}

	private static boolean servedByTheStoreAgain(GatewayApp app) {
		for (int attempt = 0; attempt < 100; attempt++) {
			app.clock.advance(Duration.ofSeconds(31));
			EntityExchangeResult<String> result = app.get("198.51.100.33", "/links/abc").expectBody(String.class)
				.returnResult();
			if (result.getStatus().value() == 200 && result.getResponseHeaders().getFirst("RateLimit") != null) {
				return true;
			}
			try {
				Thread.sleep(200);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return false;
	}

	private static long millisSince(long started) {
		return (System.nanoTime() - started) / 1_000_000;
	}

}
