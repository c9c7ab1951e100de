package dev.floodgate.web;

import java.util.List;

import dev.floodgate.core.Decision;
import dev.floodgate.core.Escalation;
import dev.floodgate.core.FloodgateObserver;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.RequestOutcome;
import dev.floodgate.core.net.IpRanges;
import dev.floodgate.store.RestrictionCache;
import dev.floodgate.store.ViolationStore;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
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

	private static final Log logger = LogFactory.getLog(RateLimitInterceptor.class);

	/** Marks a request already decided, so that no second interceptor decides it again. */
	private static final String DECIDED_ATTRIBUTE = RateLimitInterceptor.class.getName() + ".DECIDED";

	private final ClientAddressResolver clientAddressResolver;

	private final HandlerPolicies handlerPolicies;

	private final ViolationStore store;

	private final RejectionHandler rejectionHandler;

	private final RateLimitHeaders headers;

	private final IpRanges allowList;

	private final IpRanges denyList;

	private final RateLimitExemption[] exemptions;

	private final boolean dryRun;

	private final boolean denyOnStoreFailure;

	private final FloodgateObserver observer;

	private final RestrictionCache restrictions;

	private final @Nullable PrefixWidening widening;

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
				dryRun, denyOnStoreFailure, observer, restrictions, null);
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
		this.clientAddressResolver = clientAddressResolver;
		this.handlerPolicies = handlerPolicies;
		this.store = store;
		this.rejectionHandler = rejectionHandler;
		this.headers = headers;
		this.allowList = allowList;
		this.denyList = denyList;
		this.exemptions = exemptions.toArray(new RateLimitExemption[0]);
		this.dryRun = dryRun;
		this.denyOnStoreFailure = denyOnStoreFailure;
		this.observer = observer;
		this.restrictions = restrictions;
		this.widening = widening;
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
			throws Exception {
		if (request.getDispatcherType() != DispatcherType.REQUEST || CorsUtils.isPreFlightRequest(request)) {
			return true;
		}
		ClientAddress client = this.clientAddressResolver.resolve(request);
		if (client == null) {
			return true;
		}
		if (!this.denyList.isEmpty() && this.denyList.contains(client.address())) {
			return rejectDenied(request, response, client);
		}
		if (isExempt(request, client)) {
			this.observer.requestDecided(RequestOutcome.EXEMPT, null);
			return true;
		}
		request.setAttribute(DECIDED_ATTRIBUTE, Boolean.TRUE);
		RatePolicy policy = this.handlerPolicies.policyFor(handler);
		Decision decision = decideOrRecall(client, policy);
		if (decision == null) {
			this.observer.requestDecided(RequestOutcome.UNAVAILABLE, policy);
			return !this.denyOnStoreFailure || reject(request, response,
					new Rejection(Rejection.Reason.STORE_UNAVAILABLE, 5_000, client.key(), policyName(policy)));
		}
		if (policy != null) {
			this.headers.write(response, policy, decision);
		}
		Outcome outcome = decision.outcome();
		this.observer.requestDecided(RequestOutcome.of(outcome), policy);
		Escalation escalation = decision.escalation();
		if (escalation != null) {
			logEscalation(client.key(), policy, escalation, " after " + escalation.violations() + " violations");
			this.observer.escalated(client.key(), escalation, policy, this.dryRun);
		}
		if (!outcome.rejected()) {
			return true;
		}
		Rejection.Reason reason = switch (outcome) {
			case BANNED -> Rejection.Reason.BANNED;
			case BLOCKED -> Rejection.Reason.BLOCKED;
			default -> Rejection.Reason.LIMITED;
		};
		return reject(request, response,
				new Rejection(reason, decision.retryAfterMillis(), client.key(), policyName(policy)));
	}

	/**
	 * The decision for a client: a widened network's restriction, else this instance's
	 * remembered restriction, else the store's decision (remembered, and counted towards the
	 * network's widening); when the store cannot answer, a restriction this instance knows of.
	 * @param client the client
	 * @param policy the handler's policy, or {@code null} to only check for a restriction
	 * @return the decision, or {@code null} when nobody could decide
	 */
	private @Nullable Decision decideOrRecall(ClientAddress client, @Nullable RatePolicy policy) {
		Decision decision = (this.widening != null) ? this.widening.restriction(client) : null;
		if (decision == null) {
			decision = this.restrictions.get(client.key());
		}
		if (decision != null) {
			return decision;
		}
		decision = decide(client, policy);
		if (decision == null) {
			// the store cannot answer: a restriction this instance knows of still holds
			return this.restrictions.known(client.key());
		}
		this.restrictions.remember(client.key(), decision);
		if (this.widening != null && decision.outcome().rejected()) {
			widen(client, policy, decision);
		}
		return decision;
	}

	private void widen(ClientAddress client, @Nullable RatePolicy policy, Decision decision) {
		PrefixWidening.Widening widened = this.widening.restricted(client, decision);
		if (widened != null) {
			logEscalation(widened.prefix(), policy, widened.escalation(),
					" after " + widened.escalation().violations() + " clients within it were restricted");
			this.observer.escalated(widened.prefix(), widened.escalation(), policy, this.dryRun);
		}
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
		if (request.getDispatcherType() != DispatcherType.REQUEST || CorsUtils.isPreFlightRequest(request)
				|| request.getAttribute(DECIDED_ATTRIBUTE) != null) {
			return true;
		}
		request.setAttribute(DECIDED_ATTRIBUTE, Boolean.TRUE);
		ClientAddress client = this.clientAddressResolver.resolve(request);
		if (client == null) {
			return true;
		}
		if (!this.denyList.isEmpty() && this.denyList.contains(client.address())) {
			return rejectDenied(request, response, client);
		}
		if (isExempt(request, client)) {
			return true;
		}
		Decision decision = decideOrRecall(client, null);
		if (decision == null) {
			return true;
		}
		Outcome outcome = decision.outcome();
		if (outcome != Outcome.BANNED && outcome != Outcome.BLOCKED) {
			return true;
		}
		this.observer.requestDecided(RequestOutcome.of(outcome), null);
		return reject(request, response, new Rejection(
				(outcome == Outcome.BANNED) ? Rejection.Reason.BANNED : Rejection.Reason.BLOCKED,
				decision.retryAfterMillis(), client.key(), null));
	}

	private boolean rejectDenied(HttpServletRequest request, HttpServletResponse response, ClientAddress client)
			throws Exception {
		this.observer.requestDecided(RequestOutcome.DENIED, null);
		return reject(request, response, new Rejection(Rejection.Reason.DENIED, -1, client.key(), null));
	}

	private boolean isExempt(HttpServletRequest request, ClientAddress client) {
		if (!this.allowList.isEmpty() && this.allowList.contains(client.address())) {
			return true;
		}
		for (RateLimitExemption exemption : this.exemptions) {
			if (exemption.isExempt(request)) {
				return true;
			}
		}
		return false;
	}

	private @Nullable Decision decide(ClientAddress client, @Nullable RatePolicy policy) {
		try {
			return this.store.decide(client.key(), policy);
		}
		catch (RuntimeException ex) {
			// a ResilientViolationStore has logged it; never let a store failure become a 500
			if (logger.isDebugEnabled()) {
				logger.debug("No decision for " + client.key() + ": " + ex.getMessage());
			}
			return null;
		}
	}

	private boolean reject(HttpServletRequest request, HttpServletResponse response, Rejection rejection)
			throws Exception {
		if (this.dryRun) {
			if (logger.isDebugEnabled()) {
				logger.debug("[dry-run] Would reject " + request.getMethod() + " from " + rejection.client() + ": "
						+ rejection.reason());
			}
			return true;
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Rejected " + request.getMethod() + " from " + rejection.client() + ": " + rejection.reason());
		}
		this.rejectionHandler.reject(request, response, rejection);
		return false;
	}

	private void logEscalation(String client, @Nullable RatePolicy policy, Escalation escalation, String cause) {
		if (!logger.isWarnEnabled()) {
			return;
		}
		String prefix = this.dryRun ? "[dry-run: not enforced] Floodgate " : "Floodgate ";
		String what = (escalation.kind() == Escalation.Kind.BAN)
				? (escalation.permanent() ? "banned client " + client + " permanently"
						: "banned client " + client + " until " + java.time.Instant.ofEpochMilli(escalation.untilMillis()))
				: "blocked client " + client + " until " + java.time.Instant.ofEpochMilli(escalation.untilMillis())
						+ " (block " + escalation.number() + ")";
		logger.warn(prefix + what + cause + "; policy " + policyName(policy));
	}

	private static @Nullable String policyName(@Nullable RatePolicy policy) {
		return (policy != null) ? policy.name() : null;
	}

}
