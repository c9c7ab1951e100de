package dev.floodgate.core;

import java.util.Arrays;

/**
 * The times of a client's most recent events (violations, blocks), oldest first, kept in a
 * small array of bounded length: enough to tell exactly how many fell within a window.
 */
public final class RecentTimes {

	/** No events. */
	public static final long[] NONE = {};

	private RecentTimes() {
	}

	/**
	 * Adds an event, keeping only the most recent ones.
	 * @param times the times, oldest first
	 * @param now the new event's time
	 * @param keep how many to keep, at least 1
	 * @return the new times, oldest first
	 */
	public static long[] add(long[] times, long now, int keep) {
		if (times.length < keep) {
			long[] added = Arrays.copyOf(times, times.length + 1);
			added[times.length] = now;
			return added;
		}
		long[] shifted = new long[keep];
		System.arraycopy(times, times.length - keep + 1, shifted, 0, keep - 1);
		shifted[keep - 1] = now;
		return shifted;
	}

	/**
	 * How many events fell within a window ending now.
	 * @param times the times, oldest first
	 * @param now the time
	 * @param windowMillis the window
	 * @return the number of events with {@code now - time < window}
	 */
	public static int within(long[] times, long now, long windowMillis) {
		int count = 0;
		for (int i = times.length - 1; i >= 0 && now - times[i] < windowMillis; i--) {
			count++;
		}
		return count;
	}

	/**
	 * The latest event.
	 * @param times the times, oldest first
	 * @return the latest time, or {@link Long#MIN_VALUE} when there is none
	 */
	public static long latest(long[] times) {
		return (times.length > 0) ? times[times.length - 1] : Long.MIN_VALUE;
	}

}
