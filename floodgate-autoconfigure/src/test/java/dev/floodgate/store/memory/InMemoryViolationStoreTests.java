package dev.floodgate.store.memory;

import java.time.Duration;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.ViolationStoreContractTests;
import dev.floodgate.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The in-memory store keeps the {@link ViolationStore} contract, stays within its bound and
 * never evicts a restricted client.
 */
class InMemoryViolationStoreTests extends ViolationStoreContractTests {

	private long maxClients = 10_000;

	@Override
	protected ViolationStore createStore(DecisionRules rules, MutableClock clock) {
		return new InMemoryViolationStore(rules, clock, this.maxClients);
	}

	@Test
	void tracksAtMostMaxClientsButNeverEvictsARestrictedClient() throws Exception {
		this.maxClients = 100;
		InMemoryViolationStore store = (InMemoryViolationStore) store(Algorithm.SLIDING_WINDOW);
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
		InMemoryViolationStore store = (InMemoryViolationStore) store(Algorithm.SLIDING_WINDOW);
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
		InMemoryViolationStore store = (InMemoryViolationStore) pureRateLimiter(Algorithm.SLIDING_WINDOW);
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
		InMemoryViolationStore store = (InMemoryViolationStore) store(Algorithm.SLIDING_WINDOW);
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
		InMemoryViolationStore store = (InMemoryViolationStore) pureRateLimiter(Algorithm.FIXED_WINDOW);
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

}
