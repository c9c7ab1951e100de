package dev.floodgate.web;

import java.util.List;

import dev.floodgate.core.Decision;
import dev.floodgate.core.FloodgateObserver;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.Penalty;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.RequestOutcome;
import dev.floodgate.core.net.IpRanges;
import dev.floodgate.store.RestrictionCache;
import dev.floodgate.store.ViolationStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.web.cors.CorsUtils;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Decides every request before its handler runs: who the client is, whether it is
 * deny-listed, allow-listed or exempt, and what the {@link ViolationStore} decides for the
 * handler's policy. Rejects with the {@link RejectionHandler} (unless in dry-run) and adds
 * the rate limit headers.
 * <p>
 * Only the request dispatch is decided: forwards, includes, async and error dispatches of
 * a request already decided are not counted again, and CORS pre-flight requests are not
 * counted at all.
 */
public class RateLimitInterceptor implements HandlerInterceptor {

	/**
	 * What Floodgate knows of a request while it is served: its client, whether the store
	 * decided it (so that nothing decides it again), whether Floodgate refused it (so that it
	 * is never penalized), and what may make its response a penalty.
	 */
	private static final String VISIT_ATTRIBUTE = RateLimitInterceptor.class.getName() + ".VISIT";

	private final ClientAddressResolver clientAddressResolver;

	private final HandlerPolicies handlerPolicies;

	private final Gatekeeper gate;

	private final RejectionHandler rejectionHandler;

	private final RateLimitHeaders headers;

	private final RateLimitExemption[] exemptions;

	private final FrontDoor frontDoor;

	/**
	 * Creates the interceptor.
	 * @param clientAddressResolver decides who the client is
	 * @param handlerPolicies the policy of each handler
	 * @param store the store that decides, best guarded by a
	 * {@link dev.floodgate.store.ResilientViolationStore}
	 * @param rejectionHandler writes rejections
	 * @param headers writes the rate limit headers
	 * @param allowList clients never limited
	 * @param denyList clients always rejected
	 * @param exemptions exemption predicates
	 * @param dryRun whether to reject nothing
	 * @param denyOnStoreFailure whether to answer 503 while the store fails
	 * @param observer told of every request's outcome and every block and ban
	 * @param restrictions remembers blocked and banned clients on this instance
	 */
	public RateLimitInterceptor(ClientAddressResolver clientAddressResolver, HandlerPolicies handlerPolicies,
			ViolationStore store, RejectionHandler rejectionHandler, RateLimitHeaders headers, IpRanges allowList,
			IpRanges denyList, List<RateLimitExemption> exemptions, boolean dryRun, boolean denyOnStoreFailure,
			FloodgateObserver observer, RestrictionCache restrictions) {
		this(clientAddressResolver, handlerPolicies, store, rejectionHandler, headers, allowList, denyList, exemptions,
				dryRun, denyOnStoreFailure, observer, restrictions, null, FrontDoor.NONE);
	}

	/**
	 * Creates the interceptor.
	 * @param clientAddressResolver decides who the client is
	 * @param handlerPolicies the policy of each handler
	 * @param store the store that decides, best guarded by a
	 * {@link dev.floodgate.store.ResilientViolationStore}
	 * @param rejectionHandler writes rejections
	 * @param headers writes the rate limit headers
	 * @param allowList clients never limited
	 * @param denyList clients always rejected
	 * @param exemptions exemption predicates
	 * @param dryRun whether to reject nothing
	 * @param denyOnStoreFailure whether to answer 503 while the store fails
	 * @param observer told of every request's outcome and every block and ban
	 * @param restrictions remembers blocked and banned clients on this instance
	 * @param widening restricts networks whose clients are restricted, or {@code null}
	 */
	public RateLimitInterceptor(ClientAddressResolver clientAddressResolver, HandlerPolicies handlerPolicies,
			ViolationStore store, RejectionHandler rejectionHandler, RateLimitHeaders headers, IpRanges allowList,
			IpRanges denyList, List<RateLimitExemption> exemptions, boolean dryRun, boolean denyOnStoreFailure,
			FloodgateObserver observer, RestrictionCache restrictions, @Nullable PrefixWidening widening) {
		this(clientAddressResolver, handlerPolicies, store, rejectionHandler, headers, allowList, denyList, exemptions,
				dryRun, denyOnStoreFailure, observer, restrictions, widening, FrontDoor.NONE);
	}

