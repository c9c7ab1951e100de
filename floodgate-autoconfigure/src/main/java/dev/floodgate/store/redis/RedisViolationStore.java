package dev.floodgate.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Escalation;
import dev.floodgate.core.EscalationPolicy;
import dev.floodgate.core.Limit;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.StoreUnavailableException;
import dev.floodgate.store.ViolationStore;
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
 * A {@link ViolationStore} in Redis, shared by every instance that uses the same server or
 * cluster. Each request is decided by one server-side script call (one round trip,
 * {@code EVALSHA}): counting, violation, block and ban, atomically per client. A client's
 * state is one hash, {@code <prefix>{<client>}}, whose hash tag keeps it in one slot of a
 * Redis Cluster; it expires by itself once nothing in it matters, except for a permanent
 * ban. Blocked and banned clients are also indexed, under a hash tag of their own so that
 * one script call on one slot lists them: the sorted sets {@code <prefix>{restricted}}
 * (scored by when each restriction ends, {@code +inf} for a permanent ban) and
 * {@code <prefix>{restricted}:since} (by when it started), and the hash
 * {@code <prefix>{restricted}:info} (each client's listing fields). The index is written when a
 * block or ban starts or changes, and ended entries are removed whenever it is written or
 * listed, so it holds only clients restricted now: permanent bans are what it keeps, one
 * entry per banned client until an operator lifts the ban (or set a {@code ban.duration}).
 * <p>
 * Time comes from the Redis server ({@code TIME}), so instances with skewed clocks agree,
 * unless a {@link Clock} is given (for tests). With Lettuce, every call waits at most the
 * given timeout; with another client, its own command timeout applies.
 */
public final class RedisViolationStore implements ViolationStore {

	private static final Log logger = LogFactory.getLog(RedisViolationStore.class);

	private static final int RESULT_FIELDS = 17;

	private static final byte[] DECIDE = bytes("d");

	private static final byte[] STATUS = bytes("s");

	private static final byte[] BLOCK = bytes("b");

	private static final byte[] BAN = bytes("n");

	private static final byte[] SERVER_TIME = bytes("-1");

	private static final byte[] INDEX = bytes("i");

	private static final byte[] FORGET = bytes("f");

	private static final byte[] LIST = bytes("l");

	/** Per listed client: its key, then ba, bu, na, nu, blocks and violations. */
	private static final int LISTED_FIELDS = 7;

	/** The class whose presence says Lettuce is on the classpath. */
	static final String LETTUCE_PROBE = "io.lettuce.core.RedisFuture";

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent(LETTUCE_PROBE,
			RedisViolationStore.class.getClassLoader());

	private final RedisConnectionFactory connectionFactory;

	private final EscalationPolicy escalation;

	private final String keyPrefix;

	private final byte[][] indexKeys;

	private final long timeoutMillis;

	private final @Nullable Clock clock;

	private final Script clientScript;

	private final Script indexScript;

	private final Map<RatePolicy, byte[][]> policyArguments = new ConcurrentHashMap<>();

	/** Lettuce's shared connection, connected off the request threads; null without it. */
	private final @Nullable Object lettuce;

	private final byte[][] noPolicyArguments = { SERVER_TIME, DECIDE, bytes("0") };

	/**
	 * Creates a store that takes the time from the Redis server.
	 * @param connectionFactory the application's connection factory
	 * @param rules the rules to decide by
	 * @param keyPrefix the prefix of every key
	 * @param timeout the longest a call may take
	 */
	public RedisViolationStore(RedisConnectionFactory connectionFactory, DecisionRules rules, String keyPrefix,
			Duration timeout) {
		this(connectionFactory, rules, keyPrefix, timeout, null);
	}

	/**
	 * Creates a store.
	 * @param connectionFactory the application's connection factory
	 * @param rules the rules to decide by
	 * @param keyPrefix the prefix of every key
	 * @param timeout the longest a call may take
	 * @param clock the time source, or {@code null} to take the time from the Redis server
	 */
	public RedisViolationStore(RedisConnectionFactory connectionFactory, DecisionRules rules, String keyPrefix,
			Duration timeout, @Nullable Clock clock) {
		this.connectionFactory = connectionFactory;
		this.escalation = rules.escalation();
		this.keyPrefix = keyPrefix;
		this.indexKeys = new byte[][] { bytes(keyPrefix + "{restricted}"), bytes(keyPrefix + "{restricted}:since"),
				bytes(keyPrefix + "{restricted}:info") };
		this.timeoutMillis = timeout.toMillis();
		this.clock = clock;
		this.clientScript = new Script(clientScriptText(rules));
		this.indexScript = new Script(resource("index.lua"));
		this.lettuce = (LETTUCE_PRESENT && LettuceScripts.sharesItsConnection(connectionFactory))
				? new LettuceScripts(connectionFactory, this.timeoutMillis, this.clientScript, this.indexScript) : null;
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

	@Override
	public String type() {
		return "redis";
	}

	@Override
	public Decision decide(String client, @Nullable RatePolicy policy) {
		byte[][] arguments = (policy != null) ? this.policyArguments.computeIfAbsent(policy, this::policyArguments)
				: this.noPolicyArguments;
		if (this.clock != null) {
			// a test clock's time differs per call; the server's time is the shared constant
			arguments = arguments.clone();
			arguments[0] = now();
		}
		List<?> result = eval(this.clientScript, key(client), arguments);
		Decision decision = decision(result);
		if (decision.escalation() != null
				|| (decision.outcome() == Outcome.BLOCKED && this.escalation.block().relative())) {
			// a block or ban started, or a relative block restarted (the local cache in front of
			// the store asks this at most once per client and instance per cache ttl)
			index(client, result);
		}
		return decision;
	}

	@Override
	public Optional<ClientStatus> status(String client) {
		List<?> result = eval(this.clientScript, key(client), new byte[][] { now(), STATUS });
		if (result.size() < RESULT_FIELDS) {
			return Optional.empty();
		}
		return Optional.of(status(client, result));
	}

	/**
	 * Lists the clients restricted now in one script call, whatever their number: the index
	 * holds each one's listing fields as of when its restriction was last written (so
	 * {@code blocks} and {@code violations} are counted as of then).
	 */
	@Override
	public List<ClientStatus> restrictedClients(int max) {
		List<?> result = eval(this.indexScript, this.indexKeys,
				new byte[][] { now(), LIST, bytes(Integer.toString(Math.max(0, max))) });
		long now = longAt(result, 0);
		List<ClientStatus> restricted = new ArrayList<>();
		for (int at = 2; at + LISTED_FIELDS <= result.size(); at += LISTED_FIELDS) {
			long bannedUntil = longAt(result, at + 4);
			ClientStatus status = ClientStatus.of(text(result.get(at)), now, longAt(result, at + 3),
					(bannedUntil < 0) ? Long.MAX_VALUE : bannedUntil, longAt(result, at + 1), longAt(result, at + 2),
					(int) longAt(result, at + 5), (int) longAt(result, at + 6));
			if (status.restricted()) {
				restricted.add(status);
			}
		}
		return List.copyOf(restricted);
	}

	/**
	 * Counts the clients restricted now in one script call.
	 */
	@Override
	public long restrictedCount() {
		return longAt(eval(this.indexScript, this.indexKeys, new byte[][] { now(), LIST, bytes("0") }), 1);
	}

	@Override
	public boolean forget(String client) {
		Long deleted = execute((connection) -> connection.keyCommands().del(key(client)));
		eval(this.indexScript, this.indexKeys, new byte[][] { now(), FORGET, bytes(client) });
		return deleted != null && deleted > 0;
	}

	@Override
	public ClientStatus block(String client, Duration duration) {
		List<?> result = eval(this.clientScript, key(client),
				new byte[][] { now(), BLOCK, bytes(Long.toString(duration.toMillis())) });
		ClientStatus status = status(client, result);
		index(client, result);
		return status;
	}

	@Override
	public ClientStatus ban(String client, @Nullable Duration duration) {
		long length = (duration != null) ? duration.toMillis() : -1;
		List<?> result = eval(this.clientScript, key(client),
				new byte[][] { now(), BAN, bytes(Long.toString(length)) });
		ClientStatus status = status(client, result);
		index(client, result);
		return status;
	}

	/**
	 * Records a restriction in the index, best effort: the block or ban is already written, so
	 * a failure here (in a cluster the index lives on one node) must not turn the decision into
	 * a store failure. With Lettuce it is not even waited for. The script scores the entry by
	 * the later end of the client's block and ban, from the fields the client's script
	 * returned.
	 */
	private void index(String client, List<?> result) {
		byte[][] arguments = { now(), INDEX, bytes(client), field(result, 12), field(result, 13), field(result, 15),
				field(result, 16), field(result, 10), field(result, 11) };
		try {
			if (this.lettuce != null) {
				((LettuceScripts) this.lettuce).evalAsync(this.indexScript, this.indexKeys, arguments);
			}
			else {
				eval(this.indexScript, this.indexKeys, arguments);
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Could not index restricted client " + client, ex);
		}
	}

	private byte[] key(String client) {
		return bytes(this.keyPrefix + "{" + client + "}");
	}

	private byte[] now() {
		return (this.clock != null) ? bytes(Long.toString(this.clock.millis())) : SERVER_TIME;
	}

	private byte[][] policyArguments(RatePolicy policy) {
		byte[][] arguments = new byte[4 + policy.size() * 3][];
		arguments[0] = SERVER_TIME;
		arguments[1] = DECIDE;
		arguments[2] = bytes(Integer.toString(policy.size()));
		for (int i = 0; i < policy.size(); i++) {
			Limit limit = policy.limit(i);
			arguments[3 + i * 3] = bytes(policy.name() + "|" + limit.windowMillis());
			arguments[4 + i * 3] = bytes(Long.toString(limit.count()));
			arguments[5 + i * 3] = bytes(Long.toString(limit.windowMillis()));
		}
		arguments[3 + policy.size() * 3] = bytes(Long.toString(policy.cost()));
		return arguments;
	}

	private static Decision decision(List<?> result) {
		Outcome outcome = switch ((int) longAt(result, 1)) {
			case 0 -> Outcome.ALLOWED;
			case 1 -> Outcome.LIMITED;
			case 2 -> Outcome.BLOCKED;
			default -> Outcome.BANNED;
		};
		int kind = (int) longAt(result, 6);
		Escalation escalation = null;
		if (kind != 0) {
			long until = longAt(result, 8);
			escalation = new Escalation((kind == 1) ? Escalation.Kind.BLOCK : Escalation.Kind.BAN,
					(int) longAt(result, 7), (until < 0) ? Long.MAX_VALUE : until, (int) longAt(result, 9));
		}
		if (outcome == Outcome.ALLOWED && longAt(result, 3) < 0) {
			return Decision.UNLIMITED;
		}
		return new Decision(outcome, longAt(result, 2), (int) longAt(result, 3), longAt(result, 4), longAt(result, 5),
				escalation);
	}

	private ClientStatus status(String client, List<?> result) {
		long bannedUntil = longAt(result, 16);
		return ClientStatus.of(client, longAt(result, 0), longAt(result, 15),
				(bannedUntil < 0) ? Long.MAX_VALUE : bannedUntil, longAt(result, 12), longAt(result, 13),
				(int) longAt(result, 10), (int) longAt(result, 11));
	}

	private static long longAt(List<?> result, int index) {
		Object value = result.get(index);
		return (value instanceof Number number) ? number.longValue() : Long.parseLong(text(value));
	}

	private static byte[] field(List<?> result, int index) {
		return bytes(Long.toString(longAt(result, index)));
	}

	private static String text(Object value) {
		return (value instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
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

	private static String clientScriptText(DecisionRules rules) {
		EscalationPolicy escalation = rules.escalation();
		return resource("client.lua").replace("${SLIDING}", flag(rules.algorithm() == Algorithm.SLIDING_WINDOW))
			.replace("${BLOCK_ENABLED}", flag(escalation.block().enabled()))
			.replace("${BLOCK_AFTER}", Integer.toString(escalation.block().afterViolations()))
			.replace("${VIOLATION_WINDOW}", Long.toString(escalation.block().violationWindow().toMillis()))
			.replace("${BLOCK_DURATION}", Long.toString(escalation.block().duration().toMillis()))
			.replace("${BLOCK_FACTOR}", String.format(Locale.ROOT, "%.17g", escalation.block().factor()))
			.replace("${BLOCK_MAX}", Long.toString(escalation.block().maxDuration().toMillis()))
			.replace("${RELATIVE}", flag(escalation.block().relative()))
			.replace("${BAN_ENABLED}", flag(escalation.ban().enabled()))
			.replace("${BAN_AFTER}", Integer.toString(escalation.ban().afterViolations()))
			.replace("${BAN_WINDOW}", Long.toString(escalation.ban().window().toMillis()))
			.replace("${BAN_DURATION}",
					Long.toString((escalation.ban().duration() != null) ? escalation.ban().duration().toMillis() : -1));
	}

	private static String flag(boolean value) {
		return value ? "1" : "0";
	}

	private static String resource(String name) {
		try (InputStream in = RedisViolationStore.class.getResourceAsStream(name)) {
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
