package dev.floodgate.autoconfigure;

import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.floodgate.autoconfigure.FloodgateProperties.Headers;
import dev.floodgate.autoconfigure.FloodgateProperties.OnFailure;
import dev.floodgate.autoconfigure.FloodgateProperties.StoreType;
import dev.floodgate.core.Algorithm;
import dev.floodgate.core.BanPolicy;
import dev.floodgate.core.BlockPolicy;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.EscalationPolicy;
import dev.floodgate.core.InvalidFloodgateSettingException;
import dev.floodgate.core.Limit;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.net.IpAddress;
import dev.floodgate.core.net.IpRanges;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.memory.InMemoryClientRecords;
import dev.floodgate.web.ClientAddressResolver;
import dev.floodgate.web.ForwardedHeader;
import dev.floodgate.web.HandlerPolicies;
import dev.floodgate.web.ProblemRejectionHandler;
import dev.floodgate.web.RateLimitHeaders;
import dev.floodgate.web.RateLimitInterceptor;
import dev.floodgate.web.RejectionHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.handler.MappedInterceptor;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

/**
 * Tests for {@link FloodgateAutoConfiguration}.
 */
class FloodgateAutoConfigurationTests {

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FloodgateAutoConfiguration.class));

	@Test
	void registersFloodgateInServletWebApplication() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(FloodgateProperties.class);
			assertThat(context).hasSingleBean(FloodgateSettings.class);
			assertThat(context).hasSingleBean(ViolationStore.class);
			assertThat(context).getBean(ViolationStore.class).isInstanceOfSatisfying(RuleBookStore.class,
					(store) -> assertThat(store.records()).isInstanceOf(InMemoryClientRecords.class));
			assertThat(context).hasSingleBean(ClientAddressResolver.class);
			assertThat(context).hasSingleBean(HandlerPolicies.class);
			assertThat(context).hasSingleBean(HandlerPoliciesInitializer.class);
			assertThat(context).hasSingleBean(RateLimitInterceptor.class);
			assertThat(context).hasSingleBean(RejectionHandler.class);
			assertThat(context).getBean(RejectionHandler.class).isInstanceOf(ProblemRejectionHandler.class);
			assertThat(context).hasSingleBean(RateLimitHeaders.class);
			assertThat(context).hasSingleBean(DecisionRules.class);
			assertThat(context).hasBean(FloodgateAutoConfiguration.CLOCK_BEAN_NAME);
			assertThat(context.getBean(FloodgateAutoConfiguration.CLOCK_BEAN_NAME)).isInstanceOf(Clock.class);
			assertThat(context).hasBean("floodgateWebMvcConfigurer");
			assertThat(context.getBean("floodgateWebMvcConfigurer")).isInstanceOf(WebMvcConfigurer.class);
			assertThat(floodgateBeans(context)).isNotEmpty();
		});
	}

	@Test
	void defaultSettingsMatchTheDocumentedDefaults() {
		this.contextRunner.run((context) -> {
			FloodgateSettings settings = context.getBean(FloodgateSettings.class);
			assertThat(settings.defaultLimits()).as("unset: only @RateLimited handlers are limited").isNull();
			assertThat(context.getBean(HandlerPolicies.class).defaultPolicy()).isNull();
			assertThat(settings.behindProxy()).isFalse();
			assertThat(settings.dryRun()).isFalse();
			assertThat(settings.ipv6PrefixLength()).isEqualTo(64);
			assertThat(settings.allowList().isEmpty()).isTrue();
			assertThat(settings.denyList().isEmpty()).isTrue();
			for (String proxy : List.of("10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "::1", "fd00::1")) {
				assertThat(settings.trustedProxies().contains(IpAddress.parse(proxy))).as(proxy).isTrue();
			}
			assertThat(settings.trustedProxies().contains(IpAddress.parse("203.0.113.9"))).isFalse();
			assertThat(settings.clientIpHeader()).isNull();
			BlockPolicy block = settings.escalation().block();
			assertThat(block).isEqualTo(new BlockPolicy(true, 3, Duration.ofMinutes(10), Duration.ofMinutes(15), 2,
					Duration.ofHours(24), false));
			assertThat(settings.escalation().ban())
				.isEqualTo(new BanPolicy(true, 10, Duration.ofHours(24), null));
			assertThat(settings.storeType()).isEqualTo(StoreType.MEMORY);
			assertThat(settings.onFailure()).isEqualTo(OnFailure.ALLOW);
			assertThat(settings.storeTimeout()).isEqualTo(Duration.ofMillis(500));
			assertThat(settings.maxClients()).isEqualTo(100_000);
			assertThat(settings.maxRestricted()).isEqualTo(100_000);
			assertThat(settings.redisKeyPrefix()).isEqualTo("floodgate:");
			assertThat(settings.mongoCollection()).isEqualTo("floodgate_clients");
			assertThat(settings.headers()).isEqualTo(Headers.IETF);
			assertThat(settings.responseMessage()).isNull();
		});
	}

	@Test
	void settingsReflectTheProperties() {
		this.contextRunner
			.withPropertyValues("floodgate.limit=5/second;100/hour", "floodgate.algorithm=fixed-window",
					"floodgate.behind-proxy=true", "floodgate.dry-run=true", "floodgate.ipv6-prefix-length=56",
					"floodgate.allow-list=10.1.0.0/16, 192.0.2.7", "floodgate.deny-list=203.0.113.0/24",
					"floodgate.proxy.trusted-proxies=172.20.0.0/16", "floodgate.proxy.client-ip-header=CF-Connecting-IP",
					"floodgate.proxy.forwarded-header=forwarded", "floodgate.block.enabled=false",
					"floodgate.block.after-violations=4", "floodgate.block.violation-window=5m",
					"floodgate.block.duration=1m", "floodgate.block.factor=3", "floodgate.block.max-duration=2h",
					"floodgate.block.relative=true", "floodgate.ban.after-violations=20", "floodgate.ban.window=12h",
					"floodgate.ban.duration=7d", "floodgate.store.on-failure=deny", "floodgate.store.timeout=250ms",
					"floodgate.store.memory.max-clients=500", "floodgate.store.memory.max-restricted=70",
					"floodgate.response.headers=both",
					"floodgate.response.message=Slow down")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				FloodgateSettings settings = context.getBean(FloodgateSettings.class);
				assertThat(settings.defaultLimits()).containsExactly(new Limit(5, Duration.ofSeconds(1)),
						new Limit(100, Duration.ofHours(1)));
				assertThat(context.getBean(HandlerPolicies.class).defaultPolicy().limits())
					.isEqualTo(settings.defaultLimits());
				assertThat(settings.algorithm()).isEqualTo(Algorithm.FIXED_WINDOW);
				assertThat(context.getBean(DecisionRules.class).algorithm()).isEqualTo(Algorithm.FIXED_WINDOW);
				assertThat(settings.behindProxy()).isTrue();
				assertThat(settings.dryRun()).isTrue();
				assertThat(settings.ipv6PrefixLength()).isEqualTo(56);
				assertThat(settings.allowList().contains(IpAddress.parse("10.1.200.3"))).isTrue();
				assertThat(settings.allowList().contains(IpAddress.parse("192.0.2.7"))).isTrue();
				assertThat(settings.allowList().contains(IpAddress.parse("192.0.2.8"))).isFalse();
				assertThat(settings.allowList().ranges()).hasSize(2);
				assertThat(settings.denyList().contains(IpAddress.parse("203.0.113.77"))).isTrue();
				assertThat(settings.trustedProxies().ranges()).hasSize(1);
				assertThat(settings.trustedProxies().contains(IpAddress.parse("172.20.9.9"))).isTrue();
				assertThat(settings.trustedProxies().contains(IpAddress.parse("10.0.0.1"))).isFalse();
				assertThat(settings.clientIpHeader()).isEqualTo("CF-Connecting-IP");
				assertThat(settings.forwardedHeader()).isEqualTo(ForwardedHeader.FORWARDED);
				EscalationPolicy escalation = settings.escalation();
				assertThat(escalation.block()).isEqualTo(new BlockPolicy(false, 4, Duration.ofMinutes(5),
						Duration.ofMinutes(1), 3, Duration.ofHours(2), true));
				assertThat(escalation.ban()).isEqualTo(new BanPolicy(true, 20, Duration.ofHours(12), Duration.ofDays(7)));
				assertThat(context.getBean(DecisionRules.class).escalation()).isEqualTo(escalation);
				assertThat(settings.onFailure()).isEqualTo(OnFailure.DENY);
				assertThat(settings.storeTimeout()).isEqualTo(Duration.ofMillis(250));
				assertThat(settings.maxClients()).isEqualTo(500);
				assertThat(settings.maxRestricted()).isEqualTo(70);
				assertThat(settings.headers()).isEqualTo(Headers.BOTH);
				assertThat(settings.responseMessage()).isEqualTo("Slow down");
			});
	}

	// switched off

	@Test
	void registersNothingWhenDisabled() {
		this.contextRunner.withPropertyValues("floodgate.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(floodgateBeans(context)).isEmpty();
			assertThat(context).doesNotHaveBean(FloodgateProperties.class);
			assertThat(context).doesNotHaveBean(WebMvcConfigurer.class);
			assertThat(context).doesNotHaveBean(Clock.class);
		});
	}

	@Test
	void disabledFloodgateIgnoresInvalidSettings() {
		this.contextRunner.withPropertyValues("floodgate.enabled=false", "floodgate.limit=5/fortnight")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void registersNothingOutsideAWebApplication() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(FloodgateAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(floodgateBeans(context)).isEmpty();
			});
	}

	@Test
	void aReactiveWebApplicationGetsTheWebFilterAndNoneOfTheServletParts() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(FloodgateAutoConfiguration.class,
					FloodgateWebFluxAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).hasSingleBean(dev.floodgate.web.reactive.FloodgateWebFilter.class);
				assertThat(context).hasSingleBean(dev.floodgate.web.Gatekeeper.class);
				assertThat(context).doesNotHaveBean(RateLimitInterceptor.class);
				assertThat(context).doesNotHaveBean(FloodgateAutoConfiguration.FILTER_BEAN_NAME);
			});
	}

	@Test
	void withoutSpringMvcAServletApplicationGetsNoInterceptorNorFilter() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(DispatcherServlet.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(RateLimitInterceptor.class);
			assertThat(context).doesNotHaveBean(FloodgateAutoConfiguration.FILTER_BEAN_NAME);
			assertThat(context).doesNotHaveBean(dev.floodgate.web.reactive.FloodgateWebFilter.class);
		});
	}

	// Spring MVC

	@Test
	void registersTheInterceptorWithSpringMvcExceptForActuatorAndErrorPaths() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class))
			.withUserConfiguration(PathsController.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				RateLimitInterceptor interceptor = context.getBean(RateLimitInterceptor.class);
				RequestMappingHandlerMapping mapping = context.getBean("requestMappingHandlerMapping",
						RequestMappingHandlerMapping.class);
				assertThat(interceptorsFor(mapping, "/hello")).contains(interceptor);
				assertThat(interceptorsFor(mapping, "/actuator/thing")).doesNotContain(interceptor);
				assertThat(interceptorsFor(mapping, "/error")).doesNotContain(interceptor);
			});
	}

	private static List<HandlerInterceptor> interceptorsFor(RequestMappingHandlerMapping mapping, String path)
			throws Exception {
		HandlerExecutionChain chain = mapping.getHandler(new MockHttpServletRequest("GET", path));
		assertThat(chain).as(path).isNotNull();
		List<HandlerInterceptor> interceptors = new ArrayList<>();
		for (HandlerInterceptor interceptor : chain.getInterceptorList()) {
			interceptors.add((interceptor instanceof MappedInterceptor mapped) ? mapped.getInterceptor() : interceptor);
		}
		return interceptors;
	}

	// replacing beans

	@Test
	void userViolationStoreReplacesTheInMemoryStoreAndDecidesRequests() {
		ViolationStore store = mock(ViolationStore.class);
		given(store.decide(anyString(), any())).willReturn(Decision.of(Outcome.BANNED, -1, null));
		this.contextRunner.withPropertyValues("floodgate.limit=50/minute")
			.withBean(ViolationStore.class, () -> store)
			.run((context) -> {
				assertThat(context).hasSingleBean(ViolationStore.class);
				assertThat(context).getBean(ViolationStore.class).isSameAs(store);
				assertThat(context).doesNotHaveBean(RuleBookStore.class);
				MockHttpServletRequest request = new MockHttpServletRequest("GET", "/links");
				request.setRemoteAddr("203.0.113.5");
				MockHttpServletResponse response = new MockHttpServletResponse();
				boolean proceed = context.getBean(RateLimitInterceptor.class).preHandle(request, response, new Object());
				assertThat(proceed).isFalse();
				assertThat(response.getStatus()).isEqualTo(403);
			});
	}

	@Test
	void userViolationStoreWinsOverStoreTypeProperty() {
		this.contextRunner.withPropertyValues("floodgate.store.type=redis")
			.withBean(ViolationStore.class, () -> mock(ViolationStore.class))
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(ViolationStore.class));
	}

	@Test
	void everyBeanMethodBacksOffForTheUsersBean() {
		List<Method> beanMethods = beanMethods(FloodgateAutoConfiguration.class);
		assertThat(beanMethods).hasSizeGreaterThanOrEqualTo(11);
		assertThat(beanMethods).allSatisfy((method) -> assertThat(
				AnnotatedElementUtils.hasAnnotation(method, ConditionalOnMissingBean.class))
			.as("@ConditionalOnMissingBean on %s", method)
			.isTrue());
	}

	private static List<Method> beanMethods(Class<?> configuration) {
		List<Method> methods = new ArrayList<>();
		for (Method method : configuration.getDeclaredMethods()) {
			if (AnnotatedElementUtils.hasAnnotation(method, Bean.class)) {
				methods.add(method);
			}
		}
		for (Class<?> nested : configuration.getDeclaredClasses()) {
			methods.addAll(beanMethods(nested));
		}
		return methods;
	}

	@ParameterizedTest(name = "[{index}] {0}")
	@MethodSource("userBeans")
	void userBeanReplacesFloodgates(String name, Class<Object> type, Supplier<Object> userBean) {
		Object bean = userBean.get();
		this.contextRunner.withBean(name, type, () -> bean).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBeanNamesForType(type)).containsExactly(name);
			assertThat(context.getBean(name)).isSameAs(bean);
			if (!name.startsWith("floodgate")) {
				assertThat(context).getBean(type).isSameAs(bean);
			}
		});
	}

	static Stream<Arguments> userBeans() {
		FloodgateSettings settings = FloodgateSettings.from(new FloodgateProperties());
		EscalationPolicy escalation = settings.escalation();
		DecisionRules rules = new DecisionRules(Algorithm.FIXED_WINDOW, escalation);
		Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
		ClientAddressResolver resolver = new ClientAddressResolver(false, IpRanges.none(), null, ForwardedHeader.AUTO, 64);
		HandlerPolicies policies = new HandlerPolicies(null);
		ViolationStore store = new RuleBookStore(new InMemoryClientRecords(rules, clock, 10), rules, clock);
		RejectionHandler rejectionHandler = (request, response, rejection) -> response.setStatus(418);
		RateLimitHeaders headers = new RateLimitHeaders(false, false);
		return Stream.of(userBean("mySettings", FloodgateSettings.class, () -> settings),
				userBean(FloodgateAutoConfiguration.CLOCK_BEAN_NAME, Clock.class, () -> clock),
				userBean("myRules", DecisionRules.class, () -> rules),
				userBean("myStore", ViolationStore.class, () -> store),
				userBean("myResolver", ClientAddressResolver.class, () -> resolver),
				userBean("myPolicies", HandlerPolicies.class, () -> policies),
				userBean("myInitializer", HandlerPoliciesInitializer.class,
						() -> new HandlerPoliciesInitializer(policies, Stream::empty)),
				userBean("myRejectionHandler", RejectionHandler.class, () -> rejectionHandler),
				userBean("myGatekeeper", dev.floodgate.web.Gatekeeper.class,
						() -> new dev.floodgate.web.Gatekeeper(store, IpRanges.none(), IpRanges.none(), false, false,
								dev.floodgate.core.FloodgateObserver.NONE,
								new dev.floodgate.store.RestrictionCache(java.time.Clock.systemUTC(), java.time.Duration.ZERO, 1),
								null, true, java.util.Set.of())),
				userBean("myHeaders", RateLimitHeaders.class, () -> headers),
				userBean("myInterceptor", RateLimitInterceptor.class,
						() -> new RateLimitInterceptor(resolver, policies, store, rejectionHandler, headers, IpRanges.none(),
								IpRanges.none(), List.of(), false, false, dev.floodgate.core.FloodgateObserver.NONE,
								new dev.floodgate.store.RestrictionCache(java.time.Clock.systemUTC(), java.time.Duration.ZERO, 1))),
				userBean("floodgateWebMvcConfigurer", WebMvcConfigurer.class, () -> new WebMvcConfigurer() {
				}));
	}

	private static <T> Arguments userBean(String name, Class<T> type, Supplier<T> bean) {
		return Arguments.of(name, type, bean);
	}

	@Test
	void usersOwnWebMvcConfigurerDoesNotReplaceFloodgates() {
		this.contextRunner.withBean("myConfigurer", WebMvcConfigurer.class, () -> new WebMvcConfigurer() {
		}).run((context) -> {
			assertThat(context).hasBean("myConfigurer");
			assertThat(context).hasBean("floodgateWebMvcConfigurer");
		});
	}

	@Test
	void usersOwnClockUnderAnotherNameDoesNotReplaceFloodgates() {
		Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
		this.contextRunner.withBean("clock", Clock.class, () -> clock).run((context) -> {
			assertThat(context).hasBean("clock");
			assertThat(context).hasBean(FloodgateAutoConfiguration.CLOCK_BEAN_NAME);
			assertThat(context.getBean(FloodgateAutoConfiguration.CLOCK_BEAN_NAME)).isNotSameAs(clock);
		});
	}

	@Test
	void usersOwnClockIsStillInjectedByType() {
		Clock clock = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
		this.contextRunner.withBean("applicationClock", Clock.class, () -> clock)
			.withBean(ClockUser.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ClockUser.class).clock).isSameAs(clock);
			});
	}

	// invalid settings

	@Test
	void redisStoreWithoutRedisStopsTheApplication() {
		this.contextRunner.withPropertyValues("floodgate.store.type=redis").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidFloodgateSettingException.class)
				.hasMessageContaining("floodgate.store.type")
				.hasMessageContaining("'redis'")
				.hasMessageContaining("spring-boot-starter-data-redis");
		});
	}

	@Test
	void mongoStoreWithoutMongoStopsTheApplication() {
		this.contextRunner.withPropertyValues("floodgate.store.type=mongo").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidFloodgateSettingException.class)
				.hasMessageContaining("floodgate.store.type")
				.hasMessageContaining("'mongo'")
				.hasMessageContaining("spring-boot-starter-data-mongodb");
		});
	}

	@Test
	void aDefaultCostAboveALimitStopsTheApplication() {
		this.contextRunner.withPropertyValues("floodgate.limit=100/day, 5/minute", "floodgate.cost=6").run((context) -> {
			assertThat(context).hasFailed();
			Throwable root = rootCause(context.getStartupFailure());
			assertThat(root).isInstanceOf(InvalidFloodgateSettingException.class)
				.hasMessageContaining("floodgate.cost")
				.hasMessageContaining("'6'")
				.hasMessageContaining("5/1m");
		});
	}

	@ParameterizedTest(name = "[{index}] {0}={1}")
	@MethodSource("invalidSettings")
	void invalidSettingStopsTheApplicationNamingPropertyAndValue(String property, String value,
			List<String> quotedValues) {
		this.contextRunner.withPropertyValues(property + "=" + value).run((context) -> {
			assertThat(context).hasFailed();
			Throwable root = rootCause(context.getStartupFailure());
			assertThat(root).isInstanceOf(InvalidFloodgateSettingException.class).hasMessageContaining(property);
			assertThat(root.getMessage()).containsAnyOf(quotedValues.toArray(String[]::new));
			assertThat(((InvalidFloodgateSettingException) root).getSource()).startsWith(property);
		});
	}

	static Stream<Arguments> invalidSettings() {
		return Stream.of(Arguments.of("floodgate.limit", "5/fortnight", List.of("'5/fortnight'")),
				Arguments.of("floodgate.limit", "0/minute", List.of("'0/minute'")),
				Arguments.of("floodgate.limit", "5/second;", List.of("'5/second;'")),
				Arguments.of("floodgate.limit", ";", List.of("';'")),
				Arguments.of("floodgate.limit", "5/second,", List.of("'5/second,'")),
				Arguments.of("floodgate.limit", "5/fortnights", List.of("'5/fortnights'")),
				Arguments.of("floodgate.cost", "0", List.of("'0'")),
				Arguments.of("floodgate.allow-list", "10.0.0.300/8", List.of("'10.0.0.300/8'")),
				Arguments.of("floodgate.deny-list", "203.0.113.0/33", List.of("'203.0.113.0/33'")),
				Arguments.of("floodgate.proxy.trusted-proxies", "not-a-cidr", List.of("'not-a-cidr'")),
				Arguments.of("floodgate.block.duration", "-5m", List.of("'-5m'", "'PT-5M'")),
				Arguments.of("floodgate.block.violation-window", "0s", List.of("'0s'", "'0ms'", "'PT0S'")),
				Arguments.of("floodgate.block.max-duration", "1m", List.of("'1m'", "'PT1M'")),
				Arguments.of("floodgate.block.factor", "0.5", List.of("'0.5'")),
				Arguments.of("floodgate.block.after-violations", "0", List.of("'0'")),
				Arguments.of("floodgate.ban.after-violations", "0", List.of("'0'")),
				Arguments.of("floodgate.ban.window", "-1h", List.of("'-1h'", "'PT-1H'")),
				Arguments.of("floodgate.ban.duration", "0s", List.of("'0s'", "'0ms'", "'PT0S'")),
				Arguments.of("floodgate.ipv6-prefix-length", "129", List.of("'129'")),
				Arguments.of("floodgate.ipv6-prefix-length", "0", List.of("'0'")),
				Arguments.of("floodgate.store.timeout", "0s", List.of("'0s'", "'0ms'", "'PT0S'")),
				Arguments.of("floodgate.store.memory.max-clients", "0", List.of("'0'")),
				Arguments.of("floodgate.store.memory.max-restricted", "0", List.of("'0'")),
				Arguments.of("floodgate.proxy.client-ip-header", "Bad Header", List.of("'Bad Header'")));
	}

	@Test
	void unparseableDurationFailsBindingNamingTheProperty() {
		this.contextRunner.withPropertyValues("floodgate.block.duration=soon").run((context) -> {
			assertThat(context).hasFailed();
			BindException bindException = findCause(context.getStartupFailure(), BindException.class);
			assertThat(bindException).isNotNull();
			assertThat(bindException.getProperty().getName()).hasToString("floodgate.block.duration");
			assertThat(bindException.getProperty().getValue()).isEqualTo("soon");
			assertThat(bindException).hasMessageContaining("floodgate.block.duration");
		});
	}

	private static Throwable rootCause(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return cause;
	}

	private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

	/**
	 * The beans whose type or name belongs to Floodgate.
	 */
	private static List<String> floodgateBeans(ApplicationContext context) {
		List<String> beans = new ArrayList<>();
		for (String name : context.getBeanDefinitionNames()) {
			Class<?> type = context.getType(name);
			boolean floodgateType = type != null && type.getName().startsWith("dev.floodgate.");
			if (floodgateType || name.toLowerCase(Locale.ROOT).contains("floodgate")) {
				beans.add(name + " (" + type + ")");
			}
		}
		return beans;
	}

	static class ClockUser {

		private final Clock clock;

		ClockUser(Clock clock) {
			this.clock = clock;
		}

	}

	@RestController
	static class PathsController {

		@GetMapping({ "/hello", "/actuator/thing", "/error" })
		String hello() {
			return "hello";
		}

	}

}
