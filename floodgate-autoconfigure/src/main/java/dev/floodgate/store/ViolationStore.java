package dev.floodgate.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.floodgate.core.Decision;
import dev.floodgate.core.Penalty;
import dev.floodgate.core.RatePolicy;
import org.jspecify.annotations.Nullable;

/**
 * Where clients' counters, violations, blocks and bans live, and where each request is
 * decided. One call to {@link #decide} makes the whole decision for one request — counting,
 * violation, block, ban — atomically: however many requests of one client arrive at once, on
 * however many instances sharing the store, exactly the limit is admitted. A store makes the
 * decision in one step (a lock per client in memory, one script call in Redis, one
 * {@code findOneAndUpdate} for an admitted request in MongoDB) by the
 * {@link dev.floodgate.core.DecisionRules rules} it was built with.
 * <p>
 * Declare a bean of this type to replace the store that {@code floodgate.store.type}
 * selects.
 */
public interface ViolationStore {

	/**
	 * A short name of the kind of store, for metrics tags, health and the actuator endpoint.
	 * @return {@code memory}, {@code redis}, {@code mongo}, or {@code custom} unless a store
	 * says otherwise
	 */
	default String type() {
		return "custom";
	}

	/**
	 * What implements the store, for the actuator endpoint.
	 * @return a class name: the store's primitives for a {@link RuleBookStore}, the class of
	 * this store otherwise
	 */
	default String implementation() {
		return getClass().getName();
	}

	/**
	 * Decides one request of one client.
	 * @param client the client key
	 * @param policy the handler's policy, or {@code null} when no limit applies to the
	 * handler (then only a block or ban rejects the request, and nothing is counted)
	 * @return the decision
	 * @throws RuntimeException when the store cannot be reached; the caller applies
	 * {@code floodgate.store.on-failure}
	 */
	Decision decide(String client, @Nullable RatePolicy policy);

	/**
	 * Records a penalty: a response that counts as a violation of the client (a penalized
	 * status, a failed authentication), in the same windows as a request over a limit, so
	 * that it may start the same blocks and bans. A client already blocked or banned is left
	 * as it is. Called only for a penalized response, never for one that a limit refused.
	 * <p>
	 * The default throws: a store of your own that does not implement it ignores penalties
	 * (Floodgate logs that once).
	 * @param client the client key
	 * @param penalty why the response is a violation
	 * @return {@link dev.floodgate.core.DecisionRules#PENALIZED} when the penalty started
	 * nothing, a decision carrying the block or ban it started, or the client's restriction
	 * @throws UnsupportedOperationException when the store does not record penalties
	 * @throws RuntimeException when the store cannot be reached
	 */
	default Decision penalize(String client, Penalty penalty) {
		throw new UnsupportedOperationException(getClass().getName() + " does not record penalties");
	}

	/**
	 * What the store knows of one client.
	 * @param client the client key
	 * @return its status, empty when the store holds nothing for it
	 */
	Optional<ClientStatus> status(String client);

	/**
	 * The clients blocked or banned now, most recently restricted first.
	 * @param max the most to return
	 * @return at most {@code max} clients
	 */
	List<ClientStatus> restrictedClients(int max);

	/**
	 * How many clients are blocked or banned now. Stores that can count without listing
	 * (an indexed query) should override this.
	 * @return the number of restricted clients
	 */
	default long restrictedCount() {
		return restrictedClients(Integer.MAX_VALUE).size();
	}

	/**
	 * Forgets a client entirely: counters, violations, blocks and ban.
	 * @param client the client key
	 * @return {@code true} if the store held anything for it
	 */
	boolean forget(String client);

	/**
	 * Blocks a client by hand, as its next block.
	 * @param client the client key
	 * @param duration how long
	 * @return its status afterwards
	 */
	ClientStatus block(String client, Duration duration);

	/**
	 * Bans a client by hand.
	 * @param client the client key
	 * @param duration how long, {@code null} for a permanent ban
	 * @return its status afterwards
	 */
	ClientStatus ban(String client, @Nullable Duration duration);

}
