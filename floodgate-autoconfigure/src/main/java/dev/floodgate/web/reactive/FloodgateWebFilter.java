package dev.floodgate.web.reactive;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;

import dev.floodgate.core.Decision;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.Penalty;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.RequestOutcome;
import dev.floodgate.web.ClientAddress;
import dev.floodgate.web.ClientAddressResolver;
import dev.floodgate.web.Gatekeeper;
import dev.floodgate.web.HandlerPolicies;
import dev.floodgate.web.OpenPaths;
import dev.floodgate.web.PathPolicies;
import dev.floodgate.web.ProblemBodies;
import dev.floodgate.web.RateLimitHeaders;
import dev.floodgate.web.Rejection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Floodgate for a reactive (WebFlux) application: one {@link WebFilter}, ahead of Spring
 * Security's ({@code -100}) by default, that decides every request once with the same
 * {@link Gatekeeper} as the servlet stack: the client walked from the right over the
 * forwarding headers of trusted proxies, the allow and deny lists, the handler's
 * {@code @RateLimited} policy (its handler found through the application's
 * {@link HandlerMapping}s, once per request), the path limits of {@code floodgate.paths},
 * blocks and bans, dry run, the same {@code application/problem+json} rejections and rate
 * limit headers, and penalized responses as violations of their client.
 * <p>
 * Nothing blocks an event-loop thread: a restriction this instance knows of is answered
 * from memory, the in-memory store is asked in place, and every call to a shared store runs
 * on the {@code storeScheduler}, a bounded pool, behind the store's own timeout and circuit
 * breaker.
 * <p>
 * The actuator's paths and the error page are not limited, but restricted clients are
 * refused there; the health endpoints are never refused nor penalized.
 */
