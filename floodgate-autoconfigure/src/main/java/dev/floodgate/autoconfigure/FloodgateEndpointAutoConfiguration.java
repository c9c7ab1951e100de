package dev.floodgate.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.floodgate.actuate.FloodgateEndpoint;
import dev.floodgate.actuate.FloodgateEndpoint.PolicyDescriptor;
import dev.floodgate.actuate.FloodgateEndpointSettings;
import dev.floodgate.actuate.WidenedNetworks;
import dev.floodgate.core.Limit;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.net.IpAddress;
import dev.floodgate.store.GuardedStore;
import dev.floodgate.store.RestrictionCache;
import dev.floodgate.store.StoreCircuitBreaker;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.web.HandlerPolicies;
import dev.floodgate.web.PrefixWidening;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

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
		FloodgateEndpoint floodgateEndpoint(FloodgateSettings settings, HandlerPolicies policies,
				GuardedStore guarded, StoreCircuitBreaker circuitBreaker, ObjectProvider<RestrictionCache> restrictions,
				ObjectProvider<PrefixWidening> widening) {
			PrefixWidening prefixWidening = widening.getIfAvailable();
			return new FloodgateEndpoint(endpointSettings(settings), () -> describe(policies), guarded.store(),
					circuitBreaker,
					restrictions.getIfAvailable(), (prefixWidening != null) ? widenedNetworks(prefixWidening) : null);
		}

		/**
		 * What the endpoint shows of the settings.
		 * @param settings the settings
		 * @return the endpoint's descriptor of them
		 */
		static FloodgateEndpointSettings endpointSettings(FloodgateSettings settings) {
			return new FloodgateEndpointSettings(settings.dryRun(), settings.algorithm(), settings.escalation(),
					settings.behindProxy(), settings.trustedProxies(), settings.clientIpHeader(),
					settings.forwardedHeader().name().toLowerCase(Locale.ROOT).replace('_', '-'),
					settings.ipv6PrefixLength(), settings.allowList(), settings.denyList(),
					settings.onFailure().name().toLowerCase(Locale.ROOT), settings.storeTimeout(),
					settings.penalizedStatuses(), settings.penalizeAuthenticationFailures() && ClassUtils.isPresent(
							"org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent",
							FloodgateEndpointAutoConfiguration.class.getClassLoader()));
		}

		static List<PolicyDescriptor> describe(HandlerPolicies policies) {
			List<PolicyDescriptor> descriptors = new ArrayList<>();
			for (RatePolicy policy : policies.all()) {
				descriptors.add(new PolicyDescriptor(policy.name(),
						policy.limits().stream().map(Limit::toString).toList(), policy.cost(),
						HandlerPolicies.DEFAULT_POLICY.equals(policy.name()) && policy == policies.defaultPolicy()
								? List.of("every handler without @RateLimited")
								: policies.handlers(policy).stream().sorted().toList()));
			}
			return descriptors;
		}

		private static WidenedNetworks widenedNetworks(PrefixWidening widening) {
			return new WidenedNetworks() {

				@Override
				public @Nullable String networkKey(IpAddress address) {
					return widening.prefixKey(address);
				}

				@Override
				public void forget(IpAddress address) {
					widening.forget(address);
				}

			};
		}

	}

}
