package dev.floodgate.autoconfigure;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.floodgate.core.Algorithm;
import dev.floodgate.web.ForwardedHeader;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for Floodgate: per-client rate limits that escalate to blocks and
 * bans. Bound once at start-up and validated into {@link FloodgateSettings}.
 */
@ConfigurationProperties("floodgate")
public class FloodgateProperties {

	/**
	 * Whether Floodgate is on. When false, Floodgate registers nothing at all.
	 */
	private boolean enabled = true;

	/**
	 * Default limit for every handler without @RateLimited, counted per client across all
	 * of them, such as '50/minute', '5/second;100/hour' or '100/day, 10/hour'. Unset: only @RateLimited handlers
	 * are limited.
	 */
	private @Nullable String limit;

	/**
	 * Quota units a request under the default limit spends of each of its limits (at least
	 * 1, at most the smallest count): a request whose cost exceeds what is left is refused.
	 * Annotated handlers give their own with @RateLimited(cost = n).
	 */
	private int cost = 1;

	/**
	 * How requests are counted against a limit.
	 */
	private Algorithm algorithm = Algorithm.SLIDING_WINDOW;

	/**
	 * Whether the application sits behind reverse proxies, so that the client address is
	 * taken from the headers of trusted proxies (floodgate.proxy.*) rather than the TCP peer.
	 */
	private boolean behindProxy = false;

	/**
	 * Whether to decide, count and log every request without rejecting any, to watch
	 * Floodgate's effect before enforcing it.
	 */
	private boolean dryRun = false;

	/**
	 * Length of the prefix by which IPv6 clients are keyed, so that a client cannot escape
	 * by rotating addresses within its own network.
	 */
	private int ipv6PrefixLength = 64;

	/**
	 * Client addresses or CIDR ranges that are never limited, blocked or banned.
	 */
	private List<String> allowList = new ArrayList<>();

	/**
	 * Client addresses or CIDR ranges that are always rejected with 403.
	 */
	private List<String> denyList = new ArrayList<>();

	private final Proxy proxy = new Proxy();

	private final Block block = new Block();

	private final Ban ban = new Ban();

	private final Store store = new Store();

	private final Response response = new Response();

	private final Alerts alerts = new Alerts();

	private final Widen widen = new Widen();

	private final Filter filter = new Filter();

	/**
	 * Limits decided by Floodgate's servlet filter, ahead of Spring Security, for requests
	 * that no handler serves (such as form login's {@code POST /login}, or an endpoint another
	 * filter answers). The first entry whose pattern and methods match a request applies.
	 */
	private List<PathLimit> paths = new ArrayList<>();

	private final Penalize penalize = new Penalize();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getLimit() {
		return this.limit;
	}

	public void setLimit(@Nullable String limit) {
		this.limit = limit;
	}

	public int getCost() {
		return this.cost;
	}

	public void setCost(int cost) {
		this.cost = cost;
	}

	public Algorithm getAlgorithm() {
		return this.algorithm;
	}

	public void setAlgorithm(Algorithm algorithm) {
		this.algorithm = algorithm;
	}

	public boolean isBehindProxy() {
		return this.behindProxy;
	}

	public void setBehindProxy(boolean behindProxy) {
		this.behindProxy = behindProxy;
	}

	public boolean isDryRun() {
		return this.dryRun;
	}

	public void setDryRun(boolean dryRun) {
		this.dryRun = dryRun;
	}

	public int getIpv6PrefixLength() {
		return this.ipv6PrefixLength;
	}

	public void setIpv6PrefixLength(int ipv6PrefixLength) {
		this.ipv6PrefixLength = ipv6PrefixLength;
	}

	public List<String> getAllowList() {
		return this.allowList;
	}

	public void setAllowList(List<String> allowList) {
		this.allowList = allowList;
	}

	public List<String> getDenyList() {
		return this.denyList;
	}

	public void setDenyList(List<String> denyList) {
		this.denyList = denyList;
	}

	public Proxy getProxy() {
		return this.proxy;
	}

	public Block getBlock() {
		return this.block;
	}

	public Ban getBan() {
		return this.ban;
	}

	public Store getStore() {
		return this.store;
	}

	public Response getResponse() {
		return this.response;
	}

	public Alerts getAlerts() {
		return this.alerts;
	}

	public Widen getWiden() {
		return this.widen;
	}

