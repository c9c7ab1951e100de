package dev.floodgate.core;

import java.util.Arrays;

/**
 * The mutable state of one client, as the in-memory store keeps it: window counters for each
 * policy the client used, violation counts, and its block and ban. {@link DecisionRules}
 * reads and changes it; callers serialise access per client (the in-memory store locks the
 * state object itself).
 */
public final class ClientState {

	private static final long[] NO_COUNTERS = {};

	/** Two longs per counter slot: the window index, then previous and current counts packed. */
	long[] counters = NO_COUNTERS;

	/** How long the counters must be kept after the latest request (longest window, doubled for sliding). */
	long counterRetentionMillis;

	/** When the latest counted request arrived. */
	long lastCountedMillis;

	int violations;

	long violationsSinceMillis;

	int banViolations;

	long banViolationsSinceMillis;

	int blocks;

	long blocksSinceMillis;

	long blockedAtMillis;

	long blockedUntilMillis;

	long blockLengthMillis;

	long bannedAtMillis;

	/** 0 when not banned, {@link Long#MAX_VALUE} for a permanent ban. */
	long bannedUntilMillis;

	/** Set whenever something other than the counters changed: violations, blocks, bans. */
	boolean escalationChanged;

	long counter(int slot) {
		int at = slot * 2;
		return (at < this.counters.length) ? this.counters[at] : Long.MIN_VALUE;
	}

	long counts(int slot) {
		int at = slot * 2 + 1;
		return (at < this.counters.length) ? this.counters[at] : 0;
	}

	void setCounter(int slot, long windowIndex, long counts) {
		int at = slot * 2;
		if (at + 1 >= this.counters.length) {
			this.counters = Arrays.copyOf(this.counters, at + 2);
		}
		this.counters[at] = windowIndex;
		this.counters[at + 1] = counts;
	}

	/**
	 * Whether a decision since the last call changed violations, blocks or bans; clears the flag.
	 * @return {@code true} if escalation state changed
	 */
	public boolean consumeEscalationChange() {
		boolean changed = this.escalationChanged;
		this.escalationChanged = false;
		return changed;
	}

	/**
	 * Whether the client is blocked or banned at that moment.
	 * @param nowMillis the time
	 * @return {@code true} if restricted
	 */
	public boolean restricted(long nowMillis) {
		return this.bannedUntilMillis > nowMillis || this.blockedUntilMillis > nowMillis;
	}

	/**
	 * When this state becomes indistinguishable from no state at all: every counter, violation
	 * count, block history, block and ban has lapsed.
	 * @param escalation the escalation rules (for the violation and ban windows)
	 * @return epoch milliseconds, {@link Long#MAX_VALUE} for a permanent ban
	 */
	public long expiresAtMillis(EscalationPolicy escalation) {
		long at = this.lastCountedMillis + this.counterRetentionMillis;
		if (this.violations > 0) {
			at = Math.max(at, this.violationsSinceMillis + escalation.block().violationWindow().toMillis());
		}
		if (this.banViolations > 0) {
			at = Math.max(at, this.banViolationsSinceMillis + escalation.ban().window().toMillis());
		}
		if (this.blocks > 0) {
			at = Math.max(at, this.blocksSinceMillis + escalation.ban().window().toMillis());
		}
		at = Math.max(at, this.blockedUntilMillis);
		return Math.max(at, this.bannedUntilMillis);
	}

	/**
	 * How long the counters must be kept after the latest request.
	 * @return milliseconds
	 */
	public long counterRetentionMillis() {
		return this.counterRetentionMillis;
	}

	/**
	 * When the current block ends.
	 * @return epoch milliseconds, 0 if never blocked
	 */
	public long blockedUntilMillis() {
		return this.blockedUntilMillis;
	}

	/**
	 * When the current block started.
	 * @return epoch milliseconds, 0 if never blocked
	 */
	public long blockedAtMillis() {
		return this.blockedAtMillis;
	}

	/**
	 * When the ban ends.
	 * @return epoch milliseconds, 0 if not banned, {@link Long#MAX_VALUE} if banned for good
	 */
	public long bannedUntilMillis() {
		return this.bannedUntilMillis;
	}

	/**
	 * When the ban started.
	 * @return epoch milliseconds, 0 if not banned
	 */
	public long bannedAtMillis() {
		return this.bannedAtMillis;
	}

	/**
	 * The blocks counted since {@link #blocksSinceMillis()}.
	 * @return the number of blocks
	 */
	public int blocks() {
		return this.blocks;
	}

	/**
	 * When block counting started.
	 * @return epoch milliseconds
	 */
	public long blocksSinceMillis() {
		return this.blocksSinceMillis;
	}

	/**
	 * The violations counted towards a ban since {@link #banViolationsSinceMillis()}.
	 * @return the number of violations
	 */
	public int banViolations() {
		return this.banViolations;
	}

	/**
	 * When counting violations towards a ban started.
	 * @return epoch milliseconds
	 */
	public long banViolationsSinceMillis() {
		return this.banViolationsSinceMillis;
	}

}
