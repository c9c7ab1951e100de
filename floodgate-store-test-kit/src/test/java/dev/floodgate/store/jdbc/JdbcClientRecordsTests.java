package dev.floodgate.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ClientRecords;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.testkit.ClientRecordsContractTests;
import dev.floodgate.testsupport.MutableClock;
import dev.floodgate.testsupport.PostgresTestServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JDBC store keeps the {@link ViolationStore} contract on a real PostgreSQL (started on a
 * free loopback port, or the one {@code FLOODGATE_TEST_POSTGRES_URL} names): a table of its own
 * per test, a second instance over the same table.
 */
class JdbcClientRecordsTests extends ClientRecordsContractTests {

	private static final List<String> statements = new CopyOnWriteArrayList<>();

	private static PostgresTestServer server;

	private static DataSource dataSource;

	private static int tables;

	private @Nullable String table;

	@BeforeAll
	static void startServer() {
		server = PostgresTestServer.start();
		dataSource = counting(server.dataSource(), statements);
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Override
	protected ClientRecords createRecords(DecisionRules rules, MutableClock clock) throws Exception {
		this.table = "floodgate_clients_" + (++tables);
		createTable(this.table);
		return new JdbcClientRecords(dataSource, this.table, rules, clock, Duration.ofSeconds(5));
	}

	@Override
	protected @Nullable ClientRecords createSecondRecords(DecisionRules rules, MutableClock clock) {
		return new JdbcClientRecords(dataSource, this.table, rules, clock, Duration.ofSeconds(5));
	}

	static void createTable(String table) throws SQLException, IOException {
		String script;
		try (InputStream in = JdbcClientRecords.class.getResourceAsStream("schema-postgresql.sql")) {
			script = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(JdbcClientRecords.DEFAULT_TABLE, table);
		}
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute(script);
		}
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void anAdmittedRequestIsOneStatement(Algorithm algorithm) throws Exception {
		ViolationStore store = pureRateLimiter(algorithm);
		RatePolicy policy = policy("default", "5/second;100/hour");
		String client = newClient();
		statements.clear();
		Decision first = store.decide(client, policy);
		assertThat(first.outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(statements).as("a new client").hasSize(1).allSatisfy((sql) -> assertThat(sql).startsWith("INSERT INTO"));
		statements.clear();
		for (int i = 0; i < 4; i++) {
			assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
		}
		assertThat(statements).as("four more requests within the limits").hasSize(4)
			.allSatisfy((sql) -> assertThat(sql).contains("ON CONFLICT (client) DO UPDATE").contains("RETURNING"));
		statements.clear();
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(statements).as("a refused request: the count, then the read of the row").hasSize(2);
	}

	@Test
	void deletesExpiredRowsInBoundedBatches() throws Exception {
		DecisionRules rules = new DecisionRules(Algorithm.FIXED_WINDOW, escalation());
		JdbcClientRecords records = (JdbcClientRecords) createRecords(rules, this.clock);
		RatePolicy policy = policy("default", "5/second");
		for (int i = 0; i < 25; i++) {
			records.count("192.0.2." + i, policy);
		}
		records.write("192.0.2.100", 0, dev.floodgate.core.ClientState.Escalations.NONE, this.clock.millis()
				+ Duration.ofDays(1).toMillis(), this.clock.millis());
		assertThat(records.deleteExpired(10)).as("nothing expired yet").isZero();
		this.clock.advance(Duration.ofMinutes(5));
		assertThat(records.read("192.0.2.1")).as("expired: read as absent, before it is deleted").isNull();
		assertThat(rows()).isEqualTo(26);
		assertThat(records.deleteExpired(10)).isEqualTo(10);
		assertThat(records.deleteExpired(10)).isEqualTo(10);
		assertThat(records.deleteExpired(10)).isEqualTo(5);
		assertThat(records.deleteExpired(10)).isZero();
		assertThat(rows()).as("the row that has not expired").isEqualTo(1);
		assertThat(records.read("192.0.2.100")).isNotNull();
	}

	@Test
	void anExpiredRowCountsAsANewClient() throws Exception {
		ViolationStore store = pureRateLimiter(Algorithm.FIXED_WINDOW);
		RatePolicy policy = policy("default", "2/second");
		String client = newClient();
		assertThat(store.decide(client, policy).remaining()).isEqualTo(1);
		this.clock.advance(Duration.ofMinutes(5));
		assertThat(store.decide(client, policy).remaining()).isEqualTo(1);
		assertThat(store.decide(client, policy).remaining()).isEqualTo(0);
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.LIMITED);
	}

	@Test
	void theSchemaIsAResourceOfANativeImage() {
		org.springframework.aot.hint.RuntimeHints hints = new org.springframework.aot.hint.RuntimeHints();
		new JdbcClientRecordsRuntimeHints().registerHints(hints, getClass().getClassLoader());
		assertThat(org.springframework.aot.hint.predicate.RuntimeHintsPredicates.resource()
			.forResource("dev/floodgate/store/jdbc/schema-postgresql.sql")).accepts(hints);
	}

	@Test
	void theCleanerDeletesABacklogInBoundedRuns() throws Exception {
		JdbcClientRecords records = (JdbcClientRecords) createRecords(
				new DecisionRules(Algorithm.FIXED_WINDOW, escalation()), this.clock);
		RatePolicy policy = policy("default", "5/second");
		for (int i = 0; i < 25; i++) {
			records.count("192.0.2." + i, policy);
		}
		this.clock.advance(Duration.ofMinutes(5));
		try (ExpiredRecordsCleaner cleaner = new ExpiredRecordsCleaner(records, Duration.ofHours(1), 10, 2)) {
			assertThat(cleaner.runOnce()).as("two batches of ten").isEqualTo(20);
			assertThat(cleaner.runOnce()).isEqualTo(5);
			assertThat(cleaner.runOnce()).isZero();
		}
		assertThat(rows()).isZero();
	}

	@Test
	void rejectsATableNameThatIsNotAPlainIdentifier() {
		assertThat(JdbcClientRecords.isValidTableName("floodgate_clients")).isTrue();
		assertThat(JdbcClientRecords.isValidTableName("clients; DROP TABLE x")).isFalse();
		assertThat(JdbcClientRecords.isValidTableName("public.clients")).isFalse();
		assertThat(JdbcClientRecords.isValidTableName("")).isFalse();
	}

	private long rows() throws SQLException {
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM " + this.table);
				ResultSet result = statement.executeQuery()) {
			result.next();
			return result.getLong(1);
		}
	}