	public Filter getFilter() {
		return this.filter;
	}

	public List<PathLimit> getPaths() {
		return this.paths;
	}

	public void setPaths(List<PathLimit> paths) {
		this.paths = paths;
	}

	public Penalize getPenalize() {
		return this.penalize;
	}

	/**
	 * Floodgate's servlet filter, which refuses deny-listed, banned and blocked clients
	 * before the rest of the filter chain runs and decides {@code floodgate.paths}.
	 */
	public static final class Filter {

		/**
		 * The filter's order among the application's servlet filters. The default runs it
		 * ahead of Spring Security's filter chain (-100) and of Spring's request context
		 * filter (-105), after the character encoding and form content filters.
		 */
		private int order = dev.floodgate.web.FloodgateFilter.DEFAULT_ORDER;

		public int getOrder() {
			return this.order;
		}

		public void setOrder(int order) {
			this.order = order;
		}

	}

	/**
	 * A limit for the requests that match a path pattern, decided in Floodgate's filter.
	 */
	public static final class PathLimit {

		/**
		 * The path pattern, in Spring's PathPattern syntax, within the application's context
		 * path, such as /login or /api/{id}/export.
		 */
		private @Nullable String pattern;

		/**
		 * The HTTP methods it applies to, such as POST; empty for every method.
		 */
		private List<String> methods = new ArrayList<>();

		/**
		 * The limit, such as 5/minute or 5/minute;20/hour.
		 */
		private @Nullable String limit;

		/**
		 * The policy's name in headers, metrics and the actuator endpoint; empty for
		 * "path:" followed by the pattern.
		 */
		private @Nullable String name;

		public @Nullable String getPattern() {
			return this.pattern;
		}

		public void setPattern(@Nullable String pattern) {
			this.pattern = pattern;
		}

		public List<String> getMethods() {
			return this.methods;
		}

		public void setMethods(List<String> methods) {
			this.methods = methods;
		}

		public @Nullable String getLimit() {
			return this.limit;
		}

		public void setLimit(@Nullable String limit) {
			this.limit = limit;
		}

		public @Nullable String getName() {
			return this.name;
		}

		public void setName(@Nullable String name) {
			this.name = name;
		}

	}

	/**
	 * Responses that count as violations of their client although no limit refused them.
	 */
	public static final class Penalize {

		/**
		 * HTTP statuses that count as a violation of the client, such as 401, 404 (a
		 * handler's @RateLimited(penalize = ...) adds its own).
		 */
		private List<Integer> statuses = new ArrayList<>();

		/**
		 * Whether a failed authentication that Spring Security reports (form login, HTTP
		 * Basic) counts as a violation of the request's client.
		 */
		private boolean authenticationFailures = true;

		public List<Integer> getStatuses() {
			return this.statuses;
		}

		public void setStatuses(List<Integer> statuses) {
			this.statuses = statuses;
		}

		public boolean isAuthenticationFailures() {
			return this.authenticationFailures;
		}

		public void setAuthenticationFailures(boolean authenticationFailures) {
			this.authenticationFailures = authenticationFailures;
		}

	}

	/**
	 * Restricting a whole network when many of its clients are blocked or banned at once.
	 */
	public static final class Widen {

		/**
		 * Whether a network is restricted as one client once after-clients of its clients are
		 * blocked or banned at the same time, for as long as the longest of them.
		 */
		private boolean enabled = true;

		/**
		 * How many clients within one wider prefix, blocked or banned at the same time,
		 * restrict the prefix.
		 */
		private int afterClients = 8;

		/**
		 * Length of the wider IPv6 prefix whose clients (each an IPv6 /64 by default) are
		 * counted together.
		 */
		private int ipv6PrefixLength = 48;

		/**
		 * Whether IPv4 clients are widened too (off by default: many unrelated users share an
		 * IPv4 /24 behind carrier-grade NAT and in cloud ranges).
		 */
		private boolean ipv4 = false;

		/**
		 * Length of the wider IPv4 prefix, with ipv4 set.
		 */
		private int ipv4PrefixLength = 24;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getAfterClients() {
			return this.afterClients;
		}

		public void setAfterClients(int afterClients) {
			this.afterClients = afterClients;
		}

		public int getIpv6PrefixLength() {
			return this.ipv6PrefixLength;
		}

