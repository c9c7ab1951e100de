package dev.floodgate.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.floodgate.core.Decision;
import dev.floodgate.core.FloodgateObserver;
import dev.floodgate.core.RatePolicy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Guards a {@link ViolationStore} with a {@link StoreCircuitBreaker}: a failing store is not
 * called again until its backoff interval has passed, and every failure, including an open
 * circuit, surfaces as a {@link StoreUnavailableException}. Logs once at WARN when the store
 * starts failing and once at INFO when it answers again.
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
	public Decision decide(String client, @Nullable RatePolicy policy) {
		if (!this.circuitBreaker.tryAcquire()) {
			throw new StoreUnavailableException("The store's circuit is open");
		}
		Decision decision;
		long started = System.nanoTime();
		try {
			decision = this.delegate.decide(client, policy);
		}
		catch (RuntimeException | Error ex) {
			// an Error too: a probe must never leave the circuit half-open for good
			this.observer.storeCalled(System.nanoTime() - started, true);
			throw failed(ex);
		}
		this.observer.storeCalled(System.nanoTime() - started, false);
		succeeded();
		return decision;
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

	/** Operator calls always try the store, whatever the circuit says, and report to it. */
	private <T> T call(Supplier<T> call) {
		T result;
		try {
			result = call.get();
		}
		catch (RuntimeException | Error ex) {
			throw failed(ex);
		}
		succeeded();
		return result;
	}

	private void succeeded() {
		if (this.circuitBreaker.onSuccess()) {
			logger.info("Floodgate's store answers again");
		}
	}

	private StoreUnavailableException failed(Throwable ex) {
		if (this.circuitBreaker.onFailure()) {
			logger.warn("Floodgate's store failed; requests are decided by floodgate.store.on-failure until it answers again",
					ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Floodgate's store failed again", ex);
		}
		return (ex instanceof StoreUnavailableException unavailable) ? unavailable
				: new StoreUnavailableException("The store failed: " + ex.getMessage(), ex);
	}

}
