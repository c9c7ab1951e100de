package dev.floodgate.core;

import org.jspecify.annotations.Nullable;

/**
 * The decision for one request: its outcome, when the client may retry, the state of the
 * tightest limit (for the {@code RateLimit} headers) and the block or ban it started, if any.
 *
 * @param outcome the outcome
 * @param retryAfterMillis for a rejection, how long until the client may retry; -1 when it
 * may never retry on its own (a permanent ban) or when the request was allowed
 * @param limitIndex the index, within the policy, of the tightest limit, or -1 when no limit
 * was evaluated (no policy, or the client is blocked or banned)
 * @param remaining the quota units left under the tightest limit (a request spends the
 * policy's {@link RatePolicy#cost() cost})
 * @param resetMillis how long until the tightest limit's window resets; when fewer units than
 * the cost are left (or the request was refused), how long until the next request would be
 * admitted
 * @param escalation the block or ban this decision started, or {@code null}
 */
public record Decision(Outcome outcome, long retryAfterMillis, int limitIndex, long remaining, long resetMillis,
		@Nullable Escalation escalation) implements Counted {

	/** An allowed request that no limit applies to. */
	public static final Decision UNLIMITED = new Decision(Outcome.ALLOWED, -1, -1, 0, 0, null);

	/**
	 * A decision that evaluated no limit.
	 * @param outcome the outcome
	 * @param retryAfterMillis the retry delay or -1
	 * @param escalation the escalation it started or {@code null}
	 * @return the decision
	 */
	public static Decision of(Outcome outcome, long retryAfterMillis, @Nullable Escalation escalation) {
		return new Decision(outcome, retryAfterMillis, -1, 0, 0, escalation);
	}

}