public final class FloodgateWebFilter
		implements WebFilter, Ordered, SmartInitializingSingleton, ApplicationContextAware {

	private static final Log logger = LogFactory.getLog(FloodgateWebFilter.class);

	/** The request had no handler: its policy is the default one, as for the servlet stack's 404s. */
	private static final Object NO_HANDLER = new Object();

	private final ClientAddressResolver resolver;

	private final Gatekeeper gate;

	private final HandlerPolicies handlerPolicies;

	private final PathPolicies paths;

	private final Supplier<List<HandlerMapping>> handlerMappings;

	/**
	 * The handler mappings, read once every singleton exists: never looked up on an event
	 * loop, where the bean factory's locks would block it.
	 */
	private volatile @Nullable List<HandlerMapping> mappings;

	/** The requests of a management server of its own, or {@code null} when there is none. */
	private @Nullable FloodgateWebFilter managementServer;

	/** The context whose server this filter stands in front of. */
	private @Nullable ApplicationContext applicationContext;

	private final ProblemBodies problems;

	private final RateLimitHeaders headers;

	private final ReactiveRateLimitExemption[] exemptions;

	private final OpenPaths open;

	private final List<PathPattern> unlimited;

	private final Scheduler storeScheduler;

	private final List<RoutePolicies> routePolicies;

	private final int order;

	/**
	 * Creates the filter.
	 * @param resolver decides who the client is
	 * @param gate decides for a client
	 * @param handlerPolicies the policy of each handler
	 * @param paths the path limits ({@code floodgate.paths})
	 * @param handlerMappings the application's handler mappings, in their order
	 * @param problems the bodies of rejections
	 * @param headers writes the rate limit headers
	 * @param exemptions exemption predicates
	 * @param open paths never refused nor penalized (the health endpoints)
	 * @param unlimited paths where restricted clients are refused but nothing is counted (the
	 * actuator's, the error page)
	 * @param storeScheduler where calls to a shared store run
	 * @param routePolicies the policies routes give their requests (a gateway's), asked before
	 * the handlers' own
	 * @param order the filter's order
	 */
	public FloodgateWebFilter(ClientAddressResolver resolver, Gatekeeper gate, HandlerPolicies handlerPolicies,
			PathPolicies paths, Supplier<List<HandlerMapping>> handlerMappings, ProblemBodies problems,
			RateLimitHeaders headers, List<ReactiveRateLimitExemption> exemptions, List<String> open,
			List<PathPattern> unlimited, Scheduler storeScheduler, List<RoutePolicies> routePolicies, int order) {
		this.routePolicies = List.copyOf(routePolicies);
		this.resolver = resolver;
		this.gate = gate;
		this.handlerPolicies = handlerPolicies;
		this.paths = paths;
		this.handlerMappings = handlerMappings;
		this.problems = problems;
		this.headers = headers;
		this.exemptions = exemptions.toArray(new ReactiveRateLimitExemption[0]);
		this.open = new OpenPaths(open);
		this.unlimited = List.copyOf(unlimited);
		this.storeScheduler = storeScheduler;
		this.order = order;
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * Decides the requests of a management server of its own ({@code management.server.port})
	 * too, which WebFlux runs through the application context's filters: every path there is
	 * the actuator's, so nothing is limited there, and deny-listed, banned and blocked clients
	 * are refused on every path but the open ones (health), by the same gate.
	 * @param open the paths never refused there (the management server's health paths)
	 * @return this filter
	 */
	public FloodgateWebFilter withManagementServer(List<String> open) {
		this.managementServer = new FloodgateWebFilter(this.resolver, this.gate, this.handlerPolicies,
				PathPolicies.NONE, List::of, this.problems, this.headers, List.of(this.exemptions), open,
				List.of(PathPatternParser.defaultInstance.parse("/**")), this.storeScheduler, List.of(), this.order);
		return this;
	}

	@Override
	public void setApplicationContext(ApplicationContext applicationContext) {
		this.applicationContext = applicationContext;
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.mappings = List.copyOf(this.handlerMappings.get());
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		FloodgateWebFilter management = this.managementServer;
		if (management != null && exchange.getApplicationContext() != this.applicationContext) {
			// the management context, a child of this one, runs its server through this filter
			return management.filter(exchange, chain);
		}
		ServerHttpRequest request = exchange.getRequest();
		if (CorsUtils.isPreFlightRequest(request)
				|| this.open.contains(request.getPath().value(), request.getPath().contextPath().value())) {
			return chain.filter(exchange);
		}
		ClientAddress client = this.resolver.resolve(peer(request), (name) -> {
			List<String> values = request.getHeaders().get(name);
			return (values != null) ? values.iterator() : null;
		});
		if (client == null) {
			return chain.filter(exchange);
		}
		Visit visit = new Visit(client);
		if (this.gate.denied(client)) {
			this.gate.observer().requestDecided(RequestOutcome.DENIED, null);
			return reject(exchange, chain, visit, new Rejection(Rejection.Reason.DENIED, -1, client.key(), null));
		}
		if (this.gate.exempt(client, exchange, this.exemptions, ReactiveRateLimitExemption::isExempt)) {
			this.gate.observer().requestDecided(RequestOutcome.EXEMPT, null);
			return chain.filter(exchange);
		}
		PathContainer path = request.getPath().pathWithinApplication();
		for (PathPattern pattern : this.unlimited) {
			if (pattern.matches(path)) {
				return refuseRestricted(exchange, chain, visit);
			}
		}
		RatePolicy pathPolicy = this.paths.policyFor(request.getMethod().name(), path);
		if (pathPolicy != null) {
			return decide(exchange, chain, visit, pathPolicy);
		}
		Decision known = this.gate.recall(client);
		if (known != null && known.outcome().rejected()) {
			// refused without a store call nor a handler lookup beyond the one for its headers
			return handler(exchange).flatMap((handler) -> {
				RatePolicy policy = policyOf(exchange, handler, visit);
				return refuse(exchange, chain, visit, policy, known);
			});
		}
		return handler(exchange).flatMap((handler) -> decide(exchange, chain, visit, policyOf(exchange, handler, visit)));
	}

	private @Nullable RatePolicy policyOf(ServerWebExchange exchange, Object handler, Visit visit) {
		if (handler == NO_HANDLER) {
			return this.handlerPolicies.defaultPolicy();
		}
		for (RoutePolicies routes : this.routePolicies) {
			RatePolicy policy = routes.policyFor(exchange, handler);
			if (policy != null) {
				return policy;
			}
		}
		int[] penalties = this.handlerPolicies.penalizedStatuses(handler);
		if (penalties.length > 0) {
			visit.penalties = penalties;
		}
		return this.handlerPolicies.policyFor(handler);
	}

	/** The handler the request maps to, found once: the first mapping that has one. */
	private Mono<Object> handler(ServerWebExchange exchange) {
		List<HandlerMapping> mappings = this.mappings;
		if (mappings == null) {
			// a request before the context finished its start (only in a test that drives the
			// filter by hand): read them now
			mappings = List.copyOf(this.handlerMappings.get());
			this.mappings = mappings;
		}
		return Flux.fromIterable(mappings)
			.concatMap((mapping) -> mapping.getHandler(exchange))
			.next()
			.onErrorResume((ex) -> Mono.empty())
			.defaultIfEmpty(NO_HANDLER);
	}

	private Mono<Void> decide(ServerWebExchange exchange, WebFilterChain chain, Visit visit,
			@Nullable RatePolicy policy) {
		visit.policy = policy;
		return store(() -> this.gate.decideOrRecall(visit.client, policy)).map(Answer::new)
			.defaultIfEmpty(Answer.NONE)
			.flatMap((answer) -> {
				Decision decision = answer.decision;
				if (decision == null) {
					this.gate.observer().requestDecided(RequestOutcome.UNAVAILABLE, policy);
					if (this.gate.denyOnStoreFailure()) {
						return reject(exchange, chain, visit, new Rejection(Rejection.Reason.STORE_UNAVAILABLE, 5_000,
								visit.client.key(), Gatekeeper.policyName(policy)));
					}
					return proceed(exchange, chain, visit);
				}
				if (policy != null) {
					this.headers.write(exchange.getResponse().getHeaders()::set, policy, decision);
				}
				this.gate.decided(visit.client, policy, decision);
				if (!decision.outcome().rejected()) {
					return proceed(exchange, chain, visit);
				}
				return reject(exchange, chain, visit, new Rejection(Gatekeeper.reason(decision.outcome()),
						decision.retryAfterMillis(), visit.client.key(), Gatekeeper.policyName(policy)));
			});
	}

	private Mono<Void> refuse(ServerWebExchange exchange, WebFilterChain chain, Visit visit,
			@Nullable RatePolicy policy, Decision known) {
		if (policy != null) {
			this.headers.write(exchange.getResponse().getHeaders()::set, policy, known);
		}
		this.gate.observer().requestDecided(RequestOutcome.of(known.outcome()), policy);
		return reject(exchange, chain, visit, new Rejection(Gatekeeper.reason(known.outcome()),
				known.retryAfterMillis(), visit.client.key(), Gatekeeper.policyName(policy)));
	}

	/** The actuator's and the error page's paths: only a restriction refuses, nothing counts. */
	private Mono<Void> refuseRestricted(ServerWebExchange exchange, WebFilterChain chain, Visit visit) {
		visit.unlimited = true;
		return store(() -> this.gate.decideOrRecall(visit.client, null)).map(Answer::new)
			.defaultIfEmpty(Answer.NONE)
			.flatMap((answer) -> {
				Decision decision = answer.decision;
				if (decision == null
						|| (decision.outcome() != Outcome.BANNED && decision.outcome() != Outcome.BLOCKED)) {
					return proceed(exchange, chain, visit);
				}
				this.gate.observer().requestDecided(RequestOutcome.of(decision.outcome()), null);
				return reject(exchange, chain, visit, new Rejection(Gatekeeper.reason(decision.outcome()),
						decision.retryAfterMillis(), visit.client.key(), null));
			});
	}

	/**
	 * Lets the request through; once its response is about to be committed, a penalized
	 * status is recorded as a violation of its client before the client sees the response.
	 */
	private Mono<Void> proceed(ServerWebExchange exchange, WebFilterChain chain, Visit visit) {
		ServerHttpResponse response = exchange.getResponse();
		if (!visit.unlimited) {
			response.beforeCommit(() -> responded(response, visit));
		}
		return chain.filter(exchange);
	}

	private Mono<Void> responded(ServerHttpResponse response, Visit visit) {
		if (visit.refused) {
			return Mono.empty();
		}
		HttpStatusCode code = response.getStatusCode();
		int status = (code != null) ? code.value() : 200;
		if (!this.gate.penalized(status, visit.penalties)) {
			return Mono.empty();
		}
		return store(() -> this.gate.penalize(visit.client, Penalty.STATUS, status, visit.policy)).then();
	}

	private Mono<Void> reject(ServerWebExchange exchange, WebFilterChain chain, Visit visit, Rejection rejection) {
		visit.refused = true;
		ServerHttpRequest request = exchange.getRequest();
		if (!this.gate.refuses(request.getMethod().name(), rejection)) {
			return chain.filter(exchange);
		}
		ServerHttpResponse response = exchange.getResponse();
		byte[] body = this.problems.body(rejection.reason());
		response.setStatusCode(rejection.reason().status());
		HttpHeaders headers = response.getHeaders();
		long retryAfter = rejection.retryAfterSeconds();
		if (retryAfter >= 0) {
			headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
		}
		headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		headers.setContentLength(body.length);
		DataBuffer buffer = response.bufferFactory().wrap(body);
		return response.writeWith(Mono.just(buffer));
	}


	/**
	 * A call that may reach the store: in place for the in-memory store, on the store's
	 * scheduler for a shared one. A failure is no answer, never an error of the request.
	 */
	private <T> Mono<T> store(Supplier<@Nullable T> call) {
		Mono<T> mono = Mono.fromSupplier(call);
		if (!this.gate.localStore()) {
			mono = mono.subscribeOn(this.storeScheduler);
		}
		return mono.onErrorResume((ex) -> {
			if (logger.isDebugEnabled()) {
				logger.debug("No answer from Floodgate's store: " + ex.getMessage());
			}
			return Mono.empty();
		});
	}

	/** The peer's address as text, without a name lookup. */
	private static @Nullable String peer(ServerHttpRequest request) {
		InetSocketAddress remote = request.getRemoteAddress();
		if (remote == null) {
			return null;
		}
		InetAddress address = remote.getAddress();
		return (address != null) ? address.getHostAddress() : null;
	}

	/** A store's answer, which may be no decision at all. */
	private record Answer(@Nullable Decision decision) {

		static final Answer NONE = new Answer(null);

	}

	/** One request, as Floodgate saw it. */
	private static final class Visit {

		final ClientAddress client;

		@Nullable RatePolicy policy;

		int @Nullable [] penalties;

		boolean refused;

		boolean unlimited;

		Visit(ClientAddress client) {
			this.client = client;
		}

	}

}
