package dev.floodgate.core;

import java.util.Locale;

/**
 * What a {@link Decision} says about one request.
 */
public enum Outcome {

	/** Within every limit: the request proceeds. */
	ALLOWED(false),

	/** Over a limit: rejected with 429, and counted as a violation. */
	LIMITED(true),

	/** The client is temporarily blocked: rejected with 429 on every handler. */
	BLOCKED(true),

	/** The client is banned: rejected with 403 on every handler. */
	BANNED(true);

	private final boolean rejected;

	private final String tag;

	Outcome(boolean rejected) {
		this.rejected = rejected;
		this.tag = name().toLowerCase(Locale.ROOT);
	}

	/**
	 * Whether the request is rejected (unless in dry-run).
	 * @return {@code true} for every outcome but {@link #ALLOWED}
	 */
	public boolean rejected() {
		return this.rejected;
	}

	/**
	 * The lower-case name, as used in metrics tags and logs.
	 * @return the tag value
	 */
	public String tag() {
		return this.tag;
	}

}
