package dev.floodgate.core;

import java.time.Duration;

/**
 * One rate limit: at most {@code count} requests per {@code window}.
 *
 * @param count the number of requests admitted per window, at least 1
 * @param window the length of the window, at least one millisecond
 */
public record Limit(long count, Duration window) {

	/**
	 * The largest product of count and window (in milliseconds): 2^53, so that the window
	 * arithmetic is exact in a long, and in the doubles of a Redis Lua script too.
	 */
	static final long MAX_COUNT_TIMES_WINDOW_MILLIS = 1L << 53;

	/** The longest window: ten years. */
	static final Duration MAX_WINDOW = Duration.ofDays(3650);

	public Limit {
		if (count < 1) {
			throw new IllegalArgumentException("count must be at least 1, was " + count);
		}
		if (count > Integer.MAX_VALUE) {
			throw new IllegalArgumentException("count must be at most " + Integer.MAX_VALUE + ", was " + count);
		}
		if (window.compareTo(MAX_WINDOW) > 0) {
			throw new IllegalArgumentException("window must be at most " + MAX_WINDOW.toDays() + " days, was " + window);
		}
		if (window.toMillis() < 1) {
			throw new IllegalArgumentException("window must be at least 1ms, was " + window);
		}
		if (window.getNano() % 1_000_000 != 0) {
			throw new IllegalArgumentException("window must be a whole number of milliseconds, was " + window);
		}
		if (Math.multiplyHigh(count, window.toMillis()) != 0 || count * window.toMillis() > MAX_COUNT_TIMES_WINDOW_MILLIS) {
			throw new IllegalArgumentException("count " + count + " per " + window + " is too large");
		}
	}

	/**
	 * The window in milliseconds.
	 * @return the window length
	 */
	public long windowMillis() {
		return this.window.toMillis();
	}

	/**
	 * The window in whole seconds, rounded up, as the {@code w} parameter of the
	 * {@code RateLimit-Policy} header.
	 * @return the window in seconds, at least 1
	 */
	public long windowSeconds() {
		return Math.max(1, (this.window.toMillis() + 999) / 1000);
	}

	@Override
	public String toString() {
		return this.count + "/" + Durations.format(this.window);
	}

}
