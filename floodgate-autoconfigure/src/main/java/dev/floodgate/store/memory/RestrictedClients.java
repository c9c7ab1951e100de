package dev.floodgate.store.memory;

import java.util.Comparator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

import dev.floodgate.core.ClientState;
import org.jspecify.annotations.Nullable;

/**
 * The in-memory store's index of its blocked and banned clients, which bounds them and finds
 * those whose restriction has ended. Blocks and bans are kept in two sets ordered by when they
 * end, so that both questions are answered from the head of a set: which restriction has
 * ended (the earliest end of either set), and which restriction yields when there are too
 * many (a block before any ban, and among blocks or among bans the one ending soonest; of
 * permanent bans, the oldest). A client's entry is only ever changed inside the cache's
 * atomic {@code compute} for that client; the sets and map are concurrent, so no lock is
 * shared between clients.
 */
final class RestrictedClients {

	private static final Comparator<Restriction> BY_END = Comparator.comparingLong(Restriction::untilMillis)
		.thenComparingLong(Restriction::sinceMillis)
		.thenComparingLong(Restriction::sequence);

	private final ConcurrentHashMap<String, Restriction> byClient = new ConcurrentHashMap<>();

	private final ConcurrentSkipListSet<Restriction> blocks = new ConcurrentSkipListSet<>(BY_END);

	private final ConcurrentSkipListSet<Restriction> bans = new ConcurrentSkipListSet<>(BY_END);

	private final AtomicLong sequence = new AtomicLong();

	/**
	 * Records the restriction a client's state has now, replacing the one recorded before.
	 * Call only within the cache's atomic operation on that client, with its state locked.
	 * @param client the client key
	 * @param state its state
	 * @param now the time
	 * @return whether the client is restricted now
	 */
	boolean record(String client, ClientState state, long now) {
		Restriction current = this.byClient.get(client);
		Restriction next = null;
		if (state.bannedUntilMillis() > now) {
			next = restriction(current, client, true, state.bannedUntilMillis(), state.bannedAtMillis());
		}
		else if (state.blockedUntilMillis() > now) {
			next = restriction(current, client, false, state.blockedUntilMillis(), state.blockedAtMillis());
		}
		if (next == current) {
			return next != null;
		}
		if (current != null) {
			setOf(current).remove(current);
		}
		if (next != null) {
			this.byClient.put(client, next);
			setOf(next).add(next);
			return true;
		}
		this.byClient.remove(client);
		return false;
	}

	/**
	 * Removes a client's entry. Call only within the cache's atomic operation on that client.
	 * @param client the client key
	 */
	void remove(String client) {
		Restriction current = this.byClient.remove(client);
		if (current != null) {
			setOf(current).remove(current);
		}
	}

	/**
	 * Removes an entry whose client the cache no longer holds, unless it was replaced.
	 * @param restriction the entry
	 */
	void discard(Restriction restriction) {
		this.byClient.remove(restriction.client(), restriction);
		setOf(restriction).remove(restriction);
	}

	/**
	 * Whether this entry is still the one recorded for its client.
	 * @param restriction the entry
	 * @return {@code true} if current
	 */
	boolean isCurrent(Restriction restriction) {
		return this.byClient.get(restriction.client()) == restriction;
	}

	/**
	 * The restriction that ended earliest, if one has ended.
	 * @param now the time
	 * @return an ended restriction, or {@code null}
	 */
	@Nullable Restriction ended(long now) {
		Restriction block = first(this.blocks);
		if (block != null && block.untilMillis() <= now) {
			return block;
		}
		Restriction ban = first(this.bans);
		return (ban != null && ban.untilMillis() <= now) ? ban : null;
	}

	/**
	 * The restriction that yields first when there are too many: a block before any ban, the
	 * one ending soonest among equals.
	 * @return the entry, or {@code null} when there is none
	 */
	@Nullable Restriction yielding() {
		Restriction block = first(this.blocks);
		return (block != null) ? block : first(this.bans);
	}

	/**
	 * The clients recorded as restricted (some may have ended since).
	 * @return their keys
	 */
	Set<String> clients() {
		return this.byClient.keySet();
	}

	/**
	 * The number of clients recorded as restricted.
	 * @return the number
	 */
	int size() {
		return this.byClient.size();
	}

	private Restriction restriction(@Nullable Restriction current, String client, boolean ban, long until,
			long since) {
		if (current != null && current.ban() == ban && current.untilMillis() == until
				&& current.sinceMillis() == since) {
			return current;
		}
		return new Restriction(client, ban, until, since, this.sequence.incrementAndGet());
	}

	private ConcurrentSkipListSet<Restriction> setOf(Restriction restriction) {
		return restriction.ban() ? this.bans : this.blocks;
	}

	private static @Nullable Restriction first(ConcurrentSkipListSet<Restriction> set) {
		try {
			return set.isEmpty() ? null : set.first();
		}
		catch (NoSuchElementException ex) {
			return null;
		}
	}

	/**
	 * One client's recorded restriction.
	 *
	 * @param client the client key
	 * @param ban whether it is a ban (else a block)
	 * @param untilMillis when it ends, {@link Long#MAX_VALUE} for a permanent ban
	 * @param sinceMillis when it started
	 * @param sequence distinguishes entries that are otherwise equal
	 */
	record Restriction(String client, boolean ban, long untilMillis, long sinceMillis, long sequence) {

	}

}
