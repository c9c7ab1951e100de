package dev.floodgate.reactive;

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
 * Two instances of the WebFlux application sharing a real {@code redis-server}, over real
 * HTTP, BlockHound watching every event-loop thread: a burst spread over both admits exactly
 * the limit, blocks and bans one instance decides hold on the other, rotated forwarding
 * headers change nothing, and an outage is answered by {@code floodgate.store.on-failure}
 * within the store's timeout.
 */
@ExtendWith(BlockingCalls.class)
class ReactiveRedisFleetTests {

	private static RedisServer redis;

	private final List<ReactiveApp> apps = new ArrayList<>();

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void flush() {
		redis.command("FLUSHALL");
	}

	@AfterEach
	void close() {
		this.apps.forEach(ReactiveApp::close);
	}

	private ReactiveApp start(String... properties) {
		List<String> all = new ArrayList<>(List.of("floodgate.store.type=redis", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redis.port(), "test.redis-on-test-clock=true"));
		all.addAll(List.of(properties));
		ReactiveApp app = new ReactiveApp(all.toArray(new String[0]));
		this.apps.add(app);
		return app;
	}

	@Test
	void aBurstSpreadOverTwoInstancesAdmitsExactlyTheLimit() throws Exception {
		ReactiveApp one = start("floodgate.limit=40/hour");
		ReactiveApp two = start("floodgate.limit=40/hour");
		ExecutorService executor = Executors.newFixedThreadPool(16);
		try {
			CountDownLatch go = new CountDownLatch(1);
			List<Future<Integer>> statuses = new ArrayList<>();
			for (int i = 0; i < 80; i++) {
				ReactiveApp app = (i % 2 == 0) ? one : two;
				statuses.add(executor.submit(() -> {
					go.await();
					return app.status("198.51.100.8", "/hello");
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
		assertThat(one.status("198.51.100.9", "/hello")).as("another client").isEqualTo(200);
	}

	@Test
	void blocksAndBansDecidedOnOneInstanceHoldOnTheOther() {
		ReactiveApp one = start();
		ReactiveApp two = start();
		String scanner = "203.0.113.50";
		// three 404s on one instance: the first block, seen by the other at once
		for (int i = 0; i < 3; i++) {
			assertThat(one.status(scanner, "/codes/x" + i)).isEqualTo(404);
		}
		two.get(scanner, "/codes/abc")
			.expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectHeader().value("Retry-After", (seconds) -> assertThat(Long.parseLong(seconds)).isBetween(55L, 60L));
		// the rest of the scan, alternating instances, each waiting out its block
		int misses = 3;
		while (misses < 10) {
			one.clock.advance(Duration.ofMinutes(30));
			two.clock.advance(Duration.ofMinutes(30));
			ReactiveApp app = (misses % 2 == 0) ? one : two;
			assertThat(app.status(scanner, "/codes/y" + misses)).isEqualTo(404);
			misses++;
		}
		for (ReactiveApp app : List.of(one, two)) {
			app.get(scanner, "/hello")
				.expectStatus().isEqualTo(HttpStatus.FORBIDDEN)
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:banned");
		}
		assertThat(two.status("198.51.100.20", "/codes/abc")).isEqualTo(200);
	}

	@Test
	void rotatingSpoofedForwardingHeadersOverTwoInstancesStillCountsTheRealClient() {
		ReactiveApp one = start();
		ReactiveApp two = start();
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			ReactiveApp app = (i % 2 == 0) ? one : two;
			// the attacker writes a fresh address; the trusted proxy appends the real one
			statuses.add(app.http.get().uri("/hello")
				.header("X-Forwarded-For", "10.9." + i + ".1, 203.0.113.77")
				.exchange().returnResult(String.class).getStatus().value());
		}
		assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429, 429, 429);
		assertThat(one.status("10.9.0.1")).as("no spoofed address was counted").isEmpty();
		assertThat(two.status("203.0.113.77")).isPresent();
	}

	@Test
	void anOutageIsAnsweredByTheFailurePolicyWithinTheTimeoutThenServedNormally() {
		ReactiveApp allowing = start("floodgate.limit=100/minute", "floodgate.store.timeout=300ms");
		ReactiveApp denying = start("floodgate.limit=100/minute", "floodgate.store.timeout=300ms",
				"floodgate.store.on-failure=deny");
		allowing.get("198.51.100.30", "/hello").expectStatus().isOk().expectHeader().exists("RateLimit");
		denying.get("198.51.100.30", "/hello").expectStatus().isOk();
		redis.kill();
		try {
			long started = System.nanoTime();
			EntityExchangeResult<String> allowed = allowing.get("198.51.100.30", "/hello")
				.expectStatus().isOk()
				.expectBody(String.class).isEqualTo("hello")
				.returnResult();
			assertThat(allowed.getResponseHeaders().getFirst("RateLimit")).as("nobody decided").isNull();
			assertThat(millisSince(started)).as("within the store timeout and a little").isLessThan(300 + 1_500);
			started = System.nanoTime();
			denying.get("198.51.100.30", "/hello")
				.expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:unavailable");
			assertThat(millisSince(started)).isLessThan(300 + 1_500);
			// while the breaker is open the store is not called: answers come at once
			for (int i = 0; i < 20; i++) {
				assertThat(allowing.status("198.51.100.30", "/hello")).isEqualTo(200);
				assertThat(denying.status("198.51.100.30", "/hello")).isEqualTo(503);
			}
		}
		finally {
			redis.restart();
		}
		assertThat(servedByTheStoreAgain(allowing)).isTrue();
		assertThat(servedByTheStoreAgain(denying)).isTrue();
	}

	@Test
	void aRestrictionAnInstanceKnowsHoldsWhileTheStoreIsDown() {
		ReactiveApp app = start("floodgate.limit=2/minute", "floodgate.store.timeout=300ms",
				"floodgate.store.local-cache.ttl=5s");
		String flooder = "198.18.3.7";
		assertThat(List.of(app.status(flooder, "/hello"), app.status(flooder, "/hello"), app.status(flooder, "/hello"),
				app.status(flooder, "/hello"), app.status(flooder, "/hello")))
			.containsExactly(200, 200, 429, 429, 429);
		// three violations: blocked for a minute
		redis.kill();
		try {
			app.clock.advance(Duration.ofSeconds(30));
			assertThat(app.status(flooder, "/hello")).as("still blocked, past the local cache's ttl").isEqualTo(429);
			assertThat(app.status("198.18.4.1", "/hello")).as("an unknown client is allowed, as on-failure says")
				.isEqualTo(200);
		}
		finally {
			redis.restart();
		}
	}

	private static boolean servedByTheStoreAgain(ReactiveApp app) {
		for (int attempt = 0; attempt < 100; attempt++) {
			app.clock.advance(Duration.ofSeconds(31));
			EntityExchangeResult<String> result = app.get("198.51.100.31", "/hello").expectBody(String.class)
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
