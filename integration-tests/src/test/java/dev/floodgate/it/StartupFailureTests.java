package dev.floodgate.it;

import dev.floodgate.it.app.TestApplication;
import dev.floodgate.it.badannotation.BadAnnotationApplication;
import dev.floodgate.it.badcost.BadCostApplication;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A bad setting stops the application at start, with a console message that quotes the
 * value and names the property or the annotated method.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			floodgate.limit=5/fortnight                    | floodgate.limit              | 5/fortnight
			floodgate.limit=0/minute                       | floodgate.limit              | 0/minute
			floodgate.proxy.trusted-proxies=10.0.0.0/33    | floodgate.proxy.trusted-proxies[0] | 10.0.0.0/33
			floodgate.allow-list=not-an-address            | floodgate.allow-list[0]      | not-an-address
			floodgate.block.duration=-5m                   | floodgate.block.duration     | -5m
			""")
	void aBadPropertyStopsTheApplication(String property, String name, String value, CapturedOutput output) {
		assertThatException().isThrownBy(() -> RunningApp.start(TestApplication.class, property).close());
		assertThat(output).contains("Floodgate cannot start: " + name + " has the invalid value '" + value + "'");
		assertThat(output).contains("APPLICATION FAILED TO START");
	}

	@Test
	void theRedisStoreWithoutAConnectionFactoryStopsTheApplication(CapturedOutput output) {
		assertThatException().isThrownBy(() -> RunningApp.start(TestApplication.class, "floodgate.store.type=redis",
				"spring.autoconfigure.exclude=org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
			.close());
		assertThat(output).contains("Floodgate cannot start: floodgate.store.type has the invalid value 'redis'")
			.contains("spring-boot-starter-data-redis");
	}

	@Test
	void theMongoStoreWithoutATemplateStopsTheApplication(CapturedOutput output) {
		assertThatException().isThrownBy(() -> RunningApp.start(TestApplication.class, "floodgate.store.type=mongo",
				"spring.autoconfigure.exclude=org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration")
			.close());
		assertThat(output).contains("Floodgate cannot start: floodgate.store.type has the invalid value 'mongo'")
			.contains("spring-boot-starter-data-mongodb");
	}

	@Test
	void aBadDurationTextIsReportedBySpringBootsBinder(CapturedOutput output) {
		assertThatException()
			.isThrownBy(() -> RunningApp.start(TestApplication.class, "floodgate.block.duration=soon").close());
		assertThat(output).contains("floodgate.block.duration").contains("soon");
	}

	@Test
	void aCostNoRequestCouldPayStopsTheApplicationNamingTheMethod(CapturedOutput output) {
		assertThatException().isThrownBy(() -> RunningApp.start(BadCostApplication.class).close());
		assertThat(output).contains("@RateLimited on " + BadCostApplication.BadController.class.getName() + "#bad")
			.contains("'5/minute, cost = 6'")
			.contains("the cost 6 is more than the limit 5/1m");
	}

	@Test
	void aBadAnnotationStopsTheApplicationNamingTheMethod(CapturedOutput output) {
		assertThatException().isThrownBy(() -> RunningApp.start(BadAnnotationApplication.class).close());
		assertThat(output).contains("@RateLimited on " + BadAnnotationApplication.BadController.class.getName() + "#bad")
			.contains("'5/fortnight'")
			.contains("unknown unit 'fortnight'");
	}

}
