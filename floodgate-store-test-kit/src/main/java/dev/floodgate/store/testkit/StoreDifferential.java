package dev.floodgate.store.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

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
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.memory.InMemoryClientRecords;
import dev.floodgate.testsupport.MutableClock;
import org.jspecify.annotations.Nullable;

/**
 * A seeded differential run of a {@link ViolationStore} against the in-memory store: random
 * rules (both algorithms, relative blocks, timed, permanent and no bans, multi-limit
 * policies), then a random sequence of requests in bursts, clock moves (often to a window's
 * boundary), manual blocks, bans and lifts ({@code forget}) over a handful of IPv4 and IPv6
 * /64 clients, so that their states interact. Every decision of the store under test must
 * equal the in-memory store's (outcome, retry-after, the tightest limit's state, the
 * escalation) and so must every status after a manual operation.
 * <p>
 * Besides the comparison, two invariants hold for every store, the in-memory one included:
 * within any stretch of time of a window's length less the clock's lag (see below), no limit
 * of {@code n} per window admits more than {@code 2n} requests of one client (a fixed window
 * admits at most {@code n} per window, and such a stretch meets at most two); and, in
 * {@link Mode#BLOCK_NUMBERS}, each block's number and length follow from an unbounded count
 * of the client's blocks.
 * <p>
 * A run fails with a message that reproduces it: the seed, the step, the operation, what was
 * expected and what was seen, and every step up to there.
 */
final class StoreDifferential {

	/**
	 * The parts of the run that today's code gets wrong, each switched on by itself. The
	 * system property {@code floodgate.differential.modes} (comma-separated names, or
	 * {@code all}) overrides {@link #ENABLED} for a run.
	 */
	enum Mode {

		/**
		 * The clock steps back by a few milliseconds (never more than {@link #MAX_LAG} behind
		 * the latest time seen), often across a window boundary.
		 */
		STEPS_BACK,

		/**
		 * Two instances of a shared store on one namespace, with clocks a few milliseconds
		 * apart, take requests in turn. Exact agreement with a single in-memory store cannot be
		 * asked for (each instance computes retry-after and the sliding weights from its own
		 * time), so this mode checks the invariants only: no limit of {@code n} admits more
		 * than {@code 2n} within a window's length less the skew. Stores not shared between
		 * instances (in memory) run the ordinary comparison instead.
		 */
		SKEWED_INSTANCES,

		/**
		 * Every other seed gives a client more than 64 short blocks within the ban window
		 * (factor 1 or 1.02, bans off, twice the steps), and each block's number and length are checked
		 * against an unbounded count of the client's blocks.
		 */
		BLOCK_NUMBERS,

		/**
		 * The listing of restricted clients ({@code restrictedClients}, {@code restrictedCount})
		 * is compared too, after every manual operation and now and then.
		 */
		LISTINGS

	}

	/**
	 * The modes switched on: all of them, since the fixes of issue 10 landed. What each showed
	 * on the code before those fixes (seeds 1 to 20, 6 on MongoDB):
	 * <ul>
	 * <li>{@link Mode#STEPS_BACK}, issue 10 §3 "a clock stepping back 1 ms across a window
	 * boundary wipes that window's count": the in-memory store itself admits 11 requests under
	 * 5/10s within 3 ms (seed 3, step 213); Redis and MongoDB decide exactly as it does, so
	 * they break the bound at the same step (with {@code oracles=false} every store agrees);</li>
	 * <li>{@link Mode#SKEWED_INSTANCES}, issue 10 §3 "two instances whose clocks differ by
	 * 1 ms admit without limit at every window boundary": MongoDB, and Redis given clocks,
	 * admit 9 requests under 4/2s at one instant at a boundary, clocks 3 ms apart (seed 1,
	 * step 96);</li>
	 * <li>{@link Mode#BLOCK_NUMBERS}, issue 10 §3 "block numbers stop growing at 65": every
	 * store numbers the 67th block 65 (seed 2, step 408), and agrees with the others;</li>
	 * <li>{@link Mode#LISTINGS}, issue 10 §2 "a block over a ban rescores the index entry with
	 * the wrong end": Redis (standalone and cluster) drops a permanently banned client from
	 * {@code restrictedClients} once a 1 ms block over its ban has ended (seed 1, step 255);
	 * memory and MongoDB agree.</li>
	 * </ul>
	 */
	static final Set<Mode> ENABLED = EnumSet.allOf(Mode.class);

