package dev.floodgate.store.redis;

import java.time.Duration;
import java.util.UUID;

import dev.floodgate.core.DecisionRules;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.ViolationStoreContractTests;
import dev.floodgate.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;

import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The {@link ViolationStore} contract on a real Redis: a subclass says only which server to
 * connect to. Each store gets its own key prefix, so tests never see each other's clients.
 */
abstract class AbstractRedisViolationStoreTests extends ViolationStoreContractTests {

	private LettuceConnectionFactory connectionFactory;

	private String keyPrefix;

	/**
	 * Where the server (or cluster) the tests run against is.
	 * @return its configuration
	 */
	protected abstract RedisConfiguration redisConfiguration();

	@AfterEach
	void stopConnectionFactory() {
		if (this.connectionFactory != null) {
			this.connectionFactory.destroy();
		}
	}

	@Override
	protected ViolationStore createStore(DecisionRules rules, MutableClock clock) {
		this.keyPrefix = "floodgate-test:" + UUID.randomUUID() + ":";
		return new RedisViolationStore(connectionFactory(), rules, this.keyPrefix, Duration.ofSeconds(5), clock);
	}

	@Override
	protected ViolationStore createSecondInstance(DecisionRules rules, MutableClock clock) {
		return new RedisViolationStore(connectionFactory(), rules, this.keyPrefix, Duration.ofSeconds(5), clock);
	}

	protected LettuceConnectionFactory connectionFactory() {
		if (this.connectionFactory == null) {
			this.connectionFactory = new LettuceConnectionFactory(redisConfiguration());
			this.connectionFactory.afterPropertiesSet();
			this.connectionFactory.start();
		}
		return this.connectionFactory;
	}

}