	/**
	 * Creates the interceptor, with what the {@link FloodgateFilter} decides at the front
	 * door.
	 * @param clientAddressResolver decides who the client is
	 * @param handlerPolicies the policy of each handler
	 * @param store the store that decides, best guarded by a
	 * {@link dev.floodgate.store.ResilientViolationStore}
	 * @param rejectionHandler writes rejections
	 * @param headers writes the rate limit headers
	 * @param allowList clients never limited
	 * @param denyList clients always rejected
	 * @param exemptions exemption predicates
	 * @param dryRun whether to reject nothing
	 * @param denyOnStoreFailure whether to answer 503 while the store fails
	 * @param observer told of every request's outcome and every block and ban
	 * @param restrictions remembers blocked and banned clients on this instance
	 * @param widening restricts networks whose clients are restricted, or {@code null}
	 * @param frontDoor the path limits, the penalized statuses, and whether the store is this
	 * instance's own memory
	 */
	public RateLimitInterceptor(ClientAddressResolver clientAddressResolver, HandlerPolicies handlerPolicies,
			ViolationStore store, RejectionHandler rejectionHandler, RateLimitHeaders headers, IpRanges allowList,
			IpRanges denyList, List<RateLimitExemption> exemptions, boolean dryRun, boolean denyOnStoreFailure,
			FloodgateObserver observer, RestrictionCache restrictions, @Nullable PrefixWidening widening,
			FrontDoor frontDoor) {
		this(clientAddressResolver, handlerPolicies,
				new Gatekeeper(store, allowList, denyList, dryRun, denyOnStoreFailure, observer, restrictions, widening,
						frontDoor.localStore(), frontDoor.penalizedStatuses()),
				rejectionHandler, headers, exemptions, frontDoor);
	}