	/**
	 * Whether the admission bound and the block numbers are checked as well as the comparison:
	 * {@code -Dfloodgate.differential.oracles=false} leaves only the comparison, to see where a
	 * store parts from the in-memory one when both break them.
	 */
	private static final boolean ORACLES = !"false".equals(System.getProperty("floodgate.differential.oracles"));

	/** The most the clock is ever behind the latest time seen in {@link Mode#STEPS_BACK}. */
	static final long MAX_LAG = 3;

	/**
	 * Whether the tightest limit's state (index, remaining, reset) is compared as well as the
	 * outcome, retry-after and escalation.
	 */
	private static final boolean COMPARE_LIMIT_STATE = true;

	private static final String[] CLIENTS = { "198.51.100.7", "198.51.100.8", "203.0.113.200", "2001:db8:1:2::/64",
			"2001:db8:1:3::/64" };

	private static final String[][] POLICIES = { { "3/second", "5/10s", "10/minute", "4/2s" },
			{ "2/second;5/minute", "3/second;8/10s", "5/10s;20/hour", "3/second;10/minute;30/hour" } };

	private static final long[] BLOCK_DURATIONS = { 1, 1_000, 60_000, 3_600_000 };

	/**
	 * A minute at least: Redis expires a key in real time, by the length the store gave it on
	 * the test's clock, and a client's key lives no longer than its ban when nothing else of it
	 * matters (a block always leaves its start, which matters for the ban window).
	 */
	private static final long[] BAN_DURATIONS = { 60_000, 3_600_000 };

	/** How the run reaches the stores it compares. */
	interface Stores {

		/**
		 * Creates an empty store under test, taking its time from the run's clock.
		 * @param rules the rules
		 * @return the store
		 * @throws Exception when it cannot be created
		 */
		ViolationStore create(DecisionRules rules) throws Exception;

		/**
		 * Creates two instances of an empty store on one server and namespace.
		 * @param rules the rules
		 * @param first the first instance's clock
		 * @param second the second instance's clock
		 * @return the two instances, or an empty list when the store is not shared
		 * @throws Exception when they cannot be created
		 */
		List<ViolationStore> createShared(DecisionRules rules, MutableClock first, MutableClock second)
				throws Exception;

		/**
		 * Called after every operation on a client of a store under test.
		 * @param store the store
		 * @param client the client
		 */
		void touched(ViolationStore store, String client);

		/**
		 * Called after every move of the clock.
		 */
		void clockMoved();

	}

	private final Stores stores;

	private final MutableClock clock;

	private final Set<Mode> modes;

	StoreDifferential(Stores stores, MutableClock clock, Set<Mode> modes) {
		this.stores = stores;
		this.clock = clock;
		this.modes = modes;
	}

	/**
	 * The modes for this run: {@link #ENABLED}, unless the system property
	 * {@code floodgate.differential.modes} names others.
	 * @return the modes
	 */
	static Set<Mode> modes() {
		String property = System.getProperty("floodgate.differential.modes");
		if (property == null || property.isBlank()) {
			return ENABLED;
		}
		if (property.trim().equalsIgnoreCase("all")) {
			return EnumSet.allOf(Mode.class);
		}
		Set<Mode> modes = EnumSet.noneOf(Mode.class);
		for (String name : property.split(",")) {
			if (!name.isBlank() && !name.trim().equalsIgnoreCase("none")) {
				modes.add(Mode.valueOf(name.trim().toUpperCase(Locale.ROOT)));
			}
		}
		return modes;
	}

