package dev.floodgate.web;

import dev.floodgate.RateLimited;
import dev.floodgate.core.InvalidFloodgateSettingException;
import dev.floodgate.core.LimitParser;
import dev.floodgate.core.RatePolicy;
import org.junit.jupiter.api.Test;

import org.springframework.web.method.HandlerMethod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link HandlerPolicies}: the cost of a handler's requests, and the grammar of
 * annotations.
 */
class HandlerPoliciesTests {

	@Test
	void anAnnotationGivesItsCostAndTheDefaultPolicyThePropertys() throws Exception {
		HandlerPolicies policies = new HandlerPolicies(LimitParser.parse("100/day, 10/hour"), 2);
		assertThat(policies.defaultPolicy().cost()).isEqualTo(2);
		assertThat(policies.defaultPolicy().size()).isEqualTo(2);
		RatePolicy expensive = policies.policyFor(handler(new Handlers(), "expensive"));
		assertThat(expensive.cost()).isEqualTo(5);
		assertThat(expensive.limits()).isEqualTo(LimitParser.parse("10/30d;50/360d"));
		assertThat(policies.policyFor(handler(new Handlers(), "cheap")).cost()).isEqualTo(1);
	}

	@Test
	void aCostBelowOneStopsTheApplicationNamingTheMethod() throws Exception {
		HandlerPolicies policies = new HandlerPolicies(null);
		assertThatExceptionOfType(InvalidFloodgateSettingException.class)
			.isThrownBy(() -> policies.policyFor(handler(new Handlers(), "free")))
			.withMessageContaining("@RateLimited on " + Handlers.class.getName() + "#free")
			.withMessageContaining("'0'")
			.withMessageContaining("at least 1");
	}

	@Test
	void aCostAboveALimitStopsTheApplicationNamingTheMethod() throws Exception {
		HandlerPolicies policies = new HandlerPolicies(null);
		assertThatExceptionOfType(InvalidFloodgateSettingException.class)
			.isThrownBy(() -> policies.policyFor(handler(new Handlers(), "priceless")))
			.withMessageContaining("@RateLimited on " + Handlers.class.getName() + "#priceless")
			.withMessageContaining("'100/hour, 5/minute, cost = 6'")
			.withMessageContaining("cost 6 is more than the limit 5/1m");
	}

	@Test
	void handlersSharingANameMustShareTheCost() throws Exception {
		HandlerPolicies policies = new HandlerPolicies(null);
		assertThat(policies.policyFor(handler(new Handlers(), "sharedCheap")).cost()).isEqualTo(1);
		assertThatExceptionOfType(InvalidFloodgateSettingException.class)
			.isThrownBy(() -> policies.policyFor(handler(new Handlers(), "sharedDear")))
			.withMessageContaining("#sharedDear")
			.withMessageContaining("already defined with cost 1");
	}

	private static HandlerMethod handler(Object bean, String method) throws NoSuchMethodException {
		return new HandlerMethod(bean, Handlers.class.getDeclaredMethod(method));
	}

	static class Handlers {

		@RateLimited(value = "1 per month; 50 per Year", cost = 1)
		void cheap() {
		}

		@RateLimited(value = "10 per month, 50 per Year", cost = 5)
		void expensive() {
		}

		@RateLimited(value = "5/minute", cost = 0)
		void free() {
		}

		@RateLimited(value = "100/hour, 5/minute", cost = 6)
		void priceless() {
		}

		@RateLimited(value = "5/minute", name = "shared")
		void sharedCheap() {
		}

		@RateLimited(value = "5/minute", name = "shared", cost = 2)
		void sharedDear() {
		}

	}

}
