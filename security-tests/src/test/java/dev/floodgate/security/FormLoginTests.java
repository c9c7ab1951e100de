package dev.floodgate.security;

import java.net.http.HttpResponse;
import java.time.Duration;

import dev.floodgate.store.ClientStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brute force against Spring Security's form login: {@code POST /login} is answered by a
 * filter, with a redirect to {@code /login?error}, never a 401 and never a handler. Floodgate
 * counts the failed authentication it raises, and {@code floodgate.paths} limits the login
 * form itself. Over real HTTP, each login as a browser makes it (page, session, CSRF token).
 */
class FormLoginTests {

	private static final String ATTACKER = "203.0.113.9";

	private static final String USER = "198.51.100.7";

	private SecuredApp app;

	@AfterEach
	void close() {
		this.app.close();
	}

	@Test
	void tenFailedLoginsBlockTheClientThreeTimesThenBanItWhileTheUserIsNeverCounted() {
		this.app = new SecuredApp("form");
		assertThat(this.app.get(ATTACKER, "/public").statusCode()).isEqualTo(200);
		Duration[] blocks = { Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4) };
		for (int block = 1; block <= 3; block++) {
			for (int attempt = 0; attempt < 3; attempt++) {
				HttpResponse<String> failed = wrongPassword();
				assertThat(failed.statusCode()).as("block %d, attempt %d", block, attempt).isEqualTo(302);
				assertThat(failed.headers().firstValue("Location")).get().asString().endsWith("/login?error");
			}
			HttpResponse<String> blocked = wrongPassword();
			assertThat(blocked.statusCode()).as("refused before Security's CSRF check would answer 403")
				.isEqualTo(429);
			assertThat(blocked.headers().firstValue("Retry-After")).hasValue(String.valueOf(blocks[block - 1].toSeconds()));
			assertThat(this.app.formLogin(ATTACKER, "alice", "secret").statusCode()).isEqualTo(429);
			assertThat(this.app.get(ATTACKER, "/public").statusCode()).isEqualTo(429);
			assertThat(this.app.status(ATTACKER).orElseThrow().blocks()).isEqualTo(block);
			assertLoggedIn(this.app.formLogin(USER, "alice", "secret"));
			this.app.clock.advance(blocks[block - 1].plusSeconds(1));
		}
		assertThat(wrongPassword().statusCode()).as("the tenth").isEqualTo(302);
		HttpResponse<String> banned = this.app.formLogin(ATTACKER, "alice", "secret");
		assertThat(banned.statusCode()).isEqualTo(403);
		assertThat(banned.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(banned.body()).contains("\"status\":403");
		assertThat(this.app.get(ATTACKER, "/public").statusCode()).isEqualTo(403);
		assertThat(this.app.status(ATTACKER).orElseThrow().banned()).isTrue();
		assertThat(this.app.seenBehindSecurity(ATTACKER))
			.as("no request of a blocked or banned client got past Spring Security").isOne();
		assertThat(this.app.status(USER).map(ClientStatus::violations).orElse(0)).isZero();
	}

	@Test
	void theLoginFormIsLimitedByFloodgatePathsThoughNoHandlerServesIt() {
		this.app = new SecuredApp("form", "floodgate.paths[0].pattern=/login", "floodgate.paths[0].methods=POST",
				"floodgate.paths[0].limit=5/minute");
		for (int i = 0; i < 5; i++) {
			assertLoggedIn(this.app.formLogin(USER, "alice", "secret"));
		}
		HttpResponse<String> limited = this.app.formLogin(USER, "alice", "secret");
		assertThat(limited.statusCode()).isEqualTo(429);
		assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(limited.headers().firstValue("RateLimit-Policy")).get().asString().contains("q=5;w=60");
		assertThat(this.app.get(USER, "/login").statusCode()).as("only POST is limited").isEqualTo(200);
		assertThat(this.app.status(USER).orElseThrow().violations()).as("the sixth, not the logins").isOne();
		// a client that waits what Retry-After says is admitted
		this.app.clock.advance(Duration.ofSeconds(Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow())));
		assertLoggedIn(this.app.formLogin(USER, "alice", "secret"));
	}

	private static void assertLoggedIn(HttpResponse<String> response) {
		assertThat(response.statusCode()).isEqualTo(302);
		assertThat(response.headers().firstValue("Location")).get().asString().doesNotContain("error");
	}

	private HttpResponse<String> wrongPassword() {
		return this.app.formLogin(ATTACKER, "alice", "guess");
	}

}