	/**
	 * Runs one seed.
	 * @param seed the seed
	 * @param steps how many steps
	 * @throws Exception when a store cannot be created or fails
	 * @throws AssertionError at the first difference, with a message that reproduces it
	 */
	void run(long seed, int steps) throws Exception {
		Random random = new Random(seed);
		Scenario scenario = Scenario.random(random, this.modes.contains(Mode.BLOCK_NUMBERS) && seed % 2 == 0);
		this.clock.set(Instant.parse("2026-01-01T00:00:00Z").plusMillis(random.nextInt(86_400_000)));
		if (this.modes.contains(Mode.SKEWED_INSTANCES)) {
			MutableClock second = new MutableClock(this.clock.instant());
			List<ViolationStore> shared = this.stores.createShared(scenario.rules, this.clock, second);
			if (!shared.isEmpty()) {
				long skew = (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(3));
				new Run(seed, scenario, random, null, shared, second, skew).steps(steps);
				return;
			}
		}
		ViolationStore reference = new RuleBookStore(new InMemoryClientRecords(scenario.rules, this.clock, 10_000), scenario.rules,
				this.clock);
		new Run(seed, scenario, random, reference, List.of(this.stores.create(scenario.rules)), null, 0)
			.steps(scenario.manyBlocks ? 2 * steps : steps);
	}

	/** The rules, policies and clients of one seed. */
	private record Scenario(DecisionRules rules, List<RatePolicy> policies, List<String> clients, boolean manyBlocks) {

		static Scenario random(Random random, boolean manyBlocks) {
			RatePolicies registry = new RatePolicies();
			if (manyBlocks) {
				double factor = random.nextBoolean() ? 1.0 : 1.02;
				BlockPolicy block = new BlockPolicy(true, 1, Duration.ofMinutes(1), Duration.ofMillis(4), factor,
						Duration.ofHours(1), false);
				BanPolicy ban = new BanPolicy(false, 10, Duration.ofHours(24), null);
				Algorithm algorithm = random.nextBoolean() ? Algorithm.FIXED_WINDOW : Algorithm.SLIDING_WINDOW;
				return new Scenario(new DecisionRules(algorithm, new EscalationPolicy(block, ban)),
						List.of(registry.getOrCreate("p0", LimitParser.parse("1/second"))),
						List.of(CLIENTS[0], CLIENTS[3]), true);
			}
			Algorithm algorithm = random.nextBoolean() ? Algorithm.FIXED_WINDOW : Algorithm.SLIDING_WINDOW;
			long blockMillis = pick(random, 1_000L, 5_000L, 30_000L, 120_000L);
			BlockPolicy block = new BlockPolicy(random.nextInt(10) < 8, 1 + random.nextInt(4),
					Duration.ofMillis(pick(random, 10_000L, 60_000L, 600_000L)), Duration.ofMillis(blockMillis),
					pick(random, 1.0, 1.5, 2.0, 3.0), Duration.ofMillis(blockMillis * pick(random, 1L, 4L, 16L)),
					random.nextInt(10) < 3);
			Duration banDuration = random.nextBoolean() ? null
					: Duration.ofMillis(pick(random, 10_000L, 60_000L, 3_600_000L));
			BanPolicy ban = new BanPolicy(random.nextInt(10) < 7, 2 + random.nextInt(11),
					Duration.ofMillis(pick(random, 300_000L, 3_600_000L, 86_400_000L)), banDuration);
			if (random.nextInt(10) == 0) {
				block = new BlockPolicy(false, block.afterViolations(), block.violationWindow(), block.duration(),
						block.factor(), block.maxDuration(), block.relative());
				ban = new BanPolicy(false, ban.afterViolations(), ban.window(), ban.duration());
			}
			List<RatePolicy> policies = new ArrayList<>();
			int count = 2 + random.nextInt(2);
			for (int i = 0; i < count; i++) {
				String[] choices = POLICIES[(i == 0) ? 0 : random.nextInt(2)];
				policies.add(registry.getOrCreate("p" + i, LimitParser.parse(choices[random.nextInt(choices.length)])));
			}
			List<String> clients = new ArrayList<>(List.of(CLIENTS));
			Collections.shuffle(clients, random);
			return new Scenario(new DecisionRules(algorithm, new EscalationPolicy(block, ban)), List.copyOf(policies),
					List.copyOf(clients.subList(0, 3 + random.nextInt(3))), false);
		}

