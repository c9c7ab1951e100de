package dev.floodgate.core;

/**
 * How violations escalate: to temporary blocks, then to a ban.
 *
 * @param block the block rules
 * @param ban the ban rules
 */
public record EscalationPolicy(BlockPolicy block, BanPolicy ban) {

	/**
	 * Whether violations are counted at all (a pure rate limiter does not need to).
	 * @return {@code true} if blocks or bans are enabled
	 */
	public boolean countsViolations() {
		return this.block.enabled() || this.ban.enabled();
	}

}
