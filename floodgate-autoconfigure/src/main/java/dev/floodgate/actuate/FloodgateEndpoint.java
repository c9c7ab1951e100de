package dev.floodgate.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import dev.floodgate.core.BanPolicy;
import dev.floodgate.core.BlockPolicy;
import dev.floodgate.core.Durations;
import dev.floodgate.core.Limit;
import dev.floodgate.core.net.IpAddress;
import dev.floodgate.core.net.IpRange;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.RestrictionCache;
import dev.floodgate.store.StoreCircuitBreaker;
import dev.floodgate.store.ViolationStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.MimeType;

/**
 * The {@code floodgate} actuator endpoint: the settings in force and the clients now blocked
 * or banned ({@code GET /actuator/floodgate}), one client's state
 * ({@code GET /actuator/floodgate/{client}}), lifting a client
 * ({@code DELETE /actuator/floodgate/{client}}) and banning or blocking one by hand
 * ({@code POST /actuator/floodgate/{client}} with {@code {"action":"ban"}} or
 * {@code {"action":"block","duration":"1h"}}). {@code {client}} is an IP address; an IPv6
 * address selects its /64 (the configured prefix length). A duration lasts from
 * {@link #MIN_DURATION} to {@link #MAX_DURATION}.
 * <p>
 * Errors answer with an RFC 9457 problem ({@code application/problem+json}): 400 for a
 * malformed address, action or duration, 404 for an unknown client, 503 when the store fails
 * (whose cause is logged, never shown to the caller).
 */
@Endpoint(id = "floodgate")
public class FloodgateEndpoint {

	/** How many restricted clients the overview lists, most recent first. */
	public static final int RECENT_CLIENTS = 100;

	/** The shortest block or ban an operator may set: shorter ones would end before they are seen. */
	public static final Duration MIN_DURATION = Duration.ofSeconds(1);

	/** The longest timed block or ban an operator may set (about ten years); for longer, ban permanently. */
	public static final Duration MAX_DURATION = Duration.ofDays(3650);

	private static final MimeType PROBLEM_JSON = MimeType.valueOf("application/problem+json");

	private static final String STORE_FAILED = "The store did not answer; the application's log has the cause.";

	private static final Log logger = LogFactory.getLog(FloodgateEndpoint.class);

	private final FloodgateEndpointSettings settings;

	private final Supplier<List<PolicyDescriptor>> policies;

	private final ViolationStore store;

	private final StoreCircuitBreaker circuitBreaker;

	private final @Nullable RestrictionCache restrictions;

	private final @Nullable WidenedNetworks widening;

	/**
	 * Creates the endpoint.
	 * @param settings what it shows of the settings in force
	 * @param policies every policy with its limits and handlers, asked at each read
	 * @param store the store
	 * @param circuitBreaker the store's circuit breaker
	 */
	public FloodgateEndpoint(FloodgateEndpointSettings settings, Supplier<List<PolicyDescriptor>> policies,
			ViolationStore store, StoreCircuitBreaker circuitBreaker) {
		this(settings, policies, store, circuitBreaker, null, null);
	}

	/**
	 * Creates the endpoint.
	 * @param settings what it shows of the settings in force
	 * @param policies every policy with its limits and handlers, asked at each read
	 * @param store the store
	 * @param circuitBreaker the store's circuit breaker
	 * @param restrictions this instance's cache of restricted clients, updated when an
	 * operator lifts or restricts a client
	 * @param widening the widened networks, of which a lifted client's is lifted too
	 */
	public FloodgateEndpoint(FloodgateEndpointSettings settings, Supplier<List<PolicyDescriptor>> policies,
			ViolationStore store, StoreCircuitBreaker circuitBreaker, @Nullable RestrictionCache restrictions,
			@Nullable WidenedNetworks widening) {
		this.settings = settings;
		this.policies = policies;
		this.store = store;
		this.circuitBreaker = circuitBreaker;
		this.restrictions = restrictions;
		this.widening = widening;
	}

	@ReadOperation
	public FloodgateDescriptor floodgate() {
		List<PolicyDescriptor> policies = this.policies.get();
		BlockPolicy block = this.settings.escalation().block();
		BanPolicy ban = this.settings.escalation().ban();
		EscalationDescriptor escalation = new EscalationDescriptor(
				new BlockDescriptor(block.enabled(), block.afterViolations(), text(block.violationWindow()),
						text(block.duration()), block.factor(), text(block.maxDuration()), block.relative()),
				new BanDescriptor(ban.enabled(), ban.afterViolations(), text(ban.window()),
						(ban.duration() != null) ? text(ban.duration()) : "permanent"));
		ProxyDescriptor proxy = new ProxyDescriptor(this.settings.behindProxy(),
				ranges(this.settings.trustedProxies().ranges()), this.settings.clientIpHeader(),
				this.settings.forwardedHeader(),
				this.settings.ipv6PrefixLength(), ranges(this.settings.allowList().ranges()),
				ranges(this.settings.denyList().ranges()));
		StoreDescriptor store = new StoreDescriptor(this.store.type(),
				this.store.implementation(), this.circuitBreaker.state().name().toLowerCase(Locale.ROOT).replace('_', '-'),
				this.settings.onFailure(), text(this.settings.storeTimeout()));
		ClientsDescriptor clients;
		try {
			clients = new ClientsDescriptor(this.store.restrictedCount(),
					this.store.restrictedClients(RECENT_CLIENTS).stream().map(ClientDescriptor::of).toList(), null);
		}
		catch (RuntimeException ex) {
			logger.warn("Floodgate's endpoint could not list the restricted clients", ex);
			clients = new ClientsDescriptor(-1, List.of(), STORE_FAILED);
		}
		return new FloodgateDescriptor(this.settings.dryRun(),
				this.settings.algorithm().name().toLowerCase(Locale.ROOT).replace('_', '-'), policies, escalation, proxy,
				store, clients, new PenalizeDescriptor(List.copyOf(this.settings.penalizedStatuses()),
						this.settings.penalizeAuthenticationFailures()));
	}