		@SafeVarargs
		private static <T> T pick(Random random, T... choices) {
			return choices[random.nextInt(choices.length)];
		}

		@Override
		public String toString() {
			EscalationPolicy e = this.rules.escalation();
			return this.rules.algorithm() + ", " + e.block() + ", " + e.ban() + ", policies " + this.policies
					+ ", clients " + this.clients;
		}

	}

	/** One seed's run over the stores, with what it has done so far for the message. */
	private final class Run {

		private final long seed;

		private final Scenario scenario;

		private final Random random;

		private final @Nullable ViolationStore reference;

		private final List<ViolationStore> subjects;

		private final @Nullable MutableClock second;

		private final long skew;

		private final long lag;

		private final List<String> log = new ArrayList<>();

		/** Times of admitted requests per store, client, policy and limit. */
		private final Map<String, List<Long>> admitted = new HashMap<>();

		/** Every block start per store and client since it was last forgotten. */
		private final Map<String, List<Long>> blockStarts = new HashMap<>();

		private long latest;

		private int step;

		private String op = "";

		/** Steps chosen ahead: the rest of a burst, or a dance around a window boundary. */
		private final Deque<Runnable> pending = new ArrayDeque<>();

		Run(long seed, Scenario scenario, Random random, @Nullable ViolationStore reference,
				List<ViolationStore> subjects, @Nullable MutableClock second, long skew) {
			this.seed = seed;
			this.scenario = scenario;
			this.random = random;
			this.reference = reference;
			this.subjects = subjects;
			this.second = second;
			this.skew = skew;
			this.lag = Math.abs(skew) + (StoreDifferential.this.modes.contains(Mode.STEPS_BACK) ? MAX_LAG : 0);
			this.latest = StoreDifferential.this.clock.millis();
		}

		void steps(int steps) {
			for (this.step = 0; this.step < steps; this.step++) {
				step();
			}
		}

		private MutableClock clock() {
			return StoreDifferential.this.clock;
		}

		private void moveClockTo(long millis) {
			clock().set(Instant.ofEpochMilli(millis));
			if (this.second != null) {
				this.second.set(Instant.ofEpochMilli(millis + this.skew));
			}
			this.latest = Math.max(this.latest, millis);
			StoreDifferential.this.stores.clockMoved();
		}

		private void touched(ViolationStore store, String client) {
			StoreDifferential.this.stores.touched(store, client);
		}

