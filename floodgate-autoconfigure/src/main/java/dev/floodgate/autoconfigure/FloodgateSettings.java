package dev.floodgate.autoconfigure;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.floodgate.autoconfigure.FloodgateProperties.Headers;
import dev.floodgate.autoconfigure.FloodgateProperties.OnFailure;
import dev.floodgate.autoconfigure.FloodgateProperties.StoreType;
import dev.floodgate.core.Algorithm;
import dev.floodgate.core.BanPolicy;
import dev.floodgate.core.BlockPolicy;
import dev.floodgate.core.Durations;
import dev.floodgate.core.EscalationPolicy;
import dev.floodgate.core.InvalidFloodgateSettingException;
import dev.floodgate.core.Limit;
import dev.floodgate.core.LimitParser;
import dev.floodgate.core.net.IpRange;
import dev.floodgate.core.net.IpRanges;
import dev.floodgate.web.ClientAddressResolver;
import dev.floodgate.web.ForwardedHeader;
import dev.floodgate.web.PathPolicies;
import dev.floodgate.web.RateLimitHeaders;
import org.jspecify.annotations.Nullable;

import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * Floodgate's settings after validation: immutable, parsed once at start-up so that the
 * per-request path parses nothing.
 *
 * @param defaultLimits the default limits, {@code null} when only annotated handlers are
 * limited
 * @param defaultCost the quota units a request under the default limits spends
 * @param algorithm the counting algorithm
 * @param behindProxy whether the client address comes from trusted proxies' headers
 * @param dryRun whether rejections are only counted and logged
 * @param ipv6PrefixLength the prefix length by which IPv6 clients are keyed
 * @param allowList clients never limited
 * @param denyList clients always rejected
 * @param trustedProxies proxies whose headers are believed
 * @param clientIpHeader a single client-address header set by a trusted edge, or
 * {@code null}
 * @param forwardedHeader which forwarding header is walked
 * @param escalation the block and ban rules
 * @param storeType the store chosen by property
 * @param onFailure what happens while the store is unreachable
 * @param storeTimeout the longest wait for the store
 * @param maxClients the in-memory store's bound
 * @param maxRestricted the in-memory store's bound of blocked and banned clients
 * @param redisKeyPrefix the Redis store's key prefix
 * @param mongoCollection the MongoDB store's collection
 * @param responseMessage the detail text of rejections, or {@code null} for the built-in
 * texts
 * @param headers which rate limit headers are sent
 * @param webhookUrls the URLs alerted of every block and ban
 * @param alertMinInterval the shortest interval between two alerts about one client
 * @param alertTimeout the longest a webhook may take
 * @param localCacheTtl how long an instance answers for a restricted client without the store
 * @param localCacheMaxClients the most restricted clients an instance remembers
 * @param filterOrder the order of Floodgate's servlet filter
 * @param paths the limits of {@code floodgate.paths}, in order
 * @param penalizedStatuses the response statuses that count as violations
 * @param penalizeAuthenticationFailures whether Spring Security's failed authentications
 * count as violations
 */
