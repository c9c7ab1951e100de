package dev.floodgate.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.floodgate.core.Escalation;
import dev.floodgate.core.FloodgateObserver;
import dev.floodgate.core.Penalty;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.RequestOutcome;
import dev.floodgate.store.StoreCircuitBreaker;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.memory.InMemoryClientRecords;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Records Floodgate's meters (see {@link FloodgateMeterNames}): bound to the application's
 * {@link MeterRegistry}, then told of every request, block, ban and store call as a
 * {@link FloodgateObserver}. Counters are created once per policy and outcome and reused.
 */
public class FloodgateMetrics implements FloodgateObserver, MeterBinder {

	private static final RequestOutcome[] OUTCOMES = RequestOutcome.values();

	private final ViolationStore store;

	private final StoreCircuitBreaker circuitBreaker;

	private final String storeName;

	private final Map<RatePolicy, Counter[]> policyCounters = new ConcurrentHashMap<>();

	private volatile @Nullable MeterRegistry registry;

	private volatile Counter @Nullable [] noPolicyCounters;

	private volatile @Nullable Counter temporary;

	private volatile @Nullable Counter permanent;

	private volatile @Nullable Timer storeLatency;

	private volatile Counter @Nullable [] penalties;

	private volatile @Nullable Counter storeErrors;

	/**
	 * Creates the metrics.
	 * @param store the store (for its name and, in memory, its size)
	 * @param circuitBreaker the store's circuit breaker
	 */
	public FloodgateMetrics(ViolationStore store, StoreCircuitBreaker circuitBreaker) {
		this.store = store;
		this.circuitBreaker = circuitBreaker;
		this.storeName = store.type();
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.registry = registry;
		this.noPolicyCounters = counters(registry, FloodgateMeterNames.NO_POLICY);
		this.temporary = Counter.builder(FloodgateMeterNames.BLOCKS)
			.description("Clients temporarily blocked (kind=temporary) or banned (kind=permanent)")
			.tag(FloodgateMeterNames.KIND, "temporary")
			.register(registry);
		this.permanent = Counter.builder(FloodgateMeterNames.BLOCKS)
			.description("Clients temporarily blocked (kind=temporary) or banned (kind=permanent)")
			.tag(FloodgateMeterNames.KIND, "permanent")
			.register(registry);
		Counter[] penalties = new Counter[Penalty.values().length];
		for (Penalty penalty : Penalty.values()) {
			penalties[penalty.ordinal()] = Counter.builder(FloodgateMeterNames.PENALTIES)
				.description("Responses counted as violations of their client: a penalized status (reason=status) or a "
						+ "failed authentication (reason=authentication-failure)")
				.tag(FloodgateMeterNames.REASON, penalty.tag())
				.register(registry);
		}
		this.penalties = penalties;
		this.storeLatency = Timer.builder(FloodgateMeterNames.STORE_LATENCY)
			.description("Time a request's decision took in the store")
			.tag(FloodgateMeterNames.STORE, this.storeName)
			.register(registry);
		this.storeErrors = Counter.builder(FloodgateMeterNames.STORE_ERRORS)
			.description("Calls to the store that failed or timed out")
			.tag(FloodgateMeterNames.STORE, this.storeName)
			.register(registry);
		Gauge.builder(FloodgateMeterNames.STORE_CIRCUIT, this.circuitBreaker, FloodgateMetrics::circuitValue)
			.description("The store's circuit breaker: 0 closed, 1 half-open, 2 open")
			.tag(FloodgateMeterNames.STORE, this.storeName)
			.register(registry);
		if (this.store instanceof RuleBookStore ruleBook && ruleBook.records() instanceof InMemoryClientRecords memory) {
			Gauge.builder(FloodgateMeterNames.CLIENTS_TRACKED, memory, InMemoryClientRecords::trackedClients)
				.description("Clients the in-memory store tracks, blocked and banned ones included")
				.register(registry);
			FunctionCounter
				.builder(FloodgateMeterNames.RESTRICTED_EVICTIONS, memory, InMemoryClientRecords::restrictedEvictions)
				.description("Blocked or banned clients forgotten to stay within floodgate.store.memory.max-restricted")
				.tag(FloodgateMeterNames.STORE, this.storeName)
				.register(registry);
		}
	}

	@Override
	public void requestDecided(RequestOutcome outcome, @Nullable RatePolicy policy) {
		Counter[] counters = (policy != null) ? policyCounters(policy) : this.noPolicyCounters;
		if (counters != null) {
			counters[outcome.ordinal()].increment();
		}
	}

	@Override
	public void escalated(String client, Escalation escalation, @Nullable RatePolicy policy, boolean dryRun) {
		Counter counter = (escalation.kind() == Escalation.Kind.BAN) ? this.permanent : this.temporary;
		if (counter != null) {
			counter.increment();
		}
	}

	@Override
	public void penalized(String client, Penalty penalty, @Nullable RatePolicy policy, boolean dryRun) {
		Counter[] penalties = this.penalties;
		if (penalties != null) {
			penalties[penalty.ordinal()].increment();
		}
	}

	@Override
	public void storeCalled(long nanos, boolean failed) {
		Timer latency = this.storeLatency;
		if (latency != null) {
			latency.record(nanos, TimeUnit.NANOSECONDS);
		}
		Counter errors = this.storeErrors;
		if (failed && errors != null) {
			errors.increment();
		}
	}

	private Counter @Nullable [] policyCounters(RatePolicy policy) {
		Counter[] counters = this.policyCounters.get(policy);
		if (counters == null) {
			MeterRegistry registry = this.registry;
			if (registry == null) {
				return null;
			}
			counters = this.policyCounters.computeIfAbsent(policy, (p) -> counters(registry, p.name()));
		}
		return counters;
	}

	private static Counter[] counters(MeterRegistry registry, String policy) {
		Counter[] counters = new Counter[OUTCOMES.length];
		for (RequestOutcome outcome : OUTCOMES) {
			counters[outcome.ordinal()] = Counter.builder(FloodgateMeterNames.REQUESTS)
				.description("Requests decided by Floodgate, by outcome and policy")
				.tag(FloodgateMeterNames.OUTCOME, outcome.tag())
				.tag(FloodgateMeterNames.POLICY, policy)
				.register(registry);
		}
		return counters;
	}

	private static double circuitValue(StoreCircuitBreaker circuitBreaker) {
		return switch (circuitBreaker.state()) {
			case CLOSED -> 0;
			case HALF_OPEN -> 1;
			case OPEN -> 2;
		};
	}

}
