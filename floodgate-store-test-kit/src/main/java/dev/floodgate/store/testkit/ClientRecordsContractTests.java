package dev.floodgate.store.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.BanPolicy;
import dev.floodgate.core.BlockPolicy;
import dev.floodgate.core.ClientState;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Escalation;
import dev.floodgate.core.EscalationPolicy;
import dev.floodgate.core.LimitParser;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.Penalty;
import dev.floodgate.core.RatePolicies;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ClientRecords;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.testsupport.MutableClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link ViolationStore} keeps. A store's test extends this class and
 * says only how to create the store on its server; time comes from a {@link MutableClock}
 * that the store must use as its time source in these tests.
 */
public abstract class ClientRecordsContractTests {

	/** Aligned to every minute, hour and day window. */
	protected static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	protected final MutableClock clock = new MutableClock(START);

	private final RatePolicies policies = new RatePolicies();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private int clients;

	/**
	 * Creates the primitives of the store under test, empty, taking their time from the clock.
	 * @param rules the rules the store counts by
	 * @param clock the time source
	 * @return the store's records
	 * @throws Exception when the store cannot be created
	 */
	protected ClientRecords createRecords(DecisionRules rules, MutableClock clock) throws Exception {
		throw new UnsupportedOperationException("override createRecords (or, for a whole store, createStore)");
	}

	/**
	 * Creates the store under test, empty: the {@link RuleBookStore} over
	 * {@link #createRecords}.
	 * @param rules the rules it decides by
	 * @param clock the time source
	 * @return the store
	 * @throws Exception when the store cannot be created
	 */
	protected ViolationStore createStore(DecisionRules rules, MutableClock clock) throws Exception {
		return new RuleBookStore(createRecords(rules, clock), rules, clock);
	}

	/**
	 * Creates another instance of the records {@link #createRecords} created last, over the
	 * same server and data, as a second application instance would: for a store that one
	 * instance keeps to itself (in memory), {@code null}.
	 * @param rules the rules it counts by
	 * @param clock its own time source
	 * @return the second instance, or {@code null}
	 * @throws Exception when the store cannot be created
	 */
	protected @Nullable ClientRecords createSecondRecords(DecisionRules rules, MutableClock clock) throws Exception {
		return null;
	}

	/**
	 * Creates another instance of the store {@link #createStore} created last (the
	 * {@link RuleBookStore} over {@link #createSecondRecords}).
	 * @param rules the rules it decides by
	 * @param clock its own time source
	 * @return the second instance, or {@code null}
	 * @throws Exception when the store cannot be created
	 */
	protected @Nullable ViolationStore createSecondInstance(DecisionRules rules, MutableClock clock) throws Exception {
		ClientRecords records = createSecondRecords(rules, clock);
		return (records != null) ? new RuleBookStore(records, rules, clock) : null;
	}

	/**
	 * The store {@link #createStore} creates and its {@link #createSecondInstance second
	 * instance}, each with its own clock, as two application instances sharing one server.
	 * @param rules the rules both decide by
	 * @param first the first instance's clock
	 * @param second the second instance's clock
	 * @return the two instances, or an empty list when the store is not shared
	 * @throws Exception when the stores cannot be created
	 */
	protected final List<ViolationStore> createSharedStores(DecisionRules rules, MutableClock first,
			MutableClock second) throws Exception {
		ViolationStore one = createStore(rules, first);
		ViolationStore two = createSecondInstance(rules, second);
		return (two != null) ? List.of(one, two) : List.of();
	}

	/**
	 * Called by the differential test after each operation on a client: a store whose server
	 * expires data by its own clock (Redis) can hand that expiry over to the test's clock here.
	 * @param store the store
	 * @param client the client
	 */
	protected void touched(ViolationStore store, String client) {
	}

	/**
	 * Called by the differential test after each move of the clock: see {@link #touched}.
	 */
	protected void clockMoved() {
	}

	/**
	 * How many seeds the differential test runs (300 steps each).
	 * @return 20 unless the store's test server is slow
	 */
	protected int differentialSeeds() {
		return 20;
	}

	/**
	 * Whether the server behind the store returns, for each atomic update, the state right
	 * after that update even under concurrency (so that every admitted request sees its own
	 * remaining count). True of Redis and MongoDB; not of the in-process MongoDB wire-protocol
	 * server, whose {@code findAndModify} can return a document that already includes a
	 * concurrent update (its updates themselves are atomic).
	 * @return {@code true} unless the test server is known not to
	 */
	protected boolean returnsItsOwnWriteUnderConcurrency() {
		return true;
	}

	@AfterEach
	void closeStores() throws Exception {
		for (AutoCloseable closeable : this.closeables) {
			closeable.close();
		}
	}

	protected static EscalationPolicy escalation() {
		return new EscalationPolicy(
				new BlockPolicy(true, 3, Duration.ofMinutes(10), Duration.ofMinutes(15), 2, Duration.ofHours(1), false),
				new BanPolicy(true, 10, Duration.ofHours(24), null));
	}

	protected ViolationStore store(Algorithm algorithm, UnaryOperator<EscalationPolicy> customizer) throws Exception {
		ViolationStore store = createStore(new DecisionRules(algorithm, customizer.apply(escalation())), this.clock);
		if (store instanceof AutoCloseable closeable) {
			this.closeables.add(closeable);
		}
		return store;
	}

	protected ViolationStore store(Algorithm algorithm) throws Exception {
		return store(algorithm, UnaryOperator.identity());
	}

	protected ViolationStore pureRateLimiter(Algorithm algorithm) throws Exception {
		return store(algorithm, (e) -> new EscalationPolicy(withEnabled(e.block(), false), withEnabled(e.ban(), false)));
	}

	protected RatePolicy policy(String name, String limits) {
		return this.policies.getOrCreate(name, LimitParser.parse(limits));
	}

	protected RatePolicy policy(String name, String limits, long cost) {
		return this.policies.getOrCreate(name, LimitParser.parse(limits), cost);
	}

	/** A client key unique to this test, so stores on shared servers do not interfere. */
	protected String newClient() {
		return "198.51.100." + (++this.clients) + "-" + Long.toHexString(System.nanoTime());
	}

	protected static BlockPolicy withEnabled(BlockPolicy block, boolean enabled) {
		return new BlockPolicy(enabled, block.afterViolations(), block.violationWindow(), block.duration(),
				block.factor(), block.maxDuration(), block.relative());
	}

	protected static BanPolicy withEnabled(BanPolicy ban, boolean enabled) {
		return new BanPolicy(enabled, ban.afterViolations(), ban.window(), ban.duration());
	}

	private static List<Outcome> outcomes(ViolationStore store, String client, @Nullable RatePolicy policy, int n) {
		List<Outcome> outcomes = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			outcomes.add(store.decide(client, policy).outcome());
		}
		return outcomes;
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void admitsExactlyTheLimitThenLimits(Algorithm algorithm) throws Exception {
		ViolationStore store = pureRateLimiter(algorithm);
		RatePolicy policy = policy("default", "5/minute");
		String client = newClient();
		List<Long> remaining = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			Decision decision = store.decide(client, policy);
			assertThat(decision.outcome()).isEqualTo(Outcome.ALLOWED);
			assertThat(decision.limitIndex()).isZero();
			remaining.add(decision.remaining());
		}
		assertThat(remaining).containsExactly(4L, 3L, 2L, 1L, 0L);
		Decision limited = store.decide(client, policy);
		assertThat(limited.outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(limited.remaining()).isZero();
		assertThat(limited.retryAfterMillis()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(2).toMillis());
	}

	@Test
	void fixedWindowAdmitsAgainInTheNextWindow() throws Exception {
		ViolationStore store = pureRateLimiter(Algorithm.FIXED_WINDOW);
		RatePolicy policy = policy("default", "2/minute");
		String client = newClient();
		this.clock.advance(Duration.ofSeconds(40));
		assertThat(outcomes(store, client, policy, 3)).containsExactly(Outcome.ALLOWED, Outcome.ALLOWED,
				Outcome.LIMITED);
		assertThat(store.decide(client, policy).retryAfterMillis()).isEqualTo(Duration.ofSeconds(20).toMillis());
		this.clock.advance(Duration.ofSeconds(20));
		assertThat(outcomes(store, client, policy, 3)).containsExactly(Outcome.ALLOWED, Outcome.ALLOWED,
				Outcome.LIMITED);
	}

