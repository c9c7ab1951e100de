package dev.floodgate.security;

import java.net.http.HttpResponse;
import java.time.Duration;

import dev.floodgate.store.ClientStatus;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brute force against HTTP Basic: Spring Security answers every wrong password with a 401
 * and raises a failed authentication, which Floodgate counts as a violation of the client
 * that sent it, with no setting but the escalation's. Over real HTTP, with Floodgate's front
 * door ahead of the security filter chain.
 */
class HttpBasicLoginTests {

	private static final String ATTACKER = "203.0.113.9";

	private static final String USER = "198.51.100.7";

	private final SecuredApp app = new SecuredApp("basic", "floodgate.limit=100/minute");

	@AfterEach
	void close() {
		this.app.close();
	}

	@Test
	void tenWrongPasswordsBlockTheClientThreeTimesThenBanItWhileTheUserIsNeverCounted() {
		assertThat(this.app.get(ATTACKER, "/public").statusCode()).isEqualTo(200);
		assertThat(this.app.seenBehindSecurity(ATTACKER)).as("the filter behind Security sees the client").isOne();

		Duration[] blocks = { Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4) };
		for (int block = 1; block <= 3; block++) {
			for (int attempt = 0; attempt < 3; attempt++) {
				assertThat(wrongPassword().statusCode()).as("block %d, attempt %d", block, attempt).isEqualTo(401);
			}
			HttpResponse<String> blocked = wrongPassword();
			assertThat(blocked.statusCode()).isEqualTo(429);
			assertThat(blocked.headers().firstValue("Retry-After")).hasValue(String.valueOf(blocks[block - 1].toSeconds()));
			assertThat(this.app.basic(ATTACKER, "/api/hello", "alice", "secret").statusCode())
				.as("the right password is refused too: Security never sees it").isEqualTo(429);
			assertThat(this.app.get(ATTACKER, "/public").statusCode()).isEqualTo(429);
			ClientStatus status = this.app.status(ATTACKER).orElseThrow();
			assertThat(status.blocks()).isEqualTo(block);
			assertThat(status.violations()).isEqualTo(3 * block);
			assertThat(this.app.basic(USER, "/api/hello", "alice", "secret").statusCode()).isEqualTo(200);
			this.app.clock.advance(blocks[block - 1].plusSeconds(1));
		}
		assertThat(wrongPassword().statusCode()).as("the tenth").isEqualTo(401);
		HttpResponse<String> banned = this.app.basic(ATTACKER, "/api/hello", "alice", "secret");
		assertThat(banned.statusCode()).isEqualTo(403);
		assertThat(banned.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(this.app.get(ATTACKER, "/public").statusCode()).isEqualTo(403);
		assertThat(this.app.status(ATTACKER).orElseThrow().banned()).isTrue();

		assertThat(this.app.seenBehindSecurity(ATTACKER))
			.as("no request of a blocked or banned client got past Spring Security").isOne();
		assertThat(this.app.status(USER).map(ClientStatus::violations).orElse(0)).as("the user's logins").isZero();
		assertThat(this.app.context.getBean(MeterRegistry.class)
			.get("floodgate.penalties")
			.tag("reason", "authentication-failure")
			.counter()
			.count()).isEqualTo(10.0);
	}

	@Test
	void requestsWithoutCredentialsAndSuccessfulLoginsAreNotPenalties() {
		for (int i = 0; i < 12; i++) {
			assertThat(this.app.get(ATTACKER, "/api/hello").statusCode()).as("no credentials: a 401, no failure")
				.isEqualTo(401);
			assertThat(this.app.basic(USER, "/api/hello", "alice", "secret").statusCode()).isEqualTo(200);
		}
		assertThat(this.app.status(ATTACKER).map(ClientStatus::violations).orElse(0)).isZero();
		assertThat(this.app.status(USER).map(ClientStatus::violations).orElse(0)).isZero();
	}

	private HttpResponse<String> wrongPassword() {
		return this.app.basic(ATTACKER, "/api/hello", "alice", "guess");
	}

}
