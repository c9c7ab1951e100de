package dev.floodgate.store.redis;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What a native image needs for the {@link RedisClientRecords}: its Lua scripts, read from
 * the classpath when the store is built, and the Lettuce type it probes for. Registered in
 * {@code META-INF/spring/aot.factories}, so it applies however the store is created.
 */
class RedisClientRecordsRuntimeHints implements RuntimeHintsRegistrar {

	/** The store's scripts, beside its class. */
	static final String SCRIPTS = "dev/floodgate/store/redis/*.lua";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.resources().registerPattern(SCRIPTS);
		hints.reflection().registerTypeIfPresent(classLoader, RedisClientRecords.LETTUCE_PROBE, (type) -> {
		});
	}

}