		private void step() {
			long now = clock().millis();
			if (!this.pending.isEmpty()) {
				this.pending.poll().run();
				return;
			}
			int roll = this.random.nextInt(100);
			if (this.scenario.manyBlocks) {
				if (roll < 65) {
					request(client(), this.scenario.policies.get(0));
				}
				else if (roll < 95) {
					advance(1 + this.random.nextInt(8));
				}
				else {
					manualBlock(client(), 1 + this.random.nextInt(8));
				}
				return;
			}
			if (roll < 40) {
				request(client(), policy());
			}
			else if (roll < 52) {
				String client = client();
				RatePolicy policy = this.scenario.policies.get(this.random.nextInt(this.scenario.policies.size()));
				burst(client, policy, 3 + this.random.nextInt(10));
				this.pending.poll().run();
			}
			else if (roll < 62) {
				long by = 1 + this.random.nextInt(999);
				record("advance " + by + "ms");
				moveClockTo(now + by);
			}
			else if (roll < 68) {
				long by = 1_000 + (long) (this.random.nextDouble() * this.random.nextDouble() * 3_600_000);
				record("advance " + by + "ms");
				moveClockTo(now + by);
			}
			else if (roll < 76) {
				RatePolicy policy = this.scenario.policies.get(this.random.nextInt(this.scenario.policies.size()));
				int limit = this.random.nextInt(policy.size());
				long window = policy.windowMillis(limit);
				long before = this.random.nextInt(3);
				long to = (Math.max(now, this.latest) / window + 1) * window - before;
				record("to " + before + "ms before the next " + window + "ms boundary (+" + (to - now) + "ms)");
				moveClockTo(to);
				if (StoreDifferential.this.modes.contains(Mode.STEPS_BACK) && this.random.nextBoolean()) {
					// fill the window on both sides of the boundary, stepping back and forth across it
					String client = client();
					int fill = (int) policy.count(limit) + 1;
					burst(client, policy, fill);
					this.pending.add(this::back);
					burst(client, policy, fill);
					this.pending.add(() -> advance(1 + this.random.nextInt((int) MAX_LAG)));
					burst(client, policy, fill);
				}
			}
			else if (roll < 82) {
				if (StoreDifferential.this.modes.contains(Mode.STEPS_BACK) && this.random.nextBoolean()) {
					back();
				}
				else {
					advance(1 + this.random.nextInt((int) MAX_LAG));
				}
			}
			else if (roll < 86) {
				manualBlock(client(), BLOCK_DURATIONS[this.random.nextInt(BLOCK_DURATIONS.length)]);
			}
			else if (roll < 90) {
				Duration duration = this.random.nextBoolean() ? null
						: Duration.ofMillis(BAN_DURATIONS[this.random.nextInt(BAN_DURATIONS.length)]);
				manualBan(client(), duration);
			}
			else if (roll < 93) {
				forget(client());
			}
			else if (roll < 98) {
				String client = client();
				record("status " + client);
				compareStatuses("status", (store) -> store.status(client));
			}
			else {
				record("list");
				compareListings();
			}
		}

		private void burst(String client, RatePolicy policy, int requests) {
			for (int i = 0; i < requests; i++) {
				this.pending.add(() -> request(client, policy));
			}
		}

		private void advance(long millis) {
			record("advance " + millis + "ms");
			moveClockTo(clock().millis() + millis);
		}

		/** A small step back, never more than {@link #MAX_LAG} behind the latest time seen. */
		private void back() {
			long now = clock().millis();
			long back = Math.min(1 + this.random.nextInt((int) MAX_LAG), now - (this.latest - MAX_LAG));
			record("back " + back + "ms");
			moveClockTo(now - back);
		}

		private String client() {
			List<String> clients = this.scenario.clients;
			// the first client takes half the traffic, so that it runs into its limits
			return this.random.nextBoolean() ? clients.get(0) : clients.get(this.random.nextInt(clients.size()));
		}

		private @Nullable RatePolicy policy() {
			int pick = this.random.nextInt(this.scenario.policies.size() * 10 + 1);
			return (pick == 0) ? null : this.scenario.policies.get((pick - 1) / 10);
		}

		private void record(String operation) {
			this.op = operation;
			this.log.add(String.format(Locale.ROOT, "  %3d @%d %s", this.step, clock().millis() - startOfDay(),
					operation));
		}

		private long startOfDay() {
			return Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
		}

		private void request(String client, @Nullable RatePolicy policy) {
			int instance = (this.subjects.size() > 1) ? this.random.nextInt(this.subjects.size()) : 0;
			record("decide " + client + " " + ((policy != null) ? policy.name() : "(no policy)")
					+ ((this.subjects.size() > 1) ? " on instance " + instance : ""));
			long now = clock().millis();
			ViolationStore subject = this.subjects.get(instance);
			Decision actual = subject.decide(client, policy);
			touched(subject, client);
			if (this.reference != null) {
				Decision expected = this.reference.decide(client, policy);
				String difference = difference(expected, actual);
				if (difference != null) {
					fail(difference, expected, actual);
				}
				checkAdmission("reference", client, policy, expected, now);
				checkBlockNumber("reference", client, expected, now);
			}
			checkAdmission(subject.type(), client, policy, actual, now);
			checkBlockNumber(subject.type(), client, actual, now);
		}

