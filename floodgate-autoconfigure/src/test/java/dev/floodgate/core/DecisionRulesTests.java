package dev.floodgate.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DecisionRules}: plain Java, a {@link ClientState} and explicit times.
 */
class DecisionRulesTests {

	/** Midnight UTC: a multiple of every window used here. */
	private static final long T0 = 1_700_006_400_000L;

	private static final long MINUTE = 60_000;

	private static final long HOUR = 60 * MINUTE;

	private static final long DAY = 24 * HOUR;

	private static final int CASES = 600;

	// block length

	@Test
	void nthBlockLastsDurationTimesFactorToTheNMinusOne() {
		BlockPolicy block = block(Duration.ofMinutes(15), 2, Duration.ofHours(24));
		assertThat(block.durationMillis(1)).isEqualTo(15 * MINUTE);
		assertThat(block.durationMillis(2)).isEqualTo(30 * MINUTE);
		assertThat(block.durationMillis(3)).isEqualTo(60 * MINUTE);
		assertThat(block.durationMillis(4)).isEqualTo(120 * MINUTE);
		assertThat(block.durationMillis(7)).isEqualTo(15 * 64 * MINUTE);
	}

	@Test
	void blockLengthIsCappedByMaxDuration() {
		BlockPolicy block = block(Duration.ofMinutes(15), 2, Duration.ofHours(24));
		// 15m x 2^6 = 16h, 15m x 2^7 = 32h
		assertThat(block.durationMillis(7)).isEqualTo(16 * HOUR);
		assertThat(block.durationMillis(8)).isEqualTo(DAY);
		assertThat(block.durationMillis(9)).isEqualTo(DAY);
	}

	@Test
	void fractionalFactorGrowsBlocks() {
		BlockPolicy block = block(Duration.ofMinutes(10), 1.5, Duration.ofHours(24));
		assertThat(block.durationMillis(1)).isEqualTo(10 * MINUTE);
		assertThat(block.durationMillis(2)).isEqualTo(15 * MINUTE);
		assertThat(block.durationMillis(3)).isEqualTo(22 * MINUTE + 30_000);
	}

	@Test
	void factorOneKeepsEveryBlockTheSameLength() {
		BlockPolicy block = block(Duration.ofMinutes(15), 1, Duration.ofHours(24));
		for (int n : new int[] { 1, 2, 3, 10, 1000, Integer.MAX_VALUE }) {
			assertThat(block.durationMillis(n)).as("block %d", n).isEqualTo(15 * MINUTE);
		}
	}

