package dev.floodgate.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import dev.floodgate.autoconfigure.FloodgateProperties.OnFailure;
import dev.floodgate.autoconfigure.FloodgateProperties.StoreType;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.FloodgateObserver;
import dev.floodgate.core.InvalidFloodgateSettingException;
import dev.floodgate.event.EventPublishingObserver;
import dev.floodgate.store.GuardedStore;
import dev.floodgate.store.ResilientViolationStore;
import dev.floodgate.store.RestrictionCache;
import dev.floodgate.store.StoreCircuitBreaker;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.memory.InMemoryClientRecords;
import dev.floodgate.web.AuthenticationFailurePenalties;
import dev.floodgate.web.ClientAddressResolver;
import dev.floodgate.web.FloodgateFilter;
import dev.floodgate.web.Gatekeeper;
import dev.floodgate.web.HandlerPolicyLookup;
import dev.floodgate.web.PathPolicies;
import dev.floodgate.web.HandlerPolicies;
import dev.floodgate.web.PrefixWidening;
import dev.floodgate.web.ProblemRejectionHandler;
import dev.floodgate.web.RateLimitExemption;
import dev.floodgate.web.RateLimitHeaders;
import dev.floodgate.web.RateLimitInterceptor;
import dev.floodgate.web.RejectionHandler;
import dev.floodgate.web.RestrictionInterceptor;
import jakarta.servlet.DispatcherType;
import org.jspecify.annotations.Nullable;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.handler.HandlerMappingIntrospector;
import org.springframework.web.servlet.handler.MappedInterceptor;

/**
 * Auto-configuration for Floodgate in a Spring MVC application: the settings, the store
 * (in memory unless a store auto-configuration or the user supplies a
 * {@link ViolationStore}), and the interceptor that decides every request. With
 * {@code floodgate.enabled=false} none of it is registered.
 */
@AutoConfiguration
@ConditionalOnWebApplication
@ConditionalOnBooleanProperty(name = "floodgate.enabled", matchIfMissing = true)
@EnableConfigurationProperties(FloodgateProperties.class)
public final class FloodgateAutoConfiguration {

	/** The name of the {@link Clock} bean Floodgate takes its time from. */
	public static final String CLOCK_BEAN_NAME = "floodgateClock";



	/** The name of the registration bean of Floodgate's servlet filter, and of the filter. */
	public static final String FILTER_BEAN_NAME = "floodgateFilter";

	/** The name of the bean that refuses restricted clients on paths that are never limited. */
	public static final String RESTRICTION_INTERCEPTOR_BEAN_NAME = "floodgateRestrictionInterceptor";