public record FloodgateSettings(@Nullable List<Limit> defaultLimits, int defaultCost, Algorithm algorithm, boolean behindProxy,
		boolean dryRun, int ipv6PrefixLength, IpRanges allowList, IpRanges denyList, IpRanges trustedProxies,
		@Nullable String clientIpHeader, ForwardedHeader forwardedHeader, EscalationPolicy escalation,
		StoreType storeType, OnFailure onFailure, Duration storeTimeout, long maxClients, long maxRestricted, String redisKeyPrefix,
		String mongoCollection, @Nullable String responseMessage, Headers headers, List<URI> webhookUrls,
		Duration alertMinInterval, Duration alertTimeout, Duration localCacheTtl, long localCacheMaxClients,
		int filterOrder, List<PathPolicies.Path> paths, Set<Integer> penalizedStatuses,
		boolean penalizeAuthenticationFailures) {

	/**
	 * Who the client is, as these settings say: the trusted proxies, their headers and the
	 * IPv6 prefix (one reading for the servlet and the reactive stack).
	 * @return the resolver
	 */
	public ClientAddressResolver clientAddressResolver() {
		return new ClientAddressResolver(this.behindProxy, this.trustedProxies, this.clientIpHeader,
				this.forwardedHeader, this.ipv6PrefixLength);
	}

	/**
	 * The rate limit headers these settings send ({@code floodgate.response.headers}).
	 * @return the headers' writer
	 */
	public RateLimitHeaders rateLimitHeaders() {
		return new RateLimitHeaders(this.headers == Headers.IETF || this.headers == Headers.BOTH,
				this.headers == Headers.LEGACY || this.headers == Headers.BOTH);
	}

	/**
	 * Validates the properties.
	 * @param properties the bound properties
	 * @return the settings
	 * @throws InvalidFloodgateSettingException naming the first invalid property
	 */
	public static FloodgateSettings from(FloodgateProperties properties) {
		List<Limit> defaultLimits = null;
		if (properties.getLimit() != null && !properties.getLimit().isBlank()) {
			defaultLimits = LimitParser.parse("floodgate.limit", properties.getLimit());
		}
		int defaultCost = properties.getCost();
		if (defaultCost < 1) {
			throw new InvalidFloodgateSettingException("floodgate.cost", defaultCost, "must be at least 1");
		}
		if (defaultLimits != null) {
			for (Limit limit : defaultLimits) {
				if (defaultCost > limit.count()) {
					throw new InvalidFloodgateSettingException("floodgate.cost", defaultCost, "is more than the limit "
							+ limit + " of floodgate.limit admits in a whole window: no request could ever be admitted");
				}
			}
		}
		int ipv6PrefixLength = properties.getIpv6PrefixLength();
		if (ipv6PrefixLength < 1 || ipv6PrefixLength > 128) {
			throw new InvalidFloodgateSettingException("floodgate.ipv6-prefix-length", ipv6PrefixLength,
					"must be between 1 and 128");
		}
		IpRanges allowList = ranges("floodgate.allow-list", properties.getAllowList());
		IpRanges denyList = ranges("floodgate.deny-list", properties.getDenyList());
		FloodgateProperties.Proxy proxy = properties.getProxy();
		IpRanges trustedProxies = ranges("floodgate.proxy.trusted-proxies", proxy.getTrustedProxies());
		String clientIpHeader = clientIpHeader(proxy.getClientIpHeader());
		EscalationPolicy escalation = new EscalationPolicy(block(properties.getBlock()), ban(properties.getBan()));
		FloodgateProperties.Store store = properties.getStore();
		positive("floodgate.store.timeout", store.getTimeout());
		if (store.getMemory().getMaxClients() < 1) {
			throw new InvalidFloodgateSettingException("floodgate.store.memory.max-clients",
					store.getMemory().getMaxClients(), "must be at least 1");
		}
		if (store.getMemory().getMaxRestricted() < 1) {
			throw new InvalidFloodgateSettingException("floodgate.store.memory.max-restricted",
					store.getMemory().getMaxRestricted(), "must be at least 1");
		}
		notBlank("floodgate.store.redis.key-prefix", store.getRedis().getKeyPrefix());
		if (store.getRedis().getKeyPrefix().contains("{") || store.getRedis().getKeyPrefix().contains("}")) {
			throw new InvalidFloodgateSettingException("floodgate.store.redis.key-prefix", store.getRedis().getKeyPrefix(),
					"must not contain '{' or '}': each client's keys carry their own hash tag");
		}
		notBlank("floodgate.store.mongo.collection", store.getMongo().getCollection());
		String message = properties.getResponse().getMessage();
		FloodgateProperties.Alerts alerts = properties.getAlerts();
		List<URI> webhookUrls = List.copyOf(alerts.getWebhookUrls());
		for (int i = 0; i < webhookUrls.size(); i++) {
			URI url = webhookUrls.get(i);
			String scheme = (url.getScheme() != null) ? url.getScheme().toLowerCase(java.util.Locale.ROOT) : "";
			if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
				throw new InvalidFloodgateSettingException("floodgate.alerts.webhook-urls[" + i + "]", url,
						"must be an absolute http or https URL");
			}
		}
		positive("floodgate.alerts.min-interval", alerts.getMinInterval());
		positive("floodgate.alerts.timeout", alerts.getTimeout());
		FloodgateProperties.Store.LocalCache localCache = store.getLocalCache();
		if (localCache.getTtl() == null || localCache.getTtl().isNegative()) {
			throw new InvalidFloodgateSettingException("floodgate.store.local-cache.ttl",
					(localCache.getTtl() != null) ? Durations.format(localCache.getTtl()) : null,
					"must be zero (no cache) or a positive duration such as 5s");
		}
		if (localCache.getMaxClients() < 1) {
			throw new InvalidFloodgateSettingException("floodgate.store.local-cache.max-clients",
					localCache.getMaxClients(), "must be at least 1");
		}
		FloodgateProperties.Penalize penalize = properties.getPenalize();
		Set<Integer> penalizedStatuses = statuses("floodgate.penalize.statuses", penalize.getStatuses());
		return new FloodgateSettings(defaultLimits, defaultCost, properties.getAlgorithm(), properties.isBehindProxy(),
				properties.isDryRun(), ipv6PrefixLength, allowList, denyList, trustedProxies, clientIpHeader,
				proxy.getForwardedHeader(), escalation, store.getType(), store.getOnFailure(), store.getTimeout(),
				store.getMemory().getMaxClients(), store.getMemory().getMaxRestricted(), store.getRedis().getKeyPrefix(), store.getMongo().getCollection(),
				(message != null && !message.isBlank()) ? message : null, properties.getResponse().getHeaders(),
				webhookUrls, alerts.getMinInterval(), alerts.getTimeout(), localCache.getTtl(), localCache.getMaxClients(),
				properties.getFilter().getOrder(), paths(properties.getPaths()), penalizedStatuses,
				penalize.isAuthenticationFailures());
	}

	private static List<PathPolicies.Path> paths(List<FloodgateProperties.PathLimit> paths) {
		List<PathPolicies.Path> parsed = new ArrayList<>(paths.size());
		PathPatternParser parser = new PathPatternParser();
		for (int i = 0; i < paths.size(); i++) {
			FloodgateProperties.PathLimit path = paths.get(i);
			String property = "floodgate.paths[" + i + "]";
			if (path.getPattern() == null || path.getPattern().isBlank()) {
				throw new InvalidFloodgateSettingException(property + ".pattern", path.getPattern(),
						"must be a path pattern such as /login");
			}
			String text = path.getPattern().trim();
			PathPattern pattern;
			try {
				pattern = parser.parse(text);
			}
			catch (PatternParseException ex) {
				throw new InvalidFloodgateSettingException(property + ".pattern", text,
						"is not a valid path pattern: " + ex.getMessage());
			}
			if (!text.startsWith("/")) {
				throw new InvalidFloodgateSettingException(property + ".pattern", text, "must start with /");
			}
			if (path.getLimit() == null || path.getLimit().isBlank()) {
				throw new InvalidFloodgateSettingException(property + ".limit", path.getLimit(),
						"must be a limit such as 5/minute");
			}
			List<Limit> limits = LimitParser.parse(property + ".limit", path.getLimit());
			Set<String> methods = new LinkedHashSet<>();
			for (int m = 0; m < path.getMethods().size(); m++) {
				String method = path.getMethods().get(m);
				String normalized = (method != null) ? method.trim().toUpperCase(java.util.Locale.ROOT) : "";
				if (!normalized.matches("[A-Z]+")) {
					throw new InvalidFloodgateSettingException(property + ".methods[" + m + "]", method,
							"must be an HTTP method such as POST");
				}
				methods.add(normalized);
			}
			String name = (path.getName() != null && !path.getName().isBlank()) ? path.getName().trim() : "path:" + text;
			parsed.add(new PathPolicies.Path(property, pattern, methods, limits, name));
		}
		return List.copyOf(parsed);
	}

	private static Set<Integer> statuses(String property, List<Integer> statuses) {
		Set<Integer> parsed = new TreeSet<>();
		for (int i = 0; i < statuses.size(); i++) {
			Integer status = statuses.get(i);
			if (status == null || status < 100 || status > 599) {
				throw new InvalidFloodgateSettingException(property + "[" + i + "]", status,
						"must be an HTTP status between 100 and 599, such as 401 or 404");
			}
			parsed.add(status);
		}
		return Collections.unmodifiableSet(parsed);
	}

	private static IpRanges ranges(String property, List<String> texts) {
		List<IpRange> ranges = new ArrayList<>(texts.size());
		for (int i = 0; i < texts.size(); i++) {
			String text = texts.get(i);
			try {
				ranges.add(IpRange.parse(text));
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidFloodgateSettingException(property + "[" + i + "]", text, ex.getMessage());
			}
		}
		return IpRanges.of(ranges);
	}

	private static @Nullable String clientIpHeader(@Nullable String header) {
		if (header == null || header.isBlank()) {
			return null;
		}
		String trimmed = header.trim();
		for (int i = 0; i < trimmed.length(); i++) {
			char c = trimmed.charAt(i);
			boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
					|| "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
			if (!token) {
				throw new InvalidFloodgateSettingException("floodgate.proxy.client-ip-header", header,
						"is not a valid HTTP header name");
			}
		}
		return trimmed;
	}

	private static BlockPolicy block(FloodgateProperties.Block block) {
		atLeastOne("floodgate.block.after-violations", block.getAfterViolations());
		positive("floodgate.block.violation-window", block.getViolationWindow());
		positive("floodgate.block.duration", block.getDuration());
		positive("floodgate.block.max-duration", block.getMaxDuration());
		double factor = block.getFactor();
		if (!Double.isFinite(factor) || factor < 1) {
			throw new InvalidFloodgateSettingException("floodgate.block.factor", factor,
					"must be a number of at least 1 (1 keeps every block the same length)");
		}
		if (block.getMaxDuration().compareTo(block.getDuration()) < 0) {
			throw new InvalidFloodgateSettingException("floodgate.block.max-duration", text(block.getMaxDuration()),
					"must not be shorter than floodgate.block.duration (" + text(block.getDuration()) + ")");
		}
		return new BlockPolicy(block.isEnabled(), block.getAfterViolations(), block.getViolationWindow(),
				block.getDuration(), factor, block.getMaxDuration(), block.isRelative());
	}

	private static BanPolicy ban(FloodgateProperties.Ban ban) {
		atLeastOne("floodgate.ban.after-violations", ban.getAfterViolations());
		positive("floodgate.ban.window", ban.getWindow());
		if (ban.getDuration() != null) {
			positive("floodgate.ban.duration", ban.getDuration());
		}
		return new BanPolicy(ban.isEnabled(), ban.getAfterViolations(), ban.getWindow(), ban.getDuration());
	}

	private static void atLeastOne(String property, int value) {
		if (value < 1) {
			throw new InvalidFloodgateSettingException(property, value, "must be at least 1");
		}
	}

	private static void positive(String property, @Nullable Duration duration) {
		if (duration == null || duration.isNegative() || duration.isZero()) {
			throw new InvalidFloodgateSettingException(property, text(duration), "must be a positive duration such as 10m");
		}
		if (duration.toMillis() < 1) {
			throw new InvalidFloodgateSettingException(property, text(duration), "must be at least 1ms");
		}
	}

	private static @Nullable String text(@Nullable Duration duration) {
		return (duration != null) ? Durations.format(duration) : null;
	}

	private static void notBlank(String property, @Nullable String value) {
		if (value == null || value.isBlank()) {
			throw new InvalidFloodgateSettingException(property, value, "must not be empty");
		}
	}

}
