package dev.floodgate.store;

/**
 * The application's {@link ViolationStore} as Floodgate itself calls it (the interceptor,
 * prefix widening, the actuator endpoint): behind the circuit breaker, its latency and failures
 * observed. Composed once by the auto-configuration; a holder rather than a second
 * {@link ViolationStore} bean, so that the application's store stays the only bean of that
 * type.
 *
 * @param store the guarded store
 */
public record GuardedStore(ResilientViolationStore store) {

}
