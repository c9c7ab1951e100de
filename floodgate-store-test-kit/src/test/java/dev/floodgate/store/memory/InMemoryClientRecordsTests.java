package dev.floodgate.store.memory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ClientRecords;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.testkit.ClientRecordsContractTests;
import dev.floodgate.testsupport.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-memory store keeps the {@link ViolationStore} contract, stays within its bound and
 * never evicts a restricted client.
 */
@ExtendWith(OutputCaptureExtension.class)
class InMemoryClientRecordsTests extends ClientRecordsContractTests {

	private long maxClients = 10_000;

	private long maxRestricted = 10_000;

	private InMemoryClientRecords records;

	@Override
	protected ClientRecords createRecords(DecisionRules rules, MutableClock clock) {
		this.records = new InMemoryClientRecords(rules, clock, this.maxClients, this.maxRestricted);
		return this.records;
	}

	/** The store's decisions, with the records' own methods (tracked clients, clean-up, evictions). */
	private MemoryStore memoryStore(ViolationStore store) {
		return new MemoryStore(store, this.records);
	}

	@Test
	void clientsWhoseBlocksEndedCountAgainstMaxClientsWithoutBeingSeenAgain() throws Exception {
		this.maxClients = 10;
		MemoryStore store = memoryStore(store(Algorithm.SLIDING_WINDOW));
		RatePolicy policy = policy("default", "100/minute");
		for (int i = 0; i < 500; i++) {
			store.block("10.2." + (i / 250) + "." + (i % 250), Duration.ofMinutes(1));
		}
		this.clock.advance(Duration.ofMinutes(2));
		for (int i = 0; i < 1000; i++) {
			store.decide("10.3." + (i / 250) + "." + (i % 250), policy);
		}
		assertThat(store.trackedClients()).as("the writes themselves re-weigh the ended blocks")
			.isLessThanOrEqualTo(10);
		store.cleanUp();
		assertThat(store.trackedClients()).isLessThanOrEqualTo(10);
		assertThat(store.restrictedCount()).isZero();
	}

	@Test
	void restrictedClientsAreBoundedBlocksYieldingBeforeBans(CapturedOutput output) throws Exception {
		this.maxClients = 100;
		this.maxRestricted = 10;
		MemoryStore store = memoryStore(store(Algorithm.SLIDING_WINDOW));
		RatePolicy policy = policy("default", "100/minute");
		for (int i = 0; i < 4; i++) {
			store.ban("203.0.113." + i, null);
		}
		store.ban("203.0.113.4", Duration.ofDays(2));
		store.ban("203.0.113.5", Duration.ofDays(1));
		for (int i = 0; i < 4; i++) {
			store.block("198.51.100." + i, Duration.ofMinutes(10 + i));
		}
		assertThat(store.restrictedEvictions()).isZero();
		assertThat(output).doesNotContain("max-restricted");
		// two more blocks: the blocks ending soonest yield, the bans stay
		store.block("198.51.100.10", Duration.ofHours(1));
		store.block("198.51.100.11", Duration.ofHours(1));
		assertThat(store.restrictedEvictions()).isEqualTo(2);
		assertThat(store.status("198.51.100.0")).isEmpty();
		assertThat(store.status("198.51.100.1")).isEmpty();
		assertThat(store.decide("198.51.100.2", policy).outcome()).isEqualTo(Outcome.BLOCKED);
		// six more bans: every block yields first, then the bans ending soonest
		this.clock.advance(Duration.ofMinutes(1));
		for (int i = 0; i < 6; i++) {
			store.ban("192.0.2." + i, null);
		}
		assertThat(store.restrictedEvictions()).isEqualTo(8);
		assertThat(store.restrictedCount()).isEqualTo(10);
		assertThat(store.restrictedClients(100)).allMatch(ClientStatus::banned)
			.extracting(ClientStatus::client)
			.doesNotContain("203.0.113.4", "203.0.113.5")
			.contains("203.0.113.0", "203.0.113.3", "192.0.2.0", "192.0.2.5");
		for (int i = 0; i < 4; i++) {
			assertThat(store.decide("203.0.113." + i, policy).outcome()).isEqualTo(Outcome.BANNED);
		}
		assertThat(store.decide("203.0.113.5", policy).outcome()).isEqualTo(Outcome.ALLOWED);
		// among permanent bans, the oldest yields
		store.ban("192.0.2.6", null);
		assertThat(store.restrictedEvictions()).isEqualTo(9);
		assertThat(store.status("203.0.113.0")).isEmpty();
		assertThat(store.decide("192.0.2.0", policy).outcome()).isEqualTo(Outcome.BANNED);
		assertThat(output.toString().split("max-restricted", -1)).as("one WARN").hasSize(2);
		store.cleanUp();
		assertThat(store.trackedClients()).isLessThanOrEqualTo(this.maxClients + this.maxRestricted);
	}

