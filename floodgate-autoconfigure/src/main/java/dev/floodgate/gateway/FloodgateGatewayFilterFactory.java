package dev.floodgate.gateway;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.floodgate.core.InvalidFloodgateSettingException;
import dev.floodgate.core.Limit;
import dev.floodgate.core.LimitParser;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.web.HandlerPolicies;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.HasRouteId;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

/**
 * The {@code Floodgate} gateway filter: a route's own limits, in place of
 * {@code floodgate.limit}, with the escalation, responses and store of every other Floodgate
 * policy.
 * <pre class="code">
 * spring.cloud.gateway.server.webflux.routes:
 *   - id: search
 *     uri: http://search:8080
 *     predicates: [ Path=/search/** ]
 *     filters:
 *       - Floodgate=5/second, 100/hour
 * </pre>
 * Every argument is one limit, and all must hold; the long form takes them as
 * {@code args: { limit: "5/second, 100/hour" }}. The policy is named after the route, and a
 * name that another policy has with other limits ({@code default}, an annotated handler's, a
 * path limit's) stops the start. In the Java route DSL:
 * {@code .filters(f -> f.filter(floodgate.limit("5/second")))}, or
 * {@code floodgate.limit("search", "5/second")} to give the policy a name, which routes
 * sharing it share the counters of.
 * <p>
 * The filter itself does nothing when the route runs: {@code FloodgateWebFilter} decides every
 * request once, in front of every route, and takes a route's policy from this filter when the
 * request maps to the route (see {@link GatewayRoutePolicies}).
 */
public class FloodgateGatewayFilterFactory extends AbstractGatewayFilterFactory<FloodgateGatewayFilterFactory.Config> {

	private final ObjectProvider<HandlerPolicies> handlerPolicies;

	/**
	 * Creates the factory.
	 * @param handlerPolicies the policies every Floodgate policy is registered with (none when
	 * Floodgate is switched off: routes keep their filter, which then limits nothing)
	 */
	public FloodgateGatewayFilterFactory(ObjectProvider<HandlerPolicies> handlerPolicies) {
		super(Config.class);
		this.handlerPolicies = handlerPolicies;
	}

	@Override
	public String name() {
		return "Floodgate";
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("limit");
	}

	@Override
	public ShortcutType shortcutType() {
		// "- Floodgate=5/second, 100/hour": every argument is one limit
		return ShortcutType.GATHER_LIST;
	}

	/**
	 * A route filter of these limits, named after its route.
	 * @param limit the limits, as {@code floodgate.limit} takes them ({@code 5/second})
	 * @return the filter
	 */
	public GatewayFilter limit(String limit) {
		return apply((config) -> config.setLimit(List.of(limit)));
	}

	/**
	 * A route filter of these limits under this policy name.
	 * @param name the policy's name
	 * @param limit the limits, as {@code floodgate.limit} takes them ({@code 5/second})
	 * @return the filter
	 */
	public GatewayFilter limit(String name, String limit) {
		return apply((config) -> config.setLimit(List.of(limit)).setName(name));
	}

	@Override
	public GatewayFilter apply(Config config) {
		String routeId = config.getRouteId();
		String source = (routeId != null) ? "spring.cloud.gateway route '" + routeId + "' filter Floodgate"
				: "Floodgate gateway filter";
		if (config.getLimit() == null || config.getLimit().isEmpty()) {
			throw new InvalidFloodgateSettingException(source + " (limit)", "",
					"a route's Floodgate filter needs a limit, such as Floodgate=5/second");
		}
		String text = String.join(";", config.getLimit());
		List<Limit> limits = LimitParser.parse(source + " (limit)", text);
		String name = (config.getName() != null && !config.getName().isBlank()) ? config.getName().trim() : null;
		RouteFilter filter = new RouteFilter(limits, name, text, source, this.handlerPolicies.getIfAvailable());
		if (routeId != null) {
			// a route from the configuration: its policy now, so that a clash stops the start
			filter.policy(routeId);
		}
		return filter;
	}

	/**
	 * The filter's settings.
	 */
	public static class Config implements HasRouteId {

		private @Nullable List<String> limit;

		private @Nullable String name;

		private @Nullable String routeId;

		/**
		 * The limits, all of which must hold ({@code 5/second}, {@code 100/hour}).
		 * @return the limits
		 */
		public @Nullable List<String> getLimit() {
			return this.limit;
		}

		/**
		 * Sets the limits.
		 * @param limit the limits
		 * @return these settings
		 */
		public Config setLimit(@Nullable List<String> limit) {
			this.limit = limit;
			return this;
		}

		/**
		 * The policy's name: in the rate limit headers, the metrics and the store's keys. Set
		 * from Java only: in a route's configuration every argument is a limit.
		 * @return the name, or {@code null} for the route's id
		 */
		public @Nullable String getName() {
			return this.name;
		}

		/**
		 * Sets the policy's name.
		 * @param name the name
		 * @return these settings
		 */
		public Config setName(@Nullable String name) {
			this.name = name;
			return this;
		}

		@Override
		public void setRouteId(String routeId) {
			this.routeId = routeId;
		}

		@Override
		public @Nullable String getRouteId() {
			return this.routeId;
		}

	}

	/**
	 * A route's Floodgate filter: its limits, turned into a policy for the route it belongs
	 * to. Passes every request on: the decision was made in front of the route.
	 */
	static final class RouteFilter implements GatewayFilter, Ordered {

		private final List<Limit> limits;

		private final @Nullable String name;

		private final String text;

		private final String source;

		private final @Nullable HandlerPolicies handlerPolicies;

		private final Map<String, RatePolicy> byRoute = new ConcurrentHashMap<>();

		RouteFilter(List<Limit> limits, @Nullable String name, String text, String source,
				@Nullable HandlerPolicies handlerPolicies) {
			this.limits = limits;
			this.name = name;
			this.text = text;
			this.source = source;
			this.handlerPolicies = handlerPolicies;
		}

		/**
		 * The policy of this filter on a route.
		 * @param routeId the route's id
		 * @return the policy, or {@code null} when Floodgate is switched off
		 * @throws InvalidFloodgateSettingException when another policy of that name has other
		 * limits
		 */
		@Nullable RatePolicy policy(String routeId) {
			HandlerPolicies policies = this.handlerPolicies;
			if (policies == null) {
				return null;
			}
			RatePolicy policy = this.byRoute.get(routeId);
			if (policy == null) {
				String policyName = (this.name != null) ? this.name : routeId;
				policy = this.byRoute.computeIfAbsent(routeId,
						(id) -> policies.pathPolicy(policyName, this.limits, this.source, "route " + id));
			}
			return policy;
		}

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
			return chain.filter(exchange);
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

		@Override
		public String toString() {
			return "Floodgate=" + this.text + ((this.name != null) ? " (" + this.name + ")" : "");
		}

	}

}
