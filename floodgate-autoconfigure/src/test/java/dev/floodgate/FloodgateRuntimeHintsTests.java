package dev.floodgate;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import dev.floodgate.actuate.FloodgateEndpoint;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a native image of an application on Floodgate needs is in the runtime hints that the
 * AOT engine collects: the registrars listed in {@code META-INF/spring/aot.factories}, loaded
 * the way the engine loads them.
 */
class FloodgateRuntimeHintsTests {

	private final RuntimeHints hints = collectHints();

	@Test
	void everyLuaScriptOfTheRedisStoreIsAResource() throws IOException {
		Resource[] scripts = new PathMatchingResourcePatternResolver()
			.getResources("classpath*:dev/floodgate/store/redis/*.lua");
		List<String> names = Arrays.stream(scripts).map(Resource::getFilename).toList();
		assertThat(names).contains("client.lua", "write.lua", "read.lua", "index.lua");
		for (String name : names) {
			assertThat(RuntimeHintsPredicates.resource().forResource("dev/floodgate/store/redis/" + name))
				.as(name)
				.accepts(this.hints);
		}
	}

	@Test
	void theLettuceProbeOfTheRedisStoreFindsItsClass() {
		assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of("io.lettuce.core.RedisFuture")))
			.accepts(this.hints);
	}

	@Test
	void theEndpointsAnswersCanBeWrittenAsJson() {
		// the one-client operations answer WebEndpointResponse<Object>: the actuator cannot see the type
		for (String component : List.of("client", "state", "until", "permanent", "since", "blocks", "violations")) {
			assertThat(RuntimeHintsPredicates.reflection()
				.onMethodInvocation(FloodgateEndpoint.ClientDescriptor.class, component)).as(component).accepts(this.hints);
		}
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(FloodgateEndpoint.StoreDescriptor.class, "type"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(FloodgateEndpoint.BlockDescriptor.class, "factor"))
			.accepts(this.hints);
	}

	@Test
	void theFailureAnalyzerCanBeInstantiated() throws Exception {
		// META-INF/spring.factories entries are registered by Spring Framework's own registrar
		Class<?> analyzer = Class.forName("dev.floodgate.autoconfigure.InvalidFloodgateSettingFailureAnalyzer");
		assertThat(RuntimeHintsPredicates.reflection().onConstructorInvocation(analyzer.getDeclaredConstructor()))
			.accepts(this.hints);
	}

	private static RuntimeHints collectHints() {
		RuntimeHints hints = new RuntimeHints();
		ClassLoader classLoader = FloodgateRuntimeHintsTests.class.getClassLoader();
		AotServices.factories(classLoader)
			.load(RuntimeHintsRegistrar.class)
			.forEach((registrar) -> registrar.registerHints(hints, classLoader));
		return hints;
	}

}
