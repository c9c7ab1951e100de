package dev.floodgate.store;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.floodgate.core.Decision;
import dev.floodgate.core.FloodgateObserver;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.testsupport.MutableClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The circuit opens on evidence that the store is down, not on one slow call under a burst;
 * limiting resumes within about a second of the store answering; neither an {@link Error} nor
 * an observer that throws can leave the circuit stuck.
 */
class ResilientViolationStoreTests {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final FlakyStore flaky = new FlakyStore();

	private final StoreCircuitBreaker breaker = new StoreCircuitBreaker(this.clock);

	private final ResilientViolationStore store = new ResilientViolationStore(this.flaky, this.breaker);

	@Test
	void aFewFailedCallsWithinABurstDoNotOpenTheCircuit() {
		for (int i = 0; i < 200; i++) {
			// one call in ten times out, as under a burst
			this.flaky.failure.set((i % 10 == 3) ? new StoreUnavailableException("timed out") : null);
			try {
				this.store.decide("c", null);
			}
			catch (StoreUnavailableException ex) {
				// that one request is decided by on-failure
			}
			this.clock.advance(Duration.ofMillis(1));
		}
		assertThat(this.breaker.state()).isEqualTo(StoreCircuitBreaker.State.CLOSED);
		assertThat(this.flaky.calls).as("every request asked the store").hasValue(200);
	}

	@Test
	void aStoreThatKeepsFailingOpensTheCircuitAndIsNotHammered() {
		this.flaky.failure.set(new IllegalStateException("down"));
		int minimum = StoreCircuitBreaker.Settings.DEFAULTS.minimumCalls();
		for (int i = 0; i < minimum; i++) {
			assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		}
		assertThat(this.breaker.state()).isEqualTo(StoreCircuitBreaker.State.OPEN);
		for (int i = 0; i < 100; i++) {
			assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		}
		assertThat(this.flaky.calls).as("not called while open").hasValue(minimum);
		// a minute of outage, with a request every 10ms: the store is probed about once a second
		for (int i = 0; i < 6_000; i++) {
			this.clock.advance(Duration.ofMillis(10));
			assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		}
		assertThat(this.flaky.calls.get() - minimum).as("probes in a minute").isBetween(50, 200);
	}

	@Test
	void limitingResumesWithinTwoSecondsOfTheStoreAnsweringAgainHoweverLongItWasDown() {
		this.flaky.failure.set(new IllegalStateException("down"));
		for (int i = 0; i < 10 * 60 * 100; i++) {
			// ten minutes down, a request every 10ms
			this.clock.advance(Duration.ofMillis(10));
			assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		}
		this.flaky.failure.set(null);
		Instant answering = this.clock.instant();
		Instant resumed = null;
		for (int i = 0; i < 1_000 && resumed == null; i++) {
			this.clock.advance(Duration.ofMillis(10));
			try {
				this.store.decide("c", null);
				if (this.breaker.state() == StoreCircuitBreaker.State.CLOSED) {
					resumed = this.clock.instant();
				}
			}
			catch (StoreUnavailableException ex) {
				// still open
			}
		}
		assertThat(resumed).isNotNull();
		assertThat(Duration.between(answering, resumed)).isLessThanOrEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void anErrorIsRethrownAsItIsAndAProbeThatThrowsOneDoesNotWedgeTheCircuit() {
		openTheCircuit();
		this.clock.advance(Duration.ofMillis(1_001));
		this.flaky.failure.set(new NoClassDefFoundError("io/lettuce/core/Something"));
		for (int i = 0; i < 5; i++) {
			assertThatExceptionOfType(NoClassDefFoundError.class).isThrownBy(() -> this.store.decide("c", null));
		}
		this.flaky.failure.set(null);
		for (int i = 0; i < 5; i++) {
			assertThat(this.store.decide("c", null)).isSameAs(Decision.UNLIMITED);
		}
		assertThat(this.breaker.state()).isEqualTo(StoreCircuitBreaker.State.CLOSED);
	}

	@Test
	void anObserverThatThrowsDuringTheProbeDoesNotLeaveTheCircuitHalfOpen() {
		AtomicInteger thrown = new AtomicInteger();
		ResilientViolationStore observed = new ResilientViolationStore(this.flaky, this.breaker,
				new FloodgateObserver() {
					@Override
					public void storeCalled(long nanos, boolean failed) {
						if (thrown.getAndIncrement() % 2 == 0) {
							throw new IllegalStateException("a listener failed");
						}
					}
				});
		this.flaky.failure.set(new IllegalStateException("down"));
		for (int i = 0; i < 20; i++) {
			assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> observed.decide("c", null));
		}
		this.flaky.failure.set(null);
		this.clock.advance(Duration.ofSeconds(1));
		for (int i = 0; i < 100; i++) {
			this.clock.advance(Duration.ofMinutes(1));
			assertThat(observed.decide("c", null)).isSameAs(Decision.UNLIMITED);
		}
		assertThat(this.breaker.state()).isEqualTo(StoreCircuitBreaker.State.CLOSED);
	}

	@Test
	void invalidSettingsAreRefusedWithTheirName() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new StoreCircuitBreaker.Settings(Duration.ofSeconds(10), 0, 50, Duration.ofSeconds(1), 3))
			.withMessageContaining("minimum calls");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new StoreCircuitBreaker.Settings(Duration.ofSeconds(10), 10, 150, Duration.ofSeconds(1), 3))
			.withMessageContaining("failure rate");
	}

	private void openTheCircuit() {
		this.flaky.failure.set(new IllegalStateException("down"));
		while (this.breaker.state() != StoreCircuitBreaker.State.OPEN) {
			assertThatExceptionOfType(StoreUnavailableException.class).isThrownBy(() -> this.store.decide("c", null));
		}
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
