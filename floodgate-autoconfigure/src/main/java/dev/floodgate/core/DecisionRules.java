package dev.floodgate.core;

import org.jspecify.annotations.Nullable;

/**
 * The rules that decide one request for one client: limits with the configured
 * {@link Algorithm}, then violations, blocks and bans by the {@link EscalationPolicy}. Plain
 * Java: the caller passes the time and serialises access to the {@link ClientState}.
 * <p>
 * The order of a decision: a banned client is rejected (403); a blocked client is rejected
 * (429, and with a relative block the block restarts); otherwise every limit of the policy is
 * checked and the request is admitted, counting against all of them, only when all hold. A
 * rejected request counts against no limit; it is a violation, which may start a block or a
 * ban.
 * <p>
 * Violations are counted in windows that open at the first violation counted: a block
 * starts when {@code block.afterViolations} violations fall within
 * {@code block.violationWindow} of the first, and resets that count; a ban starts when
 * {@code ban.afterViolations} violations fall within {@code ban.window}. Blocks are
 * numbered within the ban window the same way, and the n-th block lasts
 * {@code duration × factor^(n-1)}, at most {@code maxDuration}.
 */
public final class DecisionRules {

	private final Algorithm algorithm;

	private final EscalationPolicy escalation;

	public DecisionRules(Algorithm algorithm, EscalationPolicy escalation) {
		this.algorithm = algorithm;
		this.escalation = escalation;
	}

	public Algorithm algorithm() {
		return this.algorithm;
	}

	public EscalationPolicy escalation() {
		return this.escalation;
	}

	/**
	 * Decides one request.
	 * @param state the client's state, changed in place
	 * @param policy the policy of the handler, or {@code null} when no limit applies (only a
	 * block or ban can reject the request)
	 * @param now the time in epoch milliseconds
	 * @return the decision
	 */
	public Decision decide(ClientState state, @Nullable RatePolicy policy, long now) {
		if (state.bannedUntilMillis > now) {
			long retry = (state.bannedUntilMillis == Long.MAX_VALUE) ? -1 : state.bannedUntilMillis - now;
			return Decision.of(Outcome.BANNED, retry, null);
		}
		if (state.blockedUntilMillis > now) {
			if (this.escalation.block().relative()) {
				state.blockedUntilMillis = now + state.blockLengthMillis;
				state.escalationChanged = true;
			}
			return Decision.of(Outcome.BLOCKED, state.blockedUntilMillis - now, null);
		}
		if (policy == null) {
			return Decision.UNLIMITED;
		}
		return (this.algorithm == Algorithm.SLIDING_WINDOW) ? slidingWindow(state, policy, now)
				: fixedWindow(state, policy, now);
	}

	private Decision slidingWindow(ClientState state, RatePolicy policy, long now) {
		int tightest = -1;
		long tightestRemaining = Long.MAX_VALUE;
		long tightestReset = 0;
		long retryAfter = 0;
		int violated = 0;
		int size = policy.size();
		for (int i = 0; i < size; i++) {
			Limit limit = policy.limit(i);
			long window = limit.windowMillis();
			long count = limit.count();
			int slot = policy.firstSlot() + i;
			long index = now / window;
			long elapsed = now - index * window;
			long previous = previousCount(state, slot, index);
			long current = currentCount(state, slot, index);
			// admit when previous * (window - elapsed) / window + current + 1 <= count
			long weightedPrevious = previous * (window - elapsed);
			long room = (count - current - 1) * window;
			if (weightedPrevious > room) {
				long retry = slidingRetryAfter(count, window, elapsed, previous, current);
				if (retry > retryAfter) {
					retryAfter = retry;
					violated = i;
				}
				tightest = -2;
				continue;
			}
			if (tightest == -2) {
				continue;
			}
			long remaining = (room - weightedPrevious) / window;
			long reset = window - elapsed;
			if (remaining < tightestRemaining || (remaining == tightestRemaining && reset > tightestReset)) {
				tightest = i;
				tightestRemaining = remaining;
				tightestReset = reset;
			}
		}
		if (tightest == -2) {
			return violation(state, now, retryAfter, violated);
		}
		for (int i = 0; i < size; i++) {
			int slot = policy.firstSlot() + i;
			long index = now / policy.limit(i).windowMillis();
			long previous = previousCount(state, slot, index);
			long current = currentCount(state, slot, index);
			state.setCounter(slot, index, (previous << 32) | (current + 1));
		}
		counted(state, policy, now, 2);
		return new Decision(Outcome.ALLOWED, -1, tightest, tightestRemaining, tightestReset, null);
	}

	private static long slidingRetryAfter(long count, long window, long elapsed, long previous, long current) {
		if (current < count && previous > 0) {
			// later in this window, once enough of the previous window has slid out:
			// previous * (window - e) <= (count - current - 1) * window from e = window - floor(...)
			long needed = window - ((count - current - 1) * window) / previous;
			long waitMillis = Math.max(needed, elapsed + 1) - elapsed;
			if (elapsed + waitMillis <= window) {
				return waitMillis;
			}
		}
		// in the next window, where this window's count becomes the previous one
		long nextElapsed = (current < count) ? 0 : Math.max(0, window - ((count - 1) * window) / current);
		return (window - elapsed) + nextElapsed;
	}

