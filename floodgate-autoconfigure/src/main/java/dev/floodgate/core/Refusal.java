package dev.floodgate.core;

import dev.floodgate.core.ClientState.Escalations;
import org.jspecify.annotations.Nullable;

/**
 * A request a store did not count: the client is blocked or banned, or the request is over a
 * limit. It carries what the rules need to decide it and, when that changes the client's
 * escalation state, what the conditional write of the new state is checked against.
 *
 * @param nowMillis the time the store decided at (its own clock, where it has one: every
 * escalation written for this request uses it)
 * @param limited for a request over a limit, the {@link Outcome#LIMITED} decision of
 * {@link DecisionRules#checkLimits} on the counts the store saw; {@code null} when the client
 * is blocked or banned (the store then counted nothing and checked no limit)
 * @param escalations the client's escalation state as the store holds it
 * @param version the version of that state: a write of a new state succeeds only while the
 * store still holds this version (0 for a client that never had one)
 */
public record Refusal(long nowMillis, @Nullable Decision limited, Escalations escalations, long version)
		implements Counted {

}
