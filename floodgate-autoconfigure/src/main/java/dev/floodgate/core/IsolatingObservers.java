package dev.floodgate.core;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Calls several {@link FloodgateObserver observers}, each isolated from the others and the
 * caller from all of them: a {@link RuntimeException} thrown by one is logged and swallowed.
 */
final class IsolatingObservers implements FloodgateObserver {

	private static final Log logger = LogFactory.getLog(FloodgateObserver.class);

	private final FloodgateObserver[] observers;

	private final AtomicBoolean[] warned;

	IsolatingObservers(List<FloodgateObserver> observers) {
		this.observers = observers.toArray(new FloodgateObserver[0]);
		this.warned = new AtomicBoolean[this.observers.length];
		for (int i = 0; i < this.warned.length; i++) {
			this.warned[i] = new AtomicBoolean();
		}
	}

	@Override
	public void requestDecided(RequestOutcome outcome, @Nullable RatePolicy policy) {
		for (int i = 0; i < this.observers.length; i++) {
			try {
				this.observers[i].requestDecided(outcome, policy);
			}
			catch (RuntimeException ex) {
				failed(i, ex);
			}
		}
	}

	@Override
	public void escalated(String client, Escalation escalation, @Nullable RatePolicy policy, boolean dryRun) {
		for (int i = 0; i < this.observers.length; i++) {
			try {
				this.observers[i].escalated(client, escalation, policy, dryRun);
			}
			catch (RuntimeException ex) {
				failed(i, ex);
			}
		}
	}

	@Override
	public void penalized(String client, Penalty penalty, @Nullable RatePolicy policy, boolean dryRun) {
		for (int i = 0; i < this.observers.length; i++) {
			try {
				this.observers[i].penalized(client, penalty, policy, dryRun);
			}
			catch (RuntimeException ex) {
				failed(i, ex);
			}
		}
	}

	@Override
	public void storeCalled(long nanos, boolean failed) {
		for (int i = 0; i < this.observers.length; i++) {
			try {
				this.observers[i].storeCalled(nanos, failed);
			}
			catch (RuntimeException ex) {
				failed(i, ex);
			}
		}
	}

	private void failed(int observer, RuntimeException ex) {
		if (this.warned[observer].compareAndSet(false, true)) {
			logger.warn("The FloodgateObserver " + this.observers[observer].getClass().getName()
					+ " failed; Floodgate went on without it (later failures are logged at DEBUG)", ex);
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("The FloodgateObserver " + this.observers[observer].getClass().getName() + " failed", ex);
		}
	}

}
