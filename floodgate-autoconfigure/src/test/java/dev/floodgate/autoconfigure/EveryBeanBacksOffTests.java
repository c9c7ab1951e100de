package dev.floodgate.autoconfigure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.AnnotatedElementUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bean of every Floodgate auto-configuration (those the imports files list, and their
 * nested configurations) backs off when the application defines its own, but for the
 * exceptions listed here with their reason.
 */
class EveryBeanBacksOffTests {

	private static final String AUTO_CONFIGURATIONS = "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports";

	private static final String MANAGEMENT_CONFIGURATIONS = "META-INF/spring/org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration.imports";

	/** Bean methods ({@code Class.method}) that must not back off, with the reason. */
	private static final Map<String, String> EXCEPTIONS = Map.of();

	@Test
	void everyBeanMethodIsConditionalOnMissingBean() throws Exception {
		List<Class<?>> configurations = new ArrayList<>();
		for (String name : imported(AUTO_CONFIGURATIONS)) {
			configurations.add(Class.forName(name));
		}
		for (String name : imported(MANAGEMENT_CONFIGURATIONS)) {
			configurations.add(Class.forName(name));
		}
		assertThat(configurations).contains(FloodgateAutoConfiguration.class,
				FloodgateRedisStoreAutoConfiguration.class, FloodgateMongoStoreAutoConfiguration.class,
				FloodgateEndpointAutoConfiguration.class, FloodgateManagementContextConfiguration.class);
		List<Method> beanMethods = new ArrayList<>();
		for (Class<?> configuration : configurations) {
			beanMethods.addAll(beanMethods(configuration));
		}
		assertThat(beanMethods).hasSizeGreaterThanOrEqualTo(25);
		assertThat(beanMethods).filteredOn((method) -> !EXCEPTIONS.containsKey(key(method)))
			.allSatisfy((method) -> assertThat(AnnotatedElementUtils.hasAnnotation(method, ConditionalOnMissingBean.class))
				.as("@ConditionalOnMissingBean on %s", key(method))
				.isTrue());
		assertThat(beanMethods.stream().map(EveryBeanBacksOffTests::key)).as("exceptions that still exist")
			.containsAll(EXCEPTIONS.keySet());
	}

	private static List<String> imported(String resource) throws IOException {
		List<String> names = new ArrayList<>();
		try (InputStream in = EveryBeanBacksOffTests.class.getClassLoader().getResourceAsStream(resource)) {
			assertThat(in).as(resource).isNotNull();
			BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
			String line;
			while ((line = reader.readLine()) != null) {
				line = line.strip();
				if (!line.isEmpty() && !line.startsWith("#")) {
					names.add(line);
				}
			}
		}
		return names;
	}

	private static List<Method> beanMethods(Class<?> configuration) {
		List<Method> methods = new ArrayList<>();
		for (Method method : configuration.getDeclaredMethods()) {
			if (AnnotatedElementUtils.hasAnnotation(method, Bean.class)) {
				methods.add(method);
			}
		}
		for (Class<?> nested : configuration.getDeclaredClasses()) {
			methods.addAll(beanMethods(nested));
		}
		return methods;
	}

	private static String key(Method method) {
		return method.getDeclaringClass().getSimpleName() + "." + method.getName();
	}

}