		private void manualBlock(String client, long millis) {
			record("block " + client + " for " + millis + "ms");
			long now = clock().millis();
			ViolationStore subject = subject();
			ClientStatus actual = subject.block(client, Duration.ofMillis(millis));
			touched(subject, client);
			if (this.reference != null) {
				ClientStatus expected = this.reference.block(client, Duration.ofMillis(millis));
				compare("the status after the block", expected, actual);
				blockStarted("reference", client, now);
			}
			blockStarted(subject.type(), client, now);
			afterManualOperation();
		}

		private void manualBan(String client, @Nullable Duration duration) {
			record("ban " + client + ((duration != null) ? " for " + duration.toMillis() + "ms" : " permanently"));
			ViolationStore subject = subject();
			ClientStatus actual = subject.ban(client, duration);
			touched(subject, client);
			if (this.reference != null) {
				ClientStatus expected = this.reference.ban(client, duration);
				compare("the status after the ban", expected, actual);
			}
			afterManualOperation();
		}

		private void forget(String client) {
			record("forget " + client);
			ViolationStore subject = subject();
			Optional<ClientStatus> before = (this.reference != null) ? this.reference.status(client) : Optional.empty();
			boolean forgotten = subject.forget(client);
			touched(subject, client);
			if (this.reference != null) {
				this.reference.forget(client);
				// a store may hold a state that no longer matters for a while: only one that
				// matters must be reported as forgotten
				if (!normalized(client, before).equals(normalized(client, Optional.empty())) && !forgotten) {
					fail("forget returned false for a client whose state still matters: " + before.orElseThrow(),
							true, false);
				}
			}
			this.admitted.keySet().removeIf((key) -> key.contains("|" + client + "|"));
			this.blockStarts.keySet().removeIf((key) -> key.endsWith("|" + client));
			compareStatuses("the status after forget", (store) -> store.status(client));
			afterManualOperation();
		}

		private ViolationStore subject() {
			return this.subjects.get((this.subjects.size() > 1) ? this.random.nextInt(this.subjects.size()) : 0);
		}

		private void afterManualOperation() {
			if (StoreDifferential.this.modes.contains(Mode.LISTINGS)) {
				compareListings();
			}
		}

		private void compareStatuses(String what, Function<ViolationStore, Optional<ClientStatus>> read) {
			if (this.reference == null) {
				this.subjects.forEach(read::apply);
				return;
			}
			Optional<ClientStatus> expected = read.apply(this.reference);
			Optional<ClientStatus> actual = read.apply(this.subjects.get(0));
			String client = expected.or(() -> actual).map(ClientStatus::client).orElse("");
			compare(what, normalized(client, expected), normalized(client, actual));
		}

		private void compareListings() {
			if (this.reference == null || !StoreDifferential.this.modes.contains(Mode.LISTINGS)) {
				return;
			}
			ViolationStore subject = this.subjects.get(0);
			compare("the restricted clients", sorted(this.reference.restrictedClients(100)),
					sorted(subject.restrictedClients(100)));
			compare("the restricted count", this.reference.restrictedCount(), subject.restrictedCount());
		}

		private List<ClientStatus> sorted(List<ClientStatus> statuses) {
			List<ClientStatus> sorted = new ArrayList<>(statuses);
			sorted.sort(Comparator.comparing(ClientStatus::client));
			return sorted;
		}

		/** A store may keep a state that no longer matters: it reads as no state at all. */
		private ClientStatus normalized(String client, Optional<ClientStatus> status) {
			return status.orElse(new ClientStatus(client, false, null, null, null, 0, 0));
		}

		private void compare(String what, Object expected, Object actual) {
			if (!Objects.equals(expected, actual)) {
				fail(what + " differs", expected, actual);
			}
		}

