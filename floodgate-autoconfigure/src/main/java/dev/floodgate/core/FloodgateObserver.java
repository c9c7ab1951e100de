package dev.floodgate.core;

import org.jspecify.annotations.Nullable;

/**
 * Observes what Floodgate does: every request's outcome, every block and ban when it starts,
 * and every store call. Metrics, events and alerts are observers; declare a bean of this
 * type to add your own. Called on the request thread: return quickly and never throw.
 */
public interface FloodgateObserver {

	/**
	 * A request was decided.
	 * @param outcome what became of it
	 * @param policy the policy that applied, or {@code null} when none did
	 */
	default void requestDecided(RequestOutcome outcome, @Nullable RatePolicy policy) {
	}

	/**
	 * A block or ban started: called once, on the instance whose request started it.
	 * @param client the client key
	 * @param escalation the block or ban
	 * @param policy the policy whose violation started it, or {@code null}
	 * @param dryRun whether Floodgate runs in dry-run mode (the block or ban is recorded but
	 * not enforced)
	 */
	default void escalated(String client, Escalation escalation, @Nullable RatePolicy policy, boolean dryRun) {
	}

	/**
	 * A response counted as a violation of its client (a penalized status, a failed
	 * authentication) and was recorded by the store. When it started a block or ban,
	 * {@link #escalated} follows, with the escalation's {@link Escalation#penalty()} set.
	 * @param client the client key
	 * @param penalty why the response is a violation
	 * @param policy the policy that decided the request, or {@code null} when none did
	 * @param dryRun whether Floodgate runs in dry-run mode
	 */
	default void penalized(String client, Penalty penalty, @Nullable RatePolicy policy, boolean dryRun) {
	}

	/**
	 * A call to the store finished.
	 * @param nanos how long it took
	 * @param failed whether it failed (or timed out)
	 */
	default void storeCalled(long nanos, boolean failed) {
	}

	/**
	 * An observer that observes nothing.
	 */
	FloodgateObserver NONE = new FloodgateObserver() {
	};

	/**
	 * One observer that calls several, isolating each from the others' failures and the
	 * request from all of them: an observer that throws is logged (at WARN the first time,
	 * then at DEBUG) and the others are still called.
	 * @param observers the observers
	 * @return the composite
	 */
	static FloodgateObserver of(java.util.List<FloodgateObserver> observers) {
		if (observers.isEmpty()) {
			return NONE;
		}
		return new IsolatingObservers(observers);
	}

}
