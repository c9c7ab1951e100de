package dev.floodgate.store;

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
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Escalation;
import dev.floodgate.core.EscalationPolicy;
import dev.floodgate.core.LimitParser;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicies;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.testsupport.MutableClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link ViolationStore} keeps. A store's test extends this class and
 * says only how to create the store on its server; time comes from a {@link MutableClock}
 * that the store must use as its time source in these tests.
 */
public abstract class ViolationStoreContractTests {

	/** Aligned to every minute, hour and day window. */
	protected static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	protected final MutableClock clock = new MutableClock(START);

	private final RatePolicies policies = new RatePolicies();

	private final List<AutoCloseable> closeables = new ArrayList<>();

	private int clients;

	/**
	 * Creates the store under test, empty, taking its time from the clock.
	 * @param rules the rules it decides by
	 * @param clock the time source
	 * @return the store
	 * @throws Exception when the store cannot be created
	 */
	protected abstract ViolationStore createStore(DecisionRules rules, MutableClock clock) throws Exception;

	/**
	 * Creates the store under test twice on one server and namespace (one key prefix, one
	 * collection), as two application instances sharing it would be, each taking its time
	 * from its own clock. Stores that are not shared between instances keep the default.
	 * @param rules the rules both decide by
	 * @param first the first instance's clock
	 * @param second the second instance's clock
	 * @return the two instances, or an empty list when the store is not shared
	 * @throws Exception when the stores cannot be created
	 */
	protected List<ViolationStore> createSharedStores(DecisionRules rules, MutableClock first, MutableClock second)
			throws Exception {
		return List.of();
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

	/** A client key unique to this test, so stores on shared servers do not interfere. */
	protected String newClient() {
		return "198.51.100." + (++this.clients) + "-" + Long.toHexString(System.nanoTime());
	}

	private static BlockPolicy withEnabled(BlockPolicy block, boolean enabled) {
		return new BlockPolicy(enabled, block.afterViolations(), block.violationWindow(), block.duration(),
				block.factor(), block.maxDuration(), block.relative());
	}

	private static BanPolicy withEnabled(BanPolicy ban, boolean enabled) {
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
	void statusOfAClientNeverSeenIsEmpty() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		Optional<ClientStatus> status = store.status(newClient());
		assertThat(status).isEmpty();
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
				return closeLater(createStore(rules, ViolationStoreContractTests.this.clock));
			}

			@Override
			public List<ViolationStore> createShared(DecisionRules rules, MutableClock first, MutableClock second)
					throws Exception {
				List<ViolationStore> stores = createSharedStores(rules, first, second);
				stores.forEach(ViolationStoreContractTests.this::closeLater);
				return stores;
			}

			@Override
			public void touched(ViolationStore store, String client) {
				ViolationStoreContractTests.this.touched(store, client);
			}

			@Override
			public void clockMoved() {
				ViolationStoreContractTests.this.clockMoved();
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
