package dev.floodgate.gateway;

import dev.floodgate.core.RatePolicy;
import dev.floodgate.web.reactive.RoutePolicies;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.web.server.ServerWebExchange;

/**
 * The policy of a request that maps to a gateway route with a {@code Floodgate} filter (its
 * own, or one of the gateway's default filters): the route is the one the gateway's handler
 * mapping matched while {@code FloodgateWebFilter} looked up the request's handler. A route
 * without the filter says nothing, and its requests fall under {@code floodgate.limit}.
 */
public final class GatewayRoutePolicies implements RoutePolicies {

	private static final Log logger = LogFactory.getLog(GatewayRoutePolicies.class);

	@Override
	public @Nullable RatePolicy policyFor(ServerWebExchange exchange, Object handler) {
		if (!(handler instanceof FilteringWebHandler)) {
			return null;
		}
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		if (route == null) {
			return null;
		}
		FloodgateGatewayFilterFactory.RouteFilter filter = filterOf(route);
		if (filter == null) {
			return null;
		}
		try {
			return filter.policy(route.getId());
		}
		catch (RuntimeException ex) {
			// a route added after the start whose policy clashes with another: never a 500
			logger.error("Route '" + route.getId() + "' keeps floodgate.limit: " + ex.getMessage());
			return null;
		}
	}

	/**
	 * Resolves the policy of every route with a Floodgate filter, so that a clash of policies
	 * stops the application at its start.
	 * @param route a route
	 */
	public static void validate(Route route) {
		FloodgateGatewayFilterFactory.RouteFilter filter = filterOf(route);
		if (filter != null) {
			filter.policy(route.getId());
		}
	}

	private static FloodgateGatewayFilterFactory.@Nullable RouteFilter filterOf(Route route) {
		for (GatewayFilter filter : route.getFilters()) {
			GatewayFilter candidate = (filter instanceof OrderedGatewayFilter ordered) ? ordered.getDelegate() : filter;
			if (candidate instanceof FloodgateGatewayFilterFactory.RouteFilter routeFilter) {
				return routeFilter;
			}
		}
		return null;
	}

}