	private static final Log logger = LogFactory.getLog(FloodgateAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	FloodgateSettings floodgateSettings(FloodgateProperties properties, Environment environment) {
		FloodgateSettings settings = FloodgateSettings.from(properties);
		if (!settings.behindProxy() && settings.clientIpHeader() != null) {
			logger.warn("floodgate.proxy.client-ip-header is set but floodgate.behind-proxy is false: the header is "
					+ "ignored and every client is keyed by the TCP peer's address");
		}
		if ("framework".equalsIgnoreCase(environment.getProperty("server.forward-headers-strategy"))) {
			logger.warn("server.forward-headers-strategy=framework rewrites the remote address from headers any "
					+ "client can write, so clients can choose their own Floodgate key: use floodgate.behind-proxy "
					+ "with floodgate.proxy.trusted-proxies instead (see Floodgate's README, 'Proxies')");
		}
		return settings;
	}

	@Bean(name = CLOCK_BEAN_NAME, defaultCandidate = false)
	@ConditionalOnMissingBean(name = CLOCK_BEAN_NAME)
	Clock floodgateClock() {
		return Clock.systemUTC();
	}

	@Bean
	@ConditionalOnMissingBean
	DecisionRules floodgateDecisionRules(FloodgateSettings settings) {
		return new DecisionRules(settings.algorithm(), settings.escalation());
	}

	@Bean
	@ConditionalOnMissingBean
	ViolationStore floodgateViolationStore(FloodgateSettings settings, DecisionRules rules,
			@Qualifier(CLOCK_BEAN_NAME) Clock clock, ResourceLoader resourceLoader, ListableBeanFactory beanFactory) {
		if (settings.storeType() != StoreType.MEMORY) {
			throw storeNotBuilt(settings.storeType(), resourceLoader.getClassLoader(), beanFactory);
		}
		return new RuleBookStore(new InMemoryClientRecords(rules, clock, settings.maxClients(), settings.maxRestricted()),
				rules, clock);
	}

	private static InvalidFloodgateSettingException storeNotBuilt(StoreType type, @Nullable ClassLoader classLoader,
			ListableBeanFactory beanFactory) {
		String[] candidates = ClassUtils.isPresent(libraryClass(type), classLoader)
				? beanFactory.getBeanNamesForType(ClassUtils.resolveClassName(libraryClass(type), classLoader), true, false)
				: new String[0];
		if (candidates.length > 1) {
			// like Spring Boot's own auto-configurations, the store backs off from several candidates
			String what = ClassUtils.getShortName(libraryClass(type));
			return new InvalidFloodgateSettingException("floodgate.store.type",
					type.name().toLowerCase(java.util.Locale.ROOT),
					"the store needs a single " + what + " but there are " + candidates.length + " ("
							+ String.join(", ", candidates) + ") and none is @Primary: mark the one Floodgate "
							+ "should use @Primary, or define a ViolationStore bean of your own");
		}
		// under AOT the store auto-configurations' conditions were decided at build time
		if (AotDetector.useGeneratedArtifacts() && ClassUtils.isPresent(libraryClass(type), classLoader)) {
			return switch (type) {
				case REDIS -> StoreChosenAtBuildTimeException.without(type, "Spring Data Redis", "RedisConnectionFactory");
				case JDBC -> StoreChosenAtBuildTimeException.without(type, "Spring Boot's JDBC support", "DataSource");
				default -> StoreChosenAtBuildTimeException.without(type, "Spring Data MongoDB", "MongoTemplate");
			};
		}
		return new InvalidFloodgateSettingException("floodgate.store.type",
				type.name().toLowerCase(java.util.Locale.ROOT), missingStoreReason(type));
	}

	private static String libraryClass(StoreType type) {
		return switch (type) {
			case REDIS -> "org.springframework.data.redis.connection.RedisConnectionFactory";
			case JDBC -> "org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer";
			default -> "org.springframework.data.mongodb.core.MongoTemplate";
		};
	}

	private static String missingStoreReason(StoreType type) {
		return switch (type) {
			case REDIS -> "the Redis store needs Spring Data Redis and a RedisConnectionFactory: add "
					+ "spring-boot-starter-data-redis and configure spring.data.redis.*";
			case MONGO -> "the MongoDB store needs Spring Data MongoDB and a MongoTemplate: add "
					+ "spring-boot-starter-data-mongodb and configure spring.mongodb.uri";
			case JDBC -> "the JDBC store needs Spring's JDBC support and one DataSource (or one marked @Primary): add "
					+ "spring-boot-starter-jdbc and the database's driver (PostgreSQL), and configure spring.datasource.url";
			case MEMORY -> "unexpected";
		};
	}

	@Bean
	@ConditionalOnMissingBean
	HandlerPolicies floodgateHandlerPolicies(FloodgateSettings settings) {
		return new HandlerPolicies(settings.defaultLimits(), settings.defaultCost());
	}

	@Bean
	@ConditionalOnMissingBean
	StoreCircuitBreaker floodgateStoreCircuitBreaker(@Qualifier(CLOCK_BEAN_NAME) Clock clock) {
		return new StoreCircuitBreaker(clock);
	}

	/**
	 * The store as Floodgate itself calls it (the interceptor, prefix widening, the actuator
	 * endpoint): behind the circuit breaker, its latency and failures observed, composed once.
	 * @param store the store
	 * @param circuitBreaker the circuit breaker
	 * @param observers told of every store call
	 * @return the guarded store
	 */
	@Bean
	@ConditionalOnMissingBean
	GuardedStore floodgateGuardedStore(ViolationStore store, StoreCircuitBreaker circuitBreaker,
			ObjectProvider<FloodgateObserver> observers) {
		return new GuardedStore(new ResilientViolationStore(store, circuitBreaker,
				FloodgateObserver.of(observers.orderedStream().toList())));
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "floodgate.widen.enabled", matchIfMissing = true)
	PrefixWidening floodgatePrefixWidening(FloodgateProperties properties, FloodgateSettings settings,
			ViolationStore store, GuardedStore guarded, @Qualifier(CLOCK_BEAN_NAME) Clock clock) {
		// a shared store's widened prefixes are read again once per local cache ttl (lifts
		// made on other instances arrive within it); the in-memory store is this instance's own
		Duration recheck = (isInMemory(store) || settings.localCacheTtl().isZero())
				? Duration.ofSeconds(1) : settings.localCacheTtl();
		return new PrefixWidening(properties.getWiden().toPolicy(), settings.ipv6PrefixLength(),
				guarded.store(), clock, recheck, settings.localCacheMaxClients());
	}

	@Bean
	@ConditionalOnMissingBean
	RestrictionCache floodgateRestrictionCache(FloodgateSettings settings, ViolationStore store,
			@Qualifier(CLOCK_BEAN_NAME) Clock clock) {
		// the in-memory store is a local cache already
		Duration ttl = (isInMemory(store)) ? Duration.ZERO : settings.localCacheTtl();
		return new RestrictionCache(clock, ttl, settings.localCacheMaxClients());
	}

	@Bean
	@ConditionalOnMissingBean
	EventPublishingObserver floodgateEventPublishingObserver(ApplicationEventPublisher publisher) {
		return new EventPublishingObserver(publisher);
	}

	/**
	 * The rules every web stack decides by once it knows the client: the lists, the store
	 * behind its guard, the restriction cache, widening, penalties and their observers.
	 * @param settings the settings
	 * @param guarded the guarded store
	 * @param store the store, to know whether it is this instance's memory
	 * @param observers told of every outcome, penalty and escalation
	 * @param restrictions the restriction cache
	 * @param widening prefix widening, when enabled
	 * @return the gatekeeper
	 */
	@Bean
	@ConditionalOnMissingBean
	Gatekeeper floodgateGatekeeper(FloodgateSettings settings, GuardedStore guarded, ViolationStore store,
			ObjectProvider<FloodgateObserver> observers, RestrictionCache restrictions,
			ObjectProvider<PrefixWidening> widening) {
		return new Gatekeeper(guarded.store(), settings.allowList(), settings.denyList(), settings.dryRun(),
				settings.onFailure() == OnFailure.DENY, FloodgateObserver.of(observers.orderedStream().toList()),
				restrictions, widening.getIfAvailable(), isInMemory(store), settings.penalizedStatuses());
	}

	/**
	 * Floodgate in a servlet (Spring MVC) application: the front door filter, the
	 * interceptor that decides each handler's limits, and the restriction interceptor of
	 * the paths that are never limited.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass({ DispatcherServlet.class, HandlerInterceptor.class })
	static class ServletConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ClientAddressResolver floodgateClientAddressResolver(FloodgateSettings settings) {
			return settings.clientAddressResolver();
		}

		@Bean
		@ConditionalOnMissingBean
		HandlerPoliciesInitializer floodgateHandlerPoliciesInitializer(HandlerPolicies policies,
				ObjectProvider<org.springframework.web.servlet.handler.AbstractHandlerMethodMapping<?>> mappings) {
			return new HandlerPoliciesInitializer(policies,
					() -> mappings.orderedStream().flatMap((mapping) -> mapping.getHandlerMethods().values().stream()));
		}

		@Bean
		@ConditionalOnMissingBean
		RejectionHandler floodgateRejectionHandler(FloodgateSettings settings) {
			return new ProblemRejectionHandler(settings.responseMessage());
		}

		@Bean
		@ConditionalOnMissingBean
		RateLimitHeaders floodgateRateLimitHeaders(FloodgateSettings settings) {
			return settings.rateLimitHeaders();
		}

		@Bean
		@ConditionalOnMissingBean
		RateLimitInterceptor floodgateRateLimitInterceptor(FloodgateSettings settings,
				ClientAddressResolver clientAddressResolver, HandlerPolicies handlerPolicies, Gatekeeper gatekeeper,
				RejectionHandler rejectionHandler, RateLimitHeaders headers,
				ObjectProvider<RateLimitExemption> exemptions, ViolationStore store,
				ObjectProvider<HandlerMappingIntrospector> introspector) {
			RateLimitInterceptor.FrontDoor frontDoor = new RateLimitInterceptor.FrontDoor(
					PathPolicies.of(settings.paths(), handlerPolicies), settings.penalizedStatuses(), isInMemory(store),
					new HandlerPolicyLookup(SingletonSupplier.of(() -> {
						HandlerMappingIntrospector mappings = introspector.getIfUnique();
						return (mappings != null) ? mappings.getHandlerMappings() : List.of();
					}), handlerPolicies));
			return new RateLimitInterceptor(clientAddressResolver, handlerPolicies, gatekeeper, rejectionHandler,
					headers, exemptions.orderedStream().toList(), frontDoor);
		}

		/**
		 * The front door: Floodgate's servlet filter, ahead of Spring Security's filter chain by
		 * default ({@code floodgate.filter.order}), for every request but the health endpoint's.
		 * @param interceptor the interceptor it shares its decisions with
		 * @param settings the settings
		 * @param environment where the actuator's paths are configured
		 * @return the filter's registration
		 */
		@Bean
		@ConditionalOnMissingBean(name = FILTER_BEAN_NAME)
		FilterRegistrationBean<FloodgateFilter> floodgateFilter(RateLimitInterceptor interceptor, FloodgateSettings settings,
				Environment environment, ListableBeanFactory beanFactory) {
			FilterRegistrationBean<FloodgateFilter> registration = new FilterRegistrationBean<>(
					new FloodgateFilter(interceptor, ManagementPaths.applicationHealthPaths(environment, beanFactory)));
			registration.setName(FILTER_BEAN_NAME);
			registration.setOrder(settings.filterOrder());
			registration.setDispatcherTypes(DispatcherType.REQUEST);
			return registration;
		}

		/**
		 * Spring Security's failed authentications as penalties
		 * ({@code floodgate.penalize.authentication-failures}).
		 */
		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(name = "org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent")
		@ConditionalOnBooleanProperty(name = "floodgate.penalize.authentication-failures", matchIfMissing = true)
		static class AuthenticationFailurePenaltiesConfiguration {

			@Bean
			@ConditionalOnMissingBean
			AuthenticationFailurePenalties floodgateAuthenticationFailurePenalties() {
				return new AuthenticationFailurePenalties();
			}

		}

		/**
		 * Refuses deny-listed, banned and blocked clients on the paths that are never limited
		 * (the actuator's and the error page), but the health endpoint's. A
		 * {@link MappedInterceptor} bean applies to every handler mapping, the actuator's
		 * included, here and in a management context of its own.
		 */
		@Bean
		@ConditionalOnMissingBean(name = RESTRICTION_INTERCEPTOR_BEAN_NAME)
		MappedInterceptor floodgateRestrictionInterceptor(RateLimitInterceptor interceptor, Environment environment) {
			return new MappedInterceptor(ManagementPaths.unlimited(environment),
					ManagementPaths.health(environment).toArray(new String[0]), new RestrictionInterceptor(interceptor));
		}

		@Bean
		@ConditionalOnMissingBean(name = "floodgateWebMvcConfigurer")
		WebMvcConfigurer floodgateWebMvcConfigurer(RateLimitInterceptor interceptor, Environment environment) {
			return new FloodgateWebMvcConfigurer(interceptor, environment);
		}

	}

	static boolean isInMemory(ViolationStore store) {
		return store instanceof RuleBookStore ruleBook && ruleBook.records() instanceof InMemoryClientRecords;
	}

}
