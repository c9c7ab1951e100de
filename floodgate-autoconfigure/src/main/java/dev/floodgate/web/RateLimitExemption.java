package dev.floodgate.web;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Exempts requests from Floodgate: declare a bean of this type and every request for which
 * it answers {@code true} is neither limited nor counted (it still is for deny-listed
 * clients). The place for an API-key check or a health-checker's header.
 */
@FunctionalInterface
public interface RateLimitExemption {

	/**
	 * Whether the request is exempt.
	 * @param request the request
	 * @return {@code true} to let it through unlimited
	 */
	boolean isExempt(HttpServletRequest request);

}
