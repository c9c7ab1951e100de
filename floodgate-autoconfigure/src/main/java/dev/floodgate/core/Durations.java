package dev.floodgate.core;

import java.time.Duration;

/**
 * Writes durations the way users write them in {@code application.yml}.
 */
public final class Durations {

	private Durations() {
	}

	/**
	 * Formats a duration compactly in its largest whole unit: {@code 1d}, {@code 15m},
	 * {@code 30s}, {@code 1500ms}, {@code -5m}.
	 * @param duration the duration
	 * @return the short text
	 */
	public static String format(Duration duration) {
		long millis = duration.toMillis();
		if (millis != 0) {
			if (millis % 86_400_000 == 0) {
				return (millis / 86_400_000) + "d";
			}
			if (millis % 3_600_000 == 0) {
				return (millis / 3_600_000) + "h";
			}
			if (millis % 60_000 == 0) {
				return (millis / 60_000) + "m";
			}
			if (millis % 1000 == 0) {
				return (millis / 1000) + "s";
			}
		}
		return millis + "ms";
	}

	/**
	 * Adds two times or lengths in milliseconds, saturating at {@link Long#MAX_VALUE} (a
	 * permanent ban, a block of a length that overflows) rather than wrapping around.
	 * @param a a time or length
	 * @param b a length
	 * @return the sum, or {@link Long#MAX_VALUE} when it overflows
	 */
	public static long saturatedAdd(long a, long b) {
		long sum = a + b;
		return (((a ^ sum) & (b ^ sum)) < 0) ? Long.MAX_VALUE : sum;
	}

}
