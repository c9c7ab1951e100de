package dev.floodgate.security;

import java.net.http.HttpResponse;
import java.time.Duration;

import dev.floodgate.store.ClientStatus;
import dev.floodgate.testsupport.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brute force against HTTP Basic spread over two instances that share a real Redis: the
 * wrong passwords add up in the store, whichever instance they reach, and block then ban the
 * client on both.
 */
class RedisFleetLoginTests {

	private static final String ATTACKER = "203.0.113.9";

	private static final String USER = "198.51.100.7";

	private static RedisServer redis;

	private SecuredApp first;

	private SecuredApp second;

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@AfterEach
	void close() {
		this.first.close();
		this.second.close();
		redis.command("FLUSHALL");
	}

	@Test
	void wrongPasswordsSpreadOverTwoInstancesBlockThenBanTheClientOnBoth() {
		String[] redisProperties = { "floodgate.store.type=redis", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redis.port(), "floodgate.limit=100/minute", "test.redis-on-test-clock=true" };
		this.first = new SecuredApp("basic", redisProperties);
		this.second = new SecuredApp("basic", redisProperties);
		SecuredApp[] fleet = { this.first, this.second };
		Duration[] blocks = { Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4) };
		for (int block = 1; block <= 3; block++) {
			for (int attempt = 0; attempt < 3; attempt++) {
				assertThat(wrongPassword(fleet[attempt % 2]).statusCode()).as("block %d, attempt %d", block, attempt).isEqualTo(401);
			}
			// the third failure reached the first instance, which refuses the client from its cache;
			// the second hears of the block from the store on the client's next failure there,
			// which is not counted again
			assertThat(wrongPassword(this.first).statusCode()).isEqualTo(429);
			assertThat(wrongPassword(this.second).statusCode()).isEqualTo(401);
			assertThat(wrongPassword(this.second).statusCode()).isEqualTo(429);
			ClientStatus status = this.second.status(ATTACKER).orElseThrow();
			assertThat(status.blocks()).isEqualTo(block);
			assertThat(status.violations()).isEqualTo(3 * block);
			for (SecuredApp app : fleet) {
				assertThat(app.basic(USER, "/api/hello", "alice", "secret").statusCode()).isEqualTo(200);
				app.clock.advance(blocks[block - 1].plusSeconds(1));
			}
		}
		assertThat(wrongPassword(this.second).statusCode()).as("the tenth").isEqualTo(401);
		assertThat(this.first.basic(ATTACKER, "/api/hello", "alice", "secret").statusCode()).isEqualTo(403);
		assertThat(this.second.basic(ATTACKER, "/api/hello", "alice", "secret").statusCode()).isEqualTo(403);
		assertThat(this.first.status(ATTACKER).orElseThrow().banned()).isTrue();
		assertThat(this.first.status(USER).map(ClientStatus::violations).orElse(0)).isZero();
	}

	private static HttpResponse<String> wrongPassword(SecuredApp app) {
		return app.basic(ATTACKER, "/api/hello", "alice", "guess");
	}

}