	@Test
	void restrictedClientsStayBoundedUnderConcurrency() throws Exception {
		this.maxClients = 100;
		this.maxRestricted = 50;
		MemoryStore store = memoryStore(store(Algorithm.FIXED_WINDOW));
		RatePolicy policy = policy("default", "1/minute");
		ExecutorService executor = Executors.newFixedThreadPool(8);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < 8; t++) {
				int thread = t;
				futures.add(executor.submit(() -> {
					for (int i = 0; i < 200; i++) {
						String client = "2001:db8:" + thread + ":" + Integer.toHexString(i) + "::/64";
						for (int r = 0; r < 5; r++) {
							store.decide(client, policy);
						}
						if (i % 50 == 0) {
							store.restrictedClients(10);
						}
					}
					return null;
				}));
			}
			for (Future<?> future : futures) {
				future.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(store.restrictedCount()).isEqualTo(50);
		assertThat(store.restrictedEvictions()).isEqualTo(1600 - 50);
		store.cleanUp();
		assertThat(store.trackedClients()).isLessThanOrEqualTo(150);
		assertThat(store.restrictedClients(100)).hasSize(50).allMatch(ClientStatus::blocked);
	}

	@Test
	void restrictedClientsStayBoundedWhenTheyBlockThemselves() throws Exception {
		this.maxClients = 50;
		this.maxRestricted = 20;
		MemoryStore store = memoryStore(store(Algorithm.FIXED_WINDOW));
		RatePolicy policy = policy("default", "5/minute");
		for (int i = 0; i < 500; i++) {
			String client = "2001:db8:" + Integer.toHexString(i) + "::/64";
			for (int r = 0; r < 8; r++) {
				store.decide(client, policy);
			}
		}
		store.cleanUp();
		assertThat(store.restrictedCount()).isEqualTo(20);
		assertThat(store.restrictedEvictions()).isEqualTo(480);
		assertThat(store.trackedClients()).isLessThanOrEqualTo(70);
		assertThat(store.decide("2001:db8:1f3::/64", policy).outcome()).as("the latest stay blocked")
			.isEqualTo(Outcome.BLOCKED);
	}