		public void setIpv6PrefixLength(int ipv6PrefixLength) {
			this.ipv6PrefixLength = ipv6PrefixLength;
		}

		public boolean isIpv4() {
			return this.ipv4;
		}

		public void setIpv4(boolean ipv4) {
			this.ipv4 = ipv4;
		}

		public int getIpv4PrefixLength() {
			return this.ipv4PrefixLength;
		}

		public void setIpv4PrefixLength(int ipv4PrefixLength) {
			this.ipv4PrefixLength = ipv4PrefixLength;
		}

		/**
		 * The validated policy.
		 * @return the widening policy
		 */
		public dev.floodgate.core.WideningPolicy toPolicy() {
			return new dev.floodgate.core.WideningPolicy(this.enabled, this.afterClients, this.ipv6PrefixLength,
					this.ipv4, this.ipv4PrefixLength);
		}

	}

	/**
	 * Webhook alerts for blocks and bans.
	 */
	public static final class Alerts {

		/**
		 * URLs that receive a JSON POST for every block and ban (at most one per client per
		 * min-interval), sent off the request thread.
		 */
		private List<URI> webhookUrls = new ArrayList<>();

		/**
		 * Shortest interval between two alerts about the same client.
		 */
		private Duration minInterval = Duration.ofMinutes(1);

		/**
		 * Longest a webhook may take to accept an alert (connect and read); a slower or failing
		 * webhook's alert is logged once and dropped.
		 */
		private Duration timeout = Duration.ofSeconds(2);

		public List<URI> getWebhookUrls() {
			return this.webhookUrls;
		}

		public void setWebhookUrls(List<URI> webhookUrls) {
			this.webhookUrls = webhookUrls;
		}

		public Duration getMinInterval() {
			return this.minInterval;
		}

		public void setMinInterval(Duration minInterval) {
			this.minInterval = minInterval;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

	/**
	 * Which proxies are trusted to report the client address.
	 */
	public static final class Proxy {

		/**
		 * Addresses or CIDR ranges of the proxies whose forwarding headers are believed. Only
		 * used when floodgate.behind-proxy is true.
		 */
		private List<String> trustedProxies = new ArrayList<>(List.of("10.0.0.0/8", "172.16.0.0/12",
				"192.168.0.0/16", "127.0.0.0/8", "::1/128", "fc00::/7"));

		/**
		 * Header holding the client address set by a trusted edge (such as CF-Connecting-IP,
		 * True-Client-IP or X-Real-IP). Used when the peer is a trusted proxy; takes
		 * precedence over the forwarding header.
		 */
		private @Nullable String clientIpHeader;

		/**
		 * Which forwarding header is walked: 'auto' uses X-Forwarded-For when present and
		 * Forwarded otherwise; set the header your proxy writes when it writes only
		 * 'forwarded' (RFC 7239), so that a client cannot add the other one.
		 */
		private ForwardedHeader forwardedHeader = ForwardedHeader.AUTO;

		public List<String> getTrustedProxies() {
			return this.trustedProxies;
		}

		public void setTrustedProxies(List<String> trustedProxies) {
			this.trustedProxies = trustedProxies;
		}

		public @Nullable String getClientIpHeader() {
			return this.clientIpHeader;
		}

		public void setClientIpHeader(@Nullable String clientIpHeader) {
			this.clientIpHeader = clientIpHeader;
		}

		public ForwardedHeader getForwardedHeader() {
			return this.forwardedHeader;
		}

		public void setForwardedHeader(ForwardedHeader forwardedHeader) {
			this.forwardedHeader = forwardedHeader;
		}

	}

	/**
	 * Temporary blocks after repeated violations.
	 */
	public static final class Block {

		/**
		 * Whether repeated violations block the client.
		 */
		private boolean enabled = true;

		/**
		 * Violations within the violation window that start a temporary block.
		 */
		private int afterViolations = 3;

		/**
		 * Window in which violations are counted towards a block, from the first one.
		 */
		private Duration violationWindow = Duration.ofMinutes(10);

		/**
		 * Length of the first block; the n-th block of a run (each block starting within the
		 * ban window of the one before) lasts duration x factor^(n-1).
		 */
		private Duration duration = Duration.ofMinutes(15);

		/**
		 * Factor by which each further block grows.
		 */
		private double factor = 2;

		/**
		 * Longest a block can be.
		 */
		private Duration maxDuration = Duration.ofHours(24);

		/**
		 * Whether a request made while blocked restarts the block, so that a client that
		 * keeps hammering stays blocked until it falls silent for the block's duration.
		 */
		private boolean relative = false;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getAfterViolations() {
			return this.afterViolations;
		}

		public void setAfterViolations(int afterViolations) {
			this.afterViolations = afterViolations;
		}

		public Duration getViolationWindow() {
			return this.violationWindow;
		}

		public void setViolationWindow(Duration violationWindow) {
			this.violationWindow = violationWindow;
		}

		public Duration getDuration() {
			return this.duration;
		}

		public void setDuration(Duration duration) {
			this.duration = duration;
		}

		public double getFactor() {
			return this.factor;
		}

		public void setFactor(double factor) {
			this.factor = factor;
		}

		public Duration getMaxDuration() {
			return this.maxDuration;
		}

		public void setMaxDuration(Duration maxDuration) {
			this.maxDuration = maxDuration;
		}

		public boolean isRelative() {
			return this.relative;
		}

		public void setRelative(boolean relative) {
			this.relative = relative;
		}

	}

	/**
	 * Bans after many violations.
	 */
	public static final class Ban {

		/**
		 * Whether many violations ban the client.
		 */
		private boolean enabled = true;

		/**
		 * Violations within the ban window that ban the client.
		 */
		private int afterViolations = 10;

		/**
		 * Window in which violations are counted towards a ban (blocks never reset this
		 * count); a block that starts within it of the previous one continues its numbering
		 * (and its growing length).
		 */
		private Duration window = Duration.ofHours(24);

		/**
		 * How long a ban lasts. Unset: permanent until an operator lifts it.
		 */
		private @Nullable Duration duration;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getAfterViolations() {
			return this.afterViolations;
		}

		public void setAfterViolations(int afterViolations) {
			this.afterViolations = afterViolations;
		}

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			this.window = window;
		}

		public @Nullable Duration getDuration() {
			return this.duration;
		}

		public void setDuration(@Nullable Duration duration) {
			this.duration = duration;
		}

	}