	@ReadOperation
	public WebEndpointResponse<Object> client(@Selector String client) {
		String key = key(client);
		if (key == null) {
			return malformed(client);
		}
		try {
			Optional<ClientStatus> status = this.store.status(key);
			return status.<WebEndpointResponse<Object>>map((s) -> new WebEndpointResponse<>(ClientDescriptor.of(s)))
				.orElseGet(() -> problem(404, "Unknown client", "The store holds nothing for " + key + "."));
		}
		catch (RuntimeException ex) {
			return unavailable(ex);
		}
	}

	@DeleteOperation
	public WebEndpointResponse<Object> forget(@Selector String client) {
		String key = key(client);
		if (key == null) {
			return malformed(client);
		}
		forgetLocally(key);
		try {
			// lifting a client lifts the widened network it is in, too
			String network = liftNetwork(client);
			if (!this.store.forget(key) && network == null) {
				return problem(404, "Unknown client", "The store holds nothing for " + key + ".");
			}
			return new WebEndpointResponse<>((network != null)
					? Map.of("client", key, "forgotten", true, "network", network) : Map.of("client", key, "forgotten", true));
		}
		catch (RuntimeException ex) {
			return unavailable(ex);
		}
	}

	@WriteOperation
	public WebEndpointResponse<Object> restrict(@Selector String client, String action, @Nullable String duration) {
		String key = key(client);
		if (key == null) {
			return malformed(client);
		}
		Duration length = null;
		if (duration != null && !duration.isBlank()) {
			try {
				length = DurationStyle.detectAndParse(duration.trim());
			}
			catch (RuntimeException ex) {
				return problem(400, "Invalid duration", "'" + duration + "' is not a duration such as 30m, 1h or PT1H.");
			}
			if (length.compareTo(MIN_DURATION) < 0 || length.compareTo(MAX_DURATION) > 0) {
				return problem(400, "Invalid duration", "'" + duration + "' is out of range: a block or ban lasts from "
						+ Durations.format(MIN_DURATION) + " to " + Durations.format(MAX_DURATION)
						+ " (for longer, ban without a duration: permanently).");
			}
		}
		forgetLocally(key);
		try {
			return switch (action.trim().toLowerCase(Locale.ROOT)) {
				case "ban" -> new WebEndpointResponse<>(ClientDescriptor.of(this.store.ban(key, length)));
				case "block" -> (length != null)
						? new WebEndpointResponse<>(ClientDescriptor.of(this.store.block(key, length)))
						: problem(400, "Missing duration", "A block needs a duration, such as {\"action\":\"block\",\"duration\":\"1h\"}.");
				default -> problem(400, "Unknown action", "'" + action + "' is neither 'ban' nor 'block'.");
			};
		}
		catch (RuntimeException ex) {
			return unavailable(ex);
		}
	}

	private @Nullable String liftNetwork(String client) {
		IpAddress address = IpAddress.parse(client.trim());
		String network = (this.widening != null && address != null) ? this.widening.networkKey(address) : null;
		if (network == null) {
			return null;
		}
		this.widening.forget(address);
		forgetLocally(network);
		return this.store.forget(network) ? network : null;
	}

	private void forgetLocally(String key) {
		if (this.restrictions != null) {
			this.restrictions.forget(key);
		}
	}

	private @Nullable String key(String client) {
		IpAddress address = IpAddress.parse(client.trim());
		return (address != null) ? address.key(this.settings.ipv6PrefixLength()) : null;
	}

	private static WebEndpointResponse<Object> malformed(String client) {
		return problem(400, "Malformed client address",
				"'" + client + "' is not an IP address (an IPv6 address selects its network).");
	}

	private static WebEndpointResponse<Object> unavailable(RuntimeException ex) {
		// the exception's text names hosts, scripts and drivers: it is for the log, never for the caller
		logger.warn("Floodgate's endpoint could not reach the store", ex);
		return problem(503, "Store unavailable", STORE_FAILED);
	}

	private static WebEndpointResponse<Object> problem(int status, String title, String detail) {
		Map<String, Object> problem = new java.util.LinkedHashMap<>();
		problem.put("type", "about:blank");
		problem.put("title", title);
		problem.put("status", status);
		problem.put("detail", detail);
		return new WebEndpointResponse<>(problem, status, PROBLEM_JSON);
	}

