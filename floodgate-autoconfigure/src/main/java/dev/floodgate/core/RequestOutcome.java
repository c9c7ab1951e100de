package dev.floodgate.core;

import java.util.Locale;

/**
 * What became of one request, as counted in the {@code floodgate.requests} metric.
 */
public enum RequestOutcome {

	/** Within its limits (or no limit applied). */
	ALLOWED,

	/** Over a limit. */
	LIMITED,

	/** The client is temporarily blocked. */
	BLOCKED,

	/** The client is banned. */
	BANNED,

	/** The client is on the deny-list. */
	DENIED,

	/** The client is on the allow-list, or a {@code RateLimitExemption} exempted the request. */
	EXEMPT,

	/** The store could not decide; {@code floodgate.store.on-failure} did. */
	UNAVAILABLE;

	private final String tag = name().toLowerCase(Locale.ROOT);

	/**
	 * The outcome of a store's decision.
	 * @param outcome the decision's outcome
	 * @return the request outcome
	 */
	public static RequestOutcome of(Outcome outcome) {
		return switch (outcome) {
			case ALLOWED -> ALLOWED;
			case LIMITED -> LIMITED;
			case BLOCKED -> BLOCKED;
			case BANNED -> BANNED;
		};
	}

	/**
	 * The lower-case name used as the metric's {@code outcome} tag.
	 * @return the tag value
	 */
	public String tag() {
		return this.tag;
	}

}
