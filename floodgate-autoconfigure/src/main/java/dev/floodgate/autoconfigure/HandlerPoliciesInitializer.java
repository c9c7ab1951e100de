package dev.floodgate.autoconfigure;

import dev.floodgate.web.HandlerPolicies;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.handler.AbstractHandlerMethodMapping;

/**
 * Resolves the policy of every mapped handler method once every singleton exists, so that
 * an invalid {@code @RateLimited} stops the application at start-up and requests find their
 * policy without reflection.
 */
public final class HandlerPoliciesInitializer implements SmartInitializingSingleton {

	private final HandlerPolicies policies;

	private final ObjectProvider<AbstractHandlerMethodMapping<?>> mappings;

	HandlerPoliciesInitializer(HandlerPolicies policies, ObjectProvider<AbstractHandlerMethodMapping<?>> mappings) {
		this.policies = policies;
		this.mappings = mappings;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.mappings.forEach((mapping) -> {
			for (HandlerMethod handlerMethod : mapping.getHandlerMethods().values()) {
				this.policies.policyFor(handlerMethod);
			}
		});
	}

}