	/**
	 * Where counters, violations, blocks and bans are kept.
	 */
	public static final class Store {

		/**
		 * Which store keeps the state. A ViolationStore bean of your own replaces it.
		 */
		private StoreType type = StoreType.MEMORY;

		/**
		 * What to do with a request while the store cannot be reached: 'allow' lets it
		 * through (fail open), 'deny' answers 503.
		 */
		private OnFailure onFailure = OnFailure.ALLOW;

		/**
		 * Longest a request waits for the store before floodgate.store.on-failure applies.
		 */
		private Duration timeout = Duration.ofMillis(500);

		private final Memory memory = new Memory();

		private final LocalCache localCache = new LocalCache();

		private final Redis redis = new Redis();

		private final Mongo mongo = new Mongo();

		private final Jdbc jdbc = new Jdbc();

		public StoreType getType() {
			return this.type;
		}

		public void setType(StoreType type) {
			this.type = type;
		}

		public OnFailure getOnFailure() {
			return this.onFailure;
		}

		public void setOnFailure(OnFailure onFailure) {
			this.onFailure = onFailure;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public Memory getMemory() {
			return this.memory;
		}

		public LocalCache getLocalCache() {
			return this.localCache;
		}

		/**
		 * The cache of blocked and banned clients each instance keeps in front of a shared
		 * store, so that a flood from them costs the store nothing.
		 */
		public static final class LocalCache {

			/**
			 * Longest an instance answers for a blocked or banned client without asking the
			 * store again: a ban lifted on another instance takes effect here within it. 0
			 * disables the cache. Not used with the in-memory store.
			 */
			private Duration ttl = Duration.ofSeconds(5);

			/**
			 * Most blocked and banned clients remembered per instance.
			 */
			private long maxClients = 10_000;

			public Duration getTtl() {
				return this.ttl;
			}

			public void setTtl(Duration ttl) {
				this.ttl = ttl;
			}

			public long getMaxClients() {
				return this.maxClients;
			}

			public void setMaxClients(long maxClients) {
				this.maxClients = maxClients;
			}

		}

		public Redis getRedis() {
			return this.redis;
		}

		public Mongo getMongo() {
			return this.mongo;
		}

		public Jdbc getJdbc() {
			return this.jdbc;
		}

		/**
		 * The in-memory store.
		 */
		public static final class Memory {

			/**
			 * Most clients tracked at once; beyond it the least recently seen clients that are
			 * neither blocked nor banned are forgotten.
			 */
			private long maxClients = 100_000;

			/**
			 * Most blocked or banned clients tracked at once, besides max-clients; beyond it
			 * blocks are forgotten before bans, the one ending soonest first (a WARN is logged
			 * the first time, and floodgate.store.restricted.evictions counts them).
			 */
			private long maxRestricted = 100_000;

			public long getMaxClients() {
				return this.maxClients;
			}

			public void setMaxClients(long maxClients) {
				this.maxClients = maxClients;
			}

			public long getMaxRestricted() {
				return this.maxRestricted;
			}

			public void setMaxRestricted(long maxRestricted) {
				this.maxRestricted = maxRestricted;
			}

		}

		/**
		 * The Redis store.
		 */
		public static final class Redis {

			/**
			 * Prefix of every key Floodgate writes to Redis.
			 */
			private String keyPrefix = "floodgate:";

			public String getKeyPrefix() {
				return this.keyPrefix;
			}

			public void setKeyPrefix(String keyPrefix) {
				this.keyPrefix = keyPrefix;
			}

		}

		/**
		 * The MongoDB store.
		 */
		public static final class Mongo {

			/**
			 * Collection holding one document per client.
			 */
			private String collection = "floodgate_clients";

			public String getCollection() {
				return this.collection;
			}

			public void setCollection(String collection) {
				this.collection = collection;
			}

		}

		/**
		 * The JDBC store.
		 */
		public static final class Jdbc {

			/**
			 * Table holding one row per client (a plain SQL identifier).
			 */
			private String table = "floodgate_clients";

			/**
			 * When to create the table from the DDL Floodgate ships
			 * (dev/floodgate/store/jdbc/schema-postgresql.sql): 'embedded' only for an embedded
			 * database, 'always', or 'never' (create it yourself).
			 */
			private InitializeSchema initializeSchema = InitializeSchema.EMBEDDED;

			public String getTable() {
				return this.table;
			}

			public void setTable(String table) {
				this.table = table;
			}

			public InitializeSchema getInitializeSchema() {
				return this.initializeSchema;
			}

			public void setInitializeSchema(InitializeSchema initializeSchema) {
				this.initializeSchema = initializeSchema;
			}

		}

	}