	/**
	 * Creates the interceptor over a {@link Gatekeeper} that a reactive application's filter
	 * could share: the front door's local store and penalized statuses are the gatekeeper's.
	 * @param clientAddressResolver decides who the client is
	 * @param handlerPolicies the policy of each handler
	 * @param gate decides for a client
	 * @param rejectionHandler writes rejections
	 * @param headers writes the rate limit headers
	 * @param exemptions exemption predicates
	 * @param frontDoor the path limits, and how a refusal finds its handler's policy
	 */
	public RateLimitInterceptor(ClientAddressResolver clientAddressResolver, HandlerPolicies handlerPolicies,
			Gatekeeper gate, RejectionHandler rejectionHandler, RateLimitHeaders headers,
			List<RateLimitExemption> exemptions, FrontDoor frontDoor) {
		this.clientAddressResolver = clientAddressResolver;
		this.handlerPolicies = handlerPolicies;
		this.gate = gate;
		this.rejectionHandler = rejectionHandler;
		this.headers = headers;
		this.exemptions = exemptions.toArray(new RateLimitExemption[0]);
		this.frontDoor = frontDoor;
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
			throws Exception {
		if (request.getDispatcherType() != DispatcherType.REQUEST || CorsUtils.isPreFlightRequest(request)) {
			return true;
		}
		Visit visit = visit(request);
		int[] penalties = this.handlerPolicies.penalizedStatuses(handler);
		if (penalties.length > 0) {
			visit.penalties = penalties;
		}
		if (visit.decided || visit.exempt) {
			// the front door decided it already (a path limit, a refusal in dry-run, an exemption)
			return true;
		}
		Boolean screened = screen(request, response, visit, true);
		if (screened != null) {
			return screened;
		}
		return decideWith(request, response, visit.resolvedClient, this.handlerPolicies.policyFor(handler));
	}

	/**
	 * Decides a request by the store for a policy, as the handler's interceptor or the front
	 * door's path limit: headers, outcome, escalation, and the rejection.
	 */
	private boolean decideWith(HttpServletRequest request, HttpServletResponse response, ClientAddress client,
			@Nullable RatePolicy policy) throws Exception {
		Visit visit = visit(request);
		visit.decided = true;
		visit.policy = policy;
		Decision decision = this.gate.decideOrRecall(client, policy);
		if (decision == null) {
			this.gate.observer().requestDecided(RequestOutcome.UNAVAILABLE, policy);
			return !this.gate.denyOnStoreFailure() || reject(request, response,
					new Rejection(Rejection.Reason.STORE_UNAVAILABLE, 5_000, client.key(), Gatekeeper.policyName(policy)));
		}
		if (policy != null) {
			this.headers.write(response, policy, decision);
		}
		this.gate.decided(client, policy, decision);
		Outcome outcome = decision.outcome();
		if (!outcome.rejected()) {
			return true;
		}
		return reject(request, response, new Rejection(Gatekeeper.reason(outcome), decision.retryAfterMillis(),
				client.key(), Gatekeeper.policyName(policy)));
	}

	/**
	 * The front door, called by the {@link FloodgateFilter} before the rest of the filter
	 * chain runs: refuses deny-listed clients, and banned and blocked ones that this instance
	 * knows of (its restriction cache, widened networks; the store itself when it is this
	 * instance's memory), so that they cost the application nothing; decides the requests that
	 * a path limit ({@code floodgate.paths}) applies to. Every other request is left to the
	 * handler's interceptor, which decides it once.
	 * @param request the request
	 * @param response the response
	 * @return {@code true} if the request may proceed
	 * @throws Exception when the rejection cannot be written
	 */
	public boolean frontDoor(HttpServletRequest request, HttpServletResponse response) throws Exception {
		if (request.getDispatcherType() != DispatcherType.REQUEST || CorsUtils.isPreFlightRequest(request)) {
			return true;
		}
		Visit visit = visit(request);
		Boolean screened = screen(request, response, visit, true);
		if (screened != null) {
			return screened;
		}
		ClientAddress client = visit.resolvedClient;
		RatePolicy policy = this.frontDoor.paths().policyFor(request);
		if (policy != null) {
			return decideWith(request, response, client, policy);
		}
		Decision known = this.gate.localStore() ? this.gate.decideOrRecall(client, null) : this.gate.recall(client);
		if (known == null && this.gate.knownRestricted(client)) {
			// a restriction this instance learnt longer ago than the cache's ttl: ask the store
			// again here, once per ttl, rather than let the client through to the chain
			known = this.gate.decideOrRecall(client, null);
		}
		if (known == null || !known.outcome().rejected()) {
			return true;
		}
		visit.decided = true;
		// only a refusal looks up its handler: its policy's headers, as the interceptor writes them
		RatePolicy handlerPolicy = this.frontDoor.handlerPolicy().apply(request);
		if (handlerPolicy != null) {
			this.headers.write(response, handlerPolicy, known);
		}
		this.gate.observer().requestDecided(RequestOutcome.of(known.outcome()), handlerPolicy);
		return reject(request, response, new Rejection(Gatekeeper.reason(known.outcome()), known.retryAfterMillis(),
				client.key(), Gatekeeper.policyName(handlerPolicy)));
	}

	/**
	 * After the filter chain answered a request: a response whose status is penalized
	 * ({@code floodgate.penalize.statuses}, the handler's {@code @RateLimited(penalize)}), or
	 * whose authentication failed, is a violation of its client, recorded in one more call to
	 * the store. Nothing is recorded for a response Floodgate refused, an exempt one, or one
	 * while the store is unreachable. A request that no handler's interceptor decided (a filter
	 * such as Spring Security answered it) and that failed asks a shared store whether its
	 * client is restricted, so that its next request is refused at the front door.
	 * @param request the request
	 * @param response the response
	 */
	public void responded(HttpServletRequest request, HttpServletResponse response) {
		if (!(request.getAttribute(VISIT_ATTRIBUTE) instanceof Visit visit) || visit.exempt || visit.refused
				|| visit.resolvedClient == null) {
			return;
		}
		int status = response.getStatus();
		Penalty penalty = visit.authenticationFailed ? Penalty.AUTHENTICATION_FAILURE
				: (this.gate.penalized(status, visit.penalties) ? Penalty.STATUS : null);
		if (penalty != null) {
			this.gate.penalize(visit.resolvedClient, penalty, status, visit.policy);
		}
		else if (!visit.decided && status >= 400) {
			this.gate.refresh(visit.resolvedClient);
		}
	}

	/**
	 * Marks the request being served on this thread as one whose authentication failed: a
	 * violation of its client once it is answered. For Spring Security's
	 * {@code AbstractAuthenticationFailureEvent}, published on the request's thread.
	 * @param request the request
	 */
	public static void authenticationFailed(HttpServletRequest request) {
		if (request.getAttribute(VISIT_ATTRIBUTE) instanceof Visit visit) {
			visit.authenticationFailed = true;
		}
	}

	private static Visit visit(HttpServletRequest request) {
		if (request.getAttribute(VISIT_ATTRIBUTE) instanceof Visit visit) {
			return visit;
		}
		Visit visit = new Visit();
		request.setAttribute(VISIT_ATTRIBUTE, visit);
		return visit;
	}

	/**
	 * Refuses a deny-listed, banned or blocked client on a path that is never limited, such
	 * as the actuator's or the error page: asks the store whether the client is restricted
	 * without counting anything (a decision without a policy, answered from the
	 * {@link RestrictionCache} when it knows the client). A request this interceptor has
	 * already decided is not decided again. While the store cannot answer, the request
	 * passes whatever {@code floodgate.store.on-failure} says (unless this instance knows the
	 * client is restricted), so that operators keep the actuator while the store is down. Only refusals are told to the observer.
	 * @param request the request
	 * @param response the response
	 * @return {@code true} if the request may proceed
	 * @throws Exception when the rejection cannot be written
	 */
	public boolean refuseRestricted(HttpServletRequest request, HttpServletResponse response) throws Exception {
		if (request.getDispatcherType() != DispatcherType.REQUEST || CorsUtils.isPreFlightRequest(request)) {
			return true;
		}
		Visit visit = visit(request);
		if (visit.decided || visit.exempt) {
			return true;
		}
		visit.decided = true;
		Boolean screened = screen(request, response, visit, false);
		if (screened != null) {
			return screened;
		}
		ClientAddress client = visit.resolvedClient;
		Decision decision = this.gate.decideOrRecall(client, null);
		if (decision == null) {
			return true;
		}
		Outcome outcome = decision.outcome();
		if (outcome != Outcome.BANNED && outcome != Outcome.BLOCKED) {
			return true;
		}
		this.gate.observer().requestDecided(RequestOutcome.of(outcome), null);
		return reject(request, response, new Rejection(Gatekeeper.reason(outcome), decision.retryAfterMillis(),
				client.key(), null));
	}

	/**
	 * Who the client is, and whether the deny-list or an exemption decides the request.
	 * @return {@code null} when the store must decide for {@code visit.resolvedClient};
	 * otherwise whether the request may proceed (no client, exempt, or refused as denied)
	 */
	private @Nullable Boolean screen(HttpServletRequest request, HttpServletResponse response, Visit visit,
			boolean observeExempt) throws Exception {
		ClientAddress client = visit.client(this.clientAddressResolver, request);
		if (client == null) {
			return Boolean.TRUE;
		}
		if (this.gate.denied(client)) {
			this.gate.observer().requestDecided(RequestOutcome.DENIED, null);
			return reject(request, response, new Rejection(Rejection.Reason.DENIED, -1, client.key(), null));
		}
		if (this.gate.exempt(client, request, this.exemptions, RateLimitExemption::isExempt)) {
			visit.exempt = true;
			if (observeExempt) {
				this.gate.observer().requestDecided(RequestOutcome.EXEMPT, null);
			}
			return Boolean.TRUE;
		}
		return null;
	}


	private boolean reject(HttpServletRequest request, HttpServletResponse response, Rejection rejection)
			throws Exception {
		Visit visit = visit(request);
		visit.refused = true;
		visit.decided = true;
		if (!this.gate.refuses(request.getMethod(), rejection)) {
			return true;
		}
		this.rejectionHandler.reject(request, response, rejection);
		return false;
	}

	/**
	 * What the front door decides besides the interceptor.
	 *
	 * @param paths the path limits ({@code floodgate.paths})
	 * @param penalizedStatuses the statuses that are penalties everywhere
	 * ({@code floodgate.penalize.statuses})
	 * @param localStore whether the store is this instance's own memory, so that asking it at
	 * the front door whether a client is restricted costs nothing
	 */
	public record FrontDoor(PathPolicies paths, java.util.Set<Integer> penalizedStatuses, boolean localStore,
			java.util.function.Function<HttpServletRequest, @Nullable RatePolicy> handlerPolicy) {

		/** No path limits, no penalized statuses, a shared store. */
		public static final FrontDoor NONE = new FrontDoor(PathPolicies.NONE, java.util.Set.of(), false);

		/**
		 * A front door whose refusals name no handler's policy.
		 * @param paths the path limits
		 * @param penalizedStatuses the statuses that are penalties everywhere
		 * @param localStore whether the store is this instance's memory
		 */
		public FrontDoor(PathPolicies paths, java.util.Set<Integer> penalizedStatuses, boolean localStore) {
			this(paths, penalizedStatuses, localStore, (request) -> null);
		}

	}

	/** One request, as Floodgate saw it: see {@link #VISIT_ATTRIBUTE}. */
	private static final class Visit {

		private boolean clientResolved;

		private @Nullable ClientAddress resolvedClient;

		private boolean decided;

		private boolean refused;

		private boolean exempt;

		private boolean authenticationFailed;

		private int @Nullable [] penalties;

		private @Nullable RatePolicy policy;

		@Nullable ClientAddress client(ClientAddressResolver resolver, HttpServletRequest request) {
			if (!this.clientResolved) {
				this.resolvedClient = resolver.resolve(request);
				this.clientResolved = true;
			}
			return this.resolvedClient;
		}

	}

}
