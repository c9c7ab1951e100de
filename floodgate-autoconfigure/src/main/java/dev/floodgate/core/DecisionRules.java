package dev.floodgate.core;

import java.time.Duration;
import java.util.function.ObjLongConsumer;

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
 * A block starts when the latest {@code block.afterViolations} violations since the last
 * block all fall within {@code block.violationWindow}; a ban starts when the latest
 * {@code ban.afterViolations} violations fall within {@code ban.window} (blocks never reset
 * that count). Blocks are numbered in runs: a block that starts within the ban window of the
 * client's previous block is the next of its run, any other is the first of a new run (so a
 * client that goes a whole ban window without a block starts again at the first). The n-th
 * block of a run lasts {@code duration × factor^(n-1)}, at most {@code maxDuration}, for
 * every n: all a store keeps for it is the latest block's number and start. When a timed ban
 * lapses, the client's history starts afresh.
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
		Decision restricted = restriction(state, now);
		if (restricted != null) {
			return restricted;
		}
		if (policy == null) {
			return Decision.UNLIMITED;
		}
		Decision limits = checkLimits(state, policy, now);
		if (limits.outcome() != Outcome.ALLOWED) {
			return violation(state, now, limits, null);
		}
		count(state, policy, now);
		return limits;
	}

	/**
	 * Rejects a request that {@link #checkLimits} found over a limit, as
	 * {@link #decide} does: unless the client is already blocked or banned, this is a
	 * violation, which may start a block or a ban. For stores that count before they decide.
	 * @param state the client's state, changed in place
	 * @param limited the {@link Outcome#LIMITED} decision of {@link #checkLimits}
	 * @param now the time
	 * @return the decision
	 */
	public Decision reject(ClientState state, Decision limited, long now) {
		Decision restricted = restriction(state, now);
		return (restricted != null) ? restricted : violation(state, now, limited, null);
	}

	/**
	 * Records a penalty: a response that counts as a violation of its client (a status that
	 * is penalized, a failed authentication), in the same windows as a request over a limit,
	 * so that it may start the same blocks and bans. A client already banned or blocked is
	 * left as it is (a relative block is not restarted: the request was not refused).
	 * @param state the client's state, changed in place
	 * @param now the time
	 * @param penalty why the response is a violation
	 * @return {@link #PENALIZED} when the penalty was recorded and started nothing, the block
	 * or ban it started, or the client's restriction when it was already restricted
	 */
	public Decision penalize(ClientState state, long now, Penalty penalty) {
		if (state.bannedUntilMillis() > now) {
			long retry = (state.bannedUntilMillis() == Long.MAX_VALUE) ? -1 : state.bannedUntilMillis() - now;
			return Decision.of(Outcome.BANNED, retry, null);
		}
		if (state.blockedUntilMillis() > now) {
			return Decision.of(Outcome.BLOCKED, state.blockedUntilMillis() - now, null);
		}
		return violation(state, now, PENALIZED, penalty);
	}

	/**
	 * What {@link #penalize} returns for a penalty that was recorded (or, with escalation
	 * switched off, ignored) and started no block or ban: the request itself was already
	 * answered.
	 */
	public static final Decision PENALIZED = Decision.of(Outcome.ALLOWED, -1, null);

	/**
	 * The decision for a client that is banned, or blocked without a relative block, without
	 * changing anything.
	 * @param state the client's state
	 * @param now the time
	 * @return the decision, or {@code null} when deciding needs more (or changes the state)
	 */
	public @Nullable Decision restrictionIfUnchanged(ClientState state, long now) {
		if (state.bannedUntilMillis() > now || (state.blockedUntilMillis() > now && !this.escalation.block().relative())) {
			return restriction(state, now);
		}
		return null;
	}

	/**
	 * Whether counting a request of this policy makes the state live longer: the policy's
	 * windows are longer than any the client used so far.
	 * @param state the client's state
	 * @param policy the policy
	 * @return {@code true} if counting extends the counters' retention
	 */
	public boolean extendsRetention(ClientState state, RatePolicy policy) {
		return ((this.algorithm == Algorithm.SLIDING_WINDOW) ? 2 : 1) * policy.longestWindowMillis() > state.counterRetentionMillis();
	}

	private @Nullable Decision restriction(ClientState state, long now) {
		if (state.bannedUntilMillis() > now) {
			long retry = (state.bannedUntilMillis() == Long.MAX_VALUE) ? -1 : state.bannedUntilMillis() - now;
			return Decision.of(Outcome.BANNED, retry, null);
		}
		if (state.blockedUntilMillis() > now) {
			if (this.escalation.block().relative()) {
				state.escalating().blockedUntilMillis = Durations.saturatedAdd(now, state.blockLengthMillis());
			}
			return Decision.of(Outcome.BLOCKED, state.blockedUntilMillis() - now, null);
		}
		return null;
	}

	/**
	 * Checks one request against every limit of a policy, changing nothing: either
	 * {@link Outcome#ALLOWED} with the tightest limit's state after counting the request, or
	 * {@link Outcome#LIMITED} with the time until a request would be admitted and the limit
	 * that is furthest from admitting it. A request spends {@link RatePolicy#cost()} units of
	 * every limit.
	 * <p>
	 * An allowed decision's {@link Decision#resetMillis()} is the tightest limit's window reset
	 * while the next request would be admitted at once; once fewer than the cost remain, it is
	 * the time until the next request would be admitted (the {@code Retry-After} that request
	 * would get), so that a client that waits that long is never refused.
	 * @param state the client's state (only its counters are read)
	 * @param policy the policy
	 * @param now the time
	 * @return the decision, without escalation
	 */
	public Decision checkLimits(ClientState state, RatePolicy policy, long now) {
		boolean sliding = this.algorithm == Algorithm.SLIDING_WINDOW;
		long cost = policy.cost();
		int tightest = -1;
		long tightestRemaining = Long.MAX_VALUE;
		long tightestReset = 0;
		boolean tightestExhausted = false;
		int violated = -1;
		long retryAfter = 0;
		for (int i = 0; i < policy.size(); i++) {
			long window = policy.windowMillis(i);
			long count = policy.count(i);
			int slot = policy.firstSlot() + i;
			long index = windowIndex(state, slot, now, window);
			long elapsed = now - index * window;
			long previous = sliding ? previousCount(state, slot, index) : 0;
			long current = currentCount(state, slot, index);
			// admit when previous * (window - elapsed) / window + current + cost <= count (a
			// newer window than the time's weighs its previous one in full)
			long weightedPrevious = previous * (window - Math.max(0, elapsed));
			long room = (count - current - cost) * window;
			if (weightedPrevious > room) {
				long retry = sliding ? slidingRetryAfter(count, cost, window, elapsed, previous, current) : window - elapsed;
				if (violated < 0 || retry > retryAfter) {
					retryAfter = retry;
					violated = i;
				}
				continue;
			}
			long remaining = (room - weightedPrevious) / window;
			boolean exhausted = remaining < cost;
			long reset = exhausted ? untilAdmitted(sliding, count, cost, window, elapsed, previous, current + cost)
					: window - elapsed;
			if (tightest < 0 || tighter(exhausted, remaining, reset, tightestExhausted, tightestRemaining, tightestReset)) {
				tightest = i;
				tightestRemaining = remaining;
				tightestReset = reset;
				tightestExhausted = exhausted;
			}
		}
		if (violated >= 0) {
			long retry = Math.max(1, retryAfter);
			return new Decision(Outcome.LIMITED, retry, violated, 0, retry, null);
		}
		return new Decision(Outcome.ALLOWED, -1, tightest, tightestRemaining, tightestReset, null);
	}

	/**
	 * The fast path of {@link #decide} for a client neither blocked nor banned whose counters
	 * already live long enough for this policy: admits and counts the request if every limit
	 * holds, in one pass for a policy of one limit; otherwise changes nothing.
	 * @param state the client's state, changed in place when the request is admitted
	 * @param policy the policy
	 * @param now the time
	 * @return the {@link Outcome#ALLOWED} decision, or {@code null} when the request is over a
	 * limit (then {@link #decide} must decide it)
	 */
	public @Nullable Decision admit(ClientState state, RatePolicy policy, long now) {
		if (policy.size() != 1) {
			Decision decision = checkLimits(state, policy, now);
			if (decision.outcome() != Outcome.ALLOWED) {
				return null;
			}
			count(state, policy, now);
			return decision;
		}
		long window = policy.windowMillis(0);
		int slot = policy.firstSlot();
		long stored = state.counter(slot);
		long index = Math.max(now / window, stored);
		long elapsed = now - index * window;
		long counts = state.counts(slot);
		boolean sliding = this.algorithm == Algorithm.SLIDING_WINDOW;
		long previous = 0;
		long current = 0;
		if (stored == index) {
			previous = sliding ? counts >>> 32 : 0;
			current = counts & 0xFFFF_FFFFL;
		}
		else if (stored == index - 1 && sliding) {
			previous = counts & 0xFFFF_FFFFL;
		}
		long cost = policy.cost();
		long weightedPrevious = previous * (window - Math.max(0, elapsed));
		long room = (policy.count(0) - current - cost) * window;
		if (weightedPrevious > room) {
			return null;
		}
		state.setCounter(slot, index, (previous << 32) | (current + cost));
		state.lastCountedMillis = Math.max(state.lastCountedMillis, now);
		long remaining = (room - weightedPrevious) / window;
		long reset = (remaining < cost)
				? untilAdmitted(sliding, policy.count(0), cost, window, elapsed, previous, current + cost)
				: window - elapsed;
		return new Decision(Outcome.ALLOWED, -1, 0, remaining, reset, null);
	}

	/**
	 * Counts an admitted request against every limit of the policy.
	 * @param state the client's state, changed in place
	 * @param policy the policy
	 * @param now the time
	 */
	public void count(ClientState state, RatePolicy policy, long now) {
		boolean sliding = this.algorithm == Algorithm.SLIDING_WINDOW;
		for (int i = 0; i < policy.size(); i++) {
			int slot = policy.firstSlot() + i;
			long index = windowIndex(state, slot, now, policy.windowMillis(i));
			long previous = sliding ? previousCount(state, slot, index) : 0;
			state.setCounter(slot, index, (previous << 32) | (currentCount(state, slot, index) + policy.cost()));
		}
		state.lastCountedMillis = Math.max(state.lastCountedMillis, now);
		state.retainCountersFor((sliding ? 2 : 1) * policy.longestWindowMillis());
	}

	/**
	 * Whether a limit binds more than the tightest so far: one that admits no further request
	 * binds more than one that does, and of two such the one that admits later; otherwise the
	 * one with fewer units left, then the one that resets later.
	 */
	private static boolean tighter(boolean exhausted, long remaining, long reset, boolean thanExhausted,
			long thanRemaining, long thanReset) {
		if (exhausted != thanExhausted) {
			return exhausted;
		}
		if (exhausted) {
			return reset > thanReset;
		}
		return remaining < thanRemaining || (remaining == thanRemaining && reset > thanReset);
	}

	/**
	 * How long until a request of that cost would be admitted under one limit whose counts are
	 * these (the next request after one that was just counted: {@code current} includes it).
	 */
	private static long untilAdmitted(boolean sliding, long count, long cost, long window, long elapsed, long previous,
			long current) {
		return sliding ? slidingRetryAfter(count, cost, window, elapsed, previous, current) : window - elapsed;
	}

	/**
	 * How long until a request of that cost would be admitted by a sliding window now over its
	 * limit: admission is monotonic in time (the weighted count never grows while nothing is
	 * counted), so this is also when the first request could succeed.
	 */
	private static long slidingRetryAfter(long count, long cost, long window, long elapsed, long previous,
			long current) {
		if (current + cost <= count && previous > 0) {
			// later in this window, once enough of the previous window has slid out:
			// previous * (window - e) <= (count - current - cost) * window from e = window - floor(...)
			long needed = window - ((count - current - cost) * window) / previous;
			return Math.max(needed, elapsed + 1) - elapsed;
		}
		// in the next window, where this window's count becomes the previous one:
		// current * (window - e) <= (count - cost) * window
		long nextElapsed = (current == 0) ? 0 : Math.max(0, window - ((count - cost) * window) / current);
		return (window - elapsed) + nextElapsed;
	}

	/**
	 * The window a request counts in: the one the time falls in, or the counter's own window
	 * when that is newer (the clock stepped back, or another instance's clock is ahead). A
	 * counter newer than the time's window is never dropped or ignored: it is the current one.
	 * In such a window the time is before its start ({@code elapsed < 0}): the previous
	 * window then weighs in full, and the time until the window ends is longer by as much.
	 */
	private static long windowIndex(ClientState state, int slot, long now, long window) {
		return Math.max(now / window, state.counter(slot));
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

	private Decision violation(ClientState state, long now, Decision limited, @Nullable Penalty penalty) {
		BlockPolicy block = this.escalation.block();
		BanPolicy ban = this.escalation.ban();
		if (!this.escalation.countsViolations()) {
			return limited;
		}
		ClientState.Escalated escalated = state.escalating();
		if (escalated.bannedAtMillis != 0) {
			// a timed ban has lapsed: the client starts again with a clean history
			escalated.bannedAtMillis = 0;
			escalated.bannedUntilMillis = 0;
			escalated.banViolationTimes = RecentTimes.NONE;
			escalated.blockNumber = 0;
			escalated.violationTimes = RecentTimes.NONE;
		}
		escalated.banViolationTimes = RecentTimes.add(escalated.banViolationTimes, now, ban.afterViolations());
		escalated.violationTimes = RecentTimes.add(escalated.violationTimes, now, block.afterViolations());
		int violations = RecentTimes.within(state.banViolationTimes(), now, ban.window().toMillis());
		if (ban.enabled() && violations >= ban.afterViolations()) {
			ban(state, (ban.duration() != null) ? ban.duration().toMillis() : -1, now);
			return Decision.of(Outcome.BANNED, (state.bannedUntilMillis() == Long.MAX_VALUE) ? -1 : state.bannedUntilMillis() - now,
					new Escalation(Escalation.Kind.BAN, 1, state.bannedUntilMillis(), violations, penalty));
		}
		if (block.enabled()
				&& RecentTimes.within(state.violationTimes(), now, block.violationWindow().toMillis()) >= block.afterViolations()) {
			int number = block(state, -1, now);
			return Decision.of(Outcome.BLOCKED, state.blockLengthMillis(),
					new Escalation(Escalation.Kind.BLOCK, number, state.blockedUntilMillis(), violations, penalty));
		}
		return limited;
	}

	/**
	 * Starts a block now, as the next one in the client's history.
	 * @param state the client's state
	 * @param lengthMillis the block's length, or -1 for the length its number gives it
	 * @param now the time
	 * @return the block's number in the client's run of blocks
	 */
	public int block(ClientState state, long lengthMillis, long now) {
		int latest = ClientState.blocksInRun(state.violationBlockNumber(), state.blockedAtMillis(),
				this.escalation.ban().window().toMillis(), now);
		int number = (latest == Integer.MAX_VALUE) ? latest : latest + 1;
		ClientState.Escalated escalated = state.escalating();
		escalated.blockNumber = number;
		long length = (lengthMillis >= 0) ? lengthMillis : this.escalation.block().durationMillis(number);
		escalated.blockLengthMillis = length;
		escalated.blockedAtMillis = now;
		escalated.blockedUntilMillis = Durations.saturatedAdd(now, length);
		escalated.violationTimes = RecentTimes.NONE;
		return number;
	}

	/**
	 * A block by hand, for stores that apply these rules to a state they read.
	 * @param duration how long
	 * @return the change: {@link #block} with that length
	 */
	public ObjLongConsumer<ClientState> blockFor(Duration duration) {
		long length = duration.toMillis();
		return (state, now) -> block(state, length, now);
	}

	/**
	 * A ban by hand, for stores that apply these rules to a state they read.
	 * @param duration how long, {@code null} for a permanent ban
	 * @return the change: {@link #ban} with that length
	 */
	public ObjLongConsumer<ClientState> banFor(@Nullable Duration duration) {
		long length = (duration != null) ? duration.toMillis() : -1;
		return (state, now) -> ban(state, length, now);
	}

	/**
	 * Bans the client now.
	 * @param state the client's state
	 * @param lengthMillis the ban's length, or -1 for a permanent ban
	 * @param now the time
	 */
	public void ban(ClientState state, long lengthMillis, long now) {
		ClientState.Escalated escalated = state.escalating();
		escalated.bannedAtMillis = now;
		escalated.bannedUntilMillis = (lengthMillis < 0) ? Long.MAX_VALUE : Durations.saturatedAdd(now, lengthMillis);
		escalated.violationTimes = RecentTimes.NONE;
	}

}
