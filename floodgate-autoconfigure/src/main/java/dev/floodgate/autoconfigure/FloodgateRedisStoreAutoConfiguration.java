package dev.floodgate.autoconfigure;

import java.time.Duration;

import dev.floodgate.autoconfigure.FloodgateProperties.StoreType;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.redis.RedisViolationStore;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Auto-configuration of the Redis store, for {@code floodgate.store.type=redis}: through the
 * application's own {@link RedisConnectionFactory} ({@code spring.data.redis.*}). Without
 * Spring Data Redis or a connection factory nothing is registered here, and
 * {@link FloodgateAutoConfiguration} stops the application with a message that says what
 * to add.
 */
@AutoConfiguration(before = FloodgateAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBooleanProperty(name = "floodgate.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "floodgate.store.type", havingValue = "redis")
@ConditionalOnClass(RedisConnectionFactory.class)
public final class FloodgateRedisStoreAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(ViolationStore.class)
	@ConditionalOnBean(RedisConnectionFactory.class)
	RedisViolationStore floodgateViolationStore(RedisConnectionFactory connectionFactory, FloodgateSettings settings,
			DecisionRules rules) {
		if (settings.storeType() != StoreType.REDIS) {
			// only under AOT, where this condition was decided at build time
			throw StoreChosenAtBuildTimeException.builtWith(settings.storeType(), StoreType.REDIS);
		}
		RedisViolationStore store = new RedisViolationStore(connectionFactory, rules, settings.redisKeyPrefix(),
				settings.storeTimeout());
		// connect and load the scripts before the first request, bounded: a dead Redis delays
		// start-up by at most this, and requests are then decided by floodgate.store.on-failure
		Duration readyWithin = settings.storeTimeout().multipliedBy(4).plusSeconds(2);
		if (!store.awaitReady(readyWithin)) {
			org.apache.commons.logging.LogFactory.getLog(FloodgateRedisStoreAutoConfiguration.class)
				.warn("Floodgate's Redis store is not connected after " + readyWithin.toMillis()
						+ "ms; requests are decided by floodgate.store.on-failure until it is");
		}
		return store;
	}

}
