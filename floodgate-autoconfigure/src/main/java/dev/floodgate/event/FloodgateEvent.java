package dev.floodgate.event;

/**
 * An event Floodgate publishes: a {@link ClientBlockedEvent} or a {@link ClientBannedEvent}.
 */
public sealed interface FloodgateEvent permits ClientBlockedEvent, ClientBannedEvent {

	/**
	 * The client key.
	 * @return an IPv4 address or an IPv6 /64
	 */
	String client();

	/**
	 * Whether Floodgate runs in dry-run mode.
	 * @return {@code true} when the restriction is recorded but not enforced
	 */
	boolean dryRun();

}
