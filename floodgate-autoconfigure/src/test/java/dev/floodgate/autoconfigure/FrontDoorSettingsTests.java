package dev.floodgate.autoconfigure;

import dev.floodgate.RateLimited;
import dev.floodgate.core.InvalidFloodgateSettingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The front door's settings: {@code floodgate.filter.order}, {@code floodgate.paths} and
 * {@code floodgate.penalize.*}, and how a wrong one stops the application.
 */
class FrontDoorSettingsTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FloodgateAutoConfiguration.class));

	@Test
	void defaultsPenalizeFailedAuthenticationsAndNoStatus() {
		this.contextRunner.run((context) -> {
			FloodgateSettings settings = context.getBean(FloodgateSettings.class);
			assertThat(settings.filterOrder()).isEqualTo(-110);
			assertThat(settings.paths()).isEmpty();
			assertThat(settings.penalizedStatuses()).isEmpty();
			assertThat(settings.penalizeAuthenticationFailures()).isTrue();
		});
	}

	@Test
	void pathsAndStatusesAreParsedOnce() {
		this.contextRunner
			.withPropertyValues("floodgate.paths[0].pattern=/login", "floodgate.paths[0].methods=post, put",
					"floodgate.paths[0].limit=5/minute;20/hour", "floodgate.paths[1].pattern=/api/{id}/export",
					"floodgate.paths[1].limit=1/minute", "floodgate.paths[1].name=export",
					"floodgate.penalize.statuses=404, 401, 404")
			.run((context) -> {
				FloodgateSettings settings = context.getBean(FloodgateSettings.class);
				assertThat(settings.paths()).hasSize(2);
				assertThat(settings.paths().get(0).methods()).containsExactly("POST", "PUT");
				assertThat(settings.paths().get(0).name()).isEqualTo("path:/login");
				assertThat(settings.paths().get(0).limits()).hasSize(2);
				assertThat(settings.paths().get(1).name()).isEqualTo("export");
				assertThat(settings.paths().get(1).methods()).isEmpty();
				assertThat(settings.penalizedStatuses()).containsExactly(401, 404);
			});
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = {
			"floodgate.paths[0].pattern=/login/{*rest}/more | floodgate.paths[0].pattern | not a valid path pattern",
			"floodgate.paths[0].pattern=login | floodgate.paths[0].pattern | must start with /",
			"floodgate.paths[0].limit=5 per fortnight | floodgate.paths[0].limit | fortnight",
			"floodgate.paths[0].methods=P0ST | floodgate.paths[0].methods[0] | HTTP method",
			"floodgate.penalize.statuses=4040 | floodgate.penalize.statuses[0] | between 100 and 599",
			"floodgate.penalize.statuses=99 | floodgate.penalize.statuses[0] | between 100 and 599" })
	void aWrongSettingStopsTheApplicationNamingIt(String setting, String property, String reason) {
		this.contextRunner
			.withPropertyValues("floodgate.paths[0].pattern=/login", "floodgate.paths[0].limit=5/minute", setting)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidFloodgateSettingException.class)
					.hasMessageContaining(property)
					.hasMessageContaining(reason);
			});
	}

	@Test
	void aPathWithoutALimitStopsTheApplication() {
		this.contextRunner.withPropertyValues("floodgate.paths[0].pattern=/login").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidFloodgateSettingException.class)
				.hasMessageContaining("floodgate.paths[0].limit");
		});
	}

	@Test
	void aPathLimitSharingAHandlersNameWithOtherLimitsStopsTheApplication() {
		this.contextRunner.withPropertyValues("floodgate.limit=10/minute", "floodgate.paths[0].pattern=/login",
				"floodgate.paths[0].limit=5/minute", "floodgate.paths[0].name=default").run((context) -> {
					assertThat(context).hasFailed();
					assertThat(context.getStartupFailure()).rootCause()
						.isInstanceOf(InvalidFloodgateSettingException.class)
						.hasMessageContaining("floodgate.paths[0].name");
				});
	}

	@Test
	void aPenalizedStatusOutOfRangeOnAHandlerStopsTheApplication() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class))
			.withBean(BadPenalty.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
					.isInstanceOf(InvalidFloodgateSettingException.class)
					.hasMessageContaining("BadPenalty#lookup")
					.hasMessageContaining("penalize")
					.hasMessageContaining("4040");
			});
	}

	@RestController
	static class BadPenalty {

		@GetMapping("/lookup")
		@RateLimited(value = "5/minute", penalize = 4040)
		String lookup() {
			return "ok";
		}

	}

}