	private Decision fixedWindow(ClientState state, RatePolicy policy, long now) {
		int tightest = -1;
		long tightestRemaining = Long.MAX_VALUE;
		long tightestReset = 0;
		long retryAfter = 0;
		int violated = -1;
		int size = policy.size();
		for (int i = 0; i < size; i++) {
			Limit limit = policy.limit(i);
			long window = limit.windowMillis();
			int slot = policy.firstSlot() + i;
			long index = now / window;
			long current = currentCount(state, slot, index);
			long reset = (index + 1) * window - now;
			if (current + 1 > limit.count()) {
				if (violated < 0 || reset > retryAfter) {
					retryAfter = reset;
					violated = i;
				}
				continue;
			}
			long remaining = limit.count() - current - 1;
			if (remaining < tightestRemaining || (remaining == tightestRemaining && reset > tightestReset)) {
				tightest = i;
				tightestRemaining = remaining;
				tightestReset = reset;
			}
		}
		if (violated >= 0) {
			return violation(state, now, retryAfter, violated);
		}
		for (int i = 0; i < size; i++) {
			int slot = policy.firstSlot() + i;
			long index = now / policy.limit(i).windowMillis();
			state.setCounter(slot, index, currentCount(state, slot, index) + 1);
		}
		counted(state, policy, now, 1);
		return new Decision(Outcome.ALLOWED, -1, tightest, tightestRemaining, tightestReset, null);
	}

	private static void counted(ClientState state, RatePolicy policy, long now, int windowsKept) {
		state.lastCountedMillis = now;
		state.counterRetentionMillis = Math.max(state.counterRetentionMillis,
				windowsKept * policy.longestWindowMillis());
	}

	private static long previousCount(ClientState state, int slot, long index) {
		long stored = state.counter(slot);
		if (stored == index) {
			return state.counts(slot) >>> 32;
		}
		if (stored == index - 1) {
			return state.counts(slot) & 0xFFFF_FFFFL;
		}
		return 0;
	}

	private static long currentCount(ClientState state, int slot, long index) {
		return (state.counter(slot) == index) ? state.counts(slot) & 0xFFFF_FFFFL : 0;
	}

	private Decision violation(ClientState state, long now, long retryAfter, int violated) {
		BlockPolicy block = this.escalation.block();
		BanPolicy ban = this.escalation.ban();
		Decision limited = new Decision(Outcome.LIMITED, Math.max(1, retryAfter), violated, 0, Math.max(1, retryAfter),
				null);
		if (!this.escalation.countsViolations()) {
			return limited;
		}
		state.escalationChanged = true;
		if (state.bannedAtMillis != 0) {
			// a timed ban has lapsed: the client starts again with a clean history
			state.bannedAtMillis = 0;
			state.bannedUntilMillis = 0;
			state.banViolations = 0;
			state.blocks = 0;
		}
		if (state.banViolations == 0 || now - state.banViolationsSinceMillis >= ban.window().toMillis()) {
			state.banViolations = 0;
			state.banViolationsSinceMillis = now;
		}
		state.banViolations++;
		if (state.violations == 0 || now - state.violationsSinceMillis >= block.violationWindow().toMillis()) {
			state.violations = 0;
			state.violationsSinceMillis = now;
		}
		state.violations++;
		if (ban.enabled() && state.banViolations >= ban.afterViolations()) {
			int violations = state.banViolations;
			ban(state, ban.duration() == null ? -1 : ban.duration().toMillis(), now);
			return Decision.of(Outcome.BANNED, (state.bannedUntilMillis == Long.MAX_VALUE) ? -1 : state.bannedUntilMillis - now,
					new Escalation(Escalation.Kind.BAN, 1, state.bannedUntilMillis, violations));
		}
		if (block.enabled() && state.violations >= block.afterViolations()) {
			int number = block(state, -1, now);
			return Decision.of(Outcome.BLOCKED, state.blockLengthMillis,
					new Escalation(Escalation.Kind.BLOCK, number, state.blockedUntilMillis, state.banViolations));
		}
		return limited;
	}

	/**
	 * Starts a block now, as the next one in the client's history.
	 * @param state the client's state
	 * @param lengthMillis the block's length, or -1 for the length its number gives it
	 * @param now the time
	 * @return the block's number within the ban window
	 */
	public int block(ClientState state, long lengthMillis, long now) {
		if (state.blocks == 0 || now - state.blocksSinceMillis >= this.escalation.ban().window().toMillis()) {
			state.blocks = 0;
			state.blocksSinceMillis = now;
		}
		state.blocks++;
		long length = (lengthMillis >= 0) ? lengthMillis : this.escalation.block().durationMillis(state.blocks);
		state.blockLengthMillis = length;
		state.blockedAtMillis = now;
		state.blockedUntilMillis = saturatedAdd(now, length);
		state.violations = 0;
		state.escalationChanged = true;
		return state.blocks;
	}

	/**
	 * Bans the client now.
	 * @param state the client's state
	 * @param lengthMillis the ban's length, or -1 for a permanent ban
	 * @param now the time
	 */
	public void ban(ClientState state, long lengthMillis, long now) {
		state.bannedAtMillis = now;
		state.bannedUntilMillis = (lengthMillis < 0) ? Long.MAX_VALUE : saturatedAdd(now, lengthMillis);
		state.violations = 0;
		state.escalationChanged = true;
	}

	private static long saturatedAdd(long a, long b) {
		long sum = a + b;
		return (((a ^ sum) & (b ^ sum)) < 0) ? Long.MAX_VALUE : sum;
	}

}