	@Test
	void slidingWindowWeighsThePreviousWindow() throws Exception {
		ViolationStore store = pureRateLimiter(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("default", "10/minute");
		String client = newClient();
		assertThat(outcomes(store, client, policy, 11)).containsOnlyOnce(Outcome.LIMITED).endsWith(Outcome.LIMITED);
		// a quarter into the next window three quarters of the previous count still weigh: 7.5 -> 2 more
		this.clock.advance(Duration.ofSeconds(75));
		assertThat(outcomes(store, client, policy, 3)).containsExactly(Outcome.ALLOWED, Outcome.ALLOWED,
				Outcome.LIMITED);
		// two windows later nothing weighs any more
		this.clock.advance(Duration.ofMinutes(2));
		assertThat(outcomes(store, client, policy, 11)).containsOnlyOnce(Outcome.LIMITED).endsWith(Outcome.LIMITED);
	}

	@Test
	void slidingWindowRetryAfterIsWhenARequestWouldBeAdmitted() throws Exception {
		ViolationStore store = pureRateLimiter(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("default", "4/minute");
		String client = newClient();
		outcomes(store, client, policy, 4);
		this.clock.advance(Duration.ofSeconds(30));
		Decision limited = store.decide(client, policy);
		assertThat(limited.outcome()).isEqualTo(Outcome.LIMITED);
		// 4 requests at 0s: in the next window they weigh 4 * (1 - elapsed/60s) <= 3 from 15s in
		assertThat(limited.retryAfterMillis()).isEqualTo(Duration.ofSeconds(45).toMillis());
		this.clock.advance(Duration.ofMillis(limited.retryAfterMillis() - 1));
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.LIMITED);
		this.clock.advance(Duration.ofMillis(1));
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void aClockSteppingBackAcrossAWindowBoundaryKeepsTheNewerWindowsCount(Algorithm algorithm) throws Exception {
		ViolationStore store = pureRateLimiter(algorithm);
		RatePolicy policy = policy("default", "5/second");
		String client = newClient();
		List<Outcome> outcomes = new ArrayList<>();
		for (long at : new long[] { 1000, 999, 1001 }) {
			this.clock.set(START.plusMillis(at));
			outcomes.addAll(outcomes(store, client, policy, 5));
		}
		assertThat(outcomes).as("5/second, 5 requests at 1000 ms, 5 at 999 ms, 5 at 1001 ms")
			.filteredOn((outcome) -> outcome == Outcome.ALLOWED)
			.hasSize(5);
		if (algorithm == Algorithm.FIXED_WINDOW) {
			this.clock.set(START.plusMillis(999));
			Decision limited = store.decide(client, policy);
			assertThat(limited.outcome()).isEqualTo(Outcome.LIMITED);
			assertThat(limited.retryAfterMillis()).as("until the window counted in ends, by this clock").isEqualTo(1001);
			this.clock.set(START.plusMillis(2000));
			assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
		}
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void instancesWhoseClocksDifferByAMillisecondShareEveryWindow(Algorithm algorithm) throws Exception {
		DecisionRules rules = new DecisionRules(algorithm,
				new EscalationPolicy(withEnabled(escalation().block(), false), withEnabled(escalation().ban(), false)));
		MutableClock behindClock = new MutableClock(START);
		List<ViolationStore> instances = twoInstances(rules, this.clock, behindClock);
		ViolationStore ahead = instances.get(0);
		ViolationStore behind = instances.get(1);
		RatePolicy policy = policy("default", "5/10s");
		String client = newClient();
		int admitted = 0;
		for (int boundary = 1; boundary <= 5; boundary += 2) {
			// every other boundary, so that the sliding window's previous window is empty
			this.clock.set(START.plusSeconds(10L * boundary));
			behindClock.set(this.clock.instant().minusMillis(1));
			int admittedHere = 0;
			for (int i = 0; i < 20; i++) {
				if ((((i % 2) == 0) ? ahead : behind).decide(client, policy).outcome() == Outcome.ALLOWED) {
					admittedHere++;
				}
			}
			assertThat(admittedHere).as("limit 5/10s, 20 requests alternating at boundary %d", boundary).isEqualTo(5);
			admitted += admittedHere;
		}
		assertThat(admitted).isEqualTo(15);
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void everyLimitOfAPolicyMustHold(Algorithm algorithm) throws Exception {
		ViolationStore store = pureRateLimiter(algorithm);
		RatePolicy policy = policy("burst", "2/second;3/minute");
		String client = newClient();
		assertThat(outcomes(store, client, policy, 3)).containsExactly(Outcome.ALLOWED, Outcome.ALLOWED,
				Outcome.LIMITED);
		this.clock.advance(Duration.ofSeconds(2));
		Decision third = store.decide(client, policy);
		assertThat(third.outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(third.limitIndex()).as("the minute limit is the tightest now").isEqualTo(1);
		assertThat(third.remaining()).isZero();
		this.clock.advance(Duration.ofSeconds(2));
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.LIMITED);
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void aRejectedRequestCountsAgainstNoLimit(Algorithm algorithm) throws Exception {
		ViolationStore store = pureRateLimiter(algorithm);
		RatePolicy policy = policy("burst", "1/second;3/minute");
		String client = newClient();
		assertThat(outcomes(store, client, policy, 5)).containsExactly(Outcome.ALLOWED, Outcome.LIMITED,
				Outcome.LIMITED, Outcome.LIMITED, Outcome.LIMITED);
		// two seconds on, the sliding second window has let go of the earlier request too
		this.clock.advance(Duration.ofSeconds(2));
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
		this.clock.advance(Duration.ofSeconds(2));
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
		this.clock.advance(Duration.ofSeconds(2));
		assertThat(store.decide(client, policy).outcome()).as("three per minute").isEqualTo(Outcome.LIMITED);
	}

	@Test
	void policiesAndClientsCountSeparately() throws Exception {
		ViolationStore store = pureRateLimiter(Algorithm.SLIDING_WINDOW);
		RatePolicy one = policy("one", "1/minute");
		RatePolicy two = policy("two", "1/minute");
		String client = newClient();
		String other = newClient();
		assertThat(outcomes(store, client, one, 2)).containsExactly(Outcome.ALLOWED, Outcome.LIMITED);
		assertThat(outcomes(store, client, two, 2)).containsExactly(Outcome.ALLOWED, Outcome.LIMITED);
		assertThat(outcomes(store, other, one, 2)).containsExactly(Outcome.ALLOWED, Outcome.LIMITED);
	}

	@Test
	void anUnknownClientWithoutAPolicyIsUnlimitedAndNotTracked() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		String client = newClient();
		for (int i = 0; i < 100; i++) {
			assertThat(store.decide(client, null).outcome()).isEqualTo(Outcome.ALLOWED);
		}
		assertThat(store.status(client)).isEmpty();
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void violationsStartABlockOfTheWholeClient(Algorithm algorithm) throws Exception {
		ViolationStore store = store(algorithm);
		RatePolicy policy = policy("default", "2/minute");
		RatePolicy other = policy("other", "100/minute");
		String client = newClient();
		List<Decision> decisions = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			decisions.add(store.decide(client, policy));
		}
		assertThat(decisions).extracting(Decision::outcome)
			.containsExactly(Outcome.ALLOWED, Outcome.ALLOWED, Outcome.LIMITED, Outcome.LIMITED, Outcome.BLOCKED);
		Escalation block = decisions.get(4).escalation();
		assertThat(block).isNotNull();
		assertThat(block.kind()).isEqualTo(Escalation.Kind.BLOCK);
		assertThat(block.number()).isEqualTo(1);
		assertThat(block.untilMillis()).isEqualTo(START.plus(Duration.ofMinutes(15)).toEpochMilli());
		assertThat(decisions.get(4).retryAfterMillis()).isEqualTo(Duration.ofMinutes(15).toMillis());
		// the block covers every policy, and handlers without one, and outlives the limit window
		this.clock.advance(Duration.ofMinutes(5));
		Decision blocked = store.decide(client, other);
		assertThat(blocked.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(blocked.escalation()).as("reported once, when it started").isNull();
		assertThat(blocked.retryAfterMillis()).isEqualTo(Duration.ofMinutes(10).toMillis());
		assertThat(store.decide(client, null).outcome()).isEqualTo(Outcome.BLOCKED);
		ClientStatus status = store.status(client).orElseThrow();
		assertThat(status.blocked()).isTrue();
		assertThat(status.banned()).isFalse();
		assertThat(status.blockedUntil()).isEqualTo(START.plus(Duration.ofMinutes(15)));
		assertThat(status.since()).isEqualTo(START);
		assertThat(status.blocks()).isEqualTo(1);
		assertThat(status.violations()).isEqualTo(3);
		// and ends by itself
		this.clock.advance(Duration.ofMinutes(10));
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(store.status(client)).map(ClientStatus::restricted).hasValue(false);
	}

	@Test
	void eachBlockGrowsByTheFactorUpToTheMaximum() throws Exception {
		ViolationStore store = store(Algorithm.FIXED_WINDOW,
				(e) -> new EscalationPolicy(e.block(), new BanPolicy(true, 100, Duration.ofHours(24), null)));
		RatePolicy policy = policy("default", "1/minute");
		String client = newClient();
		List<Long> lengths = new ArrayList<>();
		for (int n = 0; n < 4; n++) {
			Escalation escalation = null;
			while (escalation == null) {
				Decision decision = store.decide(client, policy);
				escalation = decision.escalation();
			}
			assertThat(escalation.kind()).isEqualTo(Escalation.Kind.BLOCK);
			assertThat(escalation.number()).isEqualTo(n + 1);
			lengths.add(escalation.untilMillis() - this.clock.millis());
			this.clock.set(Instant.ofEpochMilli(escalation.untilMillis()));
		}
		assertThat(lengths).containsExactly(Duration.ofMinutes(15).toMillis(), Duration.ofMinutes(30).toMillis(),
				Duration.ofMinutes(60).toMillis(), Duration.ofMinutes(60).toMillis());
	}

	@Test
	void blockNumbersAndLengthsKeepGrowingPastSixtyFour() throws Exception {
		BlockPolicy block = new BlockPolicy(true, 1, Duration.ofMinutes(10), Duration.ofSeconds(1), 1.1,
				Duration.ofHours(1), false);
		ViolationStore store = store(Algorithm.FIXED_WINDOW,
				(e) -> new EscalationPolicy(block, new BanPolicy(false, 10, Duration.ofHours(24), null)));
		RatePolicy policy = policy("default", "1/minute");
		String client = newClient();
		for (int n = 1; n <= 90; n++) {
			Escalation escalation = nextBlock(store, client, policy);
			assertThat(escalation.number()).as("block number").isEqualTo(n);
			assertThat(escalation.untilMillis() - this.clock.millis()).as("block %d's length", n)
				.isEqualTo(block.durationMillis(n));
			this.clock.set(Instant.ofEpochMilli(escalation.untilMillis()));
		}
		assertThat(block.durationMillis(90)).isEqualTo(Duration.ofHours(1).toMillis());
		assertThat(store.status(client).orElseThrow().blocks()).isEqualTo(90);
	}

	@Test
	void withAFactorOfOneEveryBlockIsAsLongAndStillNumbered() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW, (e) -> new EscalationPolicy(
				new BlockPolicy(true, 1, Duration.ofMinutes(10), Duration.ofSeconds(1), 1, Duration.ofHours(1), false),
				new BanPolicy(false, 10, Duration.ofHours(24), null)));
		RatePolicy policy = policy("default", "1/minute");
		String client = newClient();
		for (int n = 1; n <= 70; n++) {
			Escalation escalation = nextBlock(store, client, policy);
			assertThat(escalation.number()).isEqualTo(n);
			assertThat(escalation.untilMillis() - this.clock.millis()).isEqualTo(1000);
			this.clock.set(Instant.ofEpochMilli(escalation.untilMillis()));
		}
	}

	@Test
	void aBlockWithinTheBanWindowOfThePreviousOneContinuesItsNumbering() throws Exception {
		ViolationStore store = store(Algorithm.FIXED_WINDOW,
				(e) -> new EscalationPolicy(e.block(), new BanPolicy(false, 10, Duration.ofHours(24), null)));
		RatePolicy policy = policy("default", "1/minute");
		String client = newClient();
		assertThat(nextBlock(store, client, policy).number()).isEqualTo(1);
		this.clock.advance(Duration.ofHours(23));
		assertThat(nextBlock(store, client, policy).number()).isEqualTo(2);
		this.clock.advance(Duration.ofHours(23));
		Escalation third = nextBlock(store, client, policy);
		assertThat(third.number()).as("the client never went a ban window without a block").isEqualTo(3);
		assertThat(third.untilMillis() - this.clock.millis()).isEqualTo(Duration.ofMinutes(60).toMillis());
		assertThat(store.status(client).orElseThrow().blocks()).isEqualTo(3);
		this.clock.advance(Duration.ofHours(24));
		assertThat(store.status(client).map(ClientStatus::blocks)).as("forgotten, or no block within the ban window")
			.isIn(Optional.empty(), Optional.of(0));
		assertThat(nextBlock(store, client, policy).number()).isEqualTo(1);
	}

	private Escalation nextBlock(ViolationStore store, String client, RatePolicy policy) {
		for (int i = 0; i < 100; i++) {
			Escalation escalation = store.decide(client, policy).escalation();
			if (escalation != null) {
				assertThat(escalation.kind()).isEqualTo(Escalation.Kind.BLOCK);
				return escalation;
			}
		}
		throw new AssertionError("no block");
	}

	@Test
	void blocksAreCountedWithinTheBanWindow() throws Exception {
		ViolationStore store = store(Algorithm.FIXED_WINDOW);
		RatePolicy policy = policy("default", "1/minute");
		String client = newClient();
		assertThat(blockNumberOfNextBlock(store, client, policy)).isEqualTo(1);
		this.clock.advance(Duration.ofHours(25));
		assertThat(blockNumberOfNextBlock(store, client, policy)).as("a day later it starts again").isEqualTo(1);
	}

	private int blockNumberOfNextBlock(ViolationStore store, String client, RatePolicy policy) {
		for (int i = 0; i < 100; i++) {
			Escalation escalation = store.decide(client, policy).escalation();
			if (escalation != null) {
				return escalation.number();
			}
		}
		throw new AssertionError("no block");
	}

	@Test
	void violationsOutsideTheViolationWindowDoNotBlock() throws Exception {
		ViolationStore store = store(Algorithm.FIXED_WINDOW);
		RatePolicy policy = policy("default", "1/minute");
		String client = newClient();
		for (int i = 0; i < 6; i++) {
			assertThat(outcomes(store, client, policy, 2)).containsExactly(Outcome.ALLOWED, Outcome.LIMITED);
			this.clock.advance(Duration.ofMinutes(6));
		}
		assertThat(store.status(client).orElseThrow().restricted()).isFalse();
		assertThat(store.status(client).orElseThrow().violations()).isEqualTo(6);
	}

	@Test
	void aRelativeBlockRestartsWithEveryRequest() throws Exception {
		ViolationStore store = store(Algorithm.FIXED_WINDOW, (e) -> new EscalationPolicy(new BlockPolicy(true, 1,
				Duration.ofMinutes(10), Duration.ofMinutes(15), 2, Duration.ofHours(1), true), e.ban()));
		RatePolicy policy = policy("default", "1/minute");
		String client = newClient();
		assertThat(outcomes(store, client, policy, 2)).containsExactly(Outcome.ALLOWED, Outcome.BLOCKED);
		this.clock.advance(Duration.ofMinutes(14));
		Decision hammering = store.decide(client, policy);
		assertThat(hammering.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(hammering.retryAfterMillis()).isEqualTo(Duration.ofMinutes(15).toMillis());
		this.clock.advance(Duration.ofMinutes(14));
		assertThat(store.decide(client, null).outcome()).isEqualTo(Outcome.BLOCKED);
		this.clock.advance(Duration.ofMinutes(15));
		assertThat(store.decide(client, policy).outcome()).as("silent for the block's length").isEqualTo(Outcome.ALLOWED);
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void enoughViolationsBanTheClientPermanently(Algorithm algorithm) throws Exception {
		ViolationStore store = store(algorithm);
		RatePolicy policy = policy("default", "1/minute");
		String client = newClient();
		Escalation ban = null;
		int violations = 0;
		while (ban == null || ban.kind() != Escalation.Kind.BAN) {
			Decision decision = store.decide(client, policy);
			if (decision.outcome() == Outcome.LIMITED || decision.escalation() != null) {
				violations++;
			}
			ban = decision.escalation();
			if (decision.outcome() == Outcome.BLOCKED && ban != null) {
				this.clock.set(Instant.ofEpochMilli(ban.untilMillis()));
			}
			assertThat(violations).isLessThanOrEqualTo(10);
		}
		assertThat(violations).isEqualTo(10);
		assertThat(ban.permanent()).isTrue();
		assertThat(ban.violations()).isEqualTo(10);
		this.clock.advance(Duration.ofDays(400));
		Decision banned = store.decide(client, null);
		assertThat(banned.outcome()).isEqualTo(Outcome.BANNED);
		assertThat(banned.retryAfterMillis()).isEqualTo(-1);
		ClientStatus status = store.status(client).orElseThrow();
		assertThat(status.banned()).isTrue();
		assertThat(status.permanentlyBanned()).isTrue();
		assertThat(status.bannedUntil()).isNull();
		assertThat(status.blocks()).as("three blocks came before the ban, more than a day ago").isZero();
	}

	@Test
	void aTimedBanEnds() throws Exception {
		ViolationStore store = store(Algorithm.FIXED_WINDOW, (e) -> new EscalationPolicy(e.block(),
				new BanPolicy(true, 2, Duration.ofHours(24), Duration.ofHours(1))));
		RatePolicy policy = policy("default", "1/minute");
		String client = newClient();
		assertThat(outcomes(store, client, policy, 3)).containsExactly(Outcome.ALLOWED, Outcome.LIMITED,
				Outcome.BANNED);
		this.clock.advance(Duration.ofMinutes(59));
		Decision banned = store.decide(client, policy);
		assertThat(banned.outcome()).isEqualTo(Outcome.BANNED);
		assertThat(banned.retryAfterMillis()).isEqualTo(Duration.ofMinutes(1).toMillis());
		assertThat(store.status(client).orElseThrow().bannedUntil()).isEqualTo(START.plus(Duration.ofHours(1)));
		this.clock.advance(Duration.ofMinutes(1));
		assertThat(outcomes(store, client, policy, 2)).containsExactly(Outcome.ALLOWED, Outcome.LIMITED);
	}

	@Test
	void forgettingAClientLiftsItsBanAndHistory() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("default", "1/minute");
		String client = newClient();
		store.ban(client, null);
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.BANNED);
		assertThat(store.forget(client)).isTrue();
		assertThat(store.status(client)).isEmpty();
		assertThat(store.forget(client)).isFalse();
		assertThat(outcomes(store, client, policy, 2)).containsExactly(Outcome.ALLOWED, Outcome.LIMITED);
		assertThat(store.status(client).orElseThrow().violations()).isEqualTo(1);
	}

	@Test
	void blocksAndBansByHand() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("default", "100/minute");
		String blocked = newClient();
		String banned = newClient();
		ClientStatus block = store.block(blocked, Duration.ofHours(2));
		assertThat(block.blockedUntil()).isEqualTo(START.plus(Duration.ofHours(2)));
		assertThat(block.blocks()).isEqualTo(1);
		Decision decision = store.decide(blocked, policy);
		assertThat(decision.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(decision.retryAfterMillis()).isEqualTo(Duration.ofHours(2).toMillis());
		this.clock.advance(Duration.ofMinutes(1));
		ClientStatus ban = store.ban(banned, Duration.ofDays(1));
		assertThat(ban.banned()).isTrue();
		assertThat(ban.bannedUntil()).isEqualTo(this.clock.instant().plus(Duration.ofDays(1)));
		assertThat(store.decide(banned, null).outcome()).isEqualTo(Outcome.BANNED);
	}

	@Test
	void listsRestrictedClientsMostRecentFirst() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("default", "100/minute");
		String first = newClient();
		String second = newClient();
		String third = newClient();
		String free = newClient();
		store.decide(free, policy);
		store.block(first, Duration.ofHours(1));
		this.clock.advance(Duration.ofSeconds(1));
		store.ban(second, null);
		this.clock.advance(Duration.ofSeconds(1));
		store.block(third, Duration.ofMinutes(30));
		assertThat(store.restrictedClients(10)).extracting(ClientStatus::client).containsExactly(third, second, first);
		assertThat(store.restrictedClients(2)).extracting(ClientStatus::client).containsExactly(third, second);
		assertThat(store.restrictedCount()).isEqualTo(3);
		this.clock.advance(Duration.ofMinutes(45));
		assertThat(store.restrictedClients(10)).extracting(ClientStatus::client).containsExactly(second, first);
		assertThat(store.restrictedCount()).isEqualTo(2);
		assertThat(store.forget(second)).isTrue();
		assertThat(store.restrictedClients(10)).extracting(ClientStatus::client).containsExactly(first);
	}

	@Test
	void aClientStaysListedUntilItsLaterRestrictionEnds() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		String bannedThenBlocked = newClient();
		String blockedThenBanned = newClient();
		store.ban(bannedThenBlocked, null);
		store.block(bannedThenBlocked, Duration.ofMinutes(10));
		store.block(blockedThenBanned, Duration.ofHours(2));
		store.ban(blockedThenBanned, Duration.ofMinutes(30));
		assertThat(store.restrictedClients(10)).extracting(ClientStatus::client)
			.containsExactlyInAnyOrder(bannedThenBlocked, blockedThenBanned);
		this.clock.advance(Duration.ofHours(1));
		assertThat(store.decide(bannedThenBlocked, null).outcome()).isEqualTo(Outcome.BANNED);
		assertThat(store.decide(blockedThenBanned, null).outcome()).isEqualTo(Outcome.BLOCKED);
		// another restriction written after the earlier ends passed, when a store may tidy up
		store.block(newClient(), Duration.ofMinutes(1));
		this.clock.advance(Duration.ofMinutes(1));
		assertThat(store.restrictedClients(10)).as("still banned, and still blocked")
			.extracting(ClientStatus::client)
			.containsExactlyInAnyOrder(bannedThenBlocked, blockedThenBanned);
		assertThat(store.restrictedCount()).isEqualTo(2);
		this.clock.advance(Duration.ofHours(1));
		assertThat(store.restrictedClients(10)).extracting(ClientStatus::client).containsExactly(bannedThenBlocked);
		assertThat(store.restrictedCount()).isEqualTo(1);
	}

	@Test
	void statusOfAClientNeverSeenIsEmpty() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		Optional<ClientStatus> status = store.status(newClient());
		assertThat(status).isEmpty();
	}

