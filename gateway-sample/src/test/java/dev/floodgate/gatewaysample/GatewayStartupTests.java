package dev.floodgate.gatewaysample;

import dev.floodgate.testsupport.BlockingCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A wrong Floodgate filter on a route stops the gateway at its start, with a message that
 * names the route.
 */
@ExtendWith(BlockingCalls.class)
class GatewayStartupTests {

	@Test
	void aLimitThatIsNoLimitStopsTheStartNamingTheRoute() {
		assertThatThrownBy(() -> new GatewayApp("sample.search-limit=5/fortnight").close())
			.hasStackTraceContaining("route 'search'")
			.hasStackTraceContaining("5/fortnight");
	}

	@Test
	void aRoutePolicyNamedAsAnotherPolicyWithOtherLimitsStopsTheStart() {
		// application-clash.yml: a route named "default", as floodgate.limit's policy is
		assertThatThrownBy(() -> new GatewayApp("spring.profiles.active=clash").close())
			.hasStackTraceContaining("route 'default'")
			.hasStackTraceContaining("already defined as [5/1m], not [9/1m]");
	}

}
