package dev.floodgate.event;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Published once when a client is blocked, by the instance whose request started the block.
 * Listen with {@code @EventListener}.
 *
 * @param client the client key (an IPv4 address or an IPv6 /64)
 * @param until when the block ends
 * @param blockNumber the block's number in the client's run of blocks, each started within
 * the ban window of the one before
 * @param violations the client's violations within the ban window
 * @param policy the policy whose violation started it, or {@code null}
 * @param dryRun whether Floodgate runs in dry-run mode (the block is not enforced)
 * @param penalty when a penalty's violation started it, its reason ({@code status},
 * {@code authentication-failure}); {@code null} when a request over a limit did
 */
public record ClientBlockedEvent(String client, Instant until, int blockNumber, int violations,
		@Nullable String policy, boolean dryRun, @Nullable String penalty) implements FloodgateEvent {

	/**
	 * A block that a request over a limit started.
	 * @param client the client key
	 * @param until when the block ends
	 * @param blockNumber the block's number in the client's run of blocks
	 * @param violations the client's violations within the ban window
	 * @param policy the policy whose violation started it, or {@code null}
	 * @param dryRun whether Floodgate runs in dry-run mode
	 */
	public ClientBlockedEvent(String client, Instant until, int blockNumber, int violations, @Nullable String policy,
			boolean dryRun) {
		this(client, until, blockNumber, violations, policy, dryRun, null);
	}

}
