package dev.floodgate.autoconfigure;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.floodgate.autoconfigure.FloodgateProperties.StoreType;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.redis.RedisClientRecords;
import io.lettuce.core.resource.Delay;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Auto-configuration of the Redis store, for {@code floodgate.store.type=redis}: through the
 * application's own {@link RedisConnectionFactory} ({@code spring.data.redis.*}). Without
 * Spring Data Redis or a single connection factory (one, or one of several marked
 * {@code @Primary}) nothing is registered here, and
 * {@link FloodgateAutoConfiguration} stops the application with a message that says what
 * to add.
 * <p>
 * With Lettuce and Spring Boot's Redis auto-configuration, Lettuce's reconnect delay is capped
 * at {@link LettuceReconnectConfiguration#MAX_RECONNECT_DELAY} (Lettuce's own default grows
 * exponentially to 30 seconds, so after an outage of 20 seconds the connection came back up to
 * 16 seconds after Redis did, and limiting with it): limiting resumes within about 2 seconds of
 * Redis answering again. An application's own {@link ClientResourcesBuilderCustomizer} runs
 * after this one, so its reconnect delay wins.
 */
@AutoConfiguration(before = FloodgateAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnWebApplication
@ConditionalOnBooleanProperty(name = "floodgate.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "floodgate.store.type", havingValue = "redis")
@ConditionalOnClass(RedisConnectionFactory.class)
public final class FloodgateRedisStoreAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnSingleCandidate(RedisConnectionFactory.class)
	RedisClientRecords floodgateRedisClientRecords(RedisConnectionFactory connectionFactory,
			FloodgateSettings settings, DecisionRules rules) {
		if (settings.storeType() != StoreType.REDIS) {
			// only under AOT, where this condition was decided at build time
			throw StoreChosenAtBuildTimeException.builtWith(settings.storeType(), StoreType.REDIS);
		}
		// the records connect and load their scripts in the background; floodgateRedisStoreReady waits
		return new RedisClientRecords(connectionFactory, rules, settings.redisKeyPrefix(), settings.storeTimeout());
	}

	@Bean
	@ConditionalOnMissingBean(ViolationStore.class)
	@ConditionalOnBean(RedisClientRecords.class)
	RuleBookStore floodgateViolationStore(RedisClientRecords records, DecisionRules rules) {
		// every escalation, a block or ban by hand of a client new to Redis included, is decided
		// at the Redis server's time, as the scripts count by it
		return new RuleBookStore(records, rules, records.clock());
	}

	/**
	 * Waits, once every singleton is created rather than while the store's bean is, until the
	 * Redis store is connected and its scripts are loaded, so that the first requests are not
	 * the slow ones. Bounded: a dead Redis delays start-up by at most four store timeouts and
	 * two seconds, and requests are then decided by {@code floodgate.store.on-failure}.
	 * @param records the Redis store's records, when there are
	 * @param settings the settings
	 * @return the initializer
	 */
	@Bean
	@ConditionalOnMissingBean(name = "floodgateRedisStoreReady")
	SmartInitializingSingleton floodgateRedisStoreReady(ObjectProvider<RedisClientRecords> records,
			FloodgateSettings settings) {
		return () -> {
			RedisClientRecords redis = records.getIfUnique();
			if (redis != null) {
				Duration readyWithin = settings.storeTimeout().multipliedBy(4).plusSeconds(2);
				if (!redis.awaitReady(readyWithin)) {
					org.apache.commons.logging.LogFactory.getLog(FloodgateRedisStoreAutoConfiguration.class)
						.warn("Floodgate's Redis store is not connected after " + readyWithin.toMillis()
								+ "ms; requests are decided by floodgate.store.on-failure until it is");
				}
			}
		};
	}

	/**
	 * Caps Lettuce's reconnect delay, so that the shared connection, and limiting with it,
	 * comes back soon after Redis does.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ ClientResourcesBuilderCustomizer.class, Delay.class })
	static class LettuceReconnectConfiguration {

		/** The longest wait between two reconnect attempts. */
		static final Duration MAX_RECONNECT_DELAY = Duration.ofMillis(500);

		@Bean
		@ConditionalOnMissingBean(name = "floodgateLettuceReconnectDelay")
		@Order(Ordered.HIGHEST_PRECEDENCE)
		ClientResourcesBuilderCustomizer floodgateLettuceReconnectDelay() {
			return (builder) -> builder
				.reconnectDelay(Delay.exponential(Duration.ZERO, MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS));
		}

	}

}
