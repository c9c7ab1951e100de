package dev.floodgate.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

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
 * The fleet cases every reactive application runs: two instances sharing a real
 * {@code redis-server}, over real HTTP, BlockHound watching every event-loop thread. A burst
 * spread over both admits exactly the limit; blocks and bans decided through one hold on the
 * other; rotated spoofed forwarding headers count the real client; an outage is answered by
 * {@code floodgate.store.on-failure} within the store's timeout, then served by the store
 * again; and a restriction an instance knows holds while the store is down.
 * <p>
 * Every instance runs behind the loopback proxy ({@code floodgate.behind-proxy=true}), at
 * {@code floodgate.limit=5/minute} unless a case says otherwise, penalizing 404s, blocked
 * after 3 violations for 1 minute, banned after 10.
 */
@ExtendWith(BlockingCalls.class)
public abstract class ReactiveFleetContract {

	private static RedisServer redis;

	private final List<ReactiveInstance> instances = new ArrayList<>();

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
		this.instances.forEach(ReactiveInstance::close);
	}

	/**
	 * Starts an instance on the Redis store of this server, on the instance's own clock.
	 * @param redis the server
	 * @param properties settings of the case
	 * @return the instance
	 */
	protected abstract ReactiveInstance start(RedisServer redis, String... properties);

	/**
	 * A page under {@code floodgate.limit}.
	 * @return its path
	 */
	protected abstract String page();

	/**
	 * A path that answers 404 (a code a scanner guesses).
	 * @param n which guess
	 * @return its path
	 */
	protected abstract String miss(int n);

	/**
	 * The path of the burst, and the settings that limit it to 40 an hour.
	 * @return the path, then the settings
	 */
	protected abstract String[] burst();

	private ReactiveInstance instance(String... properties) {
		ReactiveInstance instance = start(redis, properties);
		this.instances.add(instance);
		return instance;
	}

	@Test
	void aBurstSpreadOverTwoInstancesAdmitsExactlyTheLimit() throws Exception {
		String[] burst = burst();
		String[] settings = List.of(burst).subList(1, burst.length).toArray(new String[0]);
		ReactiveInstance one = instance(settings);
		ReactiveInstance two = instance(settings);
		ExecutorService executor = Executors.newFixedThreadPool(16);
		List<Integer> results = new ArrayList<>();
		try {
			CountDownLatch go = new CountDownLatch(1);
			List<Future<Integer>> statuses = new ArrayList<>();
			for (int i = 0; i < 80; i++) {
				ReactiveInstance app = (i % 2 == 0) ? one : two;
				statuses.add(executor.submit(() -> {
					go.await();
					return app.status("198.51.100.8", burst[0]);
				}));
			}
			go.countDown();
			for (Future<Integer> status : statuses) {
				results.add(status.get(60, TimeUnit.SECONDS));
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(results).as("statuses %s", results).filteredOn((status) -> status == 200).hasSize(40);
		// the rest refused: over the limit, then blocked, and banned once the violations reach ten
		assertThat(results).as("statuses %s", results)
			.filteredOn((status) -> status == 429 || status == 403)
			.hasSize(40);
		assertThat(one.status("198.51.100.9", burst[0])).as("another client").isEqualTo(200);
	}

	@Test
	void blocksAndBansDecidedThroughOneInstanceHoldOnTheOther() {
		ReactiveInstance one = instance();
		ReactiveInstance two = instance();
		String scanner = "203.0.113.50";
		// three 404s through one instance: the first block, seen by the other at once
		for (int i = 0; i < 3; i++) {
			assertThat(one.status(scanner, miss(i))).isEqualTo(404);
		}
		two.get(scanner, page())
			.expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectHeader().value("Retry-After", (seconds) -> assertThat(Long.parseLong(seconds)).isBetween(55L, 60L))
			.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:blocked");
		// the rest of the scan, alternating instances, each miss after the last block ended
		for (int misses = 3; misses < 10; misses++) {
			one.clock().advance(Duration.ofMinutes(30));
			two.clock().advance(Duration.ofMinutes(30));
			ReactiveInstance app = (misses % 2 == 0) ? one : two;
			assertThat(app.status(scanner, miss(misses))).isEqualTo(404);
		}
		for (ReactiveInstance app : List.of(one, two)) {
			app.get(scanner, page())
				.expectStatus().isEqualTo(HttpStatus.FORBIDDEN)
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:banned");
		}
		assertThat(two.status("198.51.100.20", page())).isEqualTo(200);
	}

	@Test
	void rotatingSpoofedForwardingHeadersOverTwoInstancesStillCountsTheRealClient() {
		ReactiveInstance one = instance();
		ReactiveInstance two = instance();
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			ReactiveInstance app = (i % 2 == 0) ? one : two;
			// the attacker writes a fresh address; the trusted proxy appends the real one
			statuses.add(app.status("10.9." + i + ".1, 203.0.113.77", page()));
		}
		// had the left-most address counted, every request would have been a new client's
		assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429, 429, 429);
	}

	@Test
	void anOutageIsAnsweredByTheFailurePolicyWithinTheTimeoutThenServedNormally() {
		ReactiveInstance allowing = instance("floodgate.limit=100/minute", "floodgate.store.timeout=300ms");
		ReactiveInstance denying = instance("floodgate.limit=100/minute", "floodgate.store.timeout=300ms",
				"floodgate.store.on-failure=deny");
		allowing.get("198.51.100.30", page()).expectStatus().isOk().expectHeader().exists("RateLimit");
		denying.get("198.51.100.30", page()).expectStatus().isOk();
		redis.kill();
		try {
			long started = System.nanoTime();
			EntityExchangeResult<String> allowed = allowing.get("198.51.100.31", page())
				.expectStatus().isOk()
				.expectBody(String.class)
				.returnResult();
			assertThat(allowed.getResponseHeaders().getFirst("RateLimit")).as("nobody decided").isNull();
			assertThat(millisSince(started)).as("within the store timeout and a little").isLessThan(300 + 1_500);
			started = System.nanoTime();
			denying.get("198.51.100.31", page())
				.expectStatus().isEqualTo(HttpStatus.SERVICE_UNAVAILABLE)
				.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:unavailable");
			assertThat(millisSince(started)).isLessThan(300 + 1_500);
			// while the breaker is open the store is not called: answers come at once
			for (int i = 0; i < 20; i++) {
				assertThat(allowing.status("198.51.100.32", page())).isEqualTo(200);
				assertThat(denying.status("198.51.100.32", page())).isEqualTo(503);
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
		ReactiveInstance app = instance("floodgate.limit=2/minute", "floodgate.store.timeout=300ms",
				"floodgate.store.local-cache.ttl=5s");
		String flooder = "198.18.3.7";
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			statuses.add(app.status(flooder, page()));
		}
		// three violations: blocked for a minute
		assertThat(statuses).containsExactly(200, 200, 429, 429, 429);
		redis.kill();
		try {
			app.clock().advance(Duration.ofSeconds(30));
			assertThat(app.status(flooder, page())).as("still blocked, past the local cache's ttl").isEqualTo(429);
			assertThat(app.status("198.18.4.1", page())).as("an unknown client is allowed, as on-failure says")
				.isEqualTo(200);
		}
		finally {
			redis.restart();
		}
	}

	private boolean servedByTheStoreAgain(ReactiveInstance app) {
		for (int attempt = 0; attempt < 100; attempt++) {
			app.clock().advance(Duration.ofSeconds(31));
			EntityExchangeResult<String> result = app.get("198.51.100.33", page()).expectBody(String.class)
				.returnResult();
			if (result.getStatus().value() == 200 && result.getResponseHeaders().getFirst("RateLimit") != null) {
				return true;
			}
			RedisServer.pause(200);
		}
		return false;
	}

	private static long millisSince(long started) {
		return (System.nanoTime() - started) / 1_000_000;
	}

}