	@Test
	void aClientWhoseRecordExpiredCanBeBannedAgain() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		String client = newClient();
		store.ban(client, Duration.ofHours(1));
		touched(store, client);
		this.clock.advance(Duration.ofDays(2));
		clockMoved();
		assertThat(store.status(client)).isEmpty();
		assertThat(store.ban(client, null).permanentlyBanned()).isTrue();
		assertThat(store.status(client)).hasValueSatisfying((status) -> assertThat(status.permanentlyBanned()).isTrue());
		assertThat(store.decide(client, policy("default", "10/minute")).outcome()).isEqualTo(Outcome.BANNED);
	}

	@Test
	void aWriteAtAVersionTheStoreNoLongerHoldsChangesNothing() throws Exception {
		DecisionRules rules = new DecisionRules(Algorithm.SLIDING_WINDOW, escalation());
		ClientRecords records;
		try {
			records = createRecords(rules, this.clock);
		}
		catch (UnsupportedOperationException ex) {
			Assumptions.abort("the store under test is a whole ViolationStore, not ClientRecords");
			return;
		}
		ClientRecords second = createSecondRecords(rules, this.clock);
		ClientRecords other = (second != null) ? second : records;
		String client = newClient();
		long now = this.clock.millis();
		ClientState.Escalations blocked = new ClientState.Escalations(new long[0], new long[0], 1, now, now + 60_000,
				60_000, 0, 0);
		assertThat(records.write(client, 0, blocked, now + 60_000, now)).as("version 0 creates the record").isTrue();
		assertThat(other.write(client, 0, ClientState.Escalations.NONE, now, now)).as("version 0 once it exists")
			.isFalse();
		assertThat(records.read(client)).isNotNull().satisfies((record) -> {
			assertThat(record.version()).isEqualTo(1);
			assertThat(record.escalations().blockedUntilMillis()).isEqualTo(now + 60_000);
			assertThat(record.restricted()).isTrue();
		});
		assertThat(records.restrictedCount()).isEqualTo(1);
		assertThat(other.write(client, 1, ClientState.Escalations.NONE, now + 60_000, now)).isTrue();
		assertThat(records.write(client, 1, blocked, now + 60_000, now)).as("version 1 once it is 2").isFalse();
		assertThat(records.read(client)).isNotNull().satisfies((record) -> {
			assertThat(record.version()).isEqualTo(2);
			assertThat(record.escalations().blockedUntilMillis()).isZero();
			assertThat(record.restricted()).isFalse();
		});
		assertThat(records.restricted(10)).isEmpty();
		assertThat(records.forget(client)).isTrue();
		assertThat(records.read(client)).isNull();
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void admitsExactlyTheLimitUnderConcurrency(Algorithm algorithm) throws Exception {
		ViolationStore store = pureRateLimiter(algorithm);
		RatePolicy policy = policy("default", "100/hour");
		String client = newClient();
		this.clock.advance(Duration.ofMinutes(1));
		List<Decision> decisions = concurrently(16, 25, () -> store.decide(client, policy));
		assertThat(decisions).hasSize(400);
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.ALLOWED).hasSize(100);
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.LIMITED).hasSize(300);
		if (returnsItsOwnWriteUnderConcurrency()) {
			assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.ALLOWED)
				.extracting(Decision::remaining)
				.as("every remaining count is seen once")
				.doesNotHaveDuplicates();
		}
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void admitsExactlyTheLimitOverTheCostUnderConcurrency(Algorithm algorithm) throws Exception {
		ViolationStore store = pureRateLimiter(algorithm);
		RatePolicy policy = policy("expensive", "100/hour;60/minute", 7);
		String client = newClient();
		this.clock.advance(Duration.ofMinutes(1));
		List<Decision> decisions = concurrently(16, 25, () -> store.decide(client, policy));
		// floor(60 / 7) = 8 requests of cost 7 fit in the tighter limit, whatever the interleaving
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.ALLOWED).hasSize(8);
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.LIMITED).hasSize(400 - 8);
		if (returnsItsOwnWriteUnderConcurrency()) {
			assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.ALLOWED)
				.extracting(Decision::remaining)
				.containsExactlyInAnyOrder(53L, 46L, 39L, 32L, 25L, 18L, 11L, 4L);
		}
		// the next minute's window has room again, the hour's has 100 - 56 = 44 units: 6 requests
		this.clock.advance(Duration.ofMinutes(2));
		assertThat(outcomes(store, client, policy, 7)).containsExactly(Outcome.ALLOWED, Outcome.ALLOWED,
				Outcome.ALLOWED, Outcome.ALLOWED, Outcome.ALLOWED, Outcome.ALLOWED, Outcome.LIMITED);
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void aRequestWhoseCostExceedsWhatIsLeftIsAViolation(Algorithm algorithm) throws Exception {
		ViolationStore store = store(algorithm,
				(e) -> new EscalationPolicy(new BlockPolicy(true, 2, Duration.ofMinutes(10), Duration.ofMinutes(15), 2,
						Duration.ofHours(1), false), e.ban()));
		RatePolicy policy = policy("report", "10/minute", 4);
		String client = newClient();
		assertThat(store.decide(client, policy).remaining()).isEqualTo(6);
		assertThat(store.decide(client, policy).remaining()).isEqualTo(2);
		// two units left, a request costs four: refused, and a violation
		Decision refused = store.decide(client, policy);
		assertThat(refused.outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(store.status(client)).hasValueSatisfying((status) -> assertThat(status.violations()).isEqualTo(1));
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.BLOCKED);
	}

	/**
	 * The store decides as {@link DecisionRules} do on a state of their own (the reference):
	 * the same outcome, units left, reset or time until admission, and retry-after, for
	 * generated limits, costs and request patterns. Catches a store's own arithmetic (the Lua
	 * script, the MongoDB filter) drifting from the rules.
	 */
	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void decidesExactlyAsTheRules(Algorithm algorithm) throws Exception {
		ViolationStore store = pureRateLimiter(algorithm);
		DecisionRules reference = new DecisionRules(algorithm, new EscalationPolicy(
				withEnabled(escalation().block(), false), withEnabled(escalation().ban(), false)));
		String[] limits = { "5/second", "3/10s", "10/minute;4/5s", "7/2s;20/minute;100/hour", "2/250ms" };
		java.util.Random random = new java.util.Random(algorithm.ordinal() + 17);
		for (int n = 0; n < 5; n++) {
			String text = limits[random.nextInt(limits.length)];
			long smallest = LimitParser.parse(text).stream().mapToLong(dev.floodgate.core.Limit::count).min().orElseThrow();
			long cost = random.nextBoolean() ? 1 : 1 + random.nextLong(smallest);
			RatePolicy policy = policy("reference-" + text + "-" + cost, text, cost);
			String client = newClient();
			dev.floodgate.core.ClientState state = new dev.floodgate.core.ClientState();
			for (int request = 0; request < 80; request++) {
				long now = this.clock.millis();
				Decision expected = reference.decide(state, policy, now);
				assertThat(store.decide(client, policy)).as(policy + ", request " + request + " at " + this.clock.instant())
					.isEqualTo(expected);
				long window = policy.limit(random.nextInt(policy.size())).windowMillis();
				this.clock.advance(Duration.ofMillis(random.nextLong(Math.max(1, 2 * window * cost / smallest))));
			}
		}
	}

	/**
	 * The longest windows (a year of 360 days, ten years) are kept as long as they matter: the
	 * state does not expire (TTL, index) before the retry-after it gave, and admits at it.
	 */
	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void longWindowsLastAsLongAsTheyMatter(Algorithm algorithm) throws Exception {
		ViolationStore store = pureRateLimiter(algorithm);
		for (String limits : new String[] { "1 per year", "2/3650d" }) {
			RatePolicy policy = policy("long-" + limits, limits);
			String client = newClient();
			this.clock.advance(Duration.ofDays(17));
			assertThat(outcomes(store, client, policy, (int) policy.limit(0).count())).containsOnly(Outcome.ALLOWED);
			this.clock.advance(Duration.ofDays(1));
			Decision refused = store.decide(client, policy);
			assertThat(refused.outcome()).as(limits).isEqualTo(Outcome.LIMITED);
			long retryAfter = refused.retryAfterMillis();
			assertThat(retryAfter).as(limits).isGreaterThan(Duration.ofDays(30).toMillis())
				.isLessThanOrEqualTo(2 * policy.limit(0).windowMillis());
			this.clock.advance(Duration.ofMillis(retryAfter - 1));
			assertThat(store.decide(client, policy).outcome()).as(limits + " just before").isEqualTo(Outcome.LIMITED);
			this.clock.advance(Duration.ofMillis(1));
			assertThat(store.decide(client, policy).outcome()).as(limits + " at retry-after").isEqualTo(Outcome.ALLOWED);
		}
	}

	/**
	 * A client that does what the headers say, over several quota cycles: it waits {@code t}
	 * seconds whenever {@code r=0}, and otherwise sends its next request at once. With a block
	 * after a single violation, one lie would block it.
	 */
	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void aClientThatWaitsWhatTheHeadersSayIsNeverRefused(Algorithm algorithm) throws Exception {
		ViolationStore store = store(algorithm,
				(e) -> new EscalationPolicy(new BlockPolicy(true, 1, Duration.ofMinutes(10), Duration.ofMinutes(15), 2,
						Duration.ofHours(1), false), e.ban()));
		String[][] cases = { { "5/second", "1" }, { "50/minute", "1" }, { "3/10s", "1" }, { "5/s;20/minute", "1" },
				{ "10/minute", "3" }, { "7/30s;20/5m", "2" }, { "1 per month", "1" } };
		java.util.Random random = new java.util.Random(3);
		for (String[] each : cases) {
			RatePolicy policy = policy("honest-" + each[0] + "-" + each[1], each[0], Long.parseLong(each[1]));
			String client = newClient();
			long longestCount = policy.limits().stream().mapToLong(dev.floodgate.core.Limit::count).max().orElseThrow();
			int waits = 0;
			for (int request = 0; request < 4 * longestCount / policy.cost() + 4; request++) {
				Decision decision = store.decide(client, policy);
				// what the RateLimit header says: r units left (0 when fewer than a request costs),
				// t seconds (rounded up) until the limit resets or, with r = 0, a request is admitted
				long r = (decision.remaining() < policy.cost()) ? 0 : decision.remaining();
				long t = (decision.resetMillis() + 999) / 1000;
				String description = algorithm + " " + policy + ", request " + request + " at "
						+ this.clock.instant() + ": " + decision + ", RateLimit: r=" + r + ";t=" + t;
				assertThat(decision.outcome()).as(description).isEqualTo(Outcome.ALLOWED);
				assertThat(decision.resetMillis()).as(description).isNotNegative();
				if (r == 0) {
					this.clock.advance(Duration.ofSeconds(t));
					waits++;
				}
				else if (random.nextInt(3) == 0) {
					this.clock.advance(Duration.ofMillis(random.nextInt(300)));
				}
			}
			assertThat(waits).as("the client ran into " + policy + " several times").isGreaterThanOrEqualTo(3);
		}
	}

	@Test
	void concurrentViolationsStartExactlyOneBlockThenOneBan() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW, (e) -> new EscalationPolicy(e.block(),
				new BanPolicy(true, 3, Duration.ofHours(24), null)));
		RatePolicy policy = policy("default", "10/hour");
		String client = newClient();
		List<Decision> decisions = concurrently(16, 20, () -> store.decide(client, policy));
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.ALLOWED).hasSize(10);
		List<Escalation> escalations = decisions.stream().map(Decision::escalation).filter((e) -> e != null).toList();
		assertThat(escalations).extracting(Escalation::kind).containsExactly(Escalation.Kind.BAN);
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.LIMITED).hasSize(2);
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.BANNED).hasSize(320 - 12);
	}

	@Test
	void concurrentViolationsOverTwoInstancesStartExactlyOneBan() throws Exception {
		DecisionRules rules = new DecisionRules(Algorithm.SLIDING_WINDOW,
				new EscalationPolicy(escalation().block(), new BanPolicy(true, 3, Duration.ofHours(24), null)));
		List<ViolationStore> instances = twoInstances(rules, this.clock, this.clock);
		ViolationStore first = instances.get(0);
		ViolationStore second = instances.get(1);
		RatePolicy policy = policy("default", "10/hour");
		String client = newClient();
		java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
		// each instance's violations race the other's conditional writes of the same client
		List<Decision> decisions = concurrently(16, 20,
				() -> (((requests.getAndIncrement() % 2) == 0) ? first : second).decide(client, policy));
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.ALLOWED).hasSize(10);
		assertThat(decisions.stream().map(Decision::escalation).filter((e) -> e != null).toList())
			.extracting(Escalation::kind)
			.containsExactly(Escalation.Kind.BAN);
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.LIMITED).hasSize(2);
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.BANNED).hasSize(320 - 12);
		assertThat(second.status(client)).hasValueSatisfying((status) -> assertThat(status.permanentlyBanned()).isTrue());
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void aPenaltyOfAFreshClientIsOneViolationAndSpendsNoQuota(Algorithm algorithm) throws Exception {
		ViolationStore store = store(algorithm);
		RatePolicy policy = policy("default", "5/minute");
		String client = newClient();
		Decision penalized = store.penalize(client, Penalty.STATUS);
		assertThat(penalized).isEqualTo(DecisionRules.PENALIZED);
		assertThat(penalized.escalation()).isNull();
		ClientStatus status = store.status(client).orElseThrow();
		assertThat(status.violations()).isEqualTo(1);
		assertThat(status.restricted()).isFalse();
		assertThat(status.blocks()).isZero();
		assertThat(store.restrictedClients(10)).extracting(ClientStatus::client).doesNotContain(client);
		// the penalized response spent nothing: the whole limit is still there
		List<Long> remaining = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			Decision decision = store.decide(client, policy);
			assertThat(decision.outcome()).isEqualTo(Outcome.ALLOWED);
			remaining.add(decision.remaining());
		}
		assertThat(remaining).containsExactly(4L, 3L, 2L, 1L, 0L);
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(store.status(client)).hasValueSatisfying((s) -> assertThat(s.violations()).isEqualTo(2));
	}

	@ParameterizedTest
	@EnumSource(Penalty.class)
	void penaltiesStartABlockThatCarriesThePenaltyThatStartedIt(Penalty penalty) throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("default", "100/minute");
		String client = newClient();
		Penalty other = (penalty == Penalty.STATUS) ? Penalty.AUTHENTICATION_FAILURE : Penalty.STATUS;
		assertThat(store.penalize(client, other)).isEqualTo(DecisionRules.PENALIZED);
		assertThat(store.penalize(client, other)).isEqualTo(DecisionRules.PENALIZED);
		Decision third = store.penalize(client, penalty);
		assertThat(third.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(third.retryAfterMillis()).isEqualTo(Duration.ofMinutes(15).toMillis());
		assertThat(third.escalation()).isEqualTo(new Escalation(Escalation.Kind.BLOCK, 1,
				START.plus(Duration.ofMinutes(15)).toEpochMilli(), 3, penalty));
		// the block covers the client's requests, and is reported once
		Decision blocked = store.decide(client, policy);
		assertThat(blocked.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(blocked.escalation()).isNull();
		assertThat(blocked.retryAfterMillis()).isEqualTo(Duration.ofMinutes(15).toMillis());
		ClientStatus status = store.status(client).orElseThrow();
		assertThat(status.blocked()).isTrue();
		assertThat(status.blockedUntil()).isEqualTo(START.plus(Duration.ofMinutes(15)));
		assertThat(status.since()).isEqualTo(START);
		assertThat(status.blocks()).isEqualTo(1);
		assertThat(status.violations()).isEqualTo(3);
		assertThat(store.restrictedClients(10)).extracting(ClientStatus::client).containsExactly(client);
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void penaltiesAndRequestsOverALimitAddUpTowardsTheBlock(Algorithm algorithm) throws Exception {
		ViolationStore store = store(algorithm);
		RatePolicy policy = policy("default", "1/minute");
		String endedByARequest = newClient();
		assertThat(outcomes(store, endedByARequest, policy, 2)).containsExactly(Outcome.ALLOWED, Outcome.LIMITED);
		assertThat(store.penalize(endedByARequest, Penalty.STATUS)).isEqualTo(DecisionRules.PENALIZED);
		Decision block = store.decide(endedByARequest, policy);
		assertThat(block.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(block.escalation()).as("a request over the limit started it")
			.isEqualTo(new Escalation(Escalation.Kind.BLOCK, 1, START.plus(Duration.ofMinutes(15)).toEpochMilli(), 3,
					null));
		String endedByAPenalty = newClient();
		assertThat(store.penalize(endedByAPenalty, Penalty.AUTHENTICATION_FAILURE)).isEqualTo(DecisionRules.PENALIZED);
		assertThat(outcomes(store, endedByAPenalty, policy, 2)).containsExactly(Outcome.ALLOWED, Outcome.LIMITED);
		Decision penalized = store.penalize(endedByAPenalty, Penalty.STATUS);
		assertThat(penalized.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(penalized.escalation()).isEqualTo(new Escalation(Escalation.Kind.BLOCK, 1,
				START.plus(Duration.ofMinutes(15)).toEpochMilli(), 3, Penalty.STATUS));
		assertThat(store.decide(endedByAPenalty, policy).outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(store.restrictedClients(10)).extracting(ClientStatus::client)
			.containsExactlyInAnyOrder(endedByARequest, endedByAPenalty);
	}

	@Test
	void aPenaltyOfABlockedClientChangesNothing() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		String client = newClient();
		Escalation block = penalizeUntilEscalated(store, client, Penalty.STATUS);
		assertThat(block.kind()).isEqualTo(Escalation.Kind.BLOCK);
		assertThat(block.number()).isEqualTo(1);
		this.clock.advance(Duration.ofMinutes(5));
		// more penalties than a ban takes: none counts while the block lasts
		for (int i = 0; i < 12; i++) {
			Decision decision = store.penalize(client, Penalty.AUTHENTICATION_FAILURE);
			assertThat(decision.outcome()).isEqualTo(Outcome.BLOCKED);
			assertThat(decision.escalation()).isNull();
			assertThat(decision.retryAfterMillis()).isEqualTo(Duration.ofMinutes(10).toMillis());
		}
		ClientStatus status = store.status(client).orElseThrow();
		assertThat(status.blockedUntil()).isEqualTo(START.plus(Duration.ofMinutes(15)));
		assertThat(status.since()).isEqualTo(START);
		assertThat(status.blocks()).isEqualTo(1);
		assertThat(status.violations()).isEqualTo(3);
		assertThat(status.banned()).isFalse();
		// once it ends, it takes three new violations to start the next block
		this.clock.set(Instant.ofEpochMilli(block.untilMillis()));
		assertThat(store.penalize(client, Penalty.STATUS)).isEqualTo(DecisionRules.PENALIZED);
		assertThat(store.penalize(client, Penalty.STATUS)).isEqualTo(DecisionRules.PENALIZED);
		Escalation next = store.penalize(client, Penalty.STATUS).escalation();
		assertThat(next).isEqualTo(new Escalation(Escalation.Kind.BLOCK, 2,
				this.clock.instant().plus(Duration.ofMinutes(30)).toEpochMilli(), 6, Penalty.STATUS));
	}

	@Test
	void aPenaltyOfABannedClientChangesNothing() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		String permanently = newClient();
		String forAnHour = newClient();
		store.ban(permanently, null);
		store.ban(forAnHour, Duration.ofHours(1));
		this.clock.advance(Duration.ofMinutes(20));
		for (int i = 0; i < 12; i++) {
			Decision banned = store.penalize(permanently, Penalty.STATUS);
			assertThat(banned.outcome()).isEqualTo(Outcome.BANNED);
			assertThat(banned.retryAfterMillis()).isEqualTo(-1);
			assertThat(banned.escalation()).isNull();
			Decision timed = store.penalize(forAnHour, Penalty.AUTHENTICATION_FAILURE);
			assertThat(timed.outcome()).isEqualTo(Outcome.BANNED);
			assertThat(timed.retryAfterMillis()).isEqualTo(Duration.ofMinutes(40).toMillis());
			assertThat(timed.escalation()).isNull();
		}
		assertThat(store.status(permanently)).hasValueSatisfying((status) -> {
			assertThat(status.permanentlyBanned()).isTrue();
			assertThat(status.since()).isEqualTo(START);
			assertThat(status.violations()).isZero();
			assertThat(status.blocks()).isZero();
		});
		assertThat(store.status(forAnHour)).hasValueSatisfying((status) -> {
			assertThat(status.bannedUntil()).isEqualTo(START.plus(Duration.ofHours(1)));
			assertThat(status.violations()).isZero();
			assertThat(status.blocks()).isZero();
		});
		// once the timed ban has ended, a penalty is the first violation of a clean history
		this.clock.advance(Duration.ofMinutes(40));
		assertThat(store.penalize(forAnHour, Penalty.STATUS)).isEqualTo(DecisionRules.PENALIZED);
		assertThat(store.status(forAnHour)).hasValueSatisfying((status) -> {
			assertThat(status.restricted()).isFalse();
			assertThat(status.violations()).isEqualTo(1);
		});
	}

	@Test
	void aPenaltyDoesNotRestartARelativeBlock() throws Exception {
		ViolationStore store = store(Algorithm.FIXED_WINDOW, (e) -> new EscalationPolicy(new BlockPolicy(true, 1,
				Duration.ofMinutes(10), Duration.ofMinutes(15), 2, Duration.ofHours(1), true), e.ban()));
		String client = newClient();
		Decision block = store.penalize(client, Penalty.STATUS);
		assertThat(block.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(block.escalation()).isEqualTo(new Escalation(Escalation.Kind.BLOCK, 1,
				START.plus(Duration.ofMinutes(15)).toEpochMilli(), 1, Penalty.STATUS));
		this.clock.advance(Duration.ofMinutes(14));
		Decision penalized = store.penalize(client, Penalty.STATUS);
		assertThat(penalized.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(penalized.retryAfterMillis()).as("the penalized response was not refused")
			.isEqualTo(Duration.ofMinutes(1).toMillis());
		assertThat(store.status(client).orElseThrow().blockedUntil()).isEqualTo(START.plus(Duration.ofMinutes(15)));
		this.clock.advance(Duration.ofMinutes(1));
		assertThat(store.decide(client, policy("default", "10/minute")).outcome()).isEqualTo(Outcome.ALLOWED);
	}

	@Test
	void penaltiesAcrossBlocksReachTheBan() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		String client = newClient();
		List<Long> lengths = new ArrayList<>();
		for (int n = 1; n <= 3; n++) {
			Escalation block = penalizeUntilEscalated(store, client, Penalty.STATUS);
			assertThat(block.kind()).isEqualTo(Escalation.Kind.BLOCK);
			assertThat(block.number()).isEqualTo(n);
			assertThat(block.violations()).isEqualTo(3 * n);
			assertThat(block.penalty()).isEqualTo(Penalty.STATUS);
			lengths.add(block.untilMillis() - this.clock.millis());
			this.clock.set(Instant.ofEpochMilli(block.untilMillis()));
		}
		assertThat(lengths).containsExactly(Duration.ofMinutes(15).toMillis(), Duration.ofMinutes(30).toMillis(),
				Duration.ofMinutes(60).toMillis());
		// the tenth violation within the ban window
		Decision ban = store.penalize(client, Penalty.AUTHENTICATION_FAILURE);
		assertThat(ban.outcome()).isEqualTo(Outcome.BANNED);
		assertThat(ban.retryAfterMillis()).isEqualTo(-1);
		assertThat(ban.escalation()).isEqualTo(
				new Escalation(Escalation.Kind.BAN, 1, Long.MAX_VALUE, 10, Penalty.AUTHENTICATION_FAILURE));
		this.clock.advance(Duration.ofDays(400));
		assertThat(store.decide(client, policy("default", "10/minute")).outcome()).isEqualTo(Outcome.BANNED);
		ClientStatus status = store.status(client).orElseThrow();
		assertThat(status.permanentlyBanned()).isTrue();
		assertThat(status.since()).isEqualTo(START.plus(Duration.ofMinutes(105)));
	}

	@Test
	void penaltiesOutsideTheViolationWindowDoNotAddUp() throws Exception {
		ViolationStore store = store(Algorithm.FIXED_WINDOW);
		String spaced = newClient();
		for (int i = 0; i < 6; i++) {
			assertThat(store.penalize(spaced, Penalty.STATUS)).isEqualTo(DecisionRules.PENALIZED);
			this.clock.advance(Duration.ofMinutes(6));
		}
		assertThat(store.status(spaced)).hasValueSatisfying((status) -> {
			assertThat(status.restricted()).isFalse();
			assertThat(status.violations()).as("all within the ban window").isEqualTo(6);
		});
		String pausing = newClient();
		assertThat(store.penalize(pausing, Penalty.STATUS)).isEqualTo(DecisionRules.PENALIZED);
		assertThat(store.penalize(pausing, Penalty.STATUS)).isEqualTo(DecisionRules.PENALIZED);
		this.clock.advance(Duration.ofMinutes(11));
		assertThat(store.penalize(pausing, Penalty.STATUS)).isEqualTo(DecisionRules.PENALIZED);
		assertThat(store.penalize(pausing, Penalty.STATUS)).as("two in the window, two before it")
			.isEqualTo(DecisionRules.PENALIZED);
		assertThat(store.status(pausing).orElseThrow().restricted()).isFalse();
		Escalation block = store.penalize(pausing, Penalty.STATUS).escalation();
		assertThat(block).isNotNull();
		assertThat(block.kind()).isEqualTo(Escalation.Kind.BLOCK);
		assertThat(block.violations()).isEqualTo(5);
	}

	@Test
	void concurrentPenaltiesStartExactlyOneBan() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW, (e) -> new EscalationPolicy(e.block(),
				new BanPolicy(true, 3, Duration.ofHours(24), null)));
		String client = newClient();
		List<Decision> decisions = concurrently(16, 20, () -> store.penalize(client, Penalty.STATUS));
		assertThat(decisions.stream().map(Decision::escalation).filter((e) -> e != null).toList())
			.containsExactly(new Escalation(Escalation.Kind.BAN, 1, Long.MAX_VALUE, 3, Penalty.STATUS));
		assertThat(decisions).filteredOn((d) -> d.equals(DecisionRules.PENALIZED))
			.hasSize(2);
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.BANNED).hasSize(320 - 2);
		assertThat(store.status(client)).hasValueSatisfying((status) -> {
			assertThat(status.permanentlyBanned()).isTrue();
			assertThat(status.violations()).isEqualTo(3);
		});
	}

	@Test
	void concurrentPenaltiesOverTwoInstancesStartExactlyOneBan() throws Exception {
		DecisionRules rules = new DecisionRules(Algorithm.SLIDING_WINDOW,
				new EscalationPolicy(escalation().block(), new BanPolicy(true, 3, Duration.ofHours(24), null)));
		List<ViolationStore> instances = twoInstances(rules, this.clock, this.clock);
		ViolationStore first = instances.get(0);
		ViolationStore second = instances.get(1);
		String client = newClient();
		java.util.concurrent.atomic.AtomicInteger penalties = new java.util.concurrent.atomic.AtomicInteger();
		// each instance's penalties race the other's conditional writes of the same client
		List<Decision> decisions = concurrently(16, 20,
				() -> (((penalties.getAndIncrement() % 2) == 0) ? first : second).penalize(client,
						Penalty.AUTHENTICATION_FAILURE));
		assertThat(decisions.stream().map(Decision::escalation).filter((e) -> e != null).toList())
			.containsExactly(new Escalation(Escalation.Kind.BAN, 1, Long.MAX_VALUE, 3, Penalty.AUTHENTICATION_FAILURE));
		assertThat(decisions).filteredOn((d) -> d.equals(DecisionRules.PENALIZED)).hasSize(2);
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.BANNED).hasSize(320 - 2);
		assertThat(first.status(client)).hasValueSatisfying((status) -> assertThat(status.permanentlyBanned()).isTrue());
		assertThat(second.status(client)).hasValueSatisfying((status) -> {
			assertThat(status.permanentlyBanned()).isTrue();
			assertThat(status.violations()).isEqualTo(3);
		});
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void aPenaltyKeepsTheRequestsCountedBeforeIt(Algorithm algorithm) throws Exception {
		ViolationStore store = store(algorithm);
		RatePolicy policy = policy("default", "5/minute;8/hour");
		String client = newClient();
		assertThat(outcomes(store, client, policy, 3)).containsOnly(Outcome.ALLOWED);
		assertThat(store.penalize(client, Penalty.STATUS)).isEqualTo(DecisionRules.PENALIZED);
		Decision fourth = store.decide(client, policy);
		assertThat(fourth.outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(fourth.remaining()).as("three requests before the penalty, and this one").isEqualTo(1);
		assertThat(outcomes(store, client, policy, 2)).containsExactly(Outcome.ALLOWED, Outcome.LIMITED);
		// past the minute's windows (and the violation window), the hour still counts all five
		this.clock.advance(Duration.ofMinutes(11));
		assertThat(store.penalize(client, Penalty.AUTHENTICATION_FAILURE)).isEqualTo(DecisionRules.PENALIZED);
		List<Decision> decisions = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			decisions.add(store.decide(client, policy));
		}
		assertThat(decisions).extracting(Decision::outcome)
			.containsExactly(Outcome.ALLOWED, Outcome.ALLOWED, Outcome.ALLOWED, Outcome.LIMITED);
		assertThat(decisions.get(3).limitIndex()).as("8/hour").isEqualTo(1);
		assertThat(store.status(client)).hasValueSatisfying((status) -> {
			assertThat(status.restricted()).isFalse();
			assertThat(status.violations()).isEqualTo(4);
		});
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void concurrentPenaltiesLoseNoRequestCountedMeanwhile(Algorithm algorithm) throws Exception {
		// a block only after more violations than the test makes, no ban: every penalty is written
		ViolationStore store = store(algorithm,
				(e) -> new EscalationPolicy(new BlockPolicy(true, 400, Duration.ofMinutes(10), Duration.ofMinutes(15), 2,
						Duration.ofHours(1), false), withEnabled(e.ban(), false)));
		RatePolicy policy = policy("default", "100/hour");
		String client = newClient();
		this.clock.advance(Duration.ofMinutes(1));
		record Answer(boolean penalty, Decision decision) {
		}
		java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
		// every other call a penalty, each a read and a conditional write racing the counting
		List<Answer> answers = concurrently(16, 20,
				() -> ((calls.getAndIncrement() % 2) == 0) ? new Answer(true, store.penalize(client, Penalty.STATUS))
						: new Answer(false, store.decide(client, policy)));
		assertThat(answers).filteredOn(Answer::penalty)
			.extracting(Answer::decision)
			.hasSize(160)
			.containsOnly(DecisionRules.PENALIZED);
		List<Decision> decisions = answers.stream().filter((answer) -> !answer.penalty()).map(Answer::decision).toList();
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.ALLOWED).hasSize(100);
		assertThat(decisions).filteredOn((d) -> d.outcome() == Outcome.LIMITED).hasSize(60);
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(store.status(client)).hasValueSatisfying((status) -> assertThat(status.restricted()).isFalse());
	}

	private static Escalation penalizeUntilEscalated(ViolationStore store, String client, Penalty penalty) {
		for (int i = 0; i < 100; i++) {
			Decision decision = store.penalize(client, penalty);
			if (decision.escalation() != null) {
				return decision.escalation();
			}
			assertThat(decision).isEqualTo(DecisionRules.PENALIZED);
		}
		throw new AssertionError("no escalation");
	}

	/**
	 * The store decides every request as the in-memory store does, over random rules and random
	 * sequences of requests, clock moves and manual operations (see {@link StoreDifferential}).
	 * Seeds 1 to 20 by default; {@code -Dfloodgate.differential.seed=N} runs one, and
	 * {@code -Dfloodgate.differential.modes=...} switches on the parts known to diverge.
	 */
	@Test
	void decidesAsTheInMemoryStoreOnRandomSequences() throws Exception {
		StoreDifferential differential = new StoreDifferential(new StoreDifferential.Stores() {

			@Override
			public ViolationStore create(DecisionRules rules) throws Exception {
				return closeLater(createStore(rules, ClientRecordsContractTests.this.clock));
			}

			@Override
			public List<ViolationStore> createShared(DecisionRules rules, MutableClock first, MutableClock second)
					throws Exception {
				List<ViolationStore> stores = createSharedStores(rules, first, second);
				stores.forEach(ClientRecordsContractTests.this::closeLater);
				return stores;
			}

			@Override
			public void touched(ViolationStore store, String client) {
				ClientRecordsContractTests.this.touched(store, client);
			}

			@Override
			public void clockMoved() {
				ClientRecordsContractTests.this.clockMoved();
			}

		}, this.clock, StoreDifferential.modes());
		String single = System.getProperty("floodgate.differential.seed");
		long first = (single != null) ? Long.parseLong(single) : 1;
		long last = (single != null) ? first : differentialSeeds();
		for (long seed = first; seed <= last; seed++) {
			differential.run(seed, 300);
		}
	}

	private ViolationStore closeLater(ViolationStore store) {
		if (store instanceof AutoCloseable closeable) {
			this.closeables.add(closeable);
		}
		return store;
	}

	/**
	 * Two instances of the store over one server, both closed after the test; the test is
	 * skipped for a store that one instance keeps to itself.
	 */
	private List<ViolationStore> twoInstances(DecisionRules rules, MutableClock first, MutableClock second)
			throws Exception {
		List<ViolationStore> instances = createSharedStores(rules, first, second);
		Assumptions.assumeFalse(instances.isEmpty(), "one instance keeps this store to itself");
		for (ViolationStore store : instances) {
			if (store instanceof AutoCloseable closeable) {
				this.closeables.add(closeable);
			}
		}
		return instances;
	}

	private static <T> List<T> concurrently(int threads, int perThread, Callable<T> task) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<List<T>>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				futures.add(executor.submit(() -> {
					start.await();
					List<T> results = new ArrayList<>();
					for (int i = 0; i < perThread; i++) {
						results.add(task.call());
					}
					return results;
				}));
			}
			start.countDown();
			List<T> all = new ArrayList<>();
			for (Future<List<T>> future : futures) {
				all.addAll(future.get(60, TimeUnit.SECONDS));
			}
			return all;
		}
		finally {
			executor.shutdownNow();
		}
	}

}
