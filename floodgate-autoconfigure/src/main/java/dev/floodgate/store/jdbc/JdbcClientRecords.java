package dev.floodgate.store.jdbc;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.ClientState;
import dev.floodgate.core.ClientState.Escalations;
import dev.floodgate.core.Counted;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Durations;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.RecentTimes;
import dev.floodgate.core.Refusal;
import dev.floodgate.store.ClientRecords;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.StoreUnavailableException;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ClientRecords} of a relational database, through a {@link DataSource}: one row
 * per client in one table, shared by every instance that uses the same database. PostgreSQL
 * (the DDL is {@code dev/floodgate/store/jdbc/schema-postgresql.sql}, {@link #SCHEMA}).
 * <p>
 * A request within its limits is one statement: an {@code INSERT … ON CONFLICT (client) DO
 * UPDATE … WHERE … RETURNING}, whose {@code WHERE} admits only a live row of a client neither
 * blocked nor banned whose every limit has room for the request's cost (the arithmetic of
 * {@link DecisionRules#checkLimits}, evaluated on the locked row), so that concurrent
 * requests on however many instances never admit more than a limit, and a policy of several
 * limits counts in all of them or in none. It returns the counts the decision needs. No row
 * returned means refused: the row is then read to say why (a block or ban, or the limit that
 * is over). Counters are kept per policy and window ({@code "policy|window"} in a
 * {@code JSONB} column: the window's index, the previous and the current window's count),
 * each counted in the window the time falls in, or in the newer one the row holds (a clock
 * that stepped back, or another instance's clock ahead).
 * <p>
 * Time comes from the clock given, passed to every statement as a parameter. A row whose
 * {@code expires_at} has passed is read as absent and deleted by {@link #deleteExpired}, in
 * bounded batches, never on the request path. Statements run on connections of their own
 * (auto-commit), outside any transaction of the application.
 */
public final class JdbcClientRecords implements ClientRecords {

	/** The DDL shipped in the jar, with {@code floodgate_clients} for the table's name. */
	public static final String SCHEMA = "classpath:dev/floodgate/store/jdbc/schema-@@platform@@.sql";

	/** The default table's name, as the DDL spells it. */
	public static final String DEFAULT_TABLE = "floodgate_clients";

	private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,39}");

	private static final int ATTEMPTS = 16;

	/** The finest step of a counters' expiry: rows are rewritten without their index changing. */
	private static final long EXPIRY_STEP_MILLIS = 60_000;

	private static final String ESCALATION_COLUMNS = "violation_times, ban_violation_times, block_number, blocked_at, "
			+ "blocked_until, block_length, banned_at, banned_until, ver";

	/** The first counter column of a policy's read: after expires_at and the nine escalation columns. */
	private static final int READ_COUNTERS_COLUMN = 11;

	private final DataSource dataSource;

	private final String table;

	private final DecisionRules rules;

	private final Clock clock;

	private final int queryTimeoutSeconds;

	private final boolean sliding;

	private final Map<RatePolicy, PolicyStatements> statements = new ConcurrentHashMap<>();

	/** The statements that depend on the table only, built once. */
	private final String createEscalations;

	private final String updateEscalations;

	private final String readRecord;

	private final String forgetRecord;

	private final String listRestricted;

	private final String countRestricted;

	private final String deleteExpired;

	/**
	 * Creates the records.
	 * @param dataSource the database
	 * @param table the table's name (a plain identifier, at most 40 characters)
	 * @param rules the rules to count by
	 * @param clock the time source
	 * @param timeout the longest one statement may take (rounded up to whole seconds)
	 */
	public JdbcClientRecords(DataSource dataSource, String table, DecisionRules rules, Clock clock, Duration timeout) {
		if (!isValidTableName(table)) {
			throw new IllegalArgumentException("The table name must be a plain SQL identifier (letters, digits and "
					+ "'_', not starting with a digit, at most 40 characters), was '" + table + "'");
		}
		this.dataSource = dataSource;
		this.table = table;
		this.rules = rules;
		this.clock = clock;
		this.queryTimeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (timeout.toMillis() + 999) / 1000));
		this.sliding = rules.algorithm() == Algorithm.SLIDING_WINDOW;
		// a client the store does not hold, holds only counters of, or holds expired: create or
		// take over its row (expired counters go with it)
		this.createEscalations = "INSERT INTO " + table + " AS t (client, " + ESCALATION_COLUMNS + ", expires_at) "
				+ "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) ON CONFLICT (client) DO UPDATE SET "
				+ "violation_times = EXCLUDED.violation_times, ban_violation_times = EXCLUDED.ban_violation_times, "
				+ "block_number = EXCLUDED.block_number, blocked_at = EXCLUDED.blocked_at, "
				+ "blocked_until = EXCLUDED.blocked_until, block_length = EXCLUDED.block_length, "
				+ "banned_at = EXCLUDED.banned_at, banned_until = EXCLUDED.banned_until, ver = t.ver + 1, "
				+ "counters = CASE WHEN t.expires_at > ? THEN t.counters ELSE '{}'::jsonb END, "
				+ "counters_until = CASE WHEN t.expires_at > ? THEN t.counters_until ELSE 0 END, "
				+ "expires_at = GREATEST(CASE WHEN t.expires_at > ? THEN t.counters_until ELSE 0 END, EXCLUDED.expires_at) "
				+ "WHERE (t.ver = 0 AND t.expires_at > ?) OR t.expires_at <= ?";
		this.updateEscalations = "UPDATE " + table + " SET violation_times = ?, ban_violation_times = ?, "
				+ "block_number = ?, blocked_at = ?, blocked_until = ?, block_length = ?, banned_at = ?, "
				+ "banned_until = ?, ver = ver + 1, expires_at = GREATEST(counters_until, ?) "
				+ "WHERE client = ? AND ver = ? AND expires_at > ?";
		this.readRecord = "SELECT " + ESCALATION_COLUMNS + " FROM " + table + " WHERE client = ? AND expires_at > ?";
		this.forgetRecord = "DELETE FROM " + table + " WHERE client = ? RETURNING expires_at";
		this.listRestricted = "SELECT client, " + ESCALATION_COLUMNS + " FROM " + table
				+ " WHERE (blocked_until > ? OR banned_until > ?) AND expires_at > ? ORDER BY CASE WHEN banned_until > ? "
				+ "THEN banned_at WHEN blocked_until > ? THEN blocked_at ELSE 0 END DESC, client LIMIT ?";
		this.countRestricted = "SELECT count(*) FROM " + table
				+ " WHERE (blocked_until > ? OR banned_until > ?) AND expires_at > ?";
		this.deleteExpired = "DELETE FROM " + table + " WHERE client IN (SELECT client FROM " + table
				+ " WHERE expires_at <= ? ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED) AND expires_at <= ?";
	}

	/**
	 * Whether a name can be the store's table.
	 * @param table the name
	 * @return {@code true} for a plain SQL identifier of at most 40 characters
	 */
	public static boolean isValidTableName(@Nullable String table) {
		return table != null && TABLE_NAME.matcher(table).matches();
	}

	@Override
	public String type() {
		return "jdbc";
	}

	/**
	 * The table this store uses.
	 * @return its name
	 */
	public String table() {
		return this.table;
	}

	/**
	 * The store that decides by these records' rules over them.
	 * @return a new {@link RuleBookStore} over this
	 */
	public RuleBookStore asStore() {
		return new RuleBookStore(this, this.rules, this.clock);
	}

	@Override
	public Counted count(String client, @Nullable RatePolicy policy) {
		if (policy == null) {
			return restrictionOnly(client);
		}
		PolicyStatements statements = this.statements.computeIfAbsent(policy, this::statements);
		try (Connection connection = connection()) {
			for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
				long now = this.clock.millis();
				Decision admitted = countIn(connection, statements, client, policy, now);
				if (admitted != null) {
					return admitted;
				}
				Refusal refusal = refusal(connection, statements, client, policy, now);
				if (refusal != null) {
					return refusal;
				}
				// the row expired or was forgotten, or its windows have room now: count again
			}
		}
		catch (SQLException ex) {
			throw unavailable(ex);
		}
		throw new StoreUnavailableException("Too much contention on client " + client);
	}

	private @Nullable Decision countIn(Connection connection, PolicyStatements statements, String client,
			RatePolicy policy, long now) throws SQLException {
		long step = statements.expiryStepMillis;
		long until = Durations.saturatedAdd(now, statements.retentionMillis);
		until = (until == Long.MAX_VALUE || until > Long.MAX_VALUE - step) ? until : ((until + step - 1) / step) * step;
		try (PreparedStatement statement = prepare(connection, statements.count)) {
			int[] parameters = statements.countParameters;
			for (int p = 0; p < parameters.length; p++) {
				int code = parameters[p];
				if (code == CLIENT) {
					statement.setString(p + 1, client);
				}
				else if (code == NOW) {
					statement.setLong(p + 1, now);
				}
				else if (code == UNTIL) {
					statement.setLong(p + 1, until);
				}
				else {
					statement.setLong(p + 1, now / policy.windowMillis(code));
				}
			}
			try (ResultSet result = statement.executeQuery()) {
				if (!result.next()) {
					return null;
				}
				ClientState state = new ClientState();
				for (int i = 0; i < policy.size(); i++) {
					long index = result.getLong(3 * i + 1);
					long previous = result.getLong(3 * i + 2);
					long current = result.getLong(3 * i + 3) - policy.cost();
					state.restoreCounter(policy.firstSlot() + i, index, previous, Math.max(0, current));
				}
				return this.rules.checkLimits(state, policy, now);
			}
		}
	}

	/**
	 * Why a request was not counted, from the row as it is now: {@code null} when it would be
	 * counted now (count again).
	 */
	private @Nullable Refusal refusal(Connection connection, PolicyStatements statements, String client,
			RatePolicy policy, long now) throws SQLException {
		try (PreparedStatement statement = prepare(connection, statements.read)) {
			statement.setString(1, client);
			try (ResultSet result = statement.executeQuery()) {
				if (!result.next() || result.getLong("expires_at") <= now) {
					return null;
				}
				Escalations escalations = escalations(result);
				long version = result.getLong("ver");
				if (escalations.bannedUntilMillis() > now || escalations.blockedUntilMillis() > now) {
					return new Refusal(now, null, escalations, version);
				}
				ClientState state = new ClientState();
				for (int i = 0; i < policy.size(); i++) {
					// after expires_at and the escalation columns: each limit's window, previous, current
					int column = READ_COUNTERS_COLUMN + 3 * i;
					long index = result.getLong(column);
					if (!result.wasNull()) {
						state.restoreCounter(policy.firstSlot() + i, index, result.getLong(column + 1),
								result.getLong(column + 2));
					}
				}
				Decision limits = this.rules.checkLimits(state, policy, now);
				return (limits.outcome() != Outcome.ALLOWED) ? new Refusal(now, limits, escalations, version) : null;
			}
		}
	}

	private Counted restrictionOnly(String client) {
		long now = this.clock.millis();
		ClientRecord record = read(client, now);
		if (record != null && record.restricted()) {
			return new Refusal(now, null, record.escalations(), record.version());
		}
		return Decision.UNLIMITED;
	}

	@Override
	public boolean write(String client, long version, Escalations escalations, long expiresAtMillis, long nowMillis) {
		String sql = (version == 0) ? this.createEscalations : this.updateEscalations;
		try (Connection connection = connection(); PreparedStatement statement = prepare(connection, sql)) {
			int p = 1;
			if (version == 0) {
				statement.setString(p++, client);
			}
			statement.setArray(p++, times(connection, escalations.violationTimes()));
			statement.setArray(p++, times(connection, escalations.banViolationTimes()));
			statement.setInt(p++, escalations.blockNumber());
			statement.setLong(p++, escalations.blockedAtMillis());
			statement.setLong(p++, escalations.blockedUntilMillis());
			statement.setLong(p++, escalations.blockLengthMillis());
			statement.setLong(p++, escalations.bannedAtMillis());
			statement.setLong(p++, escalations.bannedUntilMillis());
			statement.setLong(p++, expiresAtMillis);
			if (version == 0) {
				for (int i = 0; i < 5; i++) {
					statement.setLong(p++, nowMillis);
				}
			}
			else {
				statement.setString(p++, client);
				statement.setLong(p++, version);
				statement.setLong(p++, nowMillis);
			}
			return statement.executeUpdate() == 1;
		}
		catch (SQLException ex) {
			throw unavailable(ex);
		}
	}

	@Override
	public @Nullable ClientRecord read(String client) {
		return read(client, this.clock.millis());
	}

	private @Nullable ClientRecord read(String client, long now) {
		try (Connection connection = connection();
				PreparedStatement statement = prepare(connection, this.readRecord)) {
			statement.setString(1, client);
			statement.setLong(2, now);
			try (ResultSet result = statement.executeQuery()) {
				return result.next() ? new ClientRecord(client, now, escalations(result), result.getLong("ver")) : null;
			}
		}
		catch (SQLException ex) {
			throw unavailable(ex);
		}
	}

	@Override
	public boolean forget(String client) {
		long now = this.clock.millis();
		try (Connection connection = connection();
				PreparedStatement statement = prepare(connection, this.forgetRecord)) {
			statement.setString(1, client);
			try (ResultSet result = statement.executeQuery()) {
				return result.next() && result.getLong(1) > now;
			}
		}
		catch (SQLException ex) {
			throw unavailable(ex);
		}
	}

	@Override
	public List<ClientRecord> restricted(int max) {
		long now = this.clock.millis();
		try (Connection connection = connection();
				PreparedStatement statement = prepare(connection, this.listRestricted)) {
			for (int p = 1; p <= 5; p++) {
				statement.setLong(p, now);
			}
			statement.setInt(6, Math.max(0, max));
			List<ClientRecord> records = new ArrayList<>();
			try (ResultSet result = statement.executeQuery()) {
				while (result.next()) {
					records.add(new ClientRecord(result.getString("client"), now, escalations(result),
							result.getLong("ver")));
				}
			}
			return List.copyOf(records);
		}
		catch (SQLException ex) {
			throw unavailable(ex);
		}
	}

	@Override
	public long restrictedCount() {
		long now = this.clock.millis();
		try (Connection connection = connection();
				PreparedStatement statement = prepare(connection, this.countRestricted)) {
			statement.setLong(1, now);
			statement.setLong(2, now);
			statement.setLong(3, now);
			try (ResultSet result = statement.executeQuery()) {
				result.next();
				return result.getLong(1);
			}
		}
		catch (SQLException ex) {
			throw unavailable(ex);
		}
	}

	/**
	 * Deletes rows that expired, at most {@code maxRows} in one statement (rows a request holds
	 * at that moment are skipped), for a periodic task, never on a request's path.
	 * @param maxRows the most rows to delete
	 * @return how many rows were deleted (fewer than {@code maxRows}: no more had expired)
	 */
	public int deleteExpired(int maxRows) {
		long now = this.clock.millis();
		try (Connection connection = connection();
				PreparedStatement statement = prepare(connection, this.deleteExpired)) {
			statement.setLong(1, now);
			statement.setInt(2, Math.max(0, maxRows));
			statement.setLong(3, now);
			return statement.executeUpdate();
		}
		catch (SQLException ex) {
			throw unavailable(ex);
		}
	}

	private Connection connection() throws SQLException {
		Connection connection = this.dataSource.getConnection();
		try {
			if (!connection.getAutoCommit()) {
				connection.setAutoCommit(true);
			}
		}
		catch (SQLException | RuntimeException ex) {
			connection.close();
			throw ex;
		}
		return connection;
	}

	private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
		PreparedStatement statement = connection.prepareStatement(sql);
		statement.setQueryTimeout(this.queryTimeoutSeconds);
		return statement;
	}

	private StoreUnavailableException unavailable(SQLException ex) {
		return new StoreUnavailableException("The database did not answer: " + ex.getMessage(), ex);
	}

	private static Escalations escalations(ResultSet result) throws SQLException {
		return new Escalations(times(result.getArray("violation_times")), times(result.getArray("ban_violation_times")),
				result.getInt("block_number"), result.getLong("blocked_at"), result.getLong("blocked_until"),
				result.getLong("block_length"), result.getLong("banned_at"), result.getLong("banned_until"));
	}

	private static long[] times(@Nullable Array array) throws SQLException {
		if (array == null) {
			return RecentTimes.NONE;
		}
		Object[] values = (Object[]) array.getArray();
		if (values.length == 0) {
			return RecentTimes.NONE;
		}
		long[] times = new long[values.length];
		for (int i = 0; i < times.length; i++) {
			times[i] = ((Number) values[i]).longValue();
		}
		return times;
	}

	private static Array times(Connection connection, long[] times) throws SQLException {
		Long[] values = new Long[times.length];
		for (int i = 0; i < times.length; i++) {
			values[i] = times[i];
		}
		return connection.createArrayOf("int8", values);
	}

	private static final int CLIENT = -1;

	private static final int NOW = -2;

	private static final int UNTIL = -3;

	/**
	 * The statements of one policy: the count, and the read of a refused request's row.
	 */
	private PolicyStatements statements(RatePolicy policy) {
		String[] keys = counterKeys(policy);
		Sql sql = new Sql();
		sql.text("INSERT INTO " + this.table + " AS t (client, counters, counters_until, expires_at) VALUES (")
			.parameter(CLIENT)
			.text(", jsonb_build_object(");
		for (int i = 0; i < keys.length; i++) {
			sql.text((i > 0) ? ", " : "").text(keys[i] + ", jsonb_build_array(").parameter(i).text("::bigint, 0, "
					+ policy.cost() + ")");
		}
		sql.text("), ").parameter(UNTIL).text(", ").parameter(UNTIL).text(") ON CONFLICT (client) DO UPDATE SET counters = ");
		sql.text("(CASE WHEN t.expires_at > ").parameter(NOW).text(" THEN t.counters ELSE '{}'::jsonb END) || jsonb_build_object(");
		for (int i = 0; i < keys.length; i++) {
			sql.text((i > 0) ? ", " : "").text(keys[i] + ", jsonb_build_array(");
			index(sql, policy, keys, i);
			sql.text(", ");
			previous(sql, policy, keys, i);
			sql.text(", ");
			current(sql, policy, keys, i);
			sql.text(" + " + policy.cost() + ")");
		}
		sql.text("), counters_until = GREATEST(CASE WHEN t.expires_at > ").parameter(NOW)
			.text(" THEN t.counters_until ELSE 0 END, ").parameter(UNTIL)
			.text("), expires_at = GREATEST(CASE WHEN t.expires_at > ").parameter(NOW)
			.text(" THEN t.expires_at ELSE 0 END, ").parameter(UNTIL).text(")");
		// a row that expired is a client the store does not hold: it starts afresh
		for (String[] column : new String[][] { { "violation_times", "'{}'" }, { "ban_violation_times", "'{}'" },
				{ "block_number", "0" }, { "blocked_at", "0" }, { "blocked_until", "0" }, { "block_length", "0" },
				{ "banned_at", "0" }, { "banned_until", "0" } }) {
			sql.text(", " + column[0] + " = CASE WHEN t.expires_at > ").parameter(NOW)
				.text(" THEN t." + column[0] + " ELSE " + column[1] + " END");
		}
		sql.text(", ver = CASE WHEN t.expires_at > ").parameter(NOW).text(" THEN t.ver ELSE t.ver + 1 END");
		sql.text(" WHERE (t.expires_at <= ").parameter(NOW).text(" OR (t.blocked_until <= ").parameter(NOW)
			.text(" AND t.banned_until <= ").parameter(NOW).text("))");
		for (int i = 0; i < keys.length; i++) {
			long window = policy.windowMillis(i);
			sql.text(" AND ");
			previous(sql, policy, keys, i);
			sql.text(" * (" + window + " - GREATEST(0, ").parameter(NOW).text(" - ");
			index(sql, policy, keys, i);
			sql.text(" * " + window + ")) <= (" + (policy.count(i) - policy.cost()) + " - ");
			current(sql, policy, keys, i);
			sql.text(") * " + window);
		}
		sql.text(" RETURNING ");
		for (int i = 0; i < keys.length; i++) {
			String counter = "(t.counters->" + keys[i] + "->>";
			sql.text(((i > 0) ? ", " : "") + counter + "0)::bigint, " + counter + "1)::bigint, " + counter + "2)::bigint");
		}
		StringBuilder read = new StringBuilder("SELECT expires_at, " + ESCALATION_COLUMNS);
		for (int i = 0; i < keys.length; i++) {
			String counter = "(counters->" + keys[i] + "->>";
			read.append(", ").append(counter).append("0)::bigint AS w").append(i);
			read.append(", ").append(counter).append("1)::bigint AS p").append(i);
			read.append(", ").append(counter).append("2)::bigint AS c").append(i);
		}
		read.append(" FROM ").append(this.table).append(" WHERE client = ?");
		long retention = (this.sliding ? 2 : 1) * policy.longestWindowMillis();
		return new PolicyStatements(sql.toString(), sql.parameters(), read.toString(), retention,
				Math.min(retention, EXPIRY_STEP_MILLIS));
	}

	/** The window a limit's counter is stored for, while the row is live (else NULL). */
	private static void stored(Sql sql, String[] keys, int i) {
		sql.text("(CASE WHEN t.expires_at > ").parameter(NOW).text(" THEN (t.counters->" + keys[i] + "->>0)::bigint END)");
	}

	/** The window to count in: the time's, or the newer one the row holds. */
	private static void index(Sql sql, RatePolicy policy, String[] keys, int i) {
		sql.text("GREATEST(").parameter(i).text("::bigint, ");
		stored(sql, keys, i);
		sql.text(")");
	}

	private static void current(Sql sql, RatePolicy policy, String[] keys, int i) {
		sql.text("(CASE WHEN ");
		stored(sql, keys, i);
		sql.text(" = ");
		index(sql, policy, keys, i);
		sql.text(" THEN (t.counters->" + keys[i] + "->>2)::bigint ELSE 0 END)");
	}

	private void previous(Sql sql, RatePolicy policy, String[] keys, int i) {
		if (!this.sliding) {
			sql.text("0");
			return;
		}
		sql.text("(CASE WHEN ");
		stored(sql, keys, i);
		sql.text(" = ");
		index(sql, policy, keys, i);
		sql.text(" THEN (t.counters->" + keys[i] + "->>1)::bigint WHEN ");
		stored(sql, keys, i);
		sql.text(" = ");
		index(sql, policy, keys, i);
		sql.text(" - 1 THEN (t.counters->" + keys[i] + "->>2)::bigint ELSE 0 END)");
	}

	/**
	 * Each limit's key in the counters, as SQL string literals: the policy's name and the
	 * window (and the limit's index when two limits of a policy share a window).
	 */
	private static String[] counterKeys(RatePolicy policy) {
		String[] keys = new String[policy.size()];
		Set<String> seen = new HashSet<>();
		for (int i = 0; i < keys.length; i++) {
			String key = policy.name() + "|" + policy.windowMillis(i);
			if (!seen.add(key)) {
				key = key + "|" + i;
			}
			keys[i] = "'" + key.replace("'", "''") + "'::text";
		}
		return keys;
	}

	/**
	 * @param retentionMillis how long a request of the policy keeps the counters alive
	 * @param expiryStepMillis the step the counters' expiry is rounded up to
	 */
	private record PolicyStatements(String count, int[] countParameters, String read, long retentionMillis,
			long expiryStepMillis) {

	}

	/** SQL text with its parameters' meanings, in order. */
	private static final class Sql {

		private final StringBuilder text = new StringBuilder(4096);

		private final List<Integer> parameters = new ArrayList<>();

		Sql text(String text) {
			this.text.append(text);
			return this;
		}

		Sql parameter(int meaning) {
			this.text.append('?');
			this.parameters.add(meaning);
			return this;
		}

		int[] parameters() {
			return this.parameters.stream().mapToInt(Integer::intValue).toArray();
		}

		@Override
		public String toString() {
			return this.text.toString();
		}

	}

}
