package dev.floodgate.autoconfigure;

import dev.floodgate.actuate.FloodgateEndpoint;
import dev.floodgate.actuate.FloodgateHealthIndicator;
import dev.floodgate.core.RequestOutcome;
import dev.floodgate.metrics.FloodgateMeterNames;
import dev.floodgate.metrics.FloodgateMetrics;
import dev.floodgate.store.StoreCircuitBreaker;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.web.HandlerPolicies;
import dev.floodgate.web.RateLimitInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metrics, the endpoint and the health contributor come with Micrometer and the actuator,
 * back off without them, and can be replaced.
 */
class FloodgateOperationsAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FloodgateAutoConfiguration.class,
				FloodgateMetricsAutoConfiguration.class, FloodgateEndpointAutoConfiguration.class,
				FloodgateHealthContributorAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withPropertyValues("management.endpoints.web.exposure.include=floodgate");

	@Test
	void registersMetricsEndpointAndHealth() {
		this.runner.run((context) -> {
			assertThat(context).hasSingleBean(FloodgateMetrics.class)
				.hasSingleBean(FloodgateEndpoint.class)
				.hasBean("floodgateHealthIndicator");
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			FloodgateMetrics metrics = context.getBean(FloodgateMetrics.class);
			metrics.bindTo(registry);
			metrics.requestDecided(RequestOutcome.LIMITED, null);
			assertThat(registry.get(FloodgateMeterNames.REQUESTS)
				.tag(FloodgateMeterNames.OUTCOME, "limited")
				.tag(FloodgateMeterNames.POLICY, "none")
				.counter()
				.count()).isEqualTo(1);
			assertThat(registry.get(FloodgateMeterNames.STORE_CIRCUIT).tag(FloodgateMeterNames.STORE, "memory").gauge().value())
				.isZero();
			assertThat(registry.get(FloodgateMeterNames.CLIENTS_TRACKED).gauge()).isNotNull();
			assertThat(registry.get(FloodgateMeterNames.RESTRICTED_EVICTIONS)
				.tag(FloodgateMeterNames.STORE, "memory")
				.functionCounter()
				.count()).isZero();
			assertThat(registry.getMeters()).allSatisfy((meter) -> assertThat(meter.getId().getDescription()).isNotBlank());
			HealthIndicator health = context.getBean("floodgateHealthIndicator", HealthIndicator.class);
			assertThat(health.health().getStatus()).isEqualTo(Status.UP);
			assertThat(health.health().getDetails()).containsEntry("circuit", "closed").containsEntry("type", "memory");
		});
	}

	@Test
	void countsTheRestrictedClientsTheInMemoryStoreForgets() {
		this.runner.withPropertyValues("floodgate.store.memory.max-restricted=2").run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			context.getBean(FloodgateMetrics.class).bindTo(registry);
			ViolationStore store = context.getBean(ViolationStore.class);
			for (int i = 1; i <= 5; i++) {
				store.ban("203.0.113." + i, null);
			}
			assertThat(registry.get(FloodgateMeterNames.RESTRICTED_EVICTIONS)
				.tag(FloodgateMeterNames.STORE, "memory")
				.functionCounter()
				.count()).isEqualTo(3);
			assertThat(store.restrictedCount()).isEqualTo(2);
		});
	}

	@Test
	void withoutMicrometerOrTheActuatorTheStarterStillWorks() {
		this.runner
			.withClassLoader(new FilteredClassLoader("io.micrometer.core", "org.springframework.boot.actuate",
					"org.springframework.boot.health"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(RateLimitInterceptor.class)
				.doesNotHaveBean(FloodgateMetrics.class)
				.doesNotHaveBean(FloodgateEndpoint.class)
				.doesNotHaveBean(FloodgateHealthIndicator.class));
	}

	@Test
	void noMetricsWithoutAMeterRegistryAndNoEndpointUnlessExposed() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(FloodgateAutoConfiguration.class,
					FloodgateMetricsAutoConfiguration.class, FloodgateEndpointAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(FloodgateMetrics.class)
				.doesNotHaveBean(FloodgateEndpoint.class));
	}

	@Test
	void nothingWhenFloodgateIsDisabled() {
		this.runner.withPropertyValues("floodgate.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(FloodgateMetrics.class)
				.doesNotHaveBean(FloodgateEndpoint.class)
				.doesNotHaveBean(FloodgateHealthIndicator.class));
	}

	@Test
	void theHealthContributorCanBeSwitchedOff() {
		this.runner.withPropertyValues("management.health.floodgate.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(FloodgateHealthIndicator.class));
	}

	@Test
	void theMetricsBinderTheEndpointAndTheHealthIndicatorAreReplaceable() {
		this.runner.withBean("myMetrics", FloodgateMetrics.class,
				() -> new FloodgateMetrics(new MyStore(), new StoreCircuitBreaker(java.time.Clock.systemUTC())))
			.withUserConfiguration(MyEndpointConfiguration.class)
			.withBean("floodgateHealthIndicator", HealthIndicator.class, () -> () -> org.springframework.boot.health.contributor.Health.down().build())
			.run((context) -> {
				assertThat(context).hasSingleBean(FloodgateMetrics.class).hasBean("myMetrics");
				assertThat(context).hasSingleBean(FloodgateEndpoint.class).hasBean("myEndpoint");
				assertThat(context.getBean("floodgateHealthIndicator", HealthIndicator.class).health().getStatus())
					.isEqualTo(Status.DOWN);
			});
	}

	@Test
	void aFailingStoreIsDownOnlyWhenRequestsAreDenied() {
		ViolationStore failing = new MyStore() {
			@Override
			public java.util.Optional<dev.floodgate.store.ClientStatus> status(String client) {
				throw new IllegalStateException("connection refused");
			}
		};
		StoreCircuitBreaker breaker = new StoreCircuitBreaker(java.time.Clock.systemUTC());
		assertThat(new FloodgateHealthIndicator(failing, breaker, false).health().getStatus()).isEqualTo(Status.UP);
		assertThat(new FloodgateHealthIndicator(failing, breaker, false).health().getDetails())
			.containsEntry("store", "unreachable");
		assertThat(new FloodgateHealthIndicator(failing, breaker, true).health().getStatus()).isEqualTo(Status.DOWN);
	}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	static class MyEndpointConfiguration {

		@org.springframework.context.annotation.Bean
		FloodgateEndpoint myEndpoint(FloodgateSettings settings, HandlerPolicies policies, ViolationStore store,
				StoreCircuitBreaker circuitBreaker) {
			return new FloodgateEndpoint(
					FloodgateEndpointAutoConfiguration.EndpointConfiguration.endpointSettings(settings),
					() -> FloodgateEndpointAutoConfiguration.EndpointConfiguration.describe(policies), store,
					circuitBreaker);
		}

	}

	static class MyStore extends dev.floodgate.store.StubViolationStore {

	}

}
