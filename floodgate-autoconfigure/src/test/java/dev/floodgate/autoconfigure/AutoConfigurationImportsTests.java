package dev.floodgate.autoconfigure;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigureAfter;
import org.springframework.boot.autoconfigure.AutoConfigureBefore;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.io.UrlResource;
import org.springframework.core.io.support.PropertiesLoaderUtils;
import org.springframework.util.StringUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every class named by Floodgate's {@code AutoConfiguration.imports} and
 * {@code spring.factories} exists, and so does every class its auto-configurations order
 * themselves against. A typo there fails silently in an application (the auto-configuration
 * is skipped, or ordered wrongly), so it is checked here.
 * <p>
 * Every name is expected to resolve: the optional libraries that Floodgate's
 * auto-configurations refer to (Spring MVC, Spring Data Redis, Spring Data MongoDB) are
 * optional dependencies of this module and so are on its test classpath.
 */
class AutoConfigurationImportsTests {

	private static final String IMPORTS = "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports";

	private static final String FACTORIES = "META-INF/spring.factories";

	@Test
	void importsListFloodgatesAutoConfiguration() throws IOException {
		assertThat(imports()).contains(FloodgateAutoConfiguration.class.getName()).doesNotHaveDuplicates();
	}

	@Test
	void everyImportedAutoConfigurationExists() throws IOException {
		for (String name : imports()) {
			assertThatNoException().as(name).isThrownBy(() -> load(name));
		}
	}

	@Test
	void everyImportedClassIsAnAutoConfiguration() throws Exception {
		for (String name : imports()) {
			assertThat(MergedAnnotations.from(load(name)).isPresent(AutoConfiguration.class)).as(name).isTrue();
		}
	}

	@Test
	void everyClassAnAutoConfigurationIsOrderedAgainstExists() throws Exception {
		for (String name : imports()) {
			Class<?> autoConfiguration = load(name);
			for (String other : orderedAgainst(autoConfiguration)) {
				assertThatNoException().as("%s is ordered against %s", name, other).isThrownBy(() -> load(other));
			}
		}
	}

	@Test
	void everyFactoryInSpringFactoriesExistsAndImplementsItsKey() throws Exception {
		Map<String, List<String>> factories = factories();
		assertThat(factories).isNotEmpty();
		for (Map.Entry<String, List<String>> entry : factories.entrySet()) {
			Class<?> type = load(entry.getKey());
			assertThat(entry.getValue()).isNotEmpty();
			for (String name : entry.getValue()) {
				assertThat(type.isAssignableFrom(load(name))).as("%s is a %s", name, type.getName()).isTrue();
			}
		}
	}

	@Test
	void checkCanFail() {
		// the checks above would notice a misspelt name
		assertThat(orderedAgainst(Misordered.class))
			.containsExactlyInAnyOrder("org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfigurationTypo",
					"dev.floodgate.autoconfigure.Missing");
		assertThat(catchThrowable(
				() -> load("org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfigurationTypo")))
			.isInstanceOf(ClassNotFoundException.class);
	}

	private static List<String> orderedAgainst(Class<?> autoConfiguration) {
		List<String> names = new ArrayList<>();
		MergedAnnotations annotations = MergedAnnotations.from(autoConfiguration);
		MergedAnnotation<AutoConfiguration> auto = annotations.get(AutoConfiguration.class);
		if (auto.isPresent()) {
			addNames(names, auto.getClassArray("after"), auto.getStringArray("afterName"));
			addNames(names, auto.getClassArray("before"), auto.getStringArray("beforeName"));
		}
		annotations.stream(AutoConfigureAfter.class)
			.forEach((after) -> addNames(names, after.getClassArray("value"), after.getStringArray("name")));
		annotations.stream(AutoConfigureBefore.class)
			.forEach((before) -> addNames(names, before.getClassArray("value"), before.getStringArray("name")));
		return names.stream().distinct().toList();
	}

	private static void addNames(List<String> names, Class<?>[] classes, String[] classNames) {
		for (Class<?> type : classes) {
			names.add(type.getName());
		}
		Collections.addAll(names, classNames);
	}

	private static Class<?> load(String name) throws ClassNotFoundException {
		return Class.forName(name, false, AutoConfigurationImportsTests.class.getClassLoader());
	}

	/**
	 * The names in Floodgate's own imports file (not those of the other jars on the
	 * classpath).
	 */
	private static List<String> imports() throws IOException {
		List<String> names = new ArrayList<>();
		for (URL url : floodgateResources(IMPORTS)) {
			try (BufferedReader reader = new BufferedReader(
					new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = reader.readLine()) != null) {
					int comment = line.indexOf('#');
					String name = ((comment >= 0) ? line.substring(0, comment) : line).trim();
					if (!name.isEmpty()) {
						names.add(name);
					}
				}
			}
		}
		assertThat(names).as("entries in %s", IMPORTS).isNotEmpty();
		return names;
	}

	private static Map<String, List<String>> factories() throws IOException {
		Map<String, List<String>> factories = new LinkedHashMap<>();
		for (URL url : floodgateResources(FACTORIES)) {
			Properties properties = PropertiesLoaderUtils.loadProperties(new UrlResource(url));
			for (String key : properties.stringPropertyNames()) {
				List<String> names = new ArrayList<>();
				for (String name : StringUtils.commaDelimitedListToStringArray(properties.getProperty(key))) {
					if (!name.isBlank()) {
						names.add(name.trim());
					}
				}
				factories.put(key.trim(), names);
			}
		}
		return factories;
	}

	private static List<URL> floodgateResources(String name) throws IOException {
		String location = FloodgateAutoConfiguration.class.getProtectionDomain().getCodeSource().getLocation().toString();
		List<URL> urls = new ArrayList<>();
		for (URL url : Collections.list(AutoConfigurationImportsTests.class.getClassLoader().getResources(name))) {
			if (url.toString().contains(location)) {
				urls.add(url);
			}
		}
		assertThat(urls).as("%s in %s", name, location).isNotEmpty();
		return urls;
	}

	@AutoConfiguration(afterName = "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfigurationTypo")
	@AutoConfigureBefore(name = "dev.floodgate.autoconfigure.Missing")
	static final class Misordered {

	}

}
