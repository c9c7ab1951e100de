package dev.floodgate.autoconfigure;

import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.floodgate.web.HandlerPolicies;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.web.method.HandlerMethod;

/**
 * Resolves the policy of every mapped handler method once every singleton exists, so that
 * an invalid {@code @RateLimited} stops the application at start-up and requests find their
 * policy without reflection.
 */
public final class HandlerPoliciesInitializer implements SmartInitializingSingleton {

	private final HandlerPolicies policies;

	private final Supplier<Stream<HandlerMethod>> handlerMethods;

	/**
	 * Creates the initializer.
	 * @param policies the policies to resolve
	 * @param handlerMethods the mapped handler methods of the application, Spring MVC's or
	 * WebFlux's
	 */
	HandlerPoliciesInitializer(HandlerPolicies policies, Supplier<Stream<HandlerMethod>> handlerMethods) {
		this.policies = policies;
		this.handlerMethods = handlerMethods;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.handlerMethods.get().forEach(this.policies::policyFor);
	}

}
