package dev.floodgate.core;

import java.util.Locale;

/**
 * Why a response counted as a violation of its client although no limit refused it.
 */
public enum Penalty {

	/**
	 * The response's status is one that {@code floodgate.penalize.statuses} or the handler's
	 * {@code @RateLimited(penalize = ...)} penalizes (a scanner's 404s, a guessed password's 401).
	 */
	STATUS,

	/**
	 * Spring Security reported a failed authentication for the request (form login answers
	 * it with a redirect, HTTP Basic with a 401).
	 */
	AUTHENTICATION_FAILURE;

	private final String tag = name().toLowerCase(Locale.ROOT).replace('_', '-');

	/**
	 * The lower-case name, as used in the {@code reason} tag of the {@code floodgate.penalties}
	 * metric, in events, alerts and logs.
	 * @return {@code status} or {@code authentication-failure}
	 */
	public String tag() {
		return this.tag;
	}

}
