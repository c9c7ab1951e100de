package dev.floodgate.store;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;

/**
 * Keeps a failing store from being hit by every request, on evidence rather than on one slow
 * call: the circuit opens only when, within a sliding time window, at least
 * {@link Settings#minimumCalls()} calls were made and at least
 * {@link Settings#failureRatePercent()} percent of them failed. While it is open no request
 * calls the store (each is answered by {@code floodgate.store.on-failure}); after
 * {@link Settings#openFor()} a few requests probe the store, and if most of them succeed the
 * circuit closes, otherwise it opens again. So one call that was slow under a burst never
 * opens the gate, and limiting resumes within about {@code openFor} of the store answering
 * again.
 * <p>
 * Built on Resilience4j's {@link CircuitBreaker}, whose time (the window and the open
 * interval) comes from the given {@link Clock}.
 */
public final class StoreCircuitBreaker {

	private final CircuitBreaker circuitBreaker;

	private final Settings settings;

	/**
	 * Creates a circuit breaker with the {@linkplain Settings#DEFAULTS default settings}.
	 * @param clock the time source
	 */
	public StoreCircuitBreaker(Clock clock) {
		this(clock, Settings.DEFAULTS);
	}

	/**
	 * Creates a circuit breaker.
	 * @param clock the time source
	 * @param settings when it opens and for how long
	 */
	public StoreCircuitBreaker(Clock clock, Settings settings) {
		this.settings = settings;
		CircuitBreakerConfig config = CircuitBreakerConfig.custom()
			.slidingWindowType(SlidingWindowType.TIME_BASED)
			.slidingWindowSize((int) Math.max(1, settings.window().toSeconds()))
			.minimumNumberOfCalls(settings.minimumCalls())
			.failureRateThreshold(settings.failureRatePercent())
			.waitDurationInOpenState(settings.openFor())
			.permittedNumberOfCallsInHalfOpenState(settings.probes())
			// every outcome is recorded by hand; which exceptions count is the caller's choice
			.recordException((ex) -> true)
			.clock(clock)
			.currentTimestampFunction((time) -> time.millis(), TimeUnit.MILLISECONDS)
			.build();
		this.circuitBreaker = CircuitBreaker.of("floodgate-store", config);
	}

	/**
	 * Whether a call to the store may be made now: always while closed, never while open,
	 * and for {@link Settings#probes()} callers once the open interval has passed. A caller
	 * that acquired must report with {@link #onSuccess}, {@link #onFailure} or
	 * {@link #release}.
	 * @return {@code true} to call the store
	 */
	public boolean tryAcquire() {
		return this.circuitBreaker.tryAcquirePermission();
	}

	/**
	 * Records a call that succeeded.
	 * @param nanos how long it took
	 * @return {@code true} if this closed the circuit
	 */
	public boolean onSuccess(long nanos) {
		CircuitBreaker.State before = this.circuitBreaker.getState();
		this.circuitBreaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
		return before != CircuitBreaker.State.CLOSED && this.circuitBreaker.getState() == CircuitBreaker.State.CLOSED;
	}

	/**
	 * Records a call that failed.
	 * @param nanos how long it took
	 * @param failure what went wrong
	 * @return {@code true} if this opened a closed circuit
	 */
	public boolean onFailure(long nanos, Throwable failure) {
		CircuitBreaker.State before = this.circuitBreaker.getState();
		this.circuitBreaker.onError(nanos, TimeUnit.NANOSECONDS, failure);
		return before == CircuitBreaker.State.CLOSED && this.circuitBreaker.getState() == CircuitBreaker.State.OPEN;
	}

	/**
	 * Gives back a permission whose call neither succeeded nor failed as a store call (it
	 * ended with an {@link Error}), so that a probe can never leave the circuit half-open for
	 * good.
	 */
	public void release() {
		this.circuitBreaker.releasePermission();
	}

	/**
	 * The circuit's state.
	 * @return {@code closed}, {@code open} or {@code half-open} (the store is being probed)
	 */
	public State state() {
		return switch (this.circuitBreaker.getState()) {
			case CLOSED, DISABLED, METRICS_ONLY -> State.CLOSED;
			case HALF_OPEN -> State.HALF_OPEN;
			case OPEN, FORCED_OPEN -> State.OPEN;
		};
	}

	/**
	 * The settings the circuit breaker was built with.
	 * @return the settings
	 */
	public Settings settings() {
		return this.settings;
	}

	/**
	 * When the circuit opens and for how long it stays open.
	 *
	 * @param window the sliding window in which calls are counted (whole seconds, at least 1)
	 * @param minimumCalls the fewest calls within the window before the failure rate counts
	 * @param failureRatePercent the share of failed calls, in percent, that opens the circuit
	 * @param openFor how long the circuit stays open before it probes the store
	 * @param probes how many calls probe the store before the circuit closes or opens again
	 */
	public record Settings(Duration window, int minimumCalls, float failureRatePercent, Duration openFor, int probes) {

		/**
		 * 50% of at least 10 calls within 10 seconds failed: open for 1 second, then probe with 3
		 * calls.
		 */
		public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(10), 10, 50, Duration.ofSeconds(1), 3);

		/**
		 * Validates the settings.
		 * @param window the sliding window
		 * @param minimumCalls the fewest calls
		 * @param failureRatePercent the failure rate
		 * @param openFor the open interval
		 * @param probes the probing calls
		 */
		public Settings {
			if (window.compareTo(Duration.ofSeconds(1)) < 0) {
				throw new IllegalArgumentException("The circuit breaker's window must be at least 1s, not " + window);
			}
			if (minimumCalls < 1) {
				throw new IllegalArgumentException("The circuit breaker's minimum calls must be at least 1, not "
						+ minimumCalls);
			}
			if (!(failureRatePercent > 0 && failureRatePercent <= 100)) {
				throw new IllegalArgumentException("The circuit breaker's failure rate must be above 0 and at most 100, not "
						+ failureRatePercent);
			}
			if (openFor.isNegative() || openFor.isZero()) {
				throw new IllegalArgumentException("The circuit breaker's open interval must be positive, not " + openFor);
			}
			if (probes < 1) {
				throw new IllegalArgumentException("The circuit breaker's probes must be at least 1, not " + probes);
			}
		}

	}

	/**
	 * The states of the circuit.
	 */
	public enum State {

		/** The store answers: every request calls it. */
		CLOSED,

		/** The store failed: requests do not call it until the interval passes. */
		OPEN,

		/** The interval has passed: a few requests probe the store. */
		HALF_OPEN

	}

}
