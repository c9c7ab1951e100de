package dev.floodgate.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.floodgate.core.Decision;
import dev.floodgate.core.FloodgateObserver;
import dev.floodgate.core.Penalty;
import dev.floodgate.core.RatePolicy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Guards a {@link ViolationStore} with a {@link StoreCircuitBreaker}: a store that keeps
 * failing is not called again until the circuit probes it, and every failure, including an
 * open circuit, surfaces as a {@link StoreUnavailableException}. An {@link Error} is not a
 * store failure: it is rethrown as it is. The circuit's state is updated before any observer
 * hears of the call, and a failing observer changes nothing. Logs once at WARN when the
 * circuit opens and once at INFO when it closes again.
 */
public final class ResilientViolationStore implements ViolationStore {

	private static final Log logger = LogFactory.getLog(ResilientViolationStore.class);

	private final ViolationStore delegate;

	private final StoreCircuitBreaker circuitBreaker;

	private final FloodgateObserver observer;

	/**
	 * Guards a store.
	 * @param delegate the store
	 * @param circuitBreaker the circuit breaker
	 */
	public ResilientViolationStore(ViolationStore delegate, StoreCircuitBreaker circuitBreaker) {
		this(delegate, circuitBreaker, FloodgateObserver.NONE);
	}

	/**
	 * Guards a store and reports how long each decision took.
	 * @param delegate the store
	 * @param circuitBreaker the circuit breaker
	 * @param observer told of every call to the store
	 */
	public ResilientViolationStore(ViolationStore delegate, StoreCircuitBreaker circuitBreaker,
			FloodgateObserver observer) {
		this.delegate = delegate;
		this.circuitBreaker = circuitBreaker;
		this.observer = observer;
	}

	@Override
	public String type() {
		return this.delegate.type();
	}

	@Override
	public String implementation() {
		return this.delegate.implementation();
	}

	@Override
	public Decision decide(String client, @Nullable RatePolicy policy) {
		return guarded(DECIDE, client, policy);
	}

	/**
	 * Records a penalty behind the circuit, like a decision: a penalty is a request's call to
	 * the store, timed and counted by the circuit. A store that does not record penalties is
	 * not failing: its {@link UnsupportedOperationException} passes through, uncounted.
	 */
	@Override
	public Decision penalize(String client, Penalty penalty) {
		return guarded(PENALIZE, client, penalty);
	}

	/** One of the calls a request makes; non-capturing, so that no call allocates. */
	@FunctionalInterface
	private interface RequestCall {

		Decision call(ViolationStore store, String client, @Nullable Object argument);

	}

	private static final RequestCall DECIDE = (store, client, policy) -> store.decide(client, (RatePolicy) policy);

	private static final RequestCall PENALIZE = (store, client, penalty) -> store.penalize(client, (Penalty) penalty);

	private Decision guarded(RequestCall call, String client, @Nullable Object argument) {
		if (!this.circuitBreaker.tryAcquire()) {
			throw new StoreUnavailableException("The store's circuit is open");
		}
		long started = System.nanoTime();
		Decision decision;
		try {
			decision = call.call(this.delegate, client, argument);
		}
		catch (UnsupportedOperationException ex) {
			this.circuitBreaker.release();
			throw ex;
		}
		catch (RuntimeException ex) {
			throw failedCall(started, ex);
		}
		catch (Error error) {
			throw released(error);
		}
		succeeded(started);
		return decision;
	}

	private StoreUnavailableException failedCall(long started, RuntimeException ex) {
		long nanos = System.nanoTime() - started;
		StoreUnavailableException unavailable = failed(nanos, ex);
		storeCalled(nanos, true);
		return unavailable;
	}

	/**
	 * Not a store failure: hands the permission back (a probe must never leave the circuit
	 * half-open for good) and lets the Error be what it is.
	 */
	private Error released(Error error) {
		this.circuitBreaker.release();
		return error;
	}

	private void succeeded(long started) {
		long nanos = System.nanoTime() - started;
		if (this.circuitBreaker.onSuccess(nanos)) {
			logger.info("Floodgate's store answers again");
		}
		storeCalled(nanos, false);
	}

	/** Tells the observer, which may never turn a decision into a failure. */
	private void storeCalled(long nanos, boolean failed) {
		try {
			this.observer.storeCalled(nanos, failed);
		}
		catch (RuntimeException ex) {
			logger.debug("A FloodgateObserver failed", ex);
		}
	}

	@Override
	public Optional<ClientStatus> status(String client) {
		return call(() -> this.delegate.status(client));
	}

	@Override
	public List<ClientStatus> restrictedClients(int max) {
		return call(() -> this.delegate.restrictedClients(max));
	}

	@Override
	public long restrictedCount() {
		return call(this.delegate::restrictedCount);
	}

	@Override
	public boolean forget(String client) {
		return call(() -> this.delegate.forget(client));
	}

	@Override
	public ClientStatus block(String client, Duration duration) {
		return call(() -> this.delegate.block(client, duration));
	}

	@Override
	public ClientStatus ban(String client, @Nullable Duration duration) {
		return call(() -> this.delegate.ban(client, duration));
	}

	/**
	 * Operator calls always try the store, whatever the circuit says, and are not counted by
	 * it: an operator's retries should neither open nor close the circuit for requests.
	 */
	private <T> T call(Supplier<T> call) {
		try {
			return call.get();
		}
		catch (StoreUnavailableException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			throw new StoreUnavailableException("The store failed: " + ex.getMessage(), ex);
		}
	}

	private StoreUnavailableException failed(long nanos, RuntimeException ex) {
		if (this.circuitBreaker.onFailure(nanos, ex)) {
			logger.warn("Floodgate's store keeps failing; requests are decided by floodgate.store.on-failure until it "
					+ "answers again", ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Floodgate's store failed", ex);
		}
		return (ex instanceof StoreUnavailableException unavailable) ? unavailable
				: new StoreUnavailableException("The store failed: " + ex.getMessage(), ex);
	}

}
