package dev.floodgate.core;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * An observer that throws never reaches the caller and never keeps the others from being
 * told.
 */
class FloodgateObserverTests {

	private final List<String> told = new ArrayList<>();

	private final FloodgateObserver throwing = new FloodgateObserver() {

		@Override
		public void requestDecided(RequestOutcome outcome, @Nullable RatePolicy policy) {
			throw new IllegalStateException("listener failed");
		}

		@Override
		public void escalated(String client, Escalation escalation, @Nullable RatePolicy policy, boolean dryRun) {
			throw new IllegalStateException("listener failed");
		}

		@Override
		public void storeCalled(long nanos, boolean failed) {
			throw new IllegalStateException("listener failed");
		}

	};

	private final FloodgateObserver recording = new FloodgateObserver() {

		@Override
		public void requestDecided(RequestOutcome outcome, @Nullable RatePolicy policy) {
			FloodgateObserverTests.this.told.add("decided " + outcome);
		}

		@Override
		public void escalated(String client, Escalation escalation, @Nullable RatePolicy policy, boolean dryRun) {
			FloodgateObserverTests.this.told.add("escalated " + client);
		}

		@Override
		public void storeCalled(long nanos, boolean failed) {
			FloodgateObserverTests.this.told.add("store " + failed);
		}

	};

	@Test
	void aThrowingObserverDoesNotKeepTheOthersFromBeingTold() {
		FloodgateObserver observer = FloodgateObserver.of(List.of(this.throwing, this.recording));
		observer.requestDecided(RequestOutcome.ALLOWED, null);
		observer.escalated("203.0.113.7", new Escalation(Escalation.Kind.BLOCK, 1, 1_000, 3), null, false);
		observer.storeCalled(1_000, false);
		assertThat(this.told).containsExactly("decided ALLOWED", "escalated 203.0.113.7", "store false");
	}

	@Test
	void aSingleThrowingObserverDoesNotReachTheCaller() {
		FloodgateObserver observer = FloodgateObserver.of(List.of(this.throwing));
		assertThatNoException().isThrownBy(() -> {
			observer.requestDecided(RequestOutcome.LIMITED, null);
			observer.escalated("203.0.113.7", new Escalation(Escalation.Kind.BAN, 1, Long.MAX_VALUE, 10), null, false);
			observer.storeCalled(1_000, true);
		});
	}

}
