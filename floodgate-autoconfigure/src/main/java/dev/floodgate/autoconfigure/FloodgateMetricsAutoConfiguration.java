package dev.floodgate.autoconfigure;

import dev.floodgate.metrics.FloodgateMetrics;
import dev.floodgate.store.StoreCircuitBreaker;
import dev.floodgate.store.ViolationStore;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of Floodgate's Micrometer meters, when the application has a
 * {@link MeterRegistry} (Spring Boot's actuator provides one).
 */
@AutoConfiguration(after = FloodgateAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, FloodgateSettings.class })
public final class FloodgateMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	FloodgateMetrics floodgateMetrics(ViolationStore store, StoreCircuitBreaker circuitBreaker) {
		return new FloodgateMetrics(store, circuitBreaker);
	}

}
