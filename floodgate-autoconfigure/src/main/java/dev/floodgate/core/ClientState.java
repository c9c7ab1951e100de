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

	/** The latest violations since the last block, for the next block. */
	long[] violationTimes = RecentTimes.NONE;

	/** The latest violations, for a ban; never reset by a block. */
	long[] banViolationTimes = RecentTimes.NONE;

	/**
	 * The latest block's number in the client's run of blocks (0 = none): the next block is
	 * the run's next one when it starts within the ban window of the latest, else the first.
	 */
	int blockNumber;

	long blockedAtMillis;

	long blockedUntilMillis;

	long blockLengthMillis;

	long bannedAtMillis;

	/** 0 when not banned, {@link Long#MAX_VALUE} for a permanent ban. */
	long bannedUntilMillis;

	/** Set whenever something other than the counters changed: violations, blocks, bans. */
	boolean escalationChanged;

	/** The version of the escalation state, for stores that keep the state in the heap. */
	int version;

	/** Whether the in-memory store weighed this state as restricted when it last wrote it. */
	volatile boolean weighedRestricted;

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
	 * A state holding only escalation state, as a store read it.
	 * @param escalations the escalation state
	 * @return a new state
	 */
	public static ClientState of(Escalations escalations) {
		ClientState state = new ClientState();
		state.restore(escalations);
		return state;
	}

	/**
	 * The version of the escalation state, for stores that keep this object itself.
	 * @return the version, 0 until one was written
	 */
	public long version() {
		return this.version;
	}

	/**
	 * Sets the version of the escalation state.
	 * @param version the version
	 */
	public void version(long version) {
		this.version = (int) version;
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
	 * Whether the in-memory store weighed this state as restricted when it last wrote it.
	 * @return the restriction the weight reflects
	 */
	public boolean weighedRestricted() {
		return this.weighedRestricted;
	}

	/**
	 * Records the restriction the state is weighed by.
	 * @param restricted whether it is weighed as restricted
	 */
	public void weighedRestricted(boolean restricted) {
		this.weighedRestricted = restricted;
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
		long banWindow = escalation.ban().window().toMillis();
		if (this.violationTimes.length > 0) {
			at = Math.max(at, RecentTimes.latest(this.violationTimes) + escalation.block().violationWindow().toMillis());
		}
		if (this.banViolationTimes.length > 0) {
			at = Math.max(at, RecentTimes.latest(this.banViolationTimes) + banWindow);
		}
		if (this.blockNumber > 0) {
			at = Math.max(at, this.blockedAtMillis + banWindow);
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
	 * The blocks of the client's current run: each started within the ban window of the one
	 * before, the latest within the ban window of now.
	 * @param escalation the escalation rules
	 * @param nowMillis the time
	 * @return the number of blocks, 0 when the latest started a ban window ago or more
	 */
	public int blocks(EscalationPolicy escalation, long nowMillis) {
		return blocksInRun(this.blockNumber, this.blockedAtMillis, escalation.ban().window().toMillis(), nowMillis);
	}

	/**
	 * The blocks of a client's current run, from what every store keeps.
	 * @param blockNumber the latest block's number
	 * @param blockedAtMillis when the latest block started
	 * @param banWindowMillis the ban window
	 * @param nowMillis the time
	 * @return the latest block's number, or 0 when it started a ban window ago or more
	 */
	static int blocksInRun(int blockNumber, long blockedAtMillis, long banWindowMillis, long nowMillis) {
		return (blockNumber > 0 && nowMillis - blockedAtMillis < banWindowMillis) ? blockNumber : 0;
	}

	/**
	 * The violations within the ban window.
	 * @param escalation the escalation rules
	 * @param nowMillis the time
	 * @return the number of violations
	 */
	public int violations(EscalationPolicy escalation, long nowMillis) {
		return RecentTimes.within(this.banViolationTimes, nowMillis, escalation.ban().window().toMillis());
	}

	/**
	 * The escalation part of the state, as the stores that keep it outside the heap write it.
	 * @return a snapshot
	 */
	public Escalations escalations() {
		return new Escalations(this.violationTimes.clone(), this.banViolationTimes.clone(), this.blockNumber,
				this.blockedAtMillis, this.blockedUntilMillis, this.blockLengthMillis, this.bannedAtMillis,
				this.bannedUntilMillis);
	}

	/**
	 * Replaces the escalation part of the state, as a store read it.
	 * @param escalations the escalation state
	 */
	public void restore(Escalations escalations) {
		this.violationTimes = escalations.violationTimes();
		this.banViolationTimes = escalations.banViolationTimes();
		this.blockNumber = escalations.blockNumber();
		this.blockedAtMillis = escalations.blockedAtMillis();
		this.blockedUntilMillis = escalations.blockedUntilMillis();
		this.blockLengthMillis = escalations.blockLengthMillis();
		this.bannedAtMillis = escalations.bannedAtMillis();
		this.bannedUntilMillis = escalations.bannedUntilMillis();
	}

	/**
	 * Sets one counter, as a store read it.
	 * @param slot the counter slot ({@link RatePolicy#firstSlot()} plus the limit's index)
	 * @param windowIndex the current window's index ({@code time / window})
	 * @param previous the previous window's count
	 * @param current the current window's count
	 */
	public void restoreCounter(int slot, long windowIndex, long previous, long current) {
		setCounter(slot, windowIndex, (previous << 32) | current);
	}

	/**
	 * The escalation part of a client's state: recent violations and blocks, the current block
	 * and ban.
	 *
	 * @param violationTimes the latest violations since the last block, oldest first
	 * @param banViolationTimes the latest violations counted for a ban, oldest first
	 * @param blockNumber the latest block's number in the client's run of blocks, 0 for none
	 * @param blockedAtMillis when the current block started, 0 if never blocked
	 * @param blockedUntilMillis when it ends
	 * @param blockLengthMillis its length
	 * @param bannedAtMillis when the ban started, 0 if not banned
	 * @param bannedUntilMillis when it ends, {@link Long#MAX_VALUE} for a permanent ban
	 */
	public record Escalations(long[] violationTimes, long[] banViolationTimes, int blockNumber, long blockedAtMillis,
			long blockedUntilMillis, long blockLengthMillis, long bannedAtMillis, long bannedUntilMillis) {

		/** No escalation at all. */
		public static final Escalations NONE = new Escalations(RecentTimes.NONE, RecentTimes.NONE, 0, 0, 0, 0, 0, 0);

	}

}
