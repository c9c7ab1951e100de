package dev.floodgate.store.jdbc;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What a native image needs for the {@link JdbcClientRecords}: the DDL files that
 * {@code floodgate.store.jdbc.initialize-schema} runs. Registered in
 * {@code META-INF/spring/aot.factories}.
 */
class JdbcClientRecordsRuntimeHints implements RuntimeHintsRegistrar {

	/** The store's DDL files, beside its class. */
	static final String SCHEMAS = "dev/floodgate/store/jdbc/schema-*.sql";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.resources().registerPattern(SCHEMAS);
	}

}
