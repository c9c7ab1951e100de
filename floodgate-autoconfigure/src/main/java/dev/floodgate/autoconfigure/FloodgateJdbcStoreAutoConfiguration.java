package dev.floodgate.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import dev.floodgate.autoconfigure.FloodgateProperties.InitializeSchema;
import dev.floodgate.autoconfigure.FloodgateProperties.StoreType;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.InvalidFloodgateSettingException;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.jdbc.ExpiredRecordsCleaner;
import dev.floodgate.store.jdbc.JdbcClientRecords;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the JDBC store, for {@code floodgate.store.type=jdbc}: on the
 * application's one {@link DataSource} (PostgreSQL), table {@code floodgate.store.jdbc.table},
 * created per {@code floodgate.store.jdbc.initialize-schema} from the DDL in the jar. Expired
 * rows are deleted in bounded batches by a task of its own, every minute. Without Spring Boot's
 * JDBC support or a single {@link DataSource}, nothing is registered here, and
 * {@link FloodgateAutoConfiguration} stops the application with a message that says what to add.
 */
@AutoConfiguration(before = FloodgateAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnWebApplication
@ConditionalOnBooleanProperty(name = "floodgate.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "floodgate.store.type", havingValue = "jdbc")
@ConditionalOnClass({ DataSource.class, DataSourceScriptDatabaseInitializer.class })
@ConditionalOnSingleCandidate(DataSource.class)
public final class FloodgateJdbcStoreAutoConfiguration {

	/** How often expired rows are deleted. */
	static final Duration CLEANUP_INTERVAL = Duration.ofMinutes(1);

	/** The most rows one statement deletes. */
	static final int CLEANUP_BATCH_SIZE = 1_000;

	/** The most delete statements one run makes. */
	static final int CLEANUP_BATCHES = 10;

	@Bean
	@ConditionalOnMissingBean
	JdbcClientRecords floodgateJdbcClientRecords(DataSource dataSource, FloodgateProperties properties,
			FloodgateSettings settings, DecisionRules rules, @Qualifier(FloodgateAutoConfiguration.CLOCK_BEAN_NAME) Clock clock) {
		if (settings.storeType() != StoreType.JDBC) {
			// only under AOT, where this condition was decided at build time
			throw StoreChosenAtBuildTimeException.builtWith(settings.storeType(), StoreType.JDBC);
		}
		return new JdbcClientRecords(dataSource, table(properties), rules, clock, settings.storeTimeout());
	}

	@Bean
	@ConditionalOnMissingBean(ViolationStore.class)
	RuleBookStore floodgateViolationStore(JdbcClientRecords records, DecisionRules rules,
			@Qualifier(FloodgateAutoConfiguration.CLOCK_BEAN_NAME) Clock clock) {
		return new RuleBookStore(records, rules, clock);
	}

	@Bean(initMethod = "start", destroyMethod = "close")
	@ConditionalOnMissingBean
	ExpiredRecordsCleaner floodgateJdbcExpiredRecordsCleaner(JdbcClientRecords records) {
		return new ExpiredRecordsCleaner(records, CLEANUP_INTERVAL, CLEANUP_BATCH_SIZE, CLEANUP_BATCHES);
	}

	@Bean
	@ConditionalOnMissingBean
	FloodgateJdbcSchemaInitializer floodgateJdbcSchemaInitializer(DataSource dataSource, FloodgateProperties properties) {
		String table = table(properties);
		DatabaseInitializationSettings settings = new DatabaseInitializationSettings();
		InitializeSchema mode = properties.getStore().getJdbc().getInitializeSchema();
		settings.setMode(switch (mode) {
			case ALWAYS -> DatabaseInitializationMode.ALWAYS;
			case NEVER -> DatabaseInitializationMode.NEVER;
			case EMBEDDED -> DatabaseInitializationMode.EMBEDDED;
		});
		// PostgreSQL is the one platform so far: no connection is made to look it up here (the
		// initializer connects when it runs, after the bean is created)
		settings.setSchemaLocations((mode == InitializeSchema.NEVER) ? List.of()
				: List.of(JdbcClientRecords.SCHEMA.replace("@@platform@@", "postgresql")));
		settings.setContinueOnError(false);
		return new FloodgateJdbcSchemaInitializer(dataSource, settings, table);
	}

	private static String table(FloodgateProperties properties) {
		String table = properties.getStore().getJdbc().getTable();
		if (!JdbcClientRecords.isValidTableName(table)) {
			throw new InvalidFloodgateSettingException("floodgate.store.jdbc.table", table,
					"must be a plain SQL identifier: letters, digits and '_', not starting with a digit, at most 40 "
							+ "characters (the store's indexes are named after it)");
		}
		return table;
	}

}
