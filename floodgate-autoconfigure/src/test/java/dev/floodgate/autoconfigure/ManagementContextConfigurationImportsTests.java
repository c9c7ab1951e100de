package dev.floodgate.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Floodgate's entries in {@code ManagementContextConfiguration.imports} resolve to
 * configurations of the separate management context: a misspelt name there would leave
 * restricted clients unrefused on {@code management.server.port}, silently.
 */
class ManagementContextConfigurationImportsTests {

	@Test
	void floodgatesManagementContextConfigurationIsImportedForTheChildContext() throws Exception {
		List<String> names = new ArrayList<>();
		for (String name : ImportCandidates.load(ManagementContextConfiguration.class, getClass().getClassLoader())) {
			if (name.startsWith("dev.floodgate.")) {
				names.add(name);
			}
		}
		assertThat(names).containsExactly(FloodgateManagementContextConfiguration.class.getName());
		for (String name : names) {
			Class<?> type = Class.forName(name, false, getClass().getClassLoader());
			MergedAnnotation<ManagementContextConfiguration> annotation = MergedAnnotations.from(type)
				.get(ManagementContextConfiguration.class);
			assertThat(annotation.isPresent()).as(name).isTrue();
			assertThat(annotation.getEnum("value", ManagementContextType.class)).isEqualTo(ManagementContextType.CHILD);
		}
	}

}
