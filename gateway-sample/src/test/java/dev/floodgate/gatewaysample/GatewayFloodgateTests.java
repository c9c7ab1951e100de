package dev.floodgate.gatewaysample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.floodgate.testsupport.BlockingCalls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway sample on the in-memory store, over real HTTP through the gateway to a real
 * upstream server, BlockHound watching every event-loop thread: every route under
 * {@code floodgate.limit}, a route's own {@code Floodgate} filter from the configuration and
 * from the Java DSL, a scanner's upstream 404s escalating to blocks and a ban, and the
 * forwarding headers an attacker writes.
 */
@ExtendWith(BlockingCalls.class)
class GatewayFloodgateTests {

	private static final String ATTACKER = "203.0.113.9";

	private static final String OTHER = "198.51.100.7";

	private GatewayApp app;

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
	void aRouteWithoutItsOwnFilterIsUnderTheDefaultLimit() {
		this.app = new GatewayApp();
		for (int i = 0; i < 5; i++) {
			this.app.get(ATTACKER, "/links/abc")
				.expectStatus().isOk()
				.expectHeader().valueEquals("RateLimit-Policy", "\"default\";q=5;w=60")
				.expectBody(String.class).isEqualTo("https://example.com/abc");
		}
		this.app.get(ATTACKER, "/links/abc")
			.expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
			.expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader().exists("Retry-After")
			.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:rate-limited");
		this.app.get(OTHER, "/links/abc").expectStatus().isOk();
	}

	@Test
	void aRouteWithTheFloodgateFilterHasItsOwnPolicyNamedAfterTheRoute() {
		this.app = new GatewayApp();
		this.app.get(ATTACKER, "/search?q=a")
			.expectStatus().isOk()
			.expectHeader().valueEquals("RateLimit-Policy", "\"search-1m\";q=2;w=60, \"search-1h\";q=20;w=3600")
			.expectBody(String.class).isEqualTo("upstream page");
		this.app.get(ATTACKER, "/search?q=b").expectStatus().isOk();
		this.app.get(ATTACKER, "/search?q=c").expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
		// the route's limit is its own: the default one still has room
		this.app.get(ATTACKER, "/links/abc").expectStatus().isOk();
	}

	@Test
	void aRouteOfTheJavaDslHasItsOwnPolicyToo() {
		this.app = new GatewayApp();
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			statuses.add(this.app.status(ATTACKER, "/preview/abc"));
		}
		assertThat(statuses).containsExactly(200, 200, 200, 429);
		this.app.get(OTHER, "/preview/abc")
			.expectHeader().valueEquals("RateLimit-Policy", "\"preview\";q=3;w=60");
	}

	@Test
	void aScannerCollectingTheUpstreams404sIsBlockedThreeTimesThenBanned() {
		this.app = new GatewayApp("floodgate.penalize.statuses=404", "floodgate.limit=100/minute");
		int misses = 0;
		for (long minutes : new long[] { 1, 2, 4 }) {
			for (int i = 0; i < 3; i++) {
				assertThat(this.app.status(ATTACKER, "/links/x" + misses++)).isEqualTo(404);
			}
			this.app.get(ATTACKER, "/links/abc")
				.expectStatus().isEqualTo(HttpStatus.TOO_MANY_REQUESTS)
				.expectHeader().valueEquals("Retry-After", Long.toString(minutes * 60));
			this.app.clock.advance(Duration.ofMinutes(minutes).plusSeconds(1));
		}
		assertThat(this.app.status(ATTACKER, "/links/x9")).isEqualTo(404);
		this.app.get(ATTACKER, "/links/abc")
			.expectStatus().isEqualTo(HttpStatus.FORBIDDEN)
			.expectBody().jsonPath("$.type").isEqualTo("urn:floodgate:problem:banned");
		this.app.get(ATTACKER, "/actuator/floodgate").expectStatus().isForbidden();
		this.app.get(ATTACKER, "/actuator/health").expectStatus().isOk();
		this.app.get(OTHER, "/links/abc").expectStatus().isOk();
	}

	@Test
	void rotatedSpoofedForwardingHeadersStillCountTheRealClient() {
		this.app = new GatewayApp();
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 7; i++) {
			statuses.add(this.app.http.get().uri("/links/abc")
				.header("X-Forwarded-For", "10.9." + i + ".1, " + ATTACKER)
				.exchange().returnResult(String.class).getStatus().value());
		}
		assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 429, 429);
		assertThat(this.app.status("10.9.0.1")).as("no spoofed address was counted").isEmpty();
	}

	@Test
	void garbageForwardingHeadersNeverCauseA500() {
		this.app = new GatewayApp();
		for (String garbage : List.of("", ",,,", "not-an-ip", "999.999.1.1", "[::1", "unknown, _hidden",
				"1.2.3.4:abc", "a".repeat(4000))) {
			int status = this.app.http.get().uri("/links/abc").header("X-Forwarded-For", garbage)
				.header("Forwarded", "for=" + garbage).exchange().returnResult(String.class).getStatus().value();
			assertThat(status).as(garbage).isIn(200, 429);
		}
	}

	@Test
	void withFloodgateSwitchedOffRoutesThatNameItStillStartAndAreNotLimited() {
		this.app = new GatewayApp("floodgate.enabled=false");
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			statuses.add(this.app.status(ATTACKER, "/search"));
		}
		assertThat(statuses).containsOnly(200);
	}

}
