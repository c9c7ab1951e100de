package dev.floodgate.core;

/**
 * How requests are counted against a {@link Limit}.
 */
public enum Algorithm {

	/**
	 * The weighted two-window counter: the previous fixed window's count, weighted by how
	 * much of it still overlaps the sliding window, plus the current window's count. Smooth,
	 * with O(1) state per client and limit; no burst of twice the limit at a window boundary.
	 */
	SLIDING_WINDOW,

	/**
	 * Fixed windows aligned to the epoch: at most {@code count} requests per window. Cheapest,
	 * but a client can make up to twice the limit across a window boundary.
	 */
	FIXED_WINDOW

}
