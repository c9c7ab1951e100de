package dev.floodgate.actuate;

import dev.floodgate.store.StoreCircuitBreaker;
import dev.floodgate.store.ViolationStore;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Reports whether Floodgate's store answers, and its circuit breaker's state. A failing
 * store reports {@code DOWN} only with {@code floodgate.store.on-failure=deny} (when every
 * request is being rejected with 503 anyway); with {@code allow} the limiter fails open, the
 * application still serves, and the indicator stays {@code UP} with the failure in its
 * details, so that a load balancer does not take the instance out for it.
 */
public class FloodgateHealthIndicator implements HealthIndicator {

	private static final String PROBE_CLIENT = "0.0.0.0";

	private final ViolationStore store;

	private final StoreCircuitBreaker circuitBreaker;

	private final boolean downOnFailure;

	/**
	 * Creates the indicator.
	 * @param store the store (not the guarded one: a health check must not open the circuit)
	 * @param circuitBreaker the store's circuit breaker
	 * @param downOnFailure whether a failing store makes the application {@code DOWN}
	 */
	public FloodgateHealthIndicator(ViolationStore store, StoreCircuitBreaker circuitBreaker, boolean downOnFailure) {
		this.store = store;
		this.circuitBreaker = circuitBreaker;
		this.downOnFailure = downOnFailure;
	}

	@Override
	public Health health() {
		String circuit = this.circuitBreaker.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
		Health.Builder health;
		try {
			this.store.status(PROBE_CLIENT);
			health = Health.up().withDetail("store", "reachable");
		}
		catch (RuntimeException ex) {
			health = (this.downOnFailure ? Health.down() : Health.up()).withDetail("store", "unreachable")
				.withDetail("error", String.valueOf(ex.getMessage()));
		}
		return health.withDetail("type", this.store.type()).withDetail("circuit", circuit).build();
	}

}
