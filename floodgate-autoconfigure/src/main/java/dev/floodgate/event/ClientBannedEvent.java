package dev.floodgate.event;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Published once when a client is banned, by the instance whose request started the ban.
 * Listen with {@code @EventListener}.
 *
 * @param client the client key (an IPv4 address or an IPv6 /64)
 * @param until when the ban ends, {@code null} for a permanent ban
 * @param violations the client's violations within the ban window
 * @param policy the policy whose violation started it, or {@code null}
 * @param dryRun whether Floodgate runs in dry-run mode (the ban is not enforced)
 * @param penalty when a penalty's violation started it, its reason ({@code status},
 * {@code authentication-failure}); {@code null} when a request over a limit did
 */
public record ClientBannedEvent(String client, @Nullable Instant until, int violations, @Nullable String policy,
		boolean dryRun, @Nullable String penalty) implements FloodgateEvent {

	/**
	 * A ban that a request over a limit started.
	 * @param client the client key
	 * @param until when the ban ends, {@code null} for a permanent ban
	 * @param violations the client's violations within the ban window
	 * @param policy the policy whose violation started it, or {@code null}
	 * @param dryRun whether Floodgate runs in dry-run mode
	 */
	public ClientBannedEvent(String client, @Nullable Instant until, int violations, @Nullable String policy,
			boolean dryRun) {
		this(client, until, violations, policy, dryRun, null);
	}

	/**
	 * Whether the ban lasts until an operator lifts it.
	 * @return {@code true} for a permanent ban
	 */
	public boolean permanent() {
		return this.until == null;
	}

}
