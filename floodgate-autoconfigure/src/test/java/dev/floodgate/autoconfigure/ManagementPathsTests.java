package dev.floodgate.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ManagementPaths}: which paths of the application's port are the
 * actuator's.
 */
class ManagementPathsTests {

	@Test
	void theActuatorOnTheApplicationsPortIsNeverLimitedAndItsHealthNeverRefused() {
		MockEnvironment environment = new MockEnvironment();
		assertThat(ManagementPaths.unlimited(environment)).containsExactly("/actuator", "/actuator/**", "/error",
				"/error/**");
		assertThat(ManagementPaths.applicationHealthPath(environment)).containsExactly("/actuator/health");
		environment.withProperty("server.port", "9000").withProperty("management.server.port", "9000");
		assertThat(ManagementPaths.actuatorOnApplicationPort(environment)).as("the same port").isTrue();
	}

	@Test
	void onAPortOfItsOwnTheApplicationsActuatorPathsAreOrdinaryPaths() {
		for (String port : new String[] { "8081", "0", "-1" }) {
			MockEnvironment environment = new MockEnvironment().withProperty("management.server.port", port);
			assertThat(ManagementPaths.unlimited(environment)).as(port).containsExactly("/error", "/error/**");
			assertThat(ManagementPaths.health(environment)).as(port).isEmpty();
			assertThat(ManagementPaths.applicationHealthPath(environment)).as(port).isEmpty();
			assertThat(ManagementPaths.managementHealth(environment)).as("the management context's own")
				.containsExactly("/actuator/health", "/actuator/health/**");
		}
	}

}