	@Test
	void tracksAtMostMaxClientsButNeverEvictsARestrictedClient() throws Exception {
		this.maxClients = 100;
		MemoryStore store = memoryStore(store(Algorithm.SLIDING_WINDOW));
		RatePolicy policy = policy("default", "1/minute");
		store.block("203.0.113.1", Duration.ofHours(1));
		store.ban("203.0.113.2", null);
		for (int i = 0; i < 10_000; i++) {
			store.decide("10.0." + (i / 250) + "." + (i % 250), policy);
		}
		store.cleanUp();
		assertThat(store.trackedClients()).isLessThanOrEqualTo(102);
		assertThat(store.decide("203.0.113.1", policy).outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(store.decide("203.0.113.2", policy).outcome()).isEqualTo(Outcome.BANNED);
	}

	@Test
	void forgetsAClientOnceNothingAboutItMatters() throws Exception {
		MemoryStore store = memoryStore(store(Algorithm.SLIDING_WINDOW));
		RatePolicy policy = policy("default", "1/minute");
		store.decide("203.0.113.7", policy);
		store.decide("203.0.113.8", policy);
		store.decide("203.0.113.8", policy);
		this.clock.advance(Duration.ofMinutes(1));
		store.cleanUp();
		assertThat(store.status("203.0.113.7")).as("the counter still weighs in the next window").isPresent();
		// two windows and the second of slack the store keeps (Caffeine ignores smaller expiry changes)
		this.clock.advance(Duration.ofMinutes(1).plusSeconds(2));
		store.cleanUp();
		assertThat(store.status("203.0.113.7")).isEmpty();
		assertThat(store.status("203.0.113.8")).as("a violation is remembered for the ban window").isPresent();
		this.clock.advance(Duration.ofHours(24));
		store.cleanUp();
		assertThat(store.status("203.0.113.8")).isEmpty();
		assertThat(store.trackedClients()).isZero();
	}

	@Test
	void aLongerWindowKeepsTheClientAsLongAsItsCountersMatter() throws Exception {
		MemoryStore store = memoryStore(pureRateLimiter(Algorithm.SLIDING_WINDOW));
		RatePolicy minute = policy("default", "20/minute");
		RatePolicy day = policy("create", "5/minute;50/day");
		int admitted = 0;
		for (int i = 0; i < 720; i++) {
			store.decide("203.0.113.9", minute);
			if (store.decide("203.0.113.9", day).outcome() == Outcome.ALLOWED) {
				admitted++;
			}
			this.clock.advance(Duration.ofMinutes(2).plusMillis(1));
			store.cleanUp();
		}
		assertThat(admitted).as("requests admitted in one day under 50/day").isBetween(50, 51);
	}

	@Test
	void aClientWhoseBlockEndedCountsTowardsTheBoundAgain() throws Exception {
		this.maxClients = 100;
		MemoryStore store = memoryStore(store(Algorithm.SLIDING_WINDOW));
		RatePolicy policy = policy("default", "100/minute");
		for (int i = 0; i < 1000; i++) {
			store.block("10.1." + (i / 250) + "." + (i % 250), Duration.ofMinutes(1));
		}
		this.clock.advance(Duration.ofMinutes(2));
		for (int i = 0; i < 1000; i++) {
			store.decide("10.1." + (i / 250) + "." + (i % 250), policy);
		}
		store.cleanUp();
		assertThat(store.trackedClients()).isLessThanOrEqualTo(100);
	}

	@Test
	void countsSurviveReadsThatCaffeineDoesNotTurnIntoNewExpiries() throws Exception {
		MemoryStore store = memoryStore(pureRateLimiter(Algorithm.FIXED_WINDOW));
		RatePolicy policy = policy("default", "3/10s");
		String client = newClient();
		this.clock.advance(Duration.ofMillis(9_500));
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
		for (long at : new long[] { 500, 100, 100 }) {
			this.clock.advance(Duration.ofMillis(at));
			assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
		}
		for (int i = 0; i < 3; i++) {
			this.clock.advance(Duration.ofMillis((i == 0) ? 9_400 : 100));
			store.cleanUp();
			assertThat(store.decide(client, policy).outcome()).as("request %d late in the window", i)
				.isEqualTo(Outcome.LIMITED);
		}
	}

	private record MemoryStore(ViolationStore store, InMemoryClientRecords records) {

		dev.floodgate.core.Decision decide(String client, RatePolicy policy) {
			return this.store.decide(client, policy);
		}

		ClientStatus block(String client, Duration duration) {
			return this.store.block(client, duration);
		}

		ClientStatus ban(String client, Duration duration) {
			return this.store.ban(client, duration);
		}

		java.util.Optional<ClientStatus> status(String client) {
			return this.store.status(client);
		}

		List<ClientStatus> restrictedClients(int max) {
			return this.store.restrictedClients(max);
		}

		long restrictedCount() {
			return this.store.restrictedCount();
		}

		boolean forget(String client) {
			return this.store.forget(client);
		}

		long trackedClients() {
			return this.records.trackedClients();
		}

		long restrictedEvictions() {
			return this.records.restrictedEvictions();
		}

		void cleanUp() {
			this.records.cleanUp();
		}

	}

}
