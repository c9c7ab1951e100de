package dev.floodgate.store;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.floodgate.core.Decision;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.testsupport.MutableClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A failing store is not called while its circuit is open, is probed once the backoff has
 * passed, and is used again when it answers, whatever it threw.
 */
class ResilientViolationStoreTests {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final FlakyStore flaky = new FlakyStore();

	private final StoreCircuitBreaker breaker = new StoreCircuitBreaker(this.clock, Duration.ofMillis(500),
			Duration.ofSeconds(30));

	private final ResilientViolationStore store = new ResilientViolationStore(this.flaky, this.breaker);

	@Test
	void aFailureOpensTheCircuitAndTheStoreIsNotCalledUntilTheBackoffHasPassed() {
		this.flaky.failure.set(new IllegalStateException("down"));
		assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		assertThat(this.breaker.state()).isEqualTo(StoreCircuitBreaker.State.OPEN);
		for (int i = 0; i < 100; i++) {
			assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		}
		assertThat(this.flaky.calls).hasValue(1);
		this.clock.advance(Duration.ofMillis(500));
		assertThat(this.breaker.state()).isEqualTo(StoreCircuitBreaker.State.HALF_OPEN);
		assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		assertThat(this.flaky.calls).as("one probe").hasValue(2);
		this.clock.advance(Duration.ofMillis(999));
		assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		assertThat(this.flaky.calls).as("the backoff doubled").hasValue(2);
		this.clock.advance(Duration.ofMillis(1));
		this.flaky.failure.set(null);
		assertThat(this.store.decide("c", null)).isSameAs(Decision.UNLIMITED);
		assertThat(this.breaker.state()).isEqualTo(StoreCircuitBreaker.State.CLOSED);
	}

	@Test
	void aProbeThatThrowsAnErrorDoesNotLeaveTheCircuitHalfOpenForever() {
		this.flaky.failure.set(new IllegalStateException("down"));
		assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		this.clock.advance(Duration.ofSeconds(1));
		this.flaky.failure.set(new NoClassDefFoundError("io/lettuce/core/Something"));
		assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		this.flaky.failure.set(null);
		this.clock.advance(Duration.ofMinutes(1));
		assertThat(this.store.decide("c", null)).isSameAs(Decision.UNLIMITED);
	}

	@Test
	void theBackoffGrowsToItsMaximum() {
		this.flaky.failure.set(new IllegalStateException("down"));
		assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		for (int i = 0; i < 20; i++) {
			this.clock.advance(Duration.ofSeconds(30));
			assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		}
		assertThat(this.flaky.calls).as("a probe every 30s at most").hasValue(21);
	}

	static class FlakyStore extends StubViolationStore {

		final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();

		final AtomicInteger calls = new AtomicInteger();

		@Override
		public Decision decide(String client, @Nullable RatePolicy policy) {
			this.calls.incrementAndGet();
			Throwable failure = this.failure.get();
			if (failure instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (failure instanceof Error error) {
				throw error;
			}
			return Decision.UNLIMITED;
		}

	}

}
