package dev.floodgate.store;

import java.util.List;

import dev.floodgate.core.ClientState.Escalations;
import dev.floodgate.core.Counted;
import dev.floodgate.core.Decision;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.Refusal;
import org.jspecify.annotations.Nullable;

/**
 * The primitives a store supplies: where one record per client lives, with its request
 * counters and its escalation state (violations, blocks, bans). The rules that turn a refused
 * request into a violation, a block or a ban live once, in {@link RuleBookStore}, which makes
 * a {@link ViolationStore} of any implementation of this interface. A store implements:
 * <ul>
 * <li>{@link #count}: the only call an admitted request makes, one atomic step — refuse a
 * client that is blocked or banned, otherwise count the request against every limit of its
 * policy only when all of them hold;</li>
 * <li>{@link #write}: a conditional write of a client's escalation state, applied only while
 * the store still holds the version the caller read (a compare-and-set);</li>
 * <li>{@link #read}, {@link #forget}, {@link #restricted} and {@link #restrictedCount}.</li>
 * </ul>
 * Counting is {@link dev.floodgate.core.DecisionRules#checkLimits}'s arithmetic (fixed or
 * sliding windows, a request spending {@link RatePolicy#cost()} units of every limit), which a
 * store evaluates where its data is (in a lock, a script, a filter, a {@code WHERE} clause).
 * Nothing else about escalation is a store's business: it keeps the {@link Escalations} it is
 * given, reads back what it holds, and finds the clients whose block or ban has not ended.
 * The contract suite every store passes is the {@code floodgate-store-test-kit} artifact.
 * <p>
 * Every method may throw a {@link RuntimeException} when the store cannot be reached; the
 * caller applies {@code floodgate.store.on-failure}.
 */
public interface ClientRecords {

	/**
	 * A short name of the kind of store, for metrics tags, health and the actuator endpoint.
	 * @return for example {@code memory}, {@code redis}, {@code mongo}, {@code jdbc}
	 */
	default String type() {
		return "custom";
	}

	/**
	 * Counts one request of one client, or refuses it, in one atomic step. In this order:
	 * a client whose ban or block has not ended ({@link Escalations#bannedUntilMillis()} or
	 * {@link Escalations#blockedUntilMillis()} after now) is refused with no limit checked;
	 * with no policy, the request is admitted uncounted ({@link Decision#UNLIMITED}, and a
	 * client the store does not know stays unknown); otherwise the request is counted against
	 * every limit of the policy if all of them hold, and refused with nothing counted if any
	 * does not.
	 * @param client the client key
	 * @param policy the handler's policy, or {@code null} when no limit applies
	 * @return the {@link Decision} of an admitted request (from
	 * {@link dev.floodgate.core.DecisionRules#checkLimits} on the counts before this request),
	 * or a {@link Refusal} with the client's escalation state and its version
	 */
	Counted count(String client, @Nullable RatePolicy policy);

	/**
	 * Replaces a client's escalation state if the store still holds the version given, and
	 * gives it the next version. A client the store does not hold has version 0: writing
	 * version 0 creates its record. The record must live at least until
	 * {@code expiresAtMillis} (and as long as its counters matter), and the store finds it
	 * among the restricted clients while its block or ban has not ended.
	 * @param client the client key
	 * @param version the version the caller read
	 * @param escalations the new escalation state
	 * @param expiresAtMillis when the escalation state stops mattering ({@link Long#MAX_VALUE}
	 * for a permanent ban)
	 * @param nowMillis the time the caller decided at
	 * @return {@code false}, changing nothing, when the version has changed since
	 */
	boolean write(String client, long version, Escalations escalations, long expiresAtMillis, long nowMillis);

	/**
	 * What the store holds of one client.
	 * @param client the client key
	 * @return its record, or {@code null} when the store holds nothing (or only expired data)
	 */
	@Nullable ClientRecord read(String client);

	/**
	 * Forgets a client entirely: counters and escalation state.
	 * @param client the client key
	 * @return {@code true} if the store held anything for it
	 */
	boolean forget(String client);

	/**
	 * The clients whose block or ban has not ended, most recently restricted first (by the
	 * later of the latest block's and the ban's start).
	 * @param max the most to return
	 * @return at most {@code max} records
	 */
	List<ClientRecord> restricted(int max);

	/**
	 * How many clients are blocked or banned now.
	 * @return the number
	 */
	long restrictedCount();

	/**
	 * One client's record as a store holds it.
	 *
	 * @param client the client key
	 * @param nowMillis the time the store read it at
	 * @param escalations its escalation state ({@link Escalations#NONE} when it has only
	 * counters)
	 * @param version the version of that state
	 */
	record ClientRecord(String client, long nowMillis, Escalations escalations, long version) {

		/**
		 * Whether the client is blocked or banned at the time it was read.
		 * @return {@code true} while its block or ban has not ended
		 */
		public boolean restricted() {
			return this.escalations.bannedUntilMillis() > this.nowMillis
					|| this.escalations.blockedUntilMillis() > this.nowMillis;
		}

		/**
		 * When the client's current restriction started, the order in which
		 * {@link ClientRecords#restricted} lists clients (most recent first).
		 * @return the ban's start while banned, else the block's start while blocked, else 0
		 */
		public long restrictedSinceMillis() {
			if (this.escalations.bannedUntilMillis() > this.nowMillis) {
				return this.escalations.bannedAtMillis();
			}
			return (this.escalations.blockedUntilMillis() > this.nowMillis) ? this.escalations.blockedAtMillis() : 0;
		}

		/**
		 * Sorts records most recently restricted first and keeps the first ones.
		 * @param records the records (changed in place)
		 * @param max how many to keep
		 * @return at most {@code max} records
		 */
		public static List<ClientRecord> mostRecentFirst(List<ClientRecord> records, int max) {
			records.sort(java.util.Comparator.comparingLong(ClientRecord::restrictedSinceMillis).reversed());
			return List.copyOf((records.size() > max) ? records.subList(0, max) : records);
		}

	}

}
