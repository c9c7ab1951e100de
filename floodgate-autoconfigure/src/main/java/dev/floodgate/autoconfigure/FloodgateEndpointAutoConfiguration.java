package dev.floodgate.autoconfigure;

import dev.floodgate.actuate.FloodgateEndpoint;
import dev.floodgate.store.StoreCircuitBreaker;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.web.HandlerPolicies;
import dev.floodgate.web.PrefixWidening;
import dev.floodgate.web.RestrictionCache;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the {@code floodgate} actuator endpoint. Like every endpoint but
 * health, it is not exposed over HTTP until {@code management.endpoints.web.exposure.include}
 * names it.
 */
@AutoConfiguration(after = FloodgateAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(FloodgateSettings.class)
public final class FloodgateEndpointAutoConfiguration {

	// nested, so that its condition (an actuator class) is only read when the actuator is present
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnAvailableEndpoint(FloodgateEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		FloodgateEndpoint floodgateEndpoint(FloodgateSettings settings, HandlerPolicies policies, ViolationStore store,
				StoreCircuitBreaker circuitBreaker, ObjectProvider<RestrictionCache> restrictions,
				ObjectProvider<PrefixWidening> widening) {
			return new FloodgateEndpoint(settings, policies, store, circuitBreaker, restrictions.getIfAvailable(),
					widening.getIfAvailable());
		}

	}

}
