package dev.floodgate.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.ClientState.Escalations;
import dev.floodgate.core.Counted;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Limit;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.Refusal;
import dev.floodgate.store.ClientRecords;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.StoreUnavailableException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * The {@link ClientRecords} in Redis, shared by every instance that uses the same server or
 * cluster (the {@link dev.floodgate.store.ViolationStore} is the {@link RuleBookStore} over
 * it). A request within its limits is one server-side script call (one round trip,
 * {@code EVALSHA}) that refuses a blocked or banned client and otherwise counts the request
 * when every limit holds, and answers three integers; the escalation rules are not in Redis.
 * A change of escalation state is a second script, a compare-and-set on the hash's version.
 * A client's record is one hash, {@code <prefix>{<client>}}, whose hash tag keeps it in one
 * slot of a Redis Cluster; it expires by itself once neither its counters nor its escalation
 * state matter, except for a permanent ban. Blocked and banned clients are also indexed,
 * under a hash tag of their own so that one script call on one slot lists them: the sorted
 * sets {@code <prefix>{restricted}} (scored by when each restriction ends) and
 * {@code <prefix>{restricted}:since} (by when it started), and the hash
 * {@code <prefix>{restricted}:info} (each client's version and escalation state). The index
 * is written when a client's block or ban starts, changes or is lifted, newer versions only,
 * and ended entries are removed whenever it is written or listed, so it holds only clients
 * restricted now: permanent bans are what it keeps, one entry per banned client until an
 * operator lifts the ban (or set a {@code ban.duration}).
 * <p>
 * A permanent ban is {@link Long#MAX_VALUE}, stored as the decimal text Java writes: the
 * scripts only compare it (Lua's numbers are doubles) and return it as stored.
 * <p>
 * Time comes from the Redis server ({@code TIME}), so instances with skewed clocks agree,
 * unless a {@link Clock} is given (for tests). With Lettuce, every call waits at most the
 * given timeout; with another client, its own command timeout applies.
 */
public final class RedisClientRecords implements ClientRecords {

	private static final Log logger = LogFactory.getLog(RedisClientRecords.class);

	/** The replies of the count script: admitted, and refused (see {@code client.lua}). */
	private static final int ADMITTED_FIELDS = 3;

	private static final byte[] SERVER_TIME = bytes("-1");

	private static final byte[] INDEX = bytes("i");

	private static final byte[] FORGET = bytes("f");

	private static final byte[] LIST = bytes("l");

	private static final byte[] ZERO = bytes("0");

	/** Per listed client: its key and its entry. */
	private static final int LISTED_FIELDS = 2;

	/** The separator of an index entry's fields (version, then the escalation state). */
	private static final char ENTRY_SEPARATOR = '/';

	/** The class whose presence says Lettuce is on the classpath. */
	static final String LETTUCE_PROBE = "io.lettuce.core.RedisFuture";

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent(LETTUCE_PROBE,
			RedisClientRecords.class.getClassLoader());

	private final RedisConnectionFactory connectionFactory;

	private final String keyPrefix;

	private final byte[][] indexKeys;

	private final long timeoutMillis;

	private final @Nullable Clock clock;

	private final Script countScript;

	private final Script writeScript;

	private final Script readScript;

	private final Script indexScript;

	private final Map<RatePolicy, byte[][]> policyArguments = new ConcurrentHashMap<>();

	/** Lettuce's shared connection, connected off the request threads; null without it. */
	private final @Nullable Object lettuce;

	private final byte[][] noPolicyArguments = { SERVER_TIME };

	/**
	 * Creates records that take the time from the Redis server.
	 * @param connectionFactory the application's connection factory
	 * @param rules the rules to count by (their algorithm)
	 * @param keyPrefix the prefix of every key
	 * @param timeout the longest a call may take
	 */
	public RedisClientRecords(RedisConnectionFactory connectionFactory, DecisionRules rules, String keyPrefix,
			Duration timeout) {
		this(connectionFactory, rules, keyPrefix, timeout, null);
	}

	/**
	 * Creates records.
	 * @param connectionFactory the application's connection factory
	 * @param rules the rules to count by (their algorithm)
	 * @param keyPrefix the prefix of every key
	 * @param timeout the longest a call may take
	 * @param clock the time source, or {@code null} to take the time from the Redis server
	 */
	public RedisClientRecords(RedisConnectionFactory connectionFactory, DecisionRules rules, String keyPrefix,
			Duration timeout, @Nullable Clock clock) {
		this.connectionFactory = connectionFactory;
		this.keyPrefix = keyPrefix;
		this.indexKeys = new byte[][] { bytes(keyPrefix + "{restricted}"), bytes(keyPrefix + "{restricted}:since"),
				bytes(keyPrefix + "{restricted}:info") };
		this.timeoutMillis = timeout.toMillis();
		this.clock = clock;
		this.countScript = new Script(resource("client.lua").replace("${SLIDING}",
				(rules.algorithm() == Algorithm.SLIDING_WINDOW) ? "1" : "0"));
		this.writeScript = new Script(resource("write.lua"));
		this.readScript = new Script(resource("read.lua"));
		this.indexScript = new Script(resource("index.lua"));
		this.lettuce = (LETTUCE_PRESENT && LettuceScripts.sharesItsConnection(connectionFactory))
				? new LettuceScripts(connectionFactory, this.timeoutMillis, this.countScript, this.writeScript,
						this.readScript, this.indexScript)
				: null;
		if (this.lettuce != null) {
			// connect and load the scripts now, off this thread, rather than on the first requests
			((LettuceScripts) this.lettuce).connectInBackground();
		}
	}

	/**
	 * Waits, at most {@code max}, until the store is connected and its scripts are loaded, so
	 * that the first requests after start-up are not the slow ones. Without Lettuce's shared
	 * connection it returns at once.
	 * @param max the longest to wait
	 * @return {@code true} if the store is ready
	 */
	public boolean awaitReady(Duration max) {
		return this.lettuce == null || ((LettuceScripts) this.lettuce).awaitConnected(max);
	}

	/**
	 * The prefix of every key these records write.
	 * @return the prefix
	 */
	public String keyPrefix() {
		return this.keyPrefix;
	}

	/**
	 * The time these records decide by, for the {@link RuleBookStore} over them (a block or
	 * ban by hand of a client Redis holds nothing of yet): the clock given, or else the Redis
	 * server's {@code TIME}, one round trip per reading.
	 * @return the clock
	 */
	public Clock clock() {
		return (this.clock != null) ? this.clock : new ServerClock();
	}

	@Override
	public String type() {
		return "redis";
	}

	@Override
	public Counted count(String client, @Nullable RatePolicy policy) {
		byte[][] arguments = (policy != null) ? this.policyArguments.computeIfAbsent(policy, this::policyArguments)
				: this.noPolicyArguments;
		if (this.clock != null) {
			// a test clock's time differs per call; the server's time is the shared constant
			arguments = arguments.clone();
			arguments[0] = now();
		}
		List<?> result = eval(this.countScript, key(client), arguments);
		if (result.size() == ADMITTED_FIELDS) {
			return new Decision(Outcome.ALLOWED, -1, (int) longAt(result, 2), longAt(result, 0), longAt(result, 1),
					null);
		}
		if (result.isEmpty()) {
			return Decision.UNLIMITED;
		}
		long retry = longAt(result, 1);
		int violated = (int) longAt(result, 2);
		Decision limited = (violated >= 0) ? new Decision(Outcome.LIMITED, retry, violated, 0, retry, null) : null;
		return new Refusal(longAt(result, 0), limited, escalations(result, 4), longAt(result, 3));
	}

	@Override
	public boolean write(String client, long version, Escalations escalations, long expiresAtMillis,
			long nowMillis) {
		byte[][] arguments = { number(nowMillis), number(version), number(version + 1), number(expiresAtMillis),
				bytes(times(escalations.violationTimes())), bytes(times(escalations.banViolationTimes())),
				number(escalations.blockNumber()), number(escalations.blockedAtMillis()),
				number(escalations.blockedUntilMillis()), number(escalations.blockLengthMillis()),
				number(escalations.bannedAtMillis()), number(escalations.bannedUntilMillis()) };
		long written = longAt(eval(this.writeScript, key(client), arguments), 0);
		if (written == 2) {
			// the block or ban started, changed or was lifted
			index(new ClientRecord(client, nowMillis, escalations, version + 1));
		}
		return written != 0;
	}

	@Override
	public @Nullable ClientRecord read(String client) {
		List<?> result = eval(this.readScript, key(client), new byte[][] { now() });
		if (result.size() < 2) {
			return null;
		}
		return new ClientRecord(client, longAt(result, 0), escalations(result, 2), longAt(result, 1));
	}

	/**
	 * Lists the clients restricted now in one script call, whatever their number: the index
	 * holds each one's escalation state as of when its restriction was last written.
	 */
	@Override
	public List<ClientRecord> restricted(int max) {
		List<?> result = eval(this.indexScript, this.indexKeys,
				new byte[][] { now(), LIST, number(Math.max(0, max)) });
		long now = longAt(result, 0);
		List<ClientRecord> restricted = new ArrayList<>();
		for (int at = 2; at + LISTED_FIELDS <= result.size(); at += LISTED_FIELDS) {
			ClientRecord record = entry(text(result.get(at)), now, text(result.get(at + 1)));
			if (record != null) {
				restricted.add(record);
			}
		}
		return List.copyOf(restricted);
	}

	/**
	 * Counts the clients restricted now in one script call.
	 */
	@Override
	public long restrictedCount() {
		return longAt(eval(this.indexScript, this.indexKeys, new byte[][] { now(), LIST, ZERO }), 1);
	}

	@Override
	public boolean forget(String client) {
		Long deleted = execute((connection) -> connection.keyCommands().del(key(client)));
		eval(this.indexScript, this.indexKeys, new byte[][] { now(), FORGET, bytes(client) });
		return deleted != null && deleted > 0;
	}

	/**
	 * Records a client's restriction in the index, best effort: the escalation state is
	 * already written, so a failure here (in a cluster the index lives on one node) must not
	 * turn the decision into a store failure. With Lettuce it is not even waited for. An
	 * entry whose restriction has ended removes the client; an older version than the index
	 * holds changes nothing.
	 */
	private void index(ClientRecord record) {
		Escalations escalations = record.escalations();
		long until = Math.max(escalations.blockedUntilMillis(), escalations.bannedUntilMillis());
		byte[][] arguments = { now(), INDEX, bytes(record.client()), number(until),
				number(record.restrictedSinceMillis()), number(record.version()), bytes(entry(record)) };
		try {
			if (this.lettuce != null) {
				((LettuceScripts) this.lettuce).evalAsync(this.indexScript, this.indexKeys, arguments);
			}
			else {
				eval(this.indexScript, this.indexKeys, arguments);
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Could not index restricted client " + record.client(), ex);
		}
	}

	/** An index entry: the version, then bn, ba, bu, bl, na, nu, vt and bt. */
	private static String entry(ClientRecord record) {
		Escalations e = record.escalations();
		return new StringBuilder(96).append(record.version())
			.append(ENTRY_SEPARATOR)
			.append(e.blockNumber())
			.append(ENTRY_SEPARATOR)
			.append(e.blockedAtMillis())
			.append(ENTRY_SEPARATOR)
			.append(e.blockedUntilMillis())
			.append(ENTRY_SEPARATOR)
			.append(e.blockLengthMillis())
			.append(ENTRY_SEPARATOR)
			.append(e.bannedAtMillis())
			.append(ENTRY_SEPARATOR)
			.append(e.bannedUntilMillis())
			.append(ENTRY_SEPARATOR)
			.append(times(e.violationTimes()))
			.append(ENTRY_SEPARATOR)
			.append(times(e.banViolationTimes()))
			.toString();
	}

	private static @Nullable ClientRecord entry(String client, long now, String entry) {
		String[] parts = entry.split(String.valueOf(ENTRY_SEPARATOR), -1);
		if (parts.length != 9) {
			// not an entry this version wrote
			return null;
		}
		try {
			Escalations escalations = new Escalations(parseTimes(parts[7]), parseTimes(parts[8]),
					Integer.parseInt(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]),
					Long.parseLong(parts[4]), Long.parseLong(parts[5]), Long.parseLong(parts[6]));
			return new ClientRecord(client, now, escalations, Long.parseLong(parts[0]));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/** The escalation fields vt, bt, bn, ba, bu, bl, na, nu of a reply, from {@code at}. */
	private static Escalations escalations(List<?> result, int at) {
		return new Escalations(parseTimes(textOrNull(result.get(at))), parseTimes(textOrNull(result.get(at + 1))),
				(int) longAt(result, at + 2), longAt(result, at + 3), longAt(result, at + 4), longAt(result, at + 5),
				longAt(result, at + 6), bannedUntil(longAt(result, at + 7)));
	}

	/** A ban's end as stored: before Floodgate 0.2 a permanent ban was written as -1. */
	private static long bannedUntil(long stored) {
		return (stored == -1) ? Long.MAX_VALUE : stored;
	}

	private static String times(long[] times) {
		if (times.length == 0) {
			return "";
		}
		StringBuilder text = new StringBuilder(times.length * 14);
		for (int i = 0; i < times.length; i++) {
			if (i > 0) {
				text.append(',');
			}
			text.append(times[i]);
		}
		return text.toString();
	}

	private static long[] parseTimes(@Nullable String text) {
		if (text == null || text.isEmpty()) {
			return Escalations.NONE.violationTimes();
		}
		String[] parts = text.split(",");
		long[] times = new long[parts.length];
		for (int i = 0; i < parts.length; i++) {
			times[i] = Long.parseLong(parts[i]);
		}
		return times;
	}

	private byte[] key(String client) {
		return bytes(this.keyPrefix + "{" + client + "}");
	}

	private byte[] now() {
		return (this.clock != null) ? number(this.clock.millis()) : SERVER_TIME;
	}

	/** The time, the cost, the policy's field prefix, then each limit's count and window. */
	private byte[][] policyArguments(RatePolicy policy) {
		byte[][] arguments = new byte[3 + policy.size() * 2][];
		arguments[0] = SERVER_TIME;
		arguments[1] = number(policy.cost());
		arguments[2] = bytes(policy.name() + "|");
		for (int i = 0; i < policy.size(); i++) {
			Limit limit = policy.limit(i);
			arguments[3 + i * 2] = number(limit.count());
			arguments[4 + i * 2] = number(limit.windowMillis());
		}
		return arguments;
	}

	/** A number of a reply: an integer, or a field as stored (absent: 0). */
	private static long longAt(List<?> result, int index) {
		Object value = result.get(index);
		if (value == null) {
			return 0;
		}
		return (value instanceof Number number) ? number.longValue() : Long.parseLong(text(value));
	}

	private static @Nullable String textOrNull(@Nullable Object value) {
		return (value != null) ? text(value) : null;
	}

	private static String text(Object value) {
		return (value instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
	}

	private static byte[] number(long value) {
		return bytes(Long.toString(value));
	}

	private List<?> eval(Script script, byte[] key, byte[][] arguments) {
		return eval(script, new byte[][] { key }, arguments);
	}

	private List<?> eval(Script script, byte[][] keys, byte[][] arguments) {
		List<?> result = (this.lettuce != null) ? ((LettuceScripts) this.lettuce).eval(script, keys, arguments)
				: execute((connection) -> evalBlocking(connection, script, keys, arguments));
		if (result == null) {
			throw new StoreUnavailableException("Redis returned nothing for a Floodgate script");
		}
		return result;
	}

	private static List<?> evalBlocking(RedisConnection connection, Script script, byte[][] keys,
			byte[][] arguments) {
		byte[][] keysAndArguments = new byte[keys.length + arguments.length][];
		System.arraycopy(keys, 0, keysAndArguments, 0, keys.length);
		System.arraycopy(arguments, 0, keysAndArguments, keys.length, arguments.length);
		try {
			return connection.scriptingCommands().evalSha(script.sha, ReturnType.MULTI, keys.length, keysAndArguments);
		}
		catch (RuntimeException ex) {
			if (!String.valueOf(ex.getMessage()).contains("NOSCRIPT")) {
				throw ex;
			}
			return connection.scriptingCommands().eval(script.bytes, ReturnType.MULTI, keys.length, keysAndArguments);
		}
	}

	private <T> @Nullable T execute(ConnectionCallback<T> callback) {
		try (RedisConnection connection = this.connectionFactory.getConnection()) {
			return callback.doWith(connection);
		}
	}

	private static String resource(String name) {
		try (InputStream in = RedisClientRecords.class.getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalStateException("Missing " + name);
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Cannot read " + name, ex);
		}
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * The Redis server's time ({@code TIME}), as every script of these records reads it.
	 */
	private final class ServerClock extends Clock {

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return Clock.fixed(instant(), zone);
		}

		@Override
		public long millis() {
			Long time = execute((connection) -> connection.serverCommands().time(TimeUnit.MILLISECONDS));
			if (time == null) {
				throw new StoreUnavailableException("Redis returned no time");
			}
			return time;
		}

		@Override
		public Instant instant() {
			return Instant.ofEpochMilli(millis());
		}

	}

	@FunctionalInterface
	private interface ConnectionCallback<T> {

		@Nullable T doWith(RedisConnection connection);

	}

	/**
	 * A Lua script with its SHA-1, as EVALSHA needs it.
	 */
	static final class Script {

		final String text;

		final byte[] bytes;

		final String sha;

		Script(String text) {
			this.text = text;
			this.bytes = bytes(text);
			this.sha = sha1(this.bytes);
		}

		private static String sha1(byte[] bytes) {
			try {
				byte[] digest = java.security.MessageDigest.getInstance("SHA-1").digest(bytes);
				StringBuilder hex = new StringBuilder(40);
				for (byte b : digest) {
					hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
				}
				return hex.toString();
			}
			catch (java.security.NoSuchAlgorithmException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	/**
	 * Calls scripts through Lettuce's asynchronous API on the connection factory's shared
	 * connection, so that every wait is bounded by Floodgate's own timeout: the connection is
	 * taken (and, after a failure, taken again) on a background thread, and a request waits for
	 * it at most the timeout. Lettuce reconnects the shared connection by itself after an
	 * outage. Only loaded when Lettuce is on the classpath.
	 */
	private static final class LettuceScripts {

		private final RedisConnectionFactory connectionFactory;

		private final long timeoutMillis;

		private final AtomicReference<CompletableFuture<RedisClusterAsyncCommands<byte[], byte[]>>> connection = new AtomicReference<>();

		private final Script[] scripts;

		LettuceScripts(RedisConnectionFactory connectionFactory, long timeoutMillis, Script... scripts) {
			this.connectionFactory = connectionFactory;
			this.timeoutMillis = timeoutMillis;
			this.scripts = scripts;
		}

		boolean awaitConnected(Duration max) {
			CompletableFuture<RedisClusterAsyncCommands<byte[], byte[]>> current = this.connection.get();
			if (current == null) {
				return false;
			}
			try {
				current.get(max.toMillis(), TimeUnit.MILLISECONDS);
				return true;
			}
			catch (TimeoutException | ExecutionException ex) {
				return false;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}

		static boolean sharesItsConnection(RedisConnectionFactory connectionFactory) {
			return connectionFactory instanceof LettuceConnectionFactory lettuce && lettuce.getShareNativeConnection();
		}

		List<?> eval(Script script, byte[][] keys, byte[][] arguments) {
			RedisClusterAsyncCommands<byte[], byte[]> commands = commands();
			try {
				try {
					return await(commands.<List<Object>>evalsha(script.sha, ScriptOutputType.MULTI, keys, arguments));
				}
				catch (RedisNoScriptException ex) {
					return await(commands.<List<Object>>eval(script.bytes, ScriptOutputType.MULTI, keys, arguments));
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new StoreUnavailableException("Interrupted while waiting for Redis", ex);
			}
		}

		void connectInBackground() {
			CompletableFuture<RedisClusterAsyncCommands<byte[], byte[]>> fresh = new CompletableFuture<>();
			if (this.connection.compareAndSet(null, fresh)) {
				connect(fresh);
			}
		}

		/** Sends a script without waiting for its answer (EVAL, which needs no loaded script). */
		void evalAsync(Script script, byte[][] keys, byte[][] arguments) {
			commands().eval(script.bytes, ScriptOutputType.INTEGER, keys, arguments);
		}

		private RedisClusterAsyncCommands<byte[], byte[]> commands() {
			CompletableFuture<RedisClusterAsyncCommands<byte[], byte[]>> current = this.connection.get();
			if (current != null && current.isDone() && !current.isCompletedExceptionally()) {
				return current.join();
			}
			if (current == null || current.isCompletedExceptionally()) {
				CompletableFuture<RedisClusterAsyncCommands<byte[], byte[]>> fresh = new CompletableFuture<>();
				if (this.connection.compareAndSet(current, fresh)) {
					connect(fresh);
				}
				current = this.connection.get();
			}
			try {
				return current.get(this.timeoutMillis, TimeUnit.MILLISECONDS);
			}
			catch (TimeoutException ex) {
				throw new StoreUnavailableException("Not connected to Redis within " + this.timeoutMillis + "ms", ex);
			}
			catch (ExecutionException ex) {
				throw new StoreUnavailableException("Cannot connect to Redis: " + ex.getCause(), ex.getCause());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new StoreUnavailableException("Interrupted while connecting to Redis", ex);
			}
		}

		@SuppressWarnings("unchecked")
		private void connect(CompletableFuture<RedisClusterAsyncCommands<byte[], byte[]>> connected) {
			Thread connecting = new Thread(() -> {
				// the factory's shared connection outlives this wrapper; closing it leaves it open
				try (RedisConnection redis = this.connectionFactory.getConnection()) {
					RedisClusterAsyncCommands<byte[], byte[]> commands = (RedisClusterAsyncCommands<byte[], byte[]>) redis
						.getNativeConnection();
					loadScripts(commands);
					connected.complete(commands);
				}
				catch (Throwable ex) {
					connected.completeExceptionally(ex);
				}
			}, "floodgate-redis-connect");
			connecting.setDaemon(true);
			connecting.start();
		}

		/**
		 * Loads the scripts (on every master of a cluster), best effort and bounded, so that
		 * no request pays for a {@code NOSCRIPT} and the script's text: after a server restart
		 * without its scripts a request still falls back to {@code EVAL}.
		 */
		private void loadScripts(RedisClusterAsyncCommands<byte[], byte[]> commands) {
			try {
				for (Script script : this.scripts) {
					commands.scriptLoad(script.bytes).get(Math.max(this.timeoutMillis, 2_000), TimeUnit.MILLISECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (ExecutionException | TimeoutException | RuntimeException ex) {
				logger.debug("Could not load Floodgate's scripts into Redis", ex);
			}
		}

		private <T> T await(RedisFuture<T> future) throws InterruptedException {
			try {
				return future.get(this.timeoutMillis, TimeUnit.MILLISECONDS);
			}
			catch (TimeoutException ex) {
				future.cancel(true);
				throw new StoreUnavailableException("Redis did not answer within " + this.timeoutMillis + "ms", ex);
			}
			catch (ExecutionException ex) {
				if (ex.getCause() instanceof RedisNoScriptException noScript) {
					throw noScript;
				}
				// Lettuce reconnects by itself; a failure other than a timeout may mean the factory
				// replaced its shared connection: take it afresh on the next call
				this.connection.set(null);
				throw new StoreUnavailableException("Redis failed: " + ex.getCause(), ex.getCause());
			}
		}

	}

}