	@Test
	void hugeBlockNumberDoesNotOverflow() {
		BlockPolicy block = block(Duration.ofMinutes(15), 2, Duration.ofHours(24));
		assertThat(block.durationMillis(64)).isEqualTo(DAY);
		assertThat(block.durationMillis(1100)).isEqualTo(DAY);
		assertThat(block.durationMillis(Integer.MAX_VALUE)).isEqualTo(DAY);
		BlockPolicy unbounded = block(Duration.ofDays(1), 1000, Duration.ofMillis(Long.MAX_VALUE));
		assertThat(unbounded.durationMillis(Integer.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
		assertThat(unbounded.durationMillis(3)).isEqualTo(DAY * 1_000_000);
	}

	@Test
	void blockLengthsNeverShrinkAndStayWithinBounds() {
		Random random = new Random(11);
		for (int i = 0; i < 200; i++) {
			long duration = 1 + random.nextInt(1_000_000);
			long max = duration + random.nextInt(100_000_000);
			BlockPolicy block = block(Duration.ofMillis(duration), 1 + random.nextDouble() * 10, Duration.ofMillis(max));
			long previous = 0;
			for (int n = 1; n < 200; n++) {
				long length = block.durationMillis(n);
				assertThat(length).isBetween(Math.max(previous, duration), max);
				previous = length;
			}
		}
	}

	@Test
	void blocksGrowWithEachBlockWithinTheBanWindowAndStartAgainAfterIt() {
		DecisionRules rules = new DecisionRules(Algorithm.FIXED_WINDOW,
				escalation(true, 2, Duration.ofMinutes(10), block(Duration.ofMinutes(1), 2, Duration.ofMinutes(3)), false,
						100, Duration.ofHours(24), null));
		RatePolicy policy = policy("1/second");
		ClientState state = new ClientState();
		long now = T0;
		long[] expected = { MINUTE, 2 * MINUTE, 3 * MINUTE, 3 * MINUTE };
		for (int n = 1; n <= expected.length; n++) {
			assertThat(rules.decide(state, policy, now).outcome()).isEqualTo(Outcome.ALLOWED);
			assertThat(rules.decide(state, policy, now).outcome()).isEqualTo(Outcome.LIMITED);
			Decision blocked = rules.decide(state, policy, now);
			assertThat(blocked.outcome()).isEqualTo(Outcome.BLOCKED);
			assertThat(blocked.retryAfterMillis()).isEqualTo(expected[n - 1]);
			assertThat(blocked.escalation()).isNotNull();
			assertThat(blocked.escalation().kind()).isEqualTo(Escalation.Kind.BLOCK);
			assertThat(blocked.escalation().number()).isEqualTo(n);
			assertThat(blocked.escalation().untilMillis()).isEqualTo(now + expected[n - 1]);
			assertThat(rules.decide(state, policy, now + expected[n - 1] - 1).outcome()).isEqualTo(Outcome.BLOCKED);
			now += expected[n - 1];
		}
		// a client whose latest block started a ban window ago starts again at the first block
		now = now - expected[expected.length - 1] + DAY;
		assertThat(rules.decide(state, policy, now).outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(rules.decide(state, policy, now).outcome()).isEqualTo(Outcome.LIMITED);
		Decision blocked = rules.decide(state, policy, now);
		assertThat(blocked.escalation().number()).isEqualTo(1);
		assertThat(blocked.retryAfterMillis()).isEqualTo(MINUTE);
	}

	@Test
	void banCountsEveryViolationAcrossBlocks() {
		DecisionRules rules = new DecisionRules(Algorithm.FIXED_WINDOW,
				escalation(true, 3, Duration.ofMinutes(10), block(Duration.ofMinutes(1), 1, Duration.ofMinutes(1)), false,
						7, Duration.ofHours(24), null));
		RatePolicy policy = policy("1/second");
		ClientState state = new ClientState();
		long now = T0;
		List<Outcome> outcomes = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			rules.decide(state, policy, now);
			for (int v = 0; v < 3; v++) {
				outcomes.add(rules.decide(state, policy, now).outcome());
			}
			now += MINUTE;
		}
		assertThat(outcomes).containsExactly(Outcome.LIMITED, Outcome.LIMITED, Outcome.BLOCKED, Outcome.LIMITED,
				Outcome.LIMITED, Outcome.BLOCKED, Outcome.BANNED, Outcome.BANNED, Outcome.BANNED);
		Decision banned = rules.decide(state, policy, now + 365 * DAY);
		assertThat(banned.outcome()).isEqualTo(Outcome.BANNED);
		assertThat(banned.retryAfterMillis()).as("a permanent ban has no retry").isEqualTo(-1);
	}

	@Test
	void relativeBlockRestartsWithEveryRequest() {
		DecisionRules rules = new DecisionRules(Algorithm.FIXED_WINDOW,
				escalation(true, 1, Duration.ofMinutes(10), block(Duration.ofMinutes(1), 1, Duration.ofMinutes(1)), true,
						100, Duration.ofHours(24), null));
		RatePolicy policy = policy("1/second");
		ClientState state = new ClientState();
		rules.decide(state, policy, T0);
		assertThat(rules.decide(state, policy, T0).outcome()).isEqualTo(Outcome.BLOCKED);
		Decision hammering = rules.decide(state, policy, T0 + MINUTE - 1);
		assertThat(hammering.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(hammering.retryAfterMillis()).isEqualTo(MINUTE);
		assertThat(rules.decide(state, policy, T0 + 2 * MINUTE - 2).outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(rules.decide(state, policy, T0 + 3 * MINUTE - 2).outcome()).isEqualTo(Outcome.ALLOWED);
	}

	@Test
	void violationsWithinTheViolationWindowBlock() {
		DecisionRules rules = new DecisionRules(Algorithm.FIXED_WINDOW,
				escalation(true, 3, Duration.ofMinutes(10), block(Duration.ofMinutes(15), 2, Duration.ofHours(24)), false,
						100, Duration.ofHours(24), null));
		RatePolicy policy = policy("1/minute");
		ClientState state = new ClientState();
		for (long minute : new long[] { 0, 9, 11 }) {
			rules.decide(state, policy, T0 + minute * MINUTE);
			assertThat(rules.decide(state, policy, T0 + minute * MINUTE).outcome()).isEqualTo(Outcome.LIMITED);
		}
		rules.decide(state, policy, T0 + 12 * MINUTE);
		assertThat(rules.decide(state, policy, T0 + 12 * MINUTE).outcome()).isEqualTo(Outcome.BLOCKED);
	}

	// sliding window arithmetic

	@Test
	void slidingWindowWeighsThePreviousWindowByItsOverlap() {
		DecisionRules rules = pureLimiter(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("10/minute");
		ClientState state = new ClientState();
		for (int i = 0; i < 10; i++) {
			Decision decision = rules.decide(state, policy, T0);
			assertThat(decision.outcome()).isEqualTo(Outcome.ALLOWED);
			assertThat(decision.remaining()).isEqualTo(9 - i);
			// the window resets in a minute, but with nothing left the next request is admitted
			// only once enough of this window has slid out: 10 x (60000 - 6000) / 60000 + 1 = 10
			assertThat(decision.resetMillis()).isEqualTo((i < 9) ? MINUTE : MINUTE + 6_000);
		}
		assertThat(rules.decide(state, policy, T0).outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(rules.decide(state, policy, T0 + MINUTE - 1).outcome()).isEqualTo(Outcome.LIMITED);
		// at the boundary the previous window still weighs in full
		assertThat(rules.decide(state, policy, T0 + MINUTE).outcome()).isEqualTo(Outcome.LIMITED);
		// 10 x (60000 - 5999) / 60000 = 9.0002 > 9
		assertThat(rules.decide(state, policy, T0 + MINUTE + 5_999).outcome()).isEqualTo(Outcome.LIMITED);
		// 10 x (60000 - 6000) / 60000 = 9: exactly room for one
		Decision first = rules.decide(state, policy, T0 + MINUTE + 6_000);
		assertThat(first.outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(first.remaining()).isZero();
		// not the window's reset (54s): the next request is admitted from 12000ms on
		assertThat(first.resetMillis()).isEqualTo(6_000);
		assertThat(rules.decide(state, policy, T0 + MINUTE + 6_000).outcome()).isEqualTo(Outcome.LIMITED);
		// 10 x (60000 - 12000) / 60000 + 1 = 9: room for one more
		assertThat(rules.decide(state, policy, T0 + MINUTE + 11_999).outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(rules.decide(state, policy, T0 + MINUTE + 12_000).outcome()).isEqualTo(Outcome.ALLOWED);
	}

	@Test
	void slidingWindowForgetsAWindowTwoWindowsAgo() {
		DecisionRules rules = pureLimiter(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("10/minute");
		ClientState state = new ClientState();
		for (int i = 0; i < 10; i++) {
			assertThat(rules.decide(state, policy, T0 + MINUTE - 1).outcome()).isEqualTo(Outcome.ALLOWED);
		}
		assertThat(rules.decide(state, policy, T0 + MINUTE).outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(rules.decide(state, policy, T0 + MINUTE + 5_999).outcome()).isEqualTo(Outcome.LIMITED);
		// the counts of window 0 no longer weigh in window 2
		Decision decision = rules.decide(state, policy, T0 + 2 * MINUTE);
		assertThat(decision.outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(decision.remaining()).isEqualTo(9);
	}

	@Test
	void slidingWindowHasNoBurstOfTwiceTheLimitAtABoundary() {
		DecisionRules rules = pureLimiter(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("100/minute");
		ClientState state = new ClientState();
		int admitted = 0;
		for (long t = T0 + MINUTE - 1_000; t < T0 + MINUTE + 1_000; t += 10) {
			if (rules.decide(state, policy, t).outcome() == Outcome.ALLOWED) {
				admitted++;
			}
		}
		assertThat(admitted).isBetween(100, 104);
	}

	@Test
	void fixedWindowsAreAlignedToTheEpoch() {
		DecisionRules rules = pureLimiter(Algorithm.FIXED_WINDOW);
		RatePolicy policy = policy("10/minute");
		ClientState state = new ClientState();
		for (int i = 0; i < 10; i++) {
			Decision decision = rules.decide(state, policy, T0 + MINUTE - 1);
			assertThat(decision.outcome()).isEqualTo(Outcome.ALLOWED);
			assertThat(decision.remaining()).isEqualTo(9 - i);
			assertThat(decision.resetMillis()).isEqualTo(1);
		}
		Decision limited = rules.decide(state, policy, T0 + MINUTE - 1);
		assertThat(limited.outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(limited.retryAfterMillis()).isEqualTo(1);
		for (int i = 0; i < 10; i++) {
			assertThat(rules.decide(state, policy, T0 + MINUTE).outcome()).isEqualTo(Outcome.ALLOWED);
		}
		Decision next = rules.decide(state, policy, T0 + MINUTE);
		assertThat(next.outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(next.retryAfterMillis()).isEqualTo(MINUTE);
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void rejectedRequestCountsAgainstNoLimit(Algorithm algorithm) {
		DecisionRules rules = pureLimiter(algorithm);
		RatePolicy policy = policy("2/second;3/hour");
		ClientState state = new ClientState();
		assertThat(rules.decide(state, policy, T0).outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(rules.decide(state, policy, T0).outcome()).isEqualTo(Outcome.ALLOWED);
		for (int i = 0; i < 50; i++) {
			Decision limited = rules.decide(state, policy, T0 + 999);
			assertThat(limited.outcome()).isEqualTo(Outcome.LIMITED);
			assertThat(limited.limitIndex()).as("the per-second limit is exceeded").isZero();
		}
		// the 50 rejected requests did not use up the hourly limit
		Decision third = rules.decide(state, policy, T0 + 2_000);
		assertThat(third.outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(third.limitIndex()).as("the hourly limit is now the tightest").isEqualTo(1);
		assertThat(third.remaining()).isZero();
		Decision fourth = rules.decide(state, policy, T0 + 4_000);
		assertThat(fourth.outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(fourth.limitIndex()).isEqualTo(1);
	}

	@Test
	void noPolicyMeansOnlyBlocksAndBansReject() {
		DecisionRules rules = new DecisionRules(Algorithm.SLIDING_WINDOW, defaults());
		ClientState state = new ClientState();
		for (int i = 0; i < 1000; i++) {
			assertThat(rules.decide(state, null, T0)).isEqualTo(Decision.UNLIMITED);
		}
		rules.block(state, MINUTE, T0);
		assertThat(rules.decide(state, null, T0 + 1).outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(rules.decide(state, null, T0 + MINUTE)).isEqualTo(Decision.UNLIMITED);
		rules.ban(state, -1, T0 + MINUTE);
		assertThat(rules.decide(state, null, T0 + 1000 * DAY).outcome()).isEqualTo(Outcome.BANNED);
	}

	// retry-after

	@ParameterizedTest(name = "[{index}] seed {0}")
	@MethodSource("cases")
	void fixedWindowRetryAfterIsTheFirstMomentARequestIsAdmitted(long seed) {
		assertRetryAfterIsExact(Algorithm.FIXED_WINDOW, seed);
	}

	@ParameterizedTest(name = "[{index}] seed {0}")
	@MethodSource("cases")
	void slidingWindowRetryAfterIsTheFirstMomentARequestIsAdmitted(long seed) {
		assertRetryAfterIsExact(Algorithm.SLIDING_WINDOW, seed);
	}

	@Test
	void slidingWindowClientRetryingAfterRetryAfterIsAdmitted() {
		DecisionRules rules = pureLimiter(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("3/10s");
		ClientState state = new ClientState();
		for (int i = 0; i < 3; i++) {
			assertThat(rules.decide(state, policy, T0).outcome()).isEqualTo(Outcome.ALLOWED);
		}
		// 3 x (10000 - 333) > (3 - 0 - 1) x 10000: the first admitted moment is 3334ms into the window
		Decision limited = rules.decide(state, policy, T0 + 10_333);
		assertThat(limited.outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(limited.retryAfterMillis()).isEqualTo(3_001);
		assertThat(rules.decide(state, policy, T0 + 13_333).outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(rules.decide(state, policy, T0 + 13_334).outcome()).isEqualTo(Outcome.ALLOWED);
	}

	static Stream<Long> cases() {
		Random random = new Random(42);
		return Stream.generate(random::nextLong).limit(CASES);
	}

	/**
	 * Runs a generated request pattern against generated limits; at every rejection, the
	 * request at {@code now + retryAfter - 1} is rejected and the one at
	 * {@code now + retryAfter} is admitted. With block and ban disabled a rejected request
	 * changes nothing, so the probes do not disturb the pattern.
	 */
	private static void assertRetryAfterIsExact(Algorithm algorithm, long seed) {
		Random random = new Random(seed);
		List<Limit> limits = randomLimits(random);
		RatePolicy policy = new RatePolicies().getOrCreate("generated", limits);
		DecisionRules rules = pureLimiter(algorithm);
		ClientState state = new ClientState();
		long longest = policy.longestWindowMillis();
		long now = T0 + (random.nextBoolean() ? 0 : (random.nextLong() & Long.MAX_VALUE) % longest);
		int rejections = 0;
		for (int request = 0; request < 5_000 && rejections < 5; request++) {
			Decision decision = rules.decide(state, policy, now);
			String description = "limits " + limits + ", request at T0+" + (now - T0) + ": " + decision;
			if (decision.outcome() == Outcome.ALLOWED) {
				assertThat(decision.remaining()).as(description).isNotNegative();
				now += gap(random, policy);
				continue;
			}
			assertThat(decision.outcome()).as(description).isEqualTo(Outcome.LIMITED);
			long retryAfter = decision.retryAfterMillis();
			assertThat(retryAfter).as(description).isPositive();
			rejections++;
			assertThat(rules.decide(state, policy, now + retryAfter - 1).outcome())
				.as("one millisecond before retry-after, " + description)
				.isEqualTo(Outcome.LIMITED);
			assertThat(rules.decide(state, policy, now + retryAfter).outcome()).as("at retry-after, " + description)
				.isEqualTo(Outcome.ALLOWED);
			now += retryAfter;
		}
		assertThat(rejections).as("the pattern hits the limits of " + limits).isPositive();
	}

	/**
	 * What the headers promise, for generated limits, costs and request patterns of both
	 * algorithms: while at least the cost is left, the next request is admitted at once; once
	 * less is left, the next request is refused one millisecond before {@code resetMillis} and
	 * admitted at it, as a refused request is at its {@code retryAfterMillis}. So a client
	 * that waits {@code t} whenever {@code r=0} is never refused.
	 */
	@Test
	void allowedDecisionSaysWhenTheNextRequestIsAdmitted() {
		Random seeds = new Random(11);
		for (int n = 0; n < 400; n++) {
			long seed = seeds.nextLong();
			Algorithm algorithm = Algorithm.values()[n % 2];
			Random random = new Random(seed);
			List<Limit> limits = randomLimits(random);
			long smallest = limits.stream().mapToLong(Limit::count).min().orElseThrow();
			long cost = random.nextBoolean() ? 1 : 1 + random.nextLong(smallest);
			RatePolicy policy = new RatePolicies().getOrCreate("generated", limits, cost);
			DecisionRules rules = pureLimiter(algorithm);
			ClientState state = new ClientState();
			long now = T0 + (random.nextBoolean() ? 0 : (random.nextLong() & Long.MAX_VALUE) % policy.longestWindowMillis());
			for (int request = 0; request < 300; request++) {
				// the in-memory store's fast path first, as the store takes it
				Decision decision = rules.admit(state, policy, now);
				if (decision == null) {
					decision = rules.decide(state, policy, now);
				}
				String description = algorithm + ", seed " + seed + ", " + policy + ", request at T0+" + (now - T0) + ": "
						+ decision;
				if (decision.outcome() == Outcome.ALLOWED && decision.remaining() >= cost) {
					assertThat(rules.decide(copy(state), policy, now).outcome()).as("at once, " + description)
						.isEqualTo(Outcome.ALLOWED);
				}
				else {
					long wait = (decision.outcome() == Outcome.ALLOWED) ? decision.resetMillis() : decision.retryAfterMillis();
					assertThat(wait).as(description).isPositive();
					assertThat(rules.decide(copy(state), policy, now + wait - 1).outcome())
						.as("one millisecond before, " + description)
						.isEqualTo(Outcome.LIMITED);
					assertThat(rules.decide(copy(state), policy, now + wait).outcome()).as("then, " + description)
						.isEqualTo(Outcome.ALLOWED);
				}
				now += gap(random, policy);
			}
		}
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void aRequestSpendsItsCostOfEveryLimit(Algorithm algorithm) {
		DecisionRules rules = pureLimiter(algorithm);
		RatePolicy policy = new RatePolicies().getOrCreate("test", LimitParser.parse("10/second;25/minute"), 4);
		ClientState state = new ClientState();
		Decision first = rules.decide(state, policy, T0);
		assertThat(first.outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(first.remaining()).isEqualTo(6);
		assertThat(first.limitIndex()).isZero();
		assertThat(rules.decide(state, policy, T0).remaining()).isEqualTo(2);
		// 2 units left of 10/second: a request of cost 4 is refused, and spends nothing
		Decision refused = rules.decide(state, policy, T0);
		assertThat(refused.outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(refused.retryAfterMillis()).isPositive().isLessThanOrEqualTo(2_000);
		for (int second = 1; second <= 4; second++) {
			rules.decide(state, policy, T0 + 2_000L * second);
		}
		// 6 requests of cost 4 = 24 of the minute's 25: one unit left, less than a request costs
		Decision last = rules.decide(state, policy, T0 + 10_000);
		assertThat(last.outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(last.limitIndex()).isEqualTo(1);
	}

	@Test
	void aPolicyRefusesACostItCouldNeverAdmit() {
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> new RatePolicies().getOrCreate("test", LimitParser.parse("5/second;3/minute"), 4))
			.withMessageContaining("cost 4")
			.withMessageContaining("3/1m");
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> new RatePolicies().getOrCreate("test", LimitParser.parse("5/second"), 0))
			.withMessageContaining("at least 1");
		RatePolicies policies = new RatePolicies();
		policies.getOrCreate("shared", LimitParser.parse("5/second"), 2);
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> policies.getOrCreate("shared", LimitParser.parse("5/second"), 3))
			.withMessageContaining("cost 2");
	}

	private static ClientState copy(ClientState state) {
		return state.copyCounters();
	}

	private static List<Limit> randomLimits(Random random) {
		int size = (random.nextInt(3) == 0) ? 2 + random.nextInt(2) : 1;
		List<Limit> limits = new ArrayList<>();
		while (limits.size() < size) {
			long window = switch (random.nextInt(3)) {
				case 0 -> 1 + random.nextInt(50);
				case 1 -> 1 + random.nextInt(5_000);
				default -> new long[] { 1000, 10_000, MINUTE, HOUR }[random.nextInt(4)];
			};
			Limit limit = new Limit(1 + random.nextInt((random.nextInt(4) == 0) ? 200 : 12), Duration.ofMillis(window));
			if (!limits.contains(limit)) {
				limits.add(limit);
			}
		}
		return limits;
	}

	/**
	 * The time to the next request: mostly about twice as fast as one of the limits allows
	 * (so that the limits are hit; several requests in one millisecond when the limit
	 * allows more requests than its window has milliseconds), now and then (rarely enough
	 * not to keep the client under its limits) a long pause.
	 */
	private static long gap(Random random, RatePolicy policy) {
		long largestCount = policy.limits().stream().mapToLong(Limit::count).max().orElse(1);
		if (random.nextLong(4 * largestCount) == 0) {
			return (random.nextLong() & Long.MAX_VALUE) % (policy.longestWindowMillis() + 1);
		}
		Limit limit = policy.limit(random.nextInt(policy.size()));
		return (random.nextLong() & Long.MAX_VALUE) % (limit.windowMillis() / limit.count() + 1);
	}

	// a pure rate limiter and the remaining count

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void pureRateLimiterNeverEscalates(Algorithm algorithm) {
		DecisionRules rules = pureLimiter(algorithm);
		RatePolicy policy = policy("1/second");
		ClientState state = new ClientState();
		int limited = 0;
		for (int i = 0; i < 10_000; i++) {
			long now = T0 + i;
			Decision decision = rules.decide(state, policy, now);
			assertThat(decision.outcome()).isIn(Outcome.ALLOWED, Outcome.LIMITED);
			assertThat(decision.escalation()).isNull();
			assertThat(state.restricted(now)).isFalse();
			assertThat(state.consumeEscalationChange()).isFalse();
			if (decision.outcome() == Outcome.LIMITED) {
				limited++;
			}
		}
		assertThat(limited).isGreaterThan(9_900);
		assertThat(state.violations(rules.escalation(), T0 + 10_000)).isZero();
		assertThat(state.blocks(rules.escalation(), T0 + 10_000)).isZero();
		assertThat(state.bannedUntilMillis()).isZero();
		assertThat(state.blockedUntilMillis()).isZero();
	}

	@Test
	void escalatingRulesDoEscalateTheSamePattern() {
		DecisionRules rules = new DecisionRules(Algorithm.SLIDING_WINDOW, defaults());
		RatePolicy policy = policy("1/second");
		ClientState state = new ClientState();
		List<Outcome> outcomes = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			outcomes.add(rules.decide(state, policy, T0 + i).outcome());
		}
		assertThat(outcomes).containsExactly(Outcome.ALLOWED, Outcome.LIMITED, Outcome.LIMITED, Outcome.BLOCKED,
				Outcome.BLOCKED);
		assertThat(state.consumeEscalationChange()).isTrue();
	}

	@ParameterizedTest(name = "[{index}] {0}, seed {1}")
	@MethodSource("algorithmsAndSeeds")
	void remainingIsNeverNegativeAndResetIsWithinTheWindow(Algorithm algorithm, long seed) {
		Random random = new Random(seed);
		List<Limit> limits = randomLimits(random);
		RatePolicy policy = new RatePolicies().getOrCreate("generated", limits);
		DecisionRules rules = pureLimiter(algorithm);
		ClientState state = new ClientState();
		long now = T0 + random.nextInt(100_000);
		for (int i = 0; i < 300; i++) {
			Decision decision = rules.decide(state, policy, now);
			assertThat(decision.remaining()).isNotNegative();
			if (decision.outcome() == Outcome.ALLOWED) {
				Limit tightest = policy.limit(decision.limitIndex());
				assertThat(decision.remaining()).isLessThan(tightest.count());
				// the window's reset, or when nothing is left, the next admission: for a sliding
				// window up to the rest of this window and most of the next
				assertThat(decision.resetMillis()).isBetween(1L,
						((algorithm == Algorithm.SLIDING_WINDOW) ? 2 : 1) * tightest.windowMillis());
			}
			else {
				assertThat(decision.remaining()).isZero();
				assertThat(decision.retryAfterMillis()).isPositive();
			}
			now += gap(random, policy);
		}
	}

	static Stream<Arguments> algorithmsAndSeeds() {
		Random random = new Random(7);
		return Stream.generate(() -> Arguments.of(Algorithm.values()[random.nextInt(2)], random.nextLong())).limit(200);
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void remainingCountsDownToZeroForTheTightestLimit(Algorithm algorithm) {
		DecisionRules rules = pureLimiter(algorithm);
		RatePolicy policy = policy("5/second;3/minute");
		ClientState state = new ClientState();
		for (int i = 0; i < 3; i++) {
			Decision decision = rules.decide(state, policy, T0);
			assertThat(decision.limitIndex()).isEqualTo(1);
			assertThat(decision.remaining()).isEqualTo(2 - i);
		}
		Decision limited = rules.decide(state, policy, T0);
		assertThat(limited.outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(limited.remaining()).isZero();
	}

	@Test
	void penaltiesAreViolationsInTheSameWindowsAsRequestsOverALimit() {
		DecisionRules rules = new DecisionRules(Algorithm.SLIDING_WINDOW, defaults());
		RatePolicy policy = policy("1/minute");
		ClientState state = new ClientState();
		assertThat(rules.decide(state, policy, T0).outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(rules.decide(state, policy, T0 + 1).outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(rules.penalize(state, T0 + 2, Penalty.STATUS)).isSameAs(DecisionRules.PENALIZED);
		assertThat(state.consumeEscalationChange()).isTrue();
		Decision blocked = rules.penalize(state, T0 + 3, Penalty.AUTHENTICATION_FAILURE);
		assertThat(blocked.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(blocked.escalation()).isNotNull();
		assertThat(blocked.escalation().kind()).isEqualTo(Escalation.Kind.BLOCK);
		assertThat(blocked.escalation().penalty()).isEqualTo(Penalty.AUTHENTICATION_FAILURE);
		assertThat(blocked.escalation().violations()).isEqualTo(3);
		assertThat(rules.decide(state, policy, T0 + 4).outcome()).isEqualTo(Outcome.BLOCKED);
	}

	@Test
	void aPenaltyChangesNothingForARestrictedClientNorRestartsARelativeBlock() {
		DecisionRules rules = new DecisionRules(Algorithm.SLIDING_WINDOW, escalation(true, 3, Duration.ofMinutes(10),
				block(Duration.ofMinutes(15), 2, Duration.ofHours(24)), true, 10, Duration.ofHours(24), null));
		ClientState state = new ClientState();
		for (int i = 0; i < 3; i++) {
			rules.penalize(state, T0 + i, Penalty.STATUS);
		}
		state.consumeEscalationChange();
		long blockedUntil = state.blockedUntilMillis();
		Decision again = rules.penalize(state, T0 + MINUTE, Penalty.STATUS);
		assertThat(again.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(again.escalation()).isNull();
		assertThat(again.retryAfterMillis()).isEqualTo(blockedUntil - T0 - MINUTE);
		assertThat(state.consumeEscalationChange()).isFalse();
		assertThat(state.blockedUntilMillis()).isEqualTo(blockedUntil);
		rules.ban(state, -1, T0 + 2 * MINUTE);
		state.consumeEscalationChange();
		assertThat(rules.penalize(state, T0 + 3 * MINUTE, Penalty.STATUS).outcome()).isEqualTo(Outcome.BANNED);
		assertThat(state.consumeEscalationChange()).isFalse();
	}

	@Test
	void aPureRateLimiterIgnoresPenalties() {
		DecisionRules rules = pureLimiter(Algorithm.FIXED_WINDOW);
		ClientState state = new ClientState();
		for (int i = 0; i < 20; i++) {
			assertThat(rules.penalize(state, T0 + i, Penalty.STATUS)).isSameAs(DecisionRules.PENALIZED);
		}
		assertThat(state.consumeEscalationChange()).isFalse();
	}

	private static RatePolicy policy(String limits) {
		return new RatePolicies().getOrCreate("test", LimitParser.parse(limits));
	}

	private static DecisionRules pureLimiter(Algorithm algorithm) {
		return new DecisionRules(algorithm, escalation(false, 3, Duration.ofMinutes(10),
				block(Duration.ofMinutes(15), 2, Duration.ofHours(24)), false, 10, Duration.ofHours(24), null, false));
	}

	private static EscalationPolicy defaults() {
		return escalation(true, 3, Duration.ofMinutes(10), block(Duration.ofMinutes(15), 2, Duration.ofHours(24)), false,
				10, Duration.ofHours(24), null);
	}

	private static BlockPolicy block(Duration duration, double factor, Duration maxDuration) {
		return new BlockPolicy(true, 3, Duration.ofMinutes(10), duration, factor, maxDuration, false);
	}

	private static EscalationPolicy escalation(boolean blockEnabled, int blockAfter, Duration violationWindow,
			BlockPolicy lengths, boolean relative, int banAfter, Duration banWindow, Duration banDuration) {
		return escalation(blockEnabled, blockAfter, violationWindow, lengths, relative, banAfter, banWindow, banDuration,
				true);
	}

	private static EscalationPolicy escalation(boolean blockEnabled, int blockAfter, Duration violationWindow,
			BlockPolicy lengths, boolean relative, int banAfter, Duration banWindow, Duration banDuration,
			boolean banEnabled) {
		return new EscalationPolicy(
				new BlockPolicy(blockEnabled, blockAfter, violationWindow, lengths.duration(), lengths.factor(),
						lengths.maxDuration(), relative),
				new BanPolicy(banEnabled, banAfter, banWindow, banDuration));
	}

}
