package dev.floodgate.reactive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.floodgate.testsupport.BlockingCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new WebFlux application with the starter on the in-memory store, over real HTTP on
 * Reactor Netty, BlockHound watching every event-loop thread: limits, the handler's own
 * limit, blocks and bans from floods and from a scanner's 404s, forwarding headers an
 * attacker writes, and what a banned client finds on the actuator.
 */
@ExtendWith(BlockingCalls.class)
class ReactiveFloodgateTests {

	private static final String ATTACKER = "203.0.113.9";

	private static final String OTHER = "198.51.100.7";

	private ReactiveApp app;

	@AfterEach
	void close() {
		if (this.app != null) {
			this.app.close();
		}
	}

	@Test
	void blockHoundRefusesAndRecordsABlockingCallOnANonBlockingThread() {
		BlockingCalls.assertInstalled();
	}

	@Test
	void aClientOverTheLimitGets429WithAProblemAndRetryAfterWhileAnotherClientPasses() {
		this.app = new ReactiveApp();
		List<String> remaining = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			EntityExchangeResult<String> ok = this.app.get(ATTACKER, "/hello").expectStatus().isOk()
				.expectBody(String.class).isEqualTo("hello").returnResult();
			String header = ok.getResponseHeaders().getFirst("RateLimit");
			remaining.add(header.substring(0, header.indexOf(";t=")));
		}
		assertThat(remaining).containsExactly("\"default\";r=4", "\"default\";r=3", "\"default\";r=2",
				"\"default\";r=1", "\"default\";r=0");
		this.app.get(ATTACKER, "/hello")
			.expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader().value("Retry-After", (seconds) -> assertThat(Long.parseLong(seconds)).isBetween(1L, 120L))
			.expectHeader().valueEquals("RateLimit-Policy", "\"default\";q=5;w=60")
			.expectBody()
			.jsonPath("$.type").isEqualTo("urn:floodgate:problem:rate-limited")
			.jsonPath("$.status").isEqualTo(429);
		this.app.get(OTHER, "/hello").expectStatus().isOk();
		this.app.clock.advance(Duration.ofSeconds(121));
		this.app.get(ATTACKER, "/hello").expectStatus().isOk();
	}

	@Test
	void aHandlerKeepsItsOwnLimit() {
		this.app = new ReactiveApp();
		this.app.get(ATTACKER, "/search").expectStatus().isOk();
		this.app.get(ATTACKER, "/search").expectStatus().isOk()
			.expectHeader().value("RateLimit-Policy", (policy) -> assertThat(policy).endsWith("search\";q=2;w=60"));
		this.app.get(ATTACKER, "/search").expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
		// the default limit is the greeting's, untouched by the search
		this.app.get(ATTACKER, "/hello").expectStatus().isOk()
			.expectHeader().value("RateLimit", (limit) -> assertThat(limit).startsWith("\"default\";r=4;"));
	}

	@Test
	void aScannerCollecting404sIsBlockedThreeTimesThenBannedEverywhereButTheHealthEndpoint() {
		this.app = new ReactiveApp("floodgate.limit=1000/minute");
		this.app.get(ATTACKER, "/codes/abc").expectStatus().isOk();
		long[] blocks = { 60, 120, 240 };
		int code = 0;
		for (long block : blocks) {
			for (int miss = 0; miss < 3; miss++) {
				this.app.get(ATTACKER, "/codes/x" + (code++)).expectStatus().isNotFound();
			}
			this.app.get(ATTACKER, "/codes/abc")
				.expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
				.expectHeader().valueEquals("Retry-After", Long.toString(block))
				.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:blocked");
			this.app.clock.advance(Duration.ofSeconds(block));
		}
		this.app.get(ATTACKER, "/codes/x" + code).expectStatus().isNotFound();
		for (String path : List.of("/codes/abc", "/hello", "/actuator/floodgate", "/actuator/floodgate/" + ATTACKER)) {
			this.app.get(ATTACKER, path)
				.expectStatus().isForbidden()
				.expectHeader().doesNotExist("Retry-After")
				.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:banned");
		}
		this.app.get(ATTACKER, "/actuator/health").expectStatus().isOk();
		assertThat(this.app.status(ATTACKER)).hasValueSatisfying((status) -> {
			assertThat(status.permanentlyBanned()).isTrue();
			assertThat(status.violations()).isEqualTo(10);
		});
		// the codes the scanner did not guess, and every other client, are served as before
		this.app.get(OTHER, "/codes/abc").expectStatus().isOk();
		assertThat(this.app.status(OTHER)).hasValueSatisfying((status) -> assertThat(status.violations()).isZero());
	}

	@Test
	void successfulResponsesAreNeverPenalties() {
		this.app = new ReactiveApp("floodgate.limit=1000/minute");
		for (int i = 0; i < 50; i++) {
			this.app.get(ATTACKER, "/codes/abc").expectStatus().isOk();
		}
		assertThat(this.app.status(ATTACKER)).hasValueSatisfying((status) -> assertThat(status.violations()).isZero());
	}

	@Test
	void behindATrustedProxyTheClientIsTheRightmostUntrustedAddressWhateverItWroteToTheLeft() {
		this.app = new ReactiveApp();
		for (int i = 0; i < 5; i++) {
			// the attacker writes its own X-Forwarded-For; the proxy appends the address it saw
			this.app.get("10.0.0." + i + ", 192.0.2." + i + ", " + ATTACKER, "/hello").expectStatus().isOk();
		}
		this.app.get("192.0.2.99, " + ATTACKER, "/hello").expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
		assertThat(this.app.status(ATTACKER)).isPresent();
		assertThat(this.app.status("192.0.2.0")).isEmpty();
	}

	@Test
	void garbageForwardingHeadersNeverCauseA500() {
		this.app = new ReactiveApp("floodgate.limit=1000/minute");
		for (String header : List.of("", ",,,", "999.1.1.1", "::::::", "[::1", "unknown", "a".repeat(8000),
				"1.2.3.4, ".repeat(200) + "x", "for=\"[2001:db8::1]:80\"", "1.2.3.4\t, \t5.6.7.8")) {
			int status = this.app.status(header, "/hello");
			assertThat(status).as("X-Forwarded-For %.40s", header).isIn(200, 400, 431);
		}
	}

	@Test
	void withoutTheProxySettingForwardingHeadersAreIgnoredSoRotatingThemChangesNothing() {
		this.app = new ReactiveApp("floodgate.behind-proxy=false");
		for (int i = 0; i < 5; i++) {
			this.app.get("192.0.2." + i, "/hello").expectStatus().isOk();
		}
		this.app.get("192.0.2.200", "/hello").expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
		assertThat(this.app.status("127.0.0.1")).isPresent();
	}

	@Test
	void inDryRunNothingIsRefusedButTheViolationsAreCounted() {
		this.app = new ReactiveApp("floodgate.dry-run=true");
		for (int i = 0; i < 8; i++) {
			this.app.get(ATTACKER, "/hello").expectStatus().isOk();
		}
		assertThat(this.app.status(ATTACKER)).hasValueSatisfying((status) -> assertThat(status.violations()).isEqualTo(3));
	}

	@Test
	void theDenyListIsRefusedAndTheAllowListNeverLimited() {
		this.app = new ReactiveApp("floodgate.deny-list=203.0.113.0/24", "floodgate.allow-list=198.51.100.7");
		this.app.get(ATTACKER, "/hello").expectStatus().isForbidden()
			.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:denied");
		for (int i = 0; i < 20; i++) {
			this.app.get(OTHER, "/hello").expectStatus().isOk();
		}
	}


	@Test
	void onAManagementPortOfItsOwnRestrictedClientsAreRefusedButNothingIsLimitedAndHealthIsOpen() {
		this.app = new ReactiveApp("management.server.port=0", "management.server.address=127.0.0.1");
		int port = Integer.parseInt(this.app.context.getEnvironment().getProperty("local.management.port"));
		WebTestClient management = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + port)
			.responseTimeout(Duration.ofSeconds(10))
			.build();
		management.post().uri("/actuator/floodgate/" + ATTACKER).header("X-Forwarded-For", OTHER)
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{\"action\":\"ban\"}")
			.exchange().expectStatus().isOk();
		management.get().uri("/actuator/floodgate").header("X-Forwarded-For", ATTACKER).exchange()
			.expectStatus().isForbidden()
			.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:banned");
		management.get().uri("/actuator/health").header("X-Forwarded-For", ATTACKER).exchange()
			.expectStatus().isOk();
		this.app.get(ATTACKER, "/hello").expectStatus().isForbidden();
		// the operator's own requests are never limited there (the limit is 5 a minute)
		for (int i = 0; i < 8; i++) {
			management.get().uri("/actuator/floodgate").header("X-Forwarded-For", OTHER).exchange()
				.expectStatus().isOk();
		}
	}

	@Test
	void aListenerOfBlocksThatThrowsChangesNoAnswer() {
		this.app = new ReactiveApp("test.throwing-listener=true");
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 9; i++) {
			statuses.add(this.app.status(ATTACKER, "/hello"));
		}
		// five admitted, three violations (the third blocks, and the listener throws), then blocked
		assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429, 429, 429, 429);
		this.app.get(ATTACKER, "/hello").expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:blocked");
		assertThat(this.app.status(ATTACKER)).hasValueSatisfying((status) -> assertThat(status.blocks()).isEqualTo(1));
		this.app.get(OTHER, "/hello").expectStatus().isOk();
	}

}