	/** A data source whose connections record the SQL of every statement they prepare or run. */
	static DataSource counting(DataSource dataSource, List<String> statements) {
		return (DataSource) Proxy.newProxyInstance(JdbcClientRecordsTests.class.getClassLoader(),
				new Class<?>[] { DataSource.class }, forward(dataSource, (method, args, result) -> {
					if (method.equals("getConnection")) {
						Connection connection = (Connection) result;
						return Proxy.newProxyInstance(JdbcClientRecordsTests.class.getClassLoader(),
								new Class<?>[] { Connection.class }, forward(connection, (connectionMethod, sql, made) -> {
									if (connectionMethod.equals("prepareStatement")) {
										return statement((Statement) made, (String) sql[0], statements);
									}
									if (connectionMethod.equals("createStatement")) {
										return statement((Statement) made, null, statements);
									}
									return made;
								}));
					}
					return result;
				}));
	}

	private static Object statement(Statement statement, @Nullable String prepared, List<String> statements) {
		Class<?> type = (prepared != null) ? PreparedStatement.class : Statement.class;
		return Proxy.newProxyInstance(JdbcClientRecordsTests.class.getClassLoader(), new Class<?>[] { type },
				forward(statement, (method, args, result) -> result, (method, args) -> {
					if (method.startsWith("execute")) {
						statements.add((prepared != null) ? prepared : String.valueOf(args[0]));
					}
				}));
	}

	private interface After {

		Object apply(String method, Object[] args, Object result) throws Exception;

	}

	private interface Before {

		void accept(String method, Object[] args);

	}

	private static InvocationHandler forward(Object target, After after) {
		return forward(target, after, (method, args) -> {
		});
	}

	private static InvocationHandler forward(Object target, After after, Before before) {
		return (proxy, method, args) -> {
			before.accept(method.getName(), (args != null) ? args : new Object[0]);
			Object result;
			try {
				result = method.invoke(target, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
			return after.apply(method.getName(), (args != null) ? args : new Object[0], result);
		};
	}

}
