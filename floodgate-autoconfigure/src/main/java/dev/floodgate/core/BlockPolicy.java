package dev.floodgate.core;

import java.time.Duration;

/**
 * When and for how long a client is blocked after repeated violations.
 *
 * @param enabled whether violations lead to blocks at all
 * @param afterViolations the violations within {@code violationWindow} that start a block
 * @param violationWindow the window in which violations are counted, starting at the first
 * violation counted
 * @param duration the first block's length
 * @param factor the n-th block of a run lasts {@code duration × factor^(n-1)} (see
 * {@link DecisionRules} for how blocks are numbered)
 * @param maxDuration the longest a block can be
 * @param relative whether a request made while blocked restarts the block
 */
public record BlockPolicy(boolean enabled, int afterViolations, Duration violationWindow, Duration duration,
		double factor, Duration maxDuration, boolean relative) {

	/**
	 * The length of the n-th block of a run (see {@link DecisionRules}).
	 * @param blockNumber the block's number, from 1
	 * @return its length in milliseconds
	 */
	public long durationMillis(int blockNumber) {
		long base = this.duration.toMillis();
		long max = this.maxDuration.toMillis();
		double length = base * Math.pow(this.factor, Math.max(0, blockNumber - 1));
		return (length >= max) ? max : Math.max(1, (long) length);
	}

}
