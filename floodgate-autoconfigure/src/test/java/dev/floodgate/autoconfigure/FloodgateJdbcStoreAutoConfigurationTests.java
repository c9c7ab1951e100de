package dev.floodgate.autoconfigure;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import dev.floodgate.core.InvalidFloodgateSettingException;
import dev.floodgate.core.LimitParser;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicies;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.jdbc.ExpiredRecordsCleaner;
import dev.floodgate.store.jdbc.JdbcClientRecords;
import dev.floodgate.testsupport.PostgresTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code floodgate.store.type=jdbc}: the store on the application's one {@link DataSource},
 * its table created per {@code floodgate.store.jdbc.initialize-schema}, every bean backing
 * off, and a wrong setting failing at start naming it.
 */
class FloodgateJdbcStoreAutoConfigurationTests {

	private static PostgresTestServer server;

	private static String database;

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, FloodgateAutoConfiguration.class,
				FloodgateJdbcStoreAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=" + server.jdbcUrl(database), "floodgate.store.type=jdbc");

	@BeforeAll
	static void startServer() {
		server = PostgresTestServer.start();
		database = server.createDatabase();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Test
	void alwaysCreatesTheTableAndTheStoreCountsInIt() {
		this.runner.withPropertyValues("floodgate.store.jdbc.initialize-schema=always", "floodgate.store.jdbc.table=fg_always")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ViolationStore store = context.getBean(ViolationStore.class);
				assertThat(store).isInstanceOfSatisfying(RuleBookStore.class,
						(rules) -> assertThat(rules.records()).isInstanceOf(JdbcClientRecords.class));
				assertThat(store.type()).isEqualTo("jdbc");
				assertThat(context).hasSingleBean(ExpiredRecordsCleaner.class);
				RatePolicy policy = new RatePolicies().getOrCreate("default", LimitParser.parse("1/minute"));
				assertThat(store.decide("203.0.113.9", policy).outcome()).isEqualTo(Outcome.ALLOWED);
				assertThat(store.decide("203.0.113.9", policy).outcome()).isEqualTo(Outcome.LIMITED);
				assertThat(tableExists(context.getBean(DataSource.class), "fg_always")).isTrue();
			});
		// a second start finds the table there
		this.runner.withPropertyValues("floodgate.store.jdbc.initialize-schema=always", "floodgate.store.jdbc.table=fg_always")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void embeddedByDefaultLeavesAServersSchemaAlone() {
		this.runner.withPropertyValues("floodgate.store.jdbc.table=fg_embedded").run((context) -> {
			assertThat(context).hasNotFailed().hasSingleBean(FloodgateJdbcSchemaInitializer.class);
			assertThat(tableExists(context.getBean(DataSource.class), "fg_embedded")).isFalse();
		});
	}

	@Test
	void neverCreatesNothing() {
		this.runner.withPropertyValues("floodgate.store.jdbc.initialize-schema=never", "floodgate.store.jdbc.table=fg_never")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(tableExists(context.getBean(DataSource.class), "fg_never")).isFalse();
			});
	}

	@Test
	void aTableNameThatIsNotAnIdentifierFailsNamingTheProperty() {
		this.runner.withPropertyValues("floodgate.store.jdbc.table=clients; drop table x").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOfSatisfying(InvalidFloodgateSettingException.class,
						(ex) -> assertThat(ex.getSource()).isEqualTo("floodgate.store.jdbc.table"));
		});
	}

	@Test
	void withoutADataSourceFailsNamingWhatToAdd() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(FloodgateAutoConfiguration.class,
					FloodgateJdbcStoreAutoConfiguration.class))
			.withPropertyValues("floodgate.store.type=jdbc")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidFloodgateSettingException.class)
					.hasMessageContaining("floodgate.store.type")
					.hasMessageContaining("spring-boot-starter-jdbc");
			});
	}

	@Test
	void withoutSpringBootsJdbcSupportFailsNamingWhatToAdd() {
		this.runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.jdbc.init"))
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("spring-boot-starter-jdbc"));
	}

	@Test
	void twoDataSourcesWithoutAPrimaryOneLeaveTheStoreOut() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(FloodgateAutoConfiguration.class,
					FloodgateJdbcStoreAutoConfiguration.class))
			.withPropertyValues("floodgate.store.type=jdbc")
			.withBean("one", DataSource.class, () -> server.dataSource(database))
			.withBean("two", DataSource.class, () -> server.dataSource(database))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("one DataSource");
			});
	}

	@Test
	void everyBeanBacksOff() {
		this.runner.withPropertyValues("floodgate.store.jdbc.table=fg_custom")
			.withBean(JdbcClientRecords.class,
					() -> new JdbcClientRecords(server.dataSource(database), "fg_mine", new dev.floodgate.core.DecisionRules(
							dev.floodgate.core.Algorithm.FIXED_WINDOW, FloodgateSettings.from(new FloodgateProperties()).escalation()),
							java.time.Clock.systemUTC(), Duration.ofSeconds(1)))
			.withBean(ViolationStore.class, dev.floodgate.store.StubViolationStore::new)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(JdbcClientRecords.class).table()).isEqualTo("fg_mine");
				assertThat(context.getBean(ViolationStore.class)).isInstanceOf(dev.floodgate.store.StubViolationStore.class);
			});
	}

	private static boolean tableExists(DataSource dataSource, String table) {
		try (Connection connection = dataSource.getConnection();
				ResultSet tables = connection.getMetaData().getTables(null, null, table, null)) {
			return tables.next();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
