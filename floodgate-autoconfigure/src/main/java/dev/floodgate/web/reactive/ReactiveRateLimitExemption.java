package dev.floodgate.web.reactive;

import org.springframework.web.server.ServerWebExchange;

/**
 * Exempts requests of a reactive application from Floodgate: define beans of this type
 * (the servlet stack's counterpart is {@link dev.floodgate.web.RateLimitExemption}). An
 * exempt request is neither counted, limited nor penalized. It must answer without
 * blocking: it runs on the event loop.
 */
@FunctionalInterface
public interface ReactiveRateLimitExemption {

	/**
	 * Whether the request is exempt.
	 * @param exchange the exchange
	 * @return {@code true} to exempt it
	 */
	boolean isExempt(ServerWebExchange exchange);

}
