package dev.floodgate.store;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps a failing store from being hit by every request. After a failure the circuit opens:
 * for a short interval no request calls the store (each is answered by
 * {@code floodgate.store.on-failure}). Then one request probes the store; if it answers, the
 * circuit closes, otherwise it opens again for twice as long, up to a maximum.
 */
public final class StoreCircuitBreaker {

	/** The first interval the circuit stays open. */
	public static final Duration INITIAL_BACKOFF = Duration.ofMillis(500);

	/** The longest interval the circuit stays open. */
	public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

	private final Clock clock;

	private final long initialBackoffMillis;

	private final long maxBackoffMillis;

	private final AtomicBoolean probing = new AtomicBoolean();

	private volatile long openUntilMillis;

	private volatile long backoffMillis;

	private volatile boolean open;

	/**
	 * Creates a circuit breaker with the default intervals.
	 * @param clock the time source
	 */
	public StoreCircuitBreaker(Clock clock) {
		this(clock, INITIAL_BACKOFF, MAX_BACKOFF);
	}

	/**
	 * Creates a circuit breaker.
	 * @param clock the time source
	 * @param initialBackoff the first open interval
	 * @param maxBackoff the longest open interval
	 */
	public StoreCircuitBreaker(Clock clock, Duration initialBackoff, Duration maxBackoff) {
		this.clock = clock;
		this.initialBackoffMillis = initialBackoff.toMillis();
		this.maxBackoffMillis = maxBackoff.toMillis();
		this.backoffMillis = this.initialBackoffMillis;
	}

	/**
	 * Whether a call to the store may be made now: always while closed, never while open,
	 * and for exactly one caller (the probe) once the open interval has passed.
	 * @return {@code true} to call the store
	 */
	public boolean tryAcquire() {
		if (!this.open) {
			return true;
		}
		return this.clock.millis() >= this.openUntilMillis && this.probing.compareAndSet(false, true);
	}

	/**
	 * Records a call that succeeded.
	 * @return {@code true} if this closed the circuit
	 */
	public boolean onSuccess() {
		if (!this.open) {
			return false;
		}
		synchronized (this) {
			if (!this.open) {
				return false;
			}
			this.open = false;
			this.backoffMillis = this.initialBackoffMillis;
			this.probing.set(false);
			return true;
		}
	}

	/**
	 * Records a call that failed.
	 * @return {@code true} if this opened a closed circuit
	 */
	public synchronized boolean onFailure() {
		boolean opened = !this.open;
		long backoff = opened ? this.initialBackoffMillis : Math.min(this.backoffMillis * 2, this.maxBackoffMillis);
		if (opened || this.probing.get()) {
			this.backoffMillis = backoff;
			this.openUntilMillis = this.clock.millis() + backoff;
		}
		this.open = true;
		this.probing.set(false);
		return opened;
	}

	/**
	 * The circuit's state.
	 * @return {@code closed}, {@code open} or {@code half-open} (the open interval has passed:
	 * the next request probes the store)
	 */
	public State state() {
		if (!this.open) {
			return State.CLOSED;
		}
		return (this.clock.millis() >= this.openUntilMillis) ? State.HALF_OPEN : State.OPEN;
	}

	/**
	 * The states of the circuit.
	 */
	public enum State {

		/** The store answers: every request calls it. */
		CLOSED,

		/** The store failed: requests do not call it until the interval passes. */
		OPEN,

		/** The interval has passed: the next request probes the store. */
		HALF_OPEN

	}

}