	/**
	 * The responses to rejected requests.
	 */
	public static final class Response {

		/**
		 * Text of the 'detail' member of every rejection's problem body, replacing the
		 * built-in text.
		 */
		private @Nullable String message;

		/**
		 * Which rate limit headers are added to responses.
		 */
		private Headers headers = Headers.IETF;

		public @Nullable String getMessage() {
			return this.message;
		}

		public void setMessage(@Nullable String message) {
			this.message = message;
		}

		public Headers getHeaders() {
			return this.headers;
		}

		public void setHeaders(Headers headers) {
			this.headers = headers;
		}

	}

	/**
	 * The stores Floodgate ships with.
	 */
	public enum StoreType {

		/** This JVM's heap; state is per instance and lost on restart. */
		MEMORY,

		/** Redis through the application's Spring Data Redis connection. */
		REDIS,

		/** MongoDB through the application's Spring Data MongoDB connection. */
		MONGO,

		/** A relational database (PostgreSQL) through the application's DataSource. */
		JDBC

	}

	/**
	 * When the JDBC store's table is created, as Spring Boot's own script initializers do.
	 */
	public enum InitializeSchema {

		/** Only for an embedded database. */
		EMBEDDED,

		/** Whatever the database (the DDL creates only what is missing). */
		ALWAYS,

		/** Never: the table is created by hand or by a migration tool. */
		NEVER

	}

	/**
	 * What happens to a request while the store is unreachable.
	 */
	public enum OnFailure {

		/** Let the request through (fail open). */
		ALLOW,

		/** Answer 503 with a problem body. */
		DENY

	}

	/**
	 * Which rate limit headers to send.
	 */
	public enum Headers {

		/** {@code RateLimit-Policy} and {@code RateLimit} (draft-ietf-httpapi-ratelimit-headers). */
		IETF,

		/** {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining}, {@code X-RateLimit-Reset}. */
		LEGACY,

		/** Both sets. */
		BOTH,

		/** None. */
		NONE

	}

}
