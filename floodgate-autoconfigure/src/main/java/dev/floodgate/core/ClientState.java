package dev.floodgate.core;

import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * The mutable state of one client, as the in-memory store keeps it: window counters for each
 * policy the client used, violation counts, and its block and ban. {@link DecisionRules}
 * reads and changes it; callers serialise access per client (the in-memory store locks the
 * state object itself).
 */
public final class ClientState {

	private static final long[] NO_COUNTERS = {};

	/** The first counter slot's window index (most policies have one limit: no array for it). */
	private long firstWindow = Long.MIN_VALUE;

	/** The first counter slot's previous and current counts, packed. */
	private long firstCounts;

	/** Two longs per further counter slot: the window index, then previous and current counts packed. */
	private long[] counters = NO_COUNTERS;

	/** When the latest counted request arrived. */
	long lastCountedMillis;

	/**
	 * How long the counters must be kept after the latest request (longest window, doubled
	 * for sliding), in seconds rounded up.
	 */
	private int counterRetentionSeconds;

	/** Violations, blocks and bans: allocated at the client's first violation (or a change by hand). */
	private @Nullable Escalated escalated;

	/**
	 * The escalation part of a state, for the few clients that ever had a violation, a block
	 * or a ban.
	 */
	static final class Escalated {

		/** The latest violations since the last block, for the next block. */
		long[] violationTimes = RecentTimes.NONE;

		/** The latest violations, for a ban; never reset by a block. */
		long[] banViolationTimes = RecentTimes.NONE;

		/**
		 * The latest block's number in the client's run of blocks (0 = none): the next block
		 * is the run's next one when it starts within the ban window of the latest, else the
		 * first.
		 */
		int blockNumber;

		long blockedAtMillis;

		long blockedUntilMillis;

		long blockLengthMillis;

		long bannedAtMillis;

		/** 0 when not banned, {@link Long#MAX_VALUE} for a permanent ban. */
		long bannedUntilMillis;

		/** Set whenever something other than the counters changed: violations, blocks, bans. */
		boolean changed;

		/** The version of the escalation state, for stores that keep the state in the heap. */
		int version;

		/** Whether the in-memory store weighed this state as restricted when it last wrote it. */
		volatile boolean weighedRestricted;

	}

	/**
	 * The escalation part, allocated on first use; every change of it goes through here.
	 * @return the escalation part
	 */
	Escalated escalating() {
		Escalated escalated = this.escalated;
		if (escalated == null) {
			escalated = new Escalated();
			this.escalated = escalated;
		}
		escalated.changed = true;
		return escalated;
	}

	long counter(int slot) {
		if (slot == 0) {
			return this.firstWindow;
		}
		int at = (slot - 1) * 2;
		return (at < this.counters.length) ? this.counters[at] : Long.MIN_VALUE;
	}

	long counts(int slot) {
		if (slot == 0) {
			return this.firstCounts;
		}
		int at = (slot - 1) * 2 + 1;
		return (at < this.counters.length) ? this.counters[at] : 0;
	}

	void setCounter(int slot, long windowIndex, long counts) {
		if (slot == 0) {
			this.firstWindow = windowIndex;
			this.firstCounts = counts;
			return;
		}
		int at = (slot - 1) * 2;
		if (at + 1 >= this.counters.length) {
			this.counters = Arrays.copyOf(this.counters, at + 2);
		}
		this.counters[at] = windowIndex;
		this.counters[at + 1] = counts;
	}

	/**
	 * A copy of the counters of this state, without its escalation part (for tests).
	 * @return a new state
	 */
	ClientState copyCounters() {
		ClientState copy = new ClientState();
		copy.firstWindow = this.firstWindow;
		copy.firstCounts = this.firstCounts;
		copy.counters = this.counters.clone();
		copy.counterRetentionSeconds = this.counterRetentionSeconds;
		copy.lastCountedMillis = this.lastCountedMillis;
		return copy;
	}

	/**
	 * Keeps the counters at least this long after the latest request.
	 * @param millis the retention
	 */
	void retainCountersFor(long millis) {
		long seconds = Math.min(Integer.MAX_VALUE, (millis + 999) / 1000);
		if (seconds > this.counterRetentionSeconds) {
			this.counterRetentionSeconds = (int) seconds;
		}
	}

	int violationBlockNumber() {
		return (this.escalated != null) ? this.escalated.blockNumber : 0;
	}

	long blockLengthMillis() {
		return (this.escalated != null) ? this.escalated.blockLengthMillis : 0;
	}

	long[] violationTimes() {
		return (this.escalated != null) ? this.escalated.violationTimes : RecentTimes.NONE;
	}

	long[] banViolationTimes() {
		return (this.escalated != null) ? this.escalated.banViolationTimes : RecentTimes.NONE;
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
		return (this.escalated != null) ? this.escalated.version : 0;
	}

	/**
	 * Sets the version of the escalation state.
	 * @param version the version
	 */
	public void version(long version) {
		Escalated escalated = this.escalated;
		if (escalated == null) {
			escalated = new Escalated();
			this.escalated = escalated;
		}
		escalated.version = (int) version;
	}

	/**
	 * Whether a decision since the last call changed violations, blocks or bans; clears the flag.
	 * @return {@code true} if escalation state changed
	 */
	public boolean consumeEscalationChange() {
		Escalated escalated = this.escalated;
		if (escalated == null) {
			return false;
		}
		boolean changed = escalated.changed;
		escalated.changed = false;
		return changed;
	}

