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
 */
public record ClientBlockedEvent(String client, Instant until, int blockNumber, int violations,
		@Nullable String policy, boolean dryRun) implements FloodgateEvent {
}
