package dev.floodgate.store.redis;

import java.time.Duration;
import java.util.UUID;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.StoreUnavailableException;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.testsupport.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The Redis store keeps the {@link ViolationStore} contract on a real standalone
 * {@code redis-server}, in one script call per request.
 */
class RedisViolationStoreTests extends AbstractRedisViolationStoreTests {

	private static RedisServer server;

	@BeforeAll
	static void startServer() {
		server = RedisServer.start();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Override
	protected RedisConfiguration redisConfiguration() {
		return new RedisStandaloneConfiguration("127.0.0.1", server.port());
	}

	@Test
	void decidesEachRequestWithExactlyOneEvalsha() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("default", "1000/minute;5000/hour");
		store.decide(newClient(), policy);
		long evalsha = server.calls("evalsha");
		long eval = server.calls("eval");
		for (int i = 0; i < 200; i++) {
			store.decide("203.0.113." + (i % 50), policy);
		}
		assertThat(server.calls("evalsha") - evalsha).isEqualTo(200);
		assertThat(server.calls("eval")).as("the script is loaded once").isEqualTo(eval);
	}

	@Test
	void everyKeyOfAClientHasAHashTagAndATimeToLive() throws Exception {
		String prefix = "floodgate-ttl:" + UUID.randomUUID() + ":";
		ViolationStore store = new RedisViolationStore(connectionFactory(), new DecisionRules(Algorithm.SLIDING_WINDOW,
				escalation()), prefix, Duration.ofSeconds(5));
		store.decide("198.51.100.7", policy("default", "10/minute"));
		String key = prefix + "{198.51.100.7}";
		long ttl = Long.parseLong(server.command("PTTL", key));
		assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(2).toMillis());
		store.ban("198.51.100.8", null);
		assertThat(server.command("PTTL", prefix + "{198.51.100.8}")).as("a permanent ban persists").isEqualTo("-1");
	}

	@Test
	void takesTheTimeFromTheServerByDefault() throws Exception {
		ViolationStore store = new RedisViolationStore(connectionFactory(), new DecisionRules(Algorithm.FIXED_WINDOW,
				escalation()), "floodgate-time:" + UUID.randomUUID() + ":", Duration.ofSeconds(5));
		RatePolicy policy = policy("default", "2/day");
		String client = newClient();
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
		long serverNow = Long.parseLong(server.command("TIME").split("\n")[0]) * 1000;
		long resetMillis = store.decide(client, policy).resetMillis();
		long dayEnd = (serverNow / 86_400_000 + 1) * 86_400_000;
		assertThat(serverNow + resetMillis).isCloseTo(dayEnd, org.assertj.core.data.Offset.offset(5_000L));
	}

	@Test
	void aDeadServerFailsWithinTheTimeout() throws Exception {
		try (RedisServer doomed = RedisServer.start()) {
			LettuceConnectionFactory factory = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration("127.0.0.1", doomed.port()));
			factory.afterPropertiesSet();
			factory.start();
			try {
				ViolationStore store = new RedisViolationStore(factory,
						new DecisionRules(Algorithm.SLIDING_WINDOW, escalation()), "floodgate-dead:", Duration.ofMillis(200));
				RatePolicy policy = policy("default", "10/minute");
				assertThat(store.decide("203.0.113.1", policy).outcome()).isEqualTo(Outcome.ALLOWED);
				doomed.kill();
				assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> store.decide("203.0.113.1", policy));
				doomed.restart();
				Outcome outcome = null;
				for (int i = 0; i < 100 && outcome == null; i++) {
					try {
						outcome = store.decide("203.0.113.1", policy).outcome();
					}
					catch (StoreUnavailableException ex) {
						Thread.sleep(100);
					}
				}
				assertThat(outcome).as("Lettuce reconnects by itself").isEqualTo(Outcome.ALLOWED);
			}
			finally {
				factory.destroy();
			}
		}
	}

}
