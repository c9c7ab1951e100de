package dev.floodgate.core;

import org.jspecify.annotations.Nullable;

/**
 * A block or ban that one decision started: reported once, by the decision that caused it.
 *
 * @param kind block or ban
 * @param number for a block, its number in the client's run of blocks, each started within the
 * ban window of the one before
 * (1 for the first); for a ban, 1
 * @param untilMillis when it ends (epoch milliseconds), {@link Long#MAX_VALUE} for a
 * permanent ban
 * @param violations the client's violations within the ban window when it started
 * @param penalty the penalty whose violation started it, {@code null} when a request over a
 * limit did
 */
public record Escalation(Kind kind, int number, long untilMillis, int violations, @Nullable Penalty penalty) {

	/**
	 * A block or ban that a request over a limit started.
	 * @param kind block or ban
	 * @param number the block's number, 1 for a ban
	 * @param untilMillis when it ends
	 * @param violations the client's violations within the ban window
	 */
	public Escalation(Kind kind, int number, long untilMillis, int violations) {
		this(kind, number, untilMillis, violations, null);
	}

	/**
	 * Whether it lasts until an operator lifts it.
	 * @return {@code true} for a permanent ban
	 */
	public boolean permanent() {
		return this.untilMillis == Long.MAX_VALUE;
	}

	/**
	 * The kinds of escalation.
	 */
	public enum Kind {

		/** A temporary block. */
		BLOCK,

		/** A ban. */
		BAN

	}

}
