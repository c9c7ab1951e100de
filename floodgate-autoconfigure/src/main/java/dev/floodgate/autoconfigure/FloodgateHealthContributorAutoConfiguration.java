package dev.floodgate.autoconfigure;

import dev.floodgate.actuate.FloodgateHealthIndicator;
import dev.floodgate.autoconfigure.FloodgateProperties.OnFailure;
import dev.floodgate.store.StoreCircuitBreaker;
import dev.floodgate.store.ViolationStore;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the {@code floodgate} health contributor: the store's reachability
 * and circuit state. It turns the application {@code DOWN} only with
 * {@code floodgate.store.on-failure=deny}; disable it with
 * {@code management.health.floodgate.enabled=false}.
 */
@AutoConfiguration(after = FloodgateAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(FloodgateSettings.class)
public final class FloodgateHealthContributorAutoConfiguration {

	// nested, so that its condition (a health class) is only read when Boot's health module is present
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnEnabledHealthIndicator("floodgate")
	static class HealthIndicatorConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "floodgateHealthIndicator")
		FloodgateHealthIndicator floodgateHealthIndicator(FloodgateSettings settings, ViolationStore store,
				StoreCircuitBreaker circuitBreaker) {
			return new FloodgateHealthIndicator(store, circuitBreaker, settings.onFailure() == OnFailure.DENY);
		}

	}

}
