package dev.floodgate.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import dev.floodgate.store.jdbc.JdbcClientRecords;

import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.Resource;

/**
 * Creates the JDBC store's table from the DDL shipped in the jar, per
 * {@code floodgate.store.jdbc.initialize-schema}, as Spring Session JDBC creates its tables:
 * a {@link DataSourceScriptDatabaseInitializer} (so that beans that depend on database
 * initialization wait for it), whose script's table name is {@code floodgate.store.jdbc.table}.
 */
public class FloodgateJdbcSchemaInitializer extends DataSourceScriptDatabaseInitializer {

	private final String table;

	/**
	 * Creates an initializer.
	 * @param dataSource the database
	 * @param settings the schema location (the platform resolved) and the mode
	 * @param table the table's name
	 */
	public FloodgateJdbcSchemaInitializer(DataSource dataSource, DatabaseInitializationSettings settings, String table) {
		super(dataSource, settings);
		this.table = table;
	}

	@Override
	protected void runScripts(Scripts scripts) {
		List<Resource> named = new ArrayList<>();
		Charset encoding = (scripts.getEncoding() != null) ? scripts.getEncoding() : StandardCharsets.UTF_8;
		for (Resource script : scripts) {
			try (InputStream in = script.getInputStream()) {
				String text = new String(in.readAllBytes(), encoding).replace(JdbcClientRecords.DEFAULT_TABLE, this.table);
				named.add(new ByteArrayResource(text.getBytes(encoding), script.getDescription()));
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Cannot read " + script, ex);
			}
		}
		super.runScripts(new Scripts(named).continueOnError(scripts.isContinueOnError())
			.separator(scripts.getSeparator())
			.encoding(encoding));
	}

}
