package dev.floodgate.web.reactive;

import dev.floodgate.core.RatePolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.web.server.ServerWebExchange;

/**
 * The policy of a request whose handler is not an annotated controller method but a route,
 * as Spring Cloud Gateway's: asked by {@link FloodgateWebFilter} once the request's handler
 * is found, before the {@code @RateLimited} policies.
 */
@FunctionalInterface
public interface RoutePolicies {

	/**
	 * The policy a route gives a request.
	 * @param exchange the request, its handler found (a gateway's route is among its attributes)
	 * @param handler the handler the request maps to
	 * @return the route's own policy, or {@code null} when this source says nothing of the
	 * request (its policy is then the handler's, or the default one)
	 */
	@Nullable RatePolicy policyFor(ServerWebExchange exchange, Object handler);

}
