package dev.floodgate.core;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * When a client is banned and for how long.
 *
 * @param enabled whether violations lead to a ban at all
 * @param afterViolations the violations within {@code window} that ban the client
 * @param window the window in which violations are counted for a ban (blocks never reset this
 * count); also the window in which blocks are counted for their growing length
 * @param duration how long a ban lasts, {@code null} for a permanent ban
 */
public record BanPolicy(boolean enabled, int afterViolations, Duration window, @Nullable Duration duration) {

	/**
	 * Whether a ban lasts until an operator lifts it.
	 * @return {@code true} for a permanent ban
	 */
	public boolean permanent() {
		return this.duration == null;
	}

}
