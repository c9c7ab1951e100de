package dev.floodgate.autoconfigure;

import java.time.Duration;

import dev.floodgate.gateway.FloodgateGatewayFilterFactory;
import dev.floodgate.gateway.GatewayRoutePolicies;
import dev.floodgate.web.HandlerPolicies;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration for Floodgate in Spring Cloud Gateway (server WebFlux): the
 * {@code Floodgate} route filter, and the policies it gives routes, which
 * {@link FloodgateWebFluxAutoConfiguration}'s filter decides in front of every route. The
 * filter's factory is there even with Floodgate switched off, so that routes which name it
 * still start (and are then not limited).
 */
@AutoConfiguration(after = FloodgateAutoConfiguration.class, before = FloodgateWebFluxAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({ GatewayFilterFactory.class, FilteringWebHandler.class })
public final class FloodgateGatewayAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	FloodgateGatewayFilterFactory floodgateGatewayFilterFactory(ObjectProvider<HandlerPolicies> handlerPolicies) {
		return new FloodgateGatewayFilterFactory(handlerPolicies);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(HandlerPolicies.class)
	static class RoutePoliciesConfiguration {

		@Bean
		@ConditionalOnMissingBean
		GatewayRoutePolicies floodgateGatewayRoutePolicies() {
			return new GatewayRoutePolicies();
		}

		/**
		 * Resolves every route's policy once the application has started, so that two routes
		 * naming one policy with different limits stop it with a message naming the route.
		 * @param routes the gateway's routes
		 * @return the listener
		 */
		@Bean
		@ConditionalOnMissingBean(name = "floodgateGatewayRouteValidation")
		ApplicationListener<ApplicationStartedEvent> floodgateGatewayRouteValidation(
				ObjectProvider<RouteLocator> routes) {
			return (event) -> routes.ifAvailable((locator) -> locator.getRoutes()
				.doOnNext(GatewayRoutePolicies::validate)
				.then()
				.block(Duration.ofSeconds(30)));
		}

	}

}