	private static List<String> ranges(List<IpRange> ranges) {
		return ranges.stream().map(IpRange::toString).toList();
	}

	private static String text(Duration duration) {
		return Durations.format(duration);
	}

	private static @Nullable String instant(@Nullable Instant instant) {
		return (instant != null) ? instant.toString() : null;
	}

	/**
	 * Everything the endpoint shows.
	 *
	 * @param dryRun whether rejections are only recorded
	 * @param algorithm the counting algorithm
	 * @param policies every policy with its limits and handlers
	 * @param escalation the block and ban rules
	 * @param proxy who is trusted to name the client
	 * @param store the store and its state
	 * @param clients the clients now blocked or banned
	 * @param penalize the responses that count as violations
	 */
	public record FloodgateDescriptor(boolean dryRun, String algorithm, List<PolicyDescriptor> policies,
			EscalationDescriptor escalation, ProxyDescriptor proxy, StoreDescriptor store, ClientsDescriptor clients,
			PenalizeDescriptor penalize) {
	}

	/**
	 * The responses that count as violations of their client.
	 *
	 * @param statuses the statuses penalized everywhere ({@code floodgate.penalize.statuses});
	 * handlers may add their own
	 * @param authenticationFailures whether Spring Security's failed authentications count
	 */
	public record PenalizeDescriptor(List<Integer> statuses, boolean authenticationFailures) {
	}

	/**
	 * One policy.
	 *
	 * @param name its name
	 * @param limits its limits
	 * @param cost the quota units one request spends of each limit
	 * @param handlers the handlers it applies to
	 */
	public record PolicyDescriptor(String name, List<String> limits, long cost, List<String> handlers) {
	}

	/**
	 * The escalation rules.
	 *
	 * @param block the block rules
	 * @param ban the ban rules
	 */
	public record EscalationDescriptor(BlockDescriptor block, BanDescriptor ban) {
	}

	/**
	 * The block rules.
	 *
	 * @param enabled whether violations block
	 * @param afterViolations violations within the window that start a block
	 * @param violationWindow that window
	 * @param duration the first block's length
	 * @param factor the growth of each further block
	 * @param maxDuration the longest block
	 * @param relative whether a request while blocked restarts the block
	 */
	public record BlockDescriptor(boolean enabled, int afterViolations, String violationWindow, String duration,
			double factor, String maxDuration, boolean relative) {
	}

	/**
	 * The ban rules.
	 *
	 * @param enabled whether violations ban
	 * @param afterViolations violations within the window that ban
	 * @param window that window
	 * @param duration a ban's length, or {@code permanent}
	 */
	public record BanDescriptor(boolean enabled, int afterViolations, String window, String duration) {
	}

	/**
	 * Who is trusted to name the client.
	 *
	 * @param behindProxy whether proxies' headers are read
	 * @param trustedProxies the trusted proxies
	 * @param clientIpHeader the single-address header, if any
	 * @param forwardedHeader which forwarding header is walked
	 * @param ipv6PrefixLength the prefix IPv6 clients are keyed by
	 * @param allowList clients never limited
	 * @param denyList clients always rejected
	 */
	public record ProxyDescriptor(boolean behindProxy, List<String> trustedProxies, @Nullable String clientIpHeader,
			String forwardedHeader, int ipv6PrefixLength, List<String> allowList, List<String> denyList) {
	}

	/**
	 * The store.
	 *
	 * @param type memory, redis, mongo or custom
	 * @param implementation its class
	 * @param circuit closed, half-open or open
	 * @param onFailure allow or deny
	 * @param timeout the longest a request waits for it
	 */
	public record StoreDescriptor(String type, String implementation, String circuit, String onFailure,
			String timeout) {
	}

	/**
	 * The clients now blocked or banned.
	 *
	 * @param total how many there are (-1 when the store failed)
	 * @param recent the most recently restricted, at most {@link #RECENT_CLIENTS}
	 * @param error why the list is missing, or {@code null}
	 */
	public record ClientsDescriptor(long total, List<ClientDescriptor> recent, @Nullable String error) {
	}

	/**
	 * One client.
	 *
	 * @param client the client key
	 * @param state banned, blocked or none
	 * @param until when the ban or block ends ({@code null} for a permanent ban or none)
	 * @param permanent whether the ban is permanent
	 * @param since when the ban or block started
	 * @param blocks blocks of the client's current run (the latest within the ban window)
	 * @param violations violations within the ban window
	 */
	public record ClientDescriptor(String client, String state, @Nullable String until, boolean permanent,
			@Nullable String since, int blocks, int violations) {

		static ClientDescriptor of(ClientStatus status) {
			String state = status.banned() ? "banned" : status.blocked() ? "blocked" : "none";
			Instant until = status.banned() ? status.bannedUntil() : status.blockedUntil();
			return new ClientDescriptor(status.client(), state, instant(until), status.permanentlyBanned(),
					instant(status.since()), status.blocks(), status.violations());
		}

	}

}
