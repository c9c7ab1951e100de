package dev.floodgate.autoconfigure;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

import dev.floodgate.core.InvalidFloodgateSettingException;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.core.env.Environment;
import org.springframework.core.io.UrlResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.util.StringUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link InvalidFloodgateSettingFailureAnalyzer}.
 */
class InvalidFloodgateSettingFailureAnalyzerTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FloodgateAutoConfiguration.class));

	private final InvalidFloodgateSettingFailureAnalyzer analyzer = new InvalidFloodgateSettingFailureAnalyzer();

	@Test
	void analyzesInvalidPropertyWrappedInBeanCreationException() {
		FailureAnalysis analysis = analyze(new InvalidFloodgateSettingException("floodgate.limit", "5/fortnight",
				"unknown unit 'fortnight': use second, minute, hour, day, month or year"));
		assertThat(analysis).isNotNull();
		assertThat(analysis.getDescription()).contains("floodgate.limit")
			.contains("'5/fortnight'")
			.contains("unknown unit 'fortnight'");
		assertThat(analysis.getAction()).contains("floodgate.limit")
			.containsAnyOf("application.yml", "application.properties")
			.doesNotContain("annotation");
		assertThat(analysis.getCause()).isInstanceOf(InvalidFloodgateSettingException.class);
	}

	@Test
	void aStoreChosenAtBuildTimeIsExplainedAsSuchWithHowToRebuild() {
		FailureAnalysis analysis = analyze(StoreChosenAtBuildTimeException.without(
				FloodgateProperties.StoreType.REDIS, "Spring Data Redis", "RedisConnectionFactory"));
		assertThat(analysis).isNotNull();
		assertThat(analysis.getDescription()).contains("floodgate.store.type is 'redis'")
			.contains("chosen when the application was built")
			.doesNotContain("invalid value");
		assertThat(analysis.getAction()).contains("floodgate.store.type=redis")
			.contains("process-aot")
			.contains("spring.aot.enabled");
	}

	@Test
	void analyzesInvalidAnnotationWrappedInBeanCreationException() {
		String source = "@RateLimited on com.example.Foo#bar";
		FailureAnalysis analysis = analyze(
				new InvalidFloodgateSettingException(source, "0/minute", "the count in '0/minute' must be at least 1"));
		assertThat(analysis).isNotNull();
		assertThat(analysis.getDescription()).contains(source).contains("'0/minute'").contains("at least 1");
		assertThat(analysis.getAction()).contains("com.example.Foo#bar")
			.contains("annotation")
			.doesNotContain("application.yml");
	}

	@Test
	void actionDiffersForAnnotationAndProperty() {
		FailureAnalysis property = analyze(new InvalidFloodgateSettingException("floodgate.limit", "x", "bad"));
		FailureAnalysis annotation = analyze(
				new InvalidFloodgateSettingException("@RateLimited on com.example.Foo#bar", "x", "bad"));
		assertThat(property.getAction()).isNotEqualTo(annotation.getAction());
	}

	@Test
	void analyzesNonStringValues() {
		FailureAnalysis analysis = analyze(
				new InvalidFloodgateSettingException("floodgate.ipv6-prefix-length", 129, "must be between 1 and 128"));
		assertThat(analysis.getDescription()).contains("floodgate.ipv6-prefix-length")
			.contains("'129'")
			.contains("between 1 and 128");
	}

	@Test
	void ignoresOtherFailures() {
		assertThat(this.analyzer.analyze(new BeanCreationException("something", new IllegalStateException("boom"))))
			.isNull();
	}

	@Test
	void analyzesTheFailureOfAContextWithAnInvalidSetting() {
		this.contextRunner.withPropertyValues("floodgate.allow-list=10.0.0.300/8").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = this.analyzer.analyze(context.getStartupFailure());
			assertThat(analysis).isNotNull();
			assertThat(analysis.getDescription()).contains("floodgate.allow-list").contains("'10.0.0.300/8'");
			assertThat(analysis.getAction()).contains("floodgate.allow-list");
		});
	}

	@Test
	void isRegisteredAsFailureAnalyzer() {
		// as Spring Boot loads them (its own analyzers need a bean factory and an environment)
		ArgumentResolver arguments = ArgumentResolver.of(BeanFactory.class, new DefaultListableBeanFactory())
			.and(Environment.class, new MockEnvironment());
		List<String> otherAnalyzersThatCannotBeCreated = new ArrayList<>();
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation(getClass().getClassLoader())
			.load(FailureAnalyzer.class, arguments,
					FailureHandler.handleMessage(
							(message, failure) -> otherAnalyzersThatCannotBeCreated.add(message.get())));
		assertThat(analyzers).hasAtLeastOneElementOfType(InvalidFloodgateSettingFailureAnalyzer.class);
	}

	@Test
	void isListedInFloodgatesOwnSpringFactories() throws IOException {
		URL location = FloodgateAutoConfiguration.class.getProtectionDomain().getCodeSource().getLocation();
		List<String> names = new ArrayList<>();
		for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/spring.factories"))) {
			if (url.toString().contains(location.toString())) {
				Properties properties = PropertiesLoaderUtils.loadProperties(new UrlResource(url));
				String value = properties.getProperty(FailureAnalyzer.class.getName(), "");
				for (String name : StringUtils.commaDelimitedListToStringArray(value)) {
					names.add(name.trim());
				}
			}
		}
		assertThat(names).contains(InvalidFloodgateSettingFailureAnalyzer.class.getName());
	}

	private FailureAnalysis analyze(InvalidFloodgateSettingException ex) {
		return this.analyzer.analyze(new BeanCreationException("floodgateSettings", "Failed to instantiate", ex));
	}

}
