package dev.floodgate.web;

import java.util.Set;
import java.util.function.BiPredicate;

import dev.floodgate.core.Decision;
import dev.floodgate.core.Escalation;
import dev.floodgate.core.FloodgateObserver;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.Penalty;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.RequestOutcome;
import dev.floodgate.core.net.IpRanges;
import dev.floodgate.store.RestrictionCache;
import dev.floodgate.store.ViolationStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * What Floodgate decides for a client once it knows who the client is, the same for the
 * servlet stack ({@link RateLimitInterceptor}, {@link FloodgateFilter}) and the reactive one
 * ({@code dev.floodgate.web.reactive}): the allow and deny lists, the store's decision
 * (answered from the {@link RestrictionCache} and the widened networks when they know the
 * client, remembered there when it restricts), penalties, and how each outcome, escalation
 * and penalty is logged and observed. Only the adapters differ: how a request names its
 * client, handler and status, and how a response is written.
 * <p>
 * Methods that may call the store ({@link #decideOrRecall}, {@link #penalize}) block for
 * as long as a shared store takes; the reactive adapter calls them off the event loop
 * unless {@link #localStore()}. {@link #recall} never calls a store.
 */
public final class Gatekeeper {

	private static final Log logger = LogFactory.getLog(Gatekeeper.class);

	private final ViolationStore store;

	private final IpRanges allowList;

	private final IpRanges denyList;

	private final boolean dryRun;

	private final boolean denyOnStoreFailure;

	private final FloodgateObserver observer;

	private final RestrictionCache restrictions;

	private final @Nullable PrefixWidening widening;

	private final boolean localStore;

	private final boolean[] penalizedStatuses;

	private volatile boolean penaltiesUnsupportedLogged;

	/**
	 * Creates the gatekeeper.
	 * @param store the store that decides, best guarded by a
	 * {@link dev.floodgate.store.ResilientViolationStore}
	 * @param allowList clients never limited
	 * @param denyList clients always rejected
	 * @param dryRun whether to reject nothing
	 * @param denyOnStoreFailure whether to answer 503 while the store fails
	 * @param observer told of every request's outcome, every penalty, block and ban
	 * @param restrictions remembers blocked and banned clients on this instance
	 * @param widening restricts networks whose clients are restricted, or {@code null}
	 * @param localStore whether the store is this instance's own memory (asking it costs
	 * nothing and never blocks)
	 * @param penalizedStatuses the statuses that are penalties everywhere
	 * ({@code floodgate.penalize.statuses})
	 */
	public Gatekeeper(ViolationStore store, IpRanges allowList, IpRanges denyList, boolean dryRun,
			boolean denyOnStoreFailure, FloodgateObserver observer, RestrictionCache restrictions,
			@Nullable PrefixWidening widening, boolean localStore, Set<Integer> penalizedStatuses) {
		this.store = store;
		this.allowList = allowList;
		this.denyList = denyList;
		this.dryRun = dryRun;
		this.denyOnStoreFailure = denyOnStoreFailure;
		this.observer = observer;
		this.restrictions = restrictions;
		this.widening = widening;
		this.localStore = localStore;
		this.penalizedStatuses = new boolean[600];
		for (int status : penalizedStatuses) {
			this.penalizedStatuses[status] = true;
		}
	}

	/**
	 * Whether nothing is rejected ({@code floodgate.dry-run}).
	 * @return whether in dry-run
	 */
	public boolean dryRun() {
		return this.dryRun;
	}

	/**
	 * Whether a request is refused with 503 while the store cannot decide it.
	 * @return whether {@code floodgate.store.on-failure} is {@code deny}
	 */
	public boolean denyOnStoreFailure() {
		return this.denyOnStoreFailure;
	}

	/**
	 * Whether the store is this instance's memory, so that asking it costs nothing.
	 * @return whether the store is local
	 */
	public boolean localStore() {
		return this.localStore;
	}

	/**
	 * Told of every request's outcome, penalty and escalation.
	 * @return the observer
	 */
	public FloodgateObserver observer() {
		return this.observer;
	}

	/**
	 * The restrictions this instance remembers.
	 * @return the restriction cache
	 */
	public RestrictionCache restrictions() {
		return this.restrictions;
	}

	/**
	 * Whether the client is on the deny-list.
	 * @param client the client
	 * @return whether every request of it is refused
	 */
	public boolean denied(ClientAddress client) {
		return !this.denyList.isEmpty() && this.denyList.contains(client.address());
	}

	/**
	 * Whether the client is on the allow-list.
	 * @param client the client
	 * @return whether it is never limited
	 */
	public boolean allowed(ClientAddress client) {
		return !this.allowList.isEmpty() && this.allowList.contains(client.address());
	}

	/**
	 * Whether a response status is a penalty, globally or for the handler.
	 * @param status the status
	 * @param handlerStatuses the handler's {@code @RateLimited(penalize)}, or {@code null}
	 * @return whether it counts as a violation of the client
	 */
	public boolean penalized(int status, int @Nullable [] handlerStatuses) {
		if (status >= 0 && status < this.penalizedStatuses.length && this.penalizedStatuses[status]) {
			return true;
		}
		if (handlerStatuses != null) {
			for (int candidate : handlerStatuses) {
				if (candidate == status) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * A restriction this instance knows of without asking a shared store: a widened
	 * network's, or one its restriction cache remembers. Never blocks.
	 * @param client the client
	 * @return the restriction, or {@code null}
	 */
	public @Nullable Decision recall(ClientAddress client) {
		Decision decision = (this.widening != null) ? this.widening.restriction(client) : null;
		return (decision != null) ? decision : this.restrictions.get(client.key());
	}

	/**
	 * Whether this instance learnt of a restriction of the client longer ago than the
	 * cache's ttl, so that the store is worth asking again. Never blocks.
	 * @param client the client
	 * @return whether a restriction is known
	 */
	public boolean knownRestricted(ClientAddress client) {
		return this.restrictions.known(client.key()) != null;
	}

	/**
	 * The decision for a client: a widened network's restriction, else this instance's
	 * remembered restriction, else the store's decision (remembered, and counted towards the
	 * network's widening); when the store cannot answer, a restriction this instance knows of.
	 * @param client the client
	 * @param policy the handler's policy, or {@code null} to only check for a restriction
	 * @return the decision, or {@code null} when nobody could decide
	 */
	public @Nullable Decision decideOrRecall(ClientAddress client, @Nullable RatePolicy policy) {
		Decision decision = recall(client);
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

	/**
	 * Asks a shared store whether a client that this instance does not know as restricted
	 * is, after a failed request no limit decided (a filter such as Spring Security answered
	 * it), so that its next request is refused at the front door. Does nothing for the local
	 * store.
	 * @param client the client
	 */
	public void refresh(ClientAddress client) {
		if (this.localStore || recall(client) != null) {
			return;
		}
		Decision decision = decide(client, null);
		if (decision != null) {
			this.restrictions.remember(client.key(), decision);
		}
	}

	/**
	 * Tells the observer and the log of a decision made for a request: its outcome and the
	 * escalation it started.
	 * @param client the client
	 * @param policy the policy that applied, or {@code null}
	 * @param decision the decision
	 */
	public void decided(ClientAddress client, @Nullable RatePolicy policy, Decision decision) {
		this.observer.requestDecided(RequestOutcome.of(decision.outcome()), policy);
		Escalation escalation = decision.escalation();
		if (escalation != null) {
			logEscalation(client.key(), policy, escalation, " after " + escalation.violations() + " violations");
			this.observer.escalated(client.key(), escalation, policy, this.dryRun);
		}
	}

	/**
	 * Records a penalized response as a violation of its client, in one call to the store:
	 * observed, logged when it escalates, remembered when it restricts.
	 * @param client the client
	 * @param penalty what made the response a penalty
	 * @param status the response's status
	 * @param policy the policy that decided the request, or {@code null}
	 * @return the decision, or {@code null} when the store could not record it
	 */
	public @Nullable Decision penalize(ClientAddress client, Penalty penalty, int status, @Nullable RatePolicy policy) {
		Decision decision = penalize(client, penalty);
		if (decision == null) {
			return null;
		}
		this.observer.penalized(client.key(), penalty, policy, this.dryRun);
		Escalation escalation = decision.escalation();
		if (escalation != null) {
			String cause = (penalty == Penalty.STATUS) ? "status " + status
					: "failed authentication, status " + status;
			logEscalation(client.key(), policy, escalation,
					" after " + escalation.violations() + " violations, the last a penalty (" + cause + ")");
			this.observer.escalated(client.key(), escalation, policy, this.dryRun);
		}
		this.restrictions.remember(client.key(), decision);
		if (this.widening != null && decision.outcome().rejected()) {
			widen(client, policy, decision);
		}
		return decision;
	}

	/**
	 * Whether a client is exempt: on the allow list, or by one of the application's
	 * exemptions, each asked in turn about the request.
	 * @param client the client
	 * @param request the request, as the stack has it
	 * @param exemptions the exemptions
	 * @param exempts whether an exemption exempts the request
	 * @param <E> the stack's exemption type
	 * @param <R> the stack's request type
	 * @return whether nothing limits the request
	 */
	public <E, R> boolean exempt(ClientAddress client, R request, E[] exemptions, BiPredicate<E, R> exempts) {
		if (allowed(client)) {
			return true;
		}
		for (E exemption : exemptions) {
			if (exempts.test(exemption, request)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Logs a rejection (at debug level), and says whether it is only logged: in dry run, the
	 * request proceeds.
	 * @param method the request's method
	 * @param rejection the rejection
	 * @return {@code true} when the request is to be refused, {@code false} in dry run
	 */
	public boolean refuses(String method, Rejection rejection) {
		if (this.dryRun) {
			if (logger.isDebugEnabled()) {
				logger.debug("[dry-run] Would reject " + method + " from " + rejection.client() + ": "
						+ rejection.reason());
			}
			return false;
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Rejected " + method + " from " + rejection.client() + ": " + rejection.reason());
		}
		return true;
	}

	/**
	 * Why a request with this outcome is rejected.
	 * @param outcome a rejecting outcome
	 * @return the reason
	 */
	public static Rejection.Reason reason(Outcome outcome) {
		return switch (outcome) {
			case BANNED -> Rejection.Reason.BANNED;
			case BLOCKED -> Rejection.Reason.BLOCKED;
			default -> Rejection.Reason.LIMITED;
		};
	}

	/**
	 * The name of a policy, for a rejection.
	 * @param policy the policy, or {@code null}
	 * @return its name, or {@code null}
	 */
	public static @Nullable String policyName(@Nullable RatePolicy policy) {
		return (policy != null) ? policy.name() : null;
	}

	private @Nullable Decision penalize(ClientAddress client, Penalty penalty) {
		try {
			return this.store.penalize(client.key(), penalty);
		}
		catch (UnsupportedOperationException ex) {
			if (!this.penaltiesUnsupportedLogged) {
				this.penaltiesUnsupportedLogged = true;
				logger.warn("Floodgate's store does not record penalties (" + ex.getMessage()
						+ "): penalized responses are not counted as violations");
			}
			return null;
		}
		catch (RuntimeException ex) {
			// a ResilientViolationStore has logged it; a penalty that cannot be recorded is lost
			if (logger.isDebugEnabled()) {
				logger.debug("No penalty recorded for " + client.key() + ": " + ex.getMessage());
			}
			return null;
		}
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

	private void widen(ClientAddress client, @Nullable RatePolicy policy, Decision decision) {
		PrefixWidening.Widening widened = this.widening.restricted(client, decision);
		if (widened != null) {
			logEscalation(widened.prefix(), policy, widened.escalation(),
					" after " + widened.escalation().violations() + " clients within it were restricted");
			this.observer.escalated(widened.prefix(), widened.escalation(), policy, this.dryRun);
		}
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
		// a penalty of a request no limit decided (a failed login Spring Security answered) has no policy
		logger.warn(prefix + what + cause + ((policy != null) ? "; policy " + policy.name() : ""));
	}

}
