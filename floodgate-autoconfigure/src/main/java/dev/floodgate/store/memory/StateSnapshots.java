package dev.floodgate.store.memory;

import java.time.Instant;

import dev.floodgate.core.ClientState;
import dev.floodgate.core.EscalationPolicy;
import dev.floodgate.store.ClientStatus;

/**
 * Turns a {@link ClientState} into the {@link ClientStatus} operators see.
 */
final class StateSnapshots {

	private StateSnapshots() {
	}

	static ClientStatus status(String client, ClientState state, EscalationPolicy escalation, long now) {
		boolean banned = state.bannedUntilMillis() > now;
		boolean blocked = !banned && state.blockedUntilMillis() > now;
		Instant bannedUntil = (banned && state.bannedUntilMillis() != Long.MAX_VALUE)
				? Instant.ofEpochMilli(state.bannedUntilMillis()) : null;
		Instant blockedUntil = blocked ? Instant.ofEpochMilli(state.blockedUntilMillis()) : null;
		Instant since = banned ? Instant.ofEpochMilli(state.bannedAtMillis())
				: blocked ? Instant.ofEpochMilli(state.blockedAtMillis()) : null;
		return new ClientStatus(client, banned, bannedUntil, blockedUntil, since, state.blocks(escalation, now),
				state.violations(escalation, now));
	}

}
