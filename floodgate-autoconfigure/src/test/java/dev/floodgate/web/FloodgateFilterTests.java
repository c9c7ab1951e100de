package dev.floodgate.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.floodgate.autoconfigure.FloodgateAutoConfiguration;
import dev.floodgate.core.Algorithm;
import dev.floodgate.core.BanPolicy;
import dev.floodgate.core.BlockPolicy;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.EscalationPolicy;
import dev.floodgate.core.Penalty;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.event.ClientBlockedEvent;
import dev.floodgate.metrics.FloodgateMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.memory.InMemoryClientRecords;
import dev.floodgate.testsupport.MutableClock;
import dev.floodgate.store.ViolationStore;
import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.event.AuthenticationFailureBadCredentialsEvent;
import org.springframework.web.method.HandlerMethod;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link FloodgateFilter}, the front door, as the auto-configuration registers it:
 * requests pass through the filter into a chain that stands for the rest of the application
 * (Spring Security answering, or the dispatcher servlet calling the interceptor).
 */
class FloodgateFilterTests {

	private static final String SCANNER = "203.0.113.9";

	private static final String VISITOR = "198.51.100.7";

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FloodgateAutoConfiguration.class))
		.withPropertyValues("floodgate.block.after-violations=3", "floodgate.block.duration=1m",
				"floodgate.ban.after-violations=10");

	@Test
	void isRegisteredAheadOfSpringSecurityByDefault() {
		this.contextRunner.run((context) -> {
			FilterRegistrationBean<?> registration = registration(context);
			assertThat(registration.getOrder()).isEqualTo(FloodgateFilter.DEFAULT_ORDER).isLessThan(-100);
			assertThat(registration.getFilter()).isInstanceOf(FloodgateFilter.class);
		});
		this.contextRunner.withPropertyValues("floodgate.filter.order=5")
			.run((context) -> assertThat(registration(context).getOrder()).isEqualTo(5));
	}

	@Test
	void penalizedStatusesBlockAClientWhichIsThenRefusedBeforeTheChain() {
		this.contextRunner.withPropertyValues("floodgate.penalize.statuses=401,404").run((context) -> {
			AtomicInteger reached = new AtomicInteger();
			FilterChain notFound = answering(404, reached);
			for (int i = 0; i < 3; i++) {
				assertThat(send(context, "GET", "/wp-admin" + i, SCANNER, notFound).getStatus()).isEqualTo(404);
			}
			MockHttpServletResponse refused = send(context, "GET", "/anything", SCANNER, notFound);
			assertThat(refused.getStatus()).isEqualTo(429);
			assertThat(refused.getHeader("Retry-After")).isEqualTo("60");
			assertThat(reached).hasValue(3);
			assertThat(status(context, SCANNER).blocked()).isTrue();
			// another client is not touched
			assertThat(send(context, "GET", "/wp-admin", VISITOR, answering(200, reached)).getStatus()).isEqualTo(200);
			assertThat(context.getBean(ViolationStore.class).status(VISITOR)).isEmpty();
		});
	}

	@Test
	void aBlockThatAPenaltyStartedSaysSoInItsEventAndTheMetricCountsPenaltiesByReason() {
		List<ClientBlockedEvent> events = new CopyOnWriteArrayList<>();
		this.contextRunner.withPropertyValues("floodgate.penalize.statuses=404")
			.withBean(SimpleMeterRegistry.class)
			.withConfiguration(AutoConfigurations.of(dev.floodgate.autoconfigure.FloodgateMetricsAutoConfiguration.class))
			.withBean("blockedListener", ApplicationListener.class,
					() -> ApplicationListener.<ClientBlockedEvent>forPayload(events::add))
			.run((context) -> {
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				context.getBean(FloodgateMetrics.class).bindTo(meters);
				for (int i = 0; i < 3; i++) {
					send(context, "GET", "/x" + i, SCANNER, answering(404, new AtomicInteger()));
				}
				assertThat(events).singleElement().satisfies((event) -> {
					assertThat(event.client()).isEqualTo(SCANNER);
					assertThat(event.penalty()).isEqualTo("status");
					assertThat(event.violations()).isEqualTo(3);
				});
				assertThat(meters.get("floodgate.penalties").tag("reason", "status").counter().count()).isEqualTo(3);
				assertThat(meters.get("floodgate.penalties").tag("reason", "authentication-failure").counter().count())
					.isZero();
			});
	}

	@Test
	void withASharedStoreARestrictedClientIsRefusedFromTheCacheAndTheStoreIsAskedOncePerTtl() {
		MutableClock clock = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
		AtomicInteger storeCalls = new AtomicInteger();
		this.contextRunner.withPropertyValues("floodgate.penalize.statuses=401", "floodgate.store.local-cache.ttl=5s")
			.withBean(FloodgateAutoConfiguration.CLOCK_BEAN_NAME, Clock.class, () -> clock)
			.withBean(ViolationStore.class, () -> shared(new RuleBookStore(
					new InMemoryClientRecords(new DecisionRules(Algorithm.SLIDING_WINDOW, escalation()), clock, 1000, 1000),
					new DecisionRules(Algorithm.SLIDING_WINDOW, escalation()), clock), storeCalls))
			.run((context) -> {
				AtomicInteger reached = new AtomicInteger();
				// Spring Security answering 401: no handler's interceptor decides these requests
				FilterChain unauthorized = answering(401, reached);
				for (int i = 0; i < 3; i++) {
					assertThat(send(context, "GET", "/admin", SCANNER, unauthorized).getStatus()).isEqualTo(401);
				}
				assertThat(reached).hasValue(3);
				int calls = storeCalls.get();
				for (int i = 0; i < 20; i++) {
					assertThat(send(context, "GET", "/admin", SCANNER, unauthorized).getStatus()).isEqualTo(429);
				}
				assertThat(storeCalls.get()).isEqualTo(calls);
				clock.advance(Duration.ofSeconds(6));
				for (int i = 0; i < 20; i++) {
					assertThat(send(context, "GET", "/admin", SCANNER, unauthorized).getStatus()).isEqualTo(429);
				}
				assertThat(storeCalls.get()).isEqualTo(calls + 1);
				assertThat(reached).hasValue(3);
				// a client restricted by another instance: the first 401 that no handler decided
				// asks the store, and its next request is refused at the front door
				context.getBean(ViolationStore.class).ban(VISITOR, null);
				assertThat(send(context, "GET", "/admin", VISITOR, unauthorized).getStatus()).isEqualTo(401);
				assertThat(send(context, "GET", "/admin", VISITOR, unauthorized).getStatus()).isEqualTo(403);
				assertThat(reached).hasValue(4);
			});
	}

	private static EscalationPolicy escalation() {
		return new EscalationPolicy(
				new BlockPolicy(true, 3, Duration.ofMinutes(10), Duration.ofMinutes(1), 2, Duration.ofHours(1), false),
				new BanPolicy(true, 10, Duration.ofHours(24), null));
	}

	/** A store that is not this instance's memory, as far as Floodgate can tell, counting calls. */
	private static ViolationStore shared(ViolationStore store, AtomicInteger calls) {
		return new ViolationStore() {

			@Override
			public Decision decide(String client, @Nullable RatePolicy policy) {
				calls.incrementAndGet();
				return store.decide(client, policy);
			}

			@Override
			public Decision penalize(String client, Penalty penalty) {
				calls.incrementAndGet();
				return store.penalize(client, penalty);
			}

			@Override
			public Optional<ClientStatus> status(String client) {
				return store.status(client);
			}

			@Override
			public List<ClientStatus> restrictedClients(int max) {
				return store.restrictedClients(max);
			}

			@Override
			public boolean forget(String client) {
				return store.forget(client);
			}

			@Override
			public ClientStatus block(String client, Duration duration) {
				return store.block(client, duration);
			}

			@Override
			public ClientStatus ban(String client, @Nullable Duration duration) {
				return store.ban(client, duration);
			}

		};
	}

	@Test
	void successfulResponsesAreNeverPenalties() {
		this.contextRunner.withPropertyValues("floodgate.penalize.statuses=401,404").run((context) -> {
			AtomicInteger reached = new AtomicInteger();
			for (int i = 0; i < 50; i++) {
				assertThat(send(context, "GET", "/page", VISITOR, answering((i % 2 == 0) ? 200 : 302, reached))
					.getStatus()).isLessThan(400);
			}
			assertThat(reached).hasValue(50);
			assertThat(context.getBean(ViolationStore.class).status(VISITOR)).isEmpty();
		});
	}

	@Test
	void aFailedAuthenticationIsAPenaltyEvenWhenAnsweredWithARedirect() {
		this.contextRunner.run((context) -> {
			AtomicInteger reached = new AtomicInteger();
			FilterChain formLogin = (request, response) -> {
				reached.incrementAndGet();
				// what Spring Security's ProviderManager publishes, then form login's redirect
				context.publishEvent(new AuthenticationFailureBadCredentialsEvent(
						UsernamePasswordAuthenticationToken.unauthenticated("operator", "guess"),
						new BadCredentialsException("Bad credentials")));
				((HttpServletResponse) response).sendRedirect("/login?error");
			};
			for (int i = 0; i < 3; i++) {
				assertThat(send(context, "POST", "/login", SCANNER, formLogin).getStatus()).isEqualTo(302);
			}
			assertThat(send(context, "POST", "/login", SCANNER, formLogin).getStatus()).isEqualTo(429);
			assertThat(reached).hasValue(3);
		});
	}

	@Test
	void failedAuthenticationsAreNotPenaltiesWhenSwitchedOff() {
		this.contextRunner.withPropertyValues("floodgate.penalize.authentication-failures=false").run((context) -> {
			assertThat(context).doesNotHaveBean(AuthenticationFailurePenalties.class);
			FilterChain formLogin = (request, response) -> {
				context.publishEvent(new AuthenticationFailureBadCredentialsEvent(
						UsernamePasswordAuthenticationToken.unauthenticated("operator", "guess"),
						new BadCredentialsException("Bad credentials")));
				((HttpServletResponse) response).sendRedirect("/login?error");
			};
			for (int i = 0; i < 5; i++) {
				assertThat(send(context, "POST", "/login", SCANNER, formLogin).getStatus()).isEqualTo(302);
			}
			assertThat(context.getBean(ViolationStore.class).status(SCANNER)).isEmpty();
		});
	}

	@Test
	void aPathLimitIsDecidedInTheFilterAndNotCountedAgainByTheInterceptor() {
		this.contextRunner
			.withPropertyValues("floodgate.limit=1/minute", "floodgate.paths[0].pattern=/login",
					"floodgate.paths[0].methods=post", "floodgate.paths[0].limit=5/minute")
			.run((context) -> {
				RateLimitInterceptor interceptor = context.getBean(RateLimitInterceptor.class);
				HandlerMethod handler = new HandlerMethod(new Handlers(), Handlers.class.getMethod("login"));
				AtomicInteger reached = new AtomicInteger();
				FilterChain dispatcher = (request, response) -> {
					// the dispatcher servlet: the interceptor for the handler under the default limit
					if (preHandle(interceptor, request, response, handler)) {
						reached.incrementAndGet();
					}
				};
				for (int i = 0; i < 5; i++) {
					MockHttpServletResponse admitted = send(context, "POST", "/login", SCANNER, dispatcher);
					assertThat(admitted.getStatus()).isEqualTo(200);
					assertThat(admitted.getHeader("RateLimit-Policy")).isEqualTo("\"path:/login\";q=5;w=60");
				}
				assertThat(reached).hasValue(5);
				assertThat(send(context, "POST", "/login", SCANNER, dispatcher).getStatus()).isEqualTo(429);
				assertThat(reached).hasValue(5);
				// another method is not under the path limit: the interceptor's default limit decides it
				assertThat(send(context, "GET", "/login", VISITOR, dispatcher).getStatus()).isEqualTo(200);
				assertThat(send(context, "GET", "/login", VISITOR, dispatcher).getStatus()).isEqualTo(429);
			});
	}

	@Test
	void aHandlersPenalizedStatusesAddToTheGlobalOnes() {
		this.contextRunner.withPropertyValues("floodgate.limit=100/minute").run((context) -> {
			RateLimitInterceptor interceptor = context.getBean(RateLimitInterceptor.class);
			HandlerMethod guarded = new HandlerMethod(new Handlers(), Handlers.class.getMethod("guarded"));
			HandlerMethod plain = new HandlerMethod(new Handlers(), Handlers.class.getMethod("login"));
			for (int i = 0; i < 5; i++) {
				send(context, "GET", "/plain", VISITOR, dispatching(interceptor, plain, 403));
			}
			assertThat(context.getBean(ViolationStore.class).status(VISITOR).map(ClientStatus::violations)).hasValue(0);
			for (int i = 0; i < 2; i++) {
				send(context, "GET", "/guarded", SCANNER, dispatching(interceptor, guarded, 403));
			}
			assertThat(status(context, SCANNER).violations()).isEqualTo(2);
		});
	}

	@Test
	void inDryRunPenaltiesAreRecordedAndNothingIsRefused() {
		this.contextRunner.withPropertyValues("floodgate.dry-run=true", "floodgate.penalize.statuses=404")
			.run((context) -> {
				AtomicInteger reached = new AtomicInteger();
				for (int i = 0; i < 12; i++) {
					assertThat(send(context, "GET", "/x" + i, SCANNER, answering(404, reached)).getStatus())
						.isEqualTo(404);
				}
				assertThat(reached).hasValue(12);
				assertThat(status(context, SCANNER).blocked()).isTrue();
			});
	}

	@Test
	void theHealthEndpointIsNeverRefusedNorPenalized() {
		this.contextRunner.withPropertyValues("floodgate.penalize.statuses=503").run((context) -> {
			context.getBean(ViolationStore.class).ban(SCANNER, null);
			AtomicInteger reached = new AtomicInteger();
			assertThat(send(context, "GET", "/actuator/health", SCANNER, answering(200, reached)).getStatus())
				.isEqualTo(200);
			assertThat(send(context, "GET", "/actuator/health/liveness", SCANNER, answering(200, reached)).getStatus())
				.isEqualTo(200);
			assertThat(send(context, "GET", "/actuator/info", SCANNER, answering(200, reached)).getStatus())
				.isEqualTo(403);
			assertThat(reached).hasValue(2);
			for (int i = 0; i < 5; i++) {
				send(context, "GET", "/actuator/health", VISITOR, answering(503, reached));
			}
			assertThat(context.getBean(ViolationStore.class).status(VISITOR)).isEmpty();
		});
	}

	@Test
	void aHostileForwardedHeaderIsNeverAnError() {
		this.contextRunner.withPropertyValues("floodgate.behind-proxy=true", "floodgate.penalize.statuses=404")
			.run((context) -> {
				AtomicInteger reached = new AtomicInteger();
				for (String header : new String[] { "", "garbage", "1.2.3.4:80, [::1]", "x".repeat(10_000), ",,,",
						"\u0000\u00ff" }) {
					MockHttpServletRequest request = request("GET", "/x", "127.0.0.1");
					request.addHeader("X-Forwarded-For", header);
					MockHttpServletResponse response = new MockHttpServletResponse();
					filter(context).doFilter(request, response, answering(404, reached));
					assertThat(response.getStatus()).isIn(404, 429);
				}
			});
	}

	static class Handlers {

		public String login() {
			return "ok";
		}

		@dev.floodgate.RateLimited(value = "100/minute", penalize = 403)
		public String guarded() {
			return "ok";
		}

	}

	private static FilterChain dispatching(RateLimitInterceptor interceptor, HandlerMethod handler, int status) {
		return (request, response) -> {
			if (preHandle(interceptor, request, response, handler)) {
				((HttpServletResponse) response).setStatus(status);
			}
		};
	}

	private static boolean preHandle(RateLimitInterceptor interceptor, jakarta.servlet.ServletRequest request,
			jakarta.servlet.ServletResponse response, Object handler) throws java.io.IOException {
		try {
			return interceptor.preHandle((MockHttpServletRequest) request, (HttpServletResponse) response, handler);
		}
		catch (java.io.IOException | RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static FilterChain answering(int status, AtomicInteger reached) {
		return (request, response) -> {
			reached.incrementAndGet();
			((HttpServletResponse) response).setStatus(status);
		};
	}

	private static MockHttpServletResponse send(ApplicationContext context, String method, String path, String client,
			FilterChain chain) throws Exception {
		MockHttpServletResponse response = new MockHttpServletResponse();
		filter(context).doFilter(request(method, path, client), response, chain);
		return response;
	}

	private static MockHttpServletRequest request(String method, String path, String client) {
		MockHttpServletRequest request = new MockHttpServletRequest(method, path);
		request.setRemoteAddr(client);
		return request;
	}

	private static ClientStatus status(ApplicationContext context, String client) {
		return context.getBean(ViolationStore.class).status(client).orElseThrow();
	}

	private static FloodgateFilter filter(ApplicationContext context) {
		return (FloodgateFilter) registration(context).getFilter();
	}

	private static FilterRegistrationBean<?> registration(ApplicationContext context) {
		return context.getBean(FloodgateAutoConfiguration.FILTER_BEAN_NAME, FilterRegistrationBean.class);
	}

}