	/**
	 * Whether the in-memory store weighed this state as restricted when it last wrote it.
	 * @return the restriction the weight reflects
	 */
	public boolean weighedRestricted() {
		Escalated escalated = this.escalated;
		return escalated != null && escalated.weighedRestricted;
	}

	/**
	 * Records the restriction the state is weighed by.
	 * @param restricted whether it is weighed as restricted
	 */
	public void weighedRestricted(boolean restricted) {
		Escalated escalated = this.escalated;
		if (escalated == null && restricted) {
			escalated = new Escalated();
			this.escalated = escalated;
		}
		if (escalated != null) {
			escalated.weighedRestricted = restricted;
		}
	}

	/**
	 * Whether the client is blocked or banned at that moment.
	 * @param nowMillis the time
	 * @return {@code true} if restricted
	 */
	public boolean restricted(long nowMillis) {
		Escalated escalated = this.escalated;
		return escalated != null && (escalated.bannedUntilMillis > nowMillis || escalated.blockedUntilMillis > nowMillis);
	}

	/**
	 * When this state becomes indistinguishable from no state at all: every counter, violation
	 * count, block history, block and ban has lapsed.
	 * @param escalation the escalation rules (for the violation and ban windows)
	 * @return epoch milliseconds, {@link Long#MAX_VALUE} for a permanent ban
	 */
	public long expiresAtMillis(EscalationPolicy escalation) {
		long at = this.lastCountedMillis + counterRetentionMillis();
		Escalated escalated = this.escalated;
		if (escalated == null) {
			return at;
		}
		long banWindow = escalation.ban().window().toMillis();
		if (escalated.violationTimes.length > 0) {
			at = Math.max(at,
					RecentTimes.latest(escalated.violationTimes) + escalation.block().violationWindow().toMillis());
		}
		if (escalated.banViolationTimes.length > 0) {
			at = Math.max(at, RecentTimes.latest(escalated.banViolationTimes) + banWindow);
		}
		if (escalated.blockNumber > 0) {
			at = Math.max(at, escalated.blockedAtMillis + banWindow);
		}
		at = Math.max(at, escalated.blockedUntilMillis);
		return Math.max(at, escalated.bannedUntilMillis);
	}

	/**
	 * How long the counters must be kept after the latest request.
	 * @return milliseconds
	 */
	public long counterRetentionMillis() {
		return this.counterRetentionSeconds * 1000L;
	}

	/**
	 * When the current block ends.
	 * @return epoch milliseconds, 0 if never blocked
	 */
	public long blockedUntilMillis() {
		return (this.escalated != null) ? this.escalated.blockedUntilMillis : 0;
	}

	/**
	 * When the current block started.
	 * @return epoch milliseconds, 0 if never blocked
	 */
	public long blockedAtMillis() {
		return (this.escalated != null) ? this.escalated.blockedAtMillis : 0;
	}

	/**
	 * When the ban ends.
	 * @return epoch milliseconds, 0 if not banned, {@link Long#MAX_VALUE} if banned for good
	 */
	public long bannedUntilMillis() {
		return (this.escalated != null) ? this.escalated.bannedUntilMillis : 0;
	}

	/**
	 * When the ban started.
	 * @return epoch milliseconds, 0 if not banned
	 */
	public long bannedAtMillis() {
		return (this.escalated != null) ? this.escalated.bannedAtMillis : 0;
	}

	/**
	 * The blocks of the client's current run: each started within the ban window of the one
	 * before, the latest within the ban window of now.
	 * @param escalation the escalation rules
	 * @param nowMillis the time
	 * @return the number of blocks, 0 when the latest started a ban window ago or more
	 */
	public int blocks(EscalationPolicy escalation, long nowMillis) {
		return blocksInRun(violationBlockNumber(), blockedAtMillis(), escalation.ban().window().toMillis(), nowMillis);
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
		return RecentTimes.within(banViolationTimes(), nowMillis, escalation.ban().window().toMillis());
	}

	/**
	 * The escalation part of the state, as the stores that keep it outside the heap write it.
	 * @return a snapshot
	 */
	public Escalations escalations() {
		Escalated e = this.escalated;
		if (e == null) {
			return Escalations.NONE;
		}
		return new Escalations(e.violationTimes.clone(), e.banViolationTimes.clone(), e.blockNumber, e.blockedAtMillis,
				e.blockedUntilMillis, e.blockLengthMillis, e.bannedAtMillis, e.bannedUntilMillis);
	}

	/**
	 * Replaces the escalation part of the state, as a store read it.
	 * @param escalations the escalation state
	 */
	public void restore(Escalations escalations) {
		if (this.escalated == null && escalations == Escalations.NONE) {
			return;
		}
		Escalated e = escalating();
		e.changed = false;
		e.violationTimes = escalations.violationTimes();
		e.banViolationTimes = escalations.banViolationTimes();
		e.blockNumber = escalations.blockNumber();
		e.blockedAtMillis = escalations.blockedAtMillis();
		e.blockedUntilMillis = escalations.blockedUntilMillis();
		e.blockLengthMillis = escalations.blockLengthMillis();
		e.bannedAtMillis = escalations.bannedAtMillis();
		e.bannedUntilMillis = escalations.bannedUntilMillis();
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
