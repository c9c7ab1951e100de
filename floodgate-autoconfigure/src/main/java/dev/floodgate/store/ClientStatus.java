package dev.floodgate.store;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * What a store knows of one client, for operators: whether it is blocked or banned, until
 * when, and its recent history.
 *
 * @param client the client key (an IPv4 address, or an IPv6 /64 such as
 * {@code 2001:db8:1:2::/64})
 * @param banned whether the client is banned now
 * @param bannedUntil when the ban ends, {@code null} when not banned or banned permanently
 * @param blockedUntil when the current block ends, {@code null} when not blocked
 * @param since when the current ban or block started, {@code null} when neither
 * @param blocks the client's blocks within the ban window
 * @param violations the client's violations within the ban window
 */
public record ClientStatus(String client, boolean banned, @Nullable Instant bannedUntil,
		@Nullable Instant blockedUntil, @Nullable Instant since, int blocks, int violations) {

	/**
	 * Whether the client is blocked (and not banned).
	 * @return {@code true} while blocked
	 */
	public boolean blocked() {
		return this.blockedUntil != null;
	}

	/**
	 * Whether the client is banned until an operator lifts the ban.
	 * @return {@code true} for a permanent ban
	 */
	public boolean permanentlyBanned() {
		return this.banned && this.bannedUntil == null;
	}

	/**
	 * Whether the client is blocked or banned.
	 * @return {@code true} if requests from it are rejected whatever the limits
	 */
	public boolean restricted() {
		return this.banned || this.blockedUntil != null;
	}

}