		/**
		 * The first admitted request more than a limit allows in a stretch of its window's
		 * length (less the clock's lag): at most two windows meet such a stretch.
		 */
		private void checkAdmission(String store, String client, @Nullable RatePolicy policy, Decision decision,
				long now) {
			if (policy == null || decision.outcome() != Outcome.ALLOWED || !ORACLES) {
				return;
			}
			for (int i = 0; i < policy.size(); i++) {
				long window = policy.windowMillis(i);
				int most = (int) (2 * policy.count(i));
				List<Long> times = this.admitted.computeIfAbsent(store + "|" + client + "|" + policy.name() + "|" + i,
						(key) -> new ArrayList<>());
				int at = Collections.binarySearch(times, now);
				at = (at < 0) ? -at - 1 : at;
				while (at < times.size() && times.get(at) == now) {
					at++;
				}
				times.add(at, now);
				long stretch = window - this.lag;
				for (int from = Math.max(0, at - most); from <= at && from + most < times.size(); from++) {
					if (times.get(from + most) - times.get(from) < stretch) {
						fail(store + " admitted " + (most + 1) + " requests of " + client + " under "
								+ policy.limit(i) + " within " + (times.get(from + most) - times.get(from))
								+ "ms (at most " + most + " in any " + stretch + "ms)", "at most " + most,
								times.subList(from, from + most + 1));
					}
				}
			}
		}

		private void blockStarted(String store, String client, long now) {
			this.blockStarts.computeIfAbsent(store + "|" + client, (key) -> new ArrayList<>()).add(now);
		}

		/** In the many-blocks scenario: the n-th block within the ban window is number n. */
		private void checkBlockNumber(String store, String client, Decision decision, long now) {
			Escalation escalation = decision.escalation();
			if (!ORACLES || !this.scenario.manyBlocks || escalation == null || escalation.kind() != Escalation.Kind.BLOCK) {
				return;
			}
			List<Long> starts = this.blockStarts.computeIfAbsent(store + "|" + client, (key) -> new ArrayList<>());
			long banWindow = this.scenario.rules.escalation().ban().window().toMillis();
			int earlier = 0;
			for (int i = starts.size() - 1; i >= 0 && now - starts.get(i) < banWindow; i--) {
				earlier++;
			}
			starts.add(now);
			int number = earlier + 1;
			long length = this.scenario.rules.escalation().block().durationMillis(number);
			if (escalation.number() != number || decision.retryAfterMillis() != length) {
				fail(store + ": block " + number + " within the ban window", "number " + number + ", " + length + "ms",
						"number " + escalation.number() + ", " + decision.retryAfterMillis() + "ms");
			}
		}

		private @Nullable String difference(Decision expected, Decision actual) {
			if (expected.outcome() != actual.outcome()) {
				return "outcome";
			}
			if (expected.retryAfterMillis() != actual.retryAfterMillis()) {
				return "retry-after";
			}
			if (!Objects.equals(expected.escalation(), actual.escalation())) {
				return "escalation";
			}
			if (COMPARE_LIMIT_STATE && (expected.limitIndex() != actual.limitIndex()
					|| expected.remaining() != actual.remaining() || expected.resetMillis() != actual.resetMillis())) {
				return "limit state";
			}
			return null;
		}

		private void fail(String what, Object expected, Object actual) {
			StringBuilder message = new StringBuilder();
			message.append(String.format(Locale.ROOT, "seed %d, step %d (%s): %s%n  expected: %s%n  actual:   %s%n",
					this.seed, this.step, this.op, what, expected, actual));
			message.append("  rules: ").append(this.scenario).append(String.format("%n"));
			if (this.second != null) {
				message.append("  two instances, the second's clock ").append(this.skew).append("ms off")
					.append(String.format("%n"));
			}
			message.append("  modes: ").append(StoreDifferential.this.modes).append(String.format("%n"));
			message.append("  steps (@ms since 2026-01-01):").append(String.format("%n"));
			this.log.forEach((line) -> message.append(line).append(String.format("%n")));
			throw new AssertionError(message.toString());
		}

	}

}
