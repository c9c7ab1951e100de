package dev.floodgate.store;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import dev.floodgate.core.ClientState;
import dev.floodgate.core.EscalationPolicy;
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
 * @param blocks the blocks of the client's current run (see {@link ClientState#blocks})
 * @param violations the client's violations within the ban window
 */
public record ClientStatus(String client, boolean banned, @Nullable Instant bannedUntil,
		@Nullable Instant blockedUntil, @Nullable Instant since, int blocks, int violations) {

	/**
	 * The status of a client from the fields every store keeps (see
	 * {@link dev.floodgate.core.ClientState}).
	 * @param client the client key
	 * @param now the time in epoch milliseconds
	 * @param bannedAtMillis when the ban started, 0 if never
	 * @param bannedUntilMillis when it ends, 0 if never banned, {@link Long#MAX_VALUE} if permanent
	 * @param blockedAtMillis when the latest block started, 0 if never
	 * @param blockedUntilMillis when it ends, 0 if never blocked
	 * @param blocks the blocks of the client's current run
	 * @param violations the violations within the ban window
	 * @return the status
	 */
	public static ClientStatus of(String client, long now, long bannedAtMillis, long bannedUntilMillis,
			long blockedAtMillis, long blockedUntilMillis, int blocks, int violations) {
		boolean banned = bannedUntilMillis > now;
		boolean blocked = !banned && blockedUntilMillis > now;
		Instant bannedUntil = (banned && bannedUntilMillis != Long.MAX_VALUE) ? Instant.ofEpochMilli(bannedUntilMillis)
				: null;
		Instant blockedUntil = blocked ? Instant.ofEpochMilli(blockedUntilMillis) : null;
		Instant since = banned ? Instant.ofEpochMilli(bannedAtMillis)
				: blocked ? Instant.ofEpochMilli(blockedAtMillis) : null;
		return new ClientStatus(client, banned, bannedUntil, blockedUntil, since, blocks, violations);
	}

	/**
	 * The status of a client from its state.
	 * @param client the client key
	 * @param state the state
	 * @param escalation the escalation rules
	 * @param now the time
	 * @return the status
	 */
	public static ClientStatus of(String client, ClientState state, EscalationPolicy escalation, long now) {
		return of(client, now, state.bannedAtMillis(), state.bannedUntilMillis(), state.blockedAtMillis(),
				state.blockedUntilMillis(), state.blocks(escalation, now), state.violations(escalation, now));
	}

	/**
	 * Sorts statuses most recently restricted first and keeps the first ones.
	 * @param statuses the statuses (changed in place)
	 * @param max how many to keep
	 * @return at most {@code max} statuses, most recent first
	 */
	public static List<ClientStatus> mostRecentFirst(List<ClientStatus> statuses, int max) {
		statuses.sort(Comparator.comparing(ClientStatus::since, Comparator.nullsLast(Comparator.reverseOrder())));
		return List.copyOf((statuses.size() > max) ? statuses.subList(0, max) : statuses);
	}

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
