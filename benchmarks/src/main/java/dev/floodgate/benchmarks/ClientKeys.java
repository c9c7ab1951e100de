package dev.floodgate.benchmarks;

import java.util.concurrent.ThreadLocalRandom;

import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Distinct IPv4 client keys, built before a benchmark so that building them costs nothing
 * during it, and each benchmark thread's own round-robin cursor over them.
 */
public final class ClientKeys {

	private ClientKeys() {
	}

	/**
	 * The keys {@code 10.0.0.0}, {@code 10.0.0.1}, ... as the interceptor would resolve them.
	 * @param count how many (at most 2^24)
	 * @return the keys
	 */
	public static String[] ipv4(int count) {
		if (count < 1 || count > (1 << 24)) {
			throw new IllegalArgumentException("count must be between 1 and 2^24, not " + count);
		}
		String[] keys = new String[count];
		for (int i = 0; i < count; i++) {
			keys[i] = ipv4At(i);
		}
		return keys;
	}

	/**
	 * The i-th key, {@code 10.a.b.c}.
	 * @param index the index (below 2^24)
	 * @return the key
	 */
	public static String ipv4At(int index) {
		return "10." + ((index >>> 16) & 0xFF) + "." + ((index >>> 8) & 0xFF) + "." + (index & 0xFF);
	}

	/**
	 * One benchmark thread's position in the keys: round-robin from a random start, so that
	 * two threads work on different clients at any moment (with one key, they share it: the
	 * hot-client case).
	 */
	@State(Scope.Thread)
	public static class Cursor {

		private int next;

		@Setup
		public void setUp() {
			this.next = ThreadLocalRandom.current().nextInt(1 << 24);
		}

		/**
		 * The next key.
		 * @param keys the keys
		 * @return the key after the previous one, wrapping round
		 */
		public String next(String[] keys) {
			int at = this.next;
			if (at >= keys.length) {
				at %= keys.length;
			}
			this.next = at + 1;
			return keys[at];
		}

	}

}
