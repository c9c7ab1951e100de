package dev.floodgate.autoconfigure;

import java.util.Arrays;

import dev.floodgate.web.Gatekeeper;
import dev.floodgate.web.HandlerPolicies;
import dev.floodgate.web.PathPolicies;
import dev.floodgate.web.ProblemBodies;
import dev.floodgate.web.reactive.FloodgateWebFilter;
import dev.floodgate.web.reactive.ReactiveRateLimitExemption;
import dev.floodgate.web.reactive.RoutePolicies;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.result.method.AbstractHandlerMethodMapping;
import org.springframework.web.server.WebFilter;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Auto-configuration for Floodgate in a reactive (WebFlux) application, Spring Cloud
 * Gateway's included: one {@link FloodgateWebFilter} over the same settings, store,
 * restriction cache and rules ({@link Gatekeeper}) as a servlet application's, with a
 * bounded scheduler of its own for the calls to a shared store, so that none blocks an
 * event-loop thread.
 */
@AutoConfiguration(after = FloodgateAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass({ WebFilter.class, HandlerMapping.class, Mono.class })
@ConditionalOnBean(Gatekeeper.class)
public final class FloodgateWebFluxAutoConfiguration {

	/** The name of the scheduler that calls to a shared store run on. */
	public static final String STORE_SCHEDULER_BEAN_NAME = "floodgateStoreScheduler";

	/**
	 * The scheduler of calls to a shared store: bounded (ten threads per core, as Reactor's
	 * own bounded elastic scheduler, and a bounded queue), its threads named
	 * {@code floodgate-store}, so that a slow store neither blocks the event loop nor takes
	 * the application's own {@code boundedElastic} threads.
	 * @return the scheduler
	 */
	@Bean(name = STORE_SCHEDULER_BEAN_NAME, destroyMethod = "dispose", defaultCandidate = false)
	@ConditionalOnMissingBean(name = STORE_SCHEDULER_BEAN_NAME)
	Scheduler floodgateStoreScheduler() {
		return Schedulers.newBoundedElastic(Schedulers.DEFAULT_BOUNDED_ELASTIC_SIZE,
				Schedulers.DEFAULT_BOUNDED_ELASTIC_QUEUESIZE, "floodgate-store", 60, true);
	}

	@Bean
	@ConditionalOnMissingBean
	FloodgateWebFilter floodgateWebFilter(FloodgateSettings settings, Gatekeeper gatekeeper,
			HandlerPolicies handlerPolicies, ObjectProvider<HandlerMapping> handlerMappings,
			ObjectProvider<ReactiveRateLimitExemption> exemptions, ObjectProvider<RoutePolicies> routePolicies,
			@Qualifier(STORE_SCHEDULER_BEAN_NAME) Scheduler storeScheduler, Environment environment,
			ListableBeanFactory beanFactory) {
		PathPatternParser parser = PathPatternParser.defaultInstance;
		FloodgateWebFilter filter = new FloodgateWebFilter(settings.clientAddressResolver(), gatekeeper,
				handlerPolicies,
				PathPolicies.of(settings.paths(), handlerPolicies),
				() -> handlerMappings.orderedStream().toList(),
				new ProblemBodies(settings.responseMessage()), settings.rateLimitHeaders(),
				exemptions.orderedStream().toList(),
				ManagementPaths.applicationHealthPaths(environment, beanFactory),
				Arrays.stream(ManagementPaths.unlimited(environment)).map(parser::parse).toList(),
				storeScheduler, routePolicies.orderedStream().toList(), settings.filterOrder());
		if (!ManagementPaths.actuatorOnApplicationPort(environment)) {
			filter.withManagementServer(ManagementPaths.managementServerHealthPaths(environment, beanFactory));
		}
		return filter;
	}

	@Bean
	@ConditionalOnMissingBean
	HandlerPoliciesInitializer floodgateHandlerPoliciesInitializer(HandlerPolicies policies,
			ObjectProvider<AbstractHandlerMethodMapping<?>> mappings) {
		return new HandlerPoliciesInitializer(policies,
				() -> mappings.orderedStream().flatMap((mapping) -> mapping.getHandlerMethods().values().stream()));
	}

}
