package dev.floodgate.actuate;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What a native image needs to write the {@link FloodgateEndpoint}'s answers as JSON. The
 * actuator registers the declared return type of each operation; the one-client operations
 * declare {@code WebEndpointResponse<Object>}, so the records they answer with are registered
 * here (and the overview's, for good measure). Registered in
 * {@code META-INF/spring/aot.factories}.
 */
class FloodgateEndpointRuntimeHints implements RuntimeHintsRegistrar {

	private final BindingReflectionHintsRegistrar bindings = new BindingReflectionHintsRegistrar();

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		this.bindings.registerReflectionHints(hints.reflection(), FloodgateEndpoint.ClientDescriptor.class,
				FloodgateEndpoint.FloodgateDescriptor.class);
	}

}
