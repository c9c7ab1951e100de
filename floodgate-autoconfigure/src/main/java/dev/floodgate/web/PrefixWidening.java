package dev.floodgate.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.floodgate.core.Decision;
import dev.floodgate.core.Escalation;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.WideningPolicy;
import dev.floodgate.core.net.IpAddress;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.ViolationStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Restricts a whole network once enough of its clients are restricted at the same time (see
 * {@link WideningPolicy}). This instance counts the blocked and banned clients it learns of
 * per wider prefix; when {@code afterClients} of them are restricted at once, it blocks (or,
 * when one of them is banned, bans) the prefix in the store, as a client whose key is the
 * prefix ({@code 2001:db8:1::/48}, {@code 198.51.100.0/24}), until the longest of their
 * restrictions ends. From then on every request from that prefix is refused as that client
 * is, without asking the store; the prefix is listed by the endpoint like any client, and
 * its block or ban is observed (logged, published, alerted) like any other.
 * <p>
 * Each instance widens on what it sees, and re-reads a widened prefix from the store at
 * most once per {@code recheck}, so a prefix lifted on one instance is lifted on the others
 * within it. While the store cannot be read, a widened prefix stays restricted until its end.
 * The per-request cost while no prefix is widened is one read of an empty map.
 */
public final class PrefixWidening {

	private static final Log logger = LogFactory.getLog(PrefixWidening.class);

	private final WideningPolicy policy;

	private final int ipv6PrefixLength;

	private final ViolationStore store;

	private final Clock clock;

	private final long recheckMillis;

	/** Restricted clients per wider prefix, until their restrictions end. */
	private final Cache<IpAddress, Members> members;

	/** The prefixes restricted as one client now. */
	private final Map<IpAddress, Widened> widened = new ConcurrentHashMap<>();

	/**
	 * Creates the widening.
	 * @param policy when to widen
	 * @param ipv6PrefixLength the prefix by which IPv6 clients are keyed
	 * @param store the store that keeps the prefixes' restrictions (best guarded by a
	 * {@link dev.floodgate.store.ResilientViolationStore})
	 * @param clock the time source
	 * @param recheck how often a widened prefix is read again from the store
	 * @param maxPrefixes the most prefixes whose restricted clients are counted
	 */
	public PrefixWidening(WideningPolicy policy, int ipv6PrefixLength, ViolationStore store, Clock clock,
			Duration recheck, long maxPrefixes) {
		this.policy = policy;
		this.ipv6PrefixLength = ipv6PrefixLength;
		this.store = store;
		this.clock = clock;
		this.recheckMillis = Math.max(1, recheck.toMillis());
		this.members = Caffeine.newBuilder()
			.maximumSize(maxPrefixes)
			.expireAfterAccess(Duration.ofDays(1))
			.ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
			.executor(Runnable::run)
			.build();
	}

	/**
	 * The restriction of the client's widened prefix, if one is in force.
	 * @param client the client
	 * @return a {@link Outcome#BLOCKED} or {@link Outcome#BANNED} decision, or {@code null}
	 */
	public @Nullable Decision restriction(ClientAddress client) {
		if (this.widened.isEmpty() || !this.policy.widens(client.address().isIpv4(), this.ipv6PrefixLength)) {
			return null;
		}
		IpAddress prefix = client.address().maskedTo(this.policy.prefixLength(client.address().isIpv4()));
		Widened widened = this.widened.get(prefix);
		if (widened == null) {
			return null;
		}
		long now = this.clock.millis();
		if (now - widened.checkedMillis >= this.recheckMillis && widened.rechecking.compareAndSet(false, true)) {
			widened = recheck(prefix, widened, now);
			if (widened == null) {
				return null;
			}
		}
		if (widened.untilMillis <= now) {
			this.widened.remove(prefix, widened);
			return null;
		}
		return Decision.of(widened.outcome,
				(widened.untilMillis == Long.MAX_VALUE) ? -1 : widened.untilMillis - now, null);
	}

	/**
	 * Learns that a client is blocked or banned; widens its prefix when enough of the
	 * prefix's clients are.
	 * @param client the client
	 * @param decision the store's decision for it
	 * @return the prefix's block or ban when this widened it, otherwise {@code null}
	 */
	public @Nullable Widening restricted(ClientAddress client, Decision decision) {
		if ((decision.outcome() != Outcome.BLOCKED && decision.outcome() != Outcome.BANNED)
				|| !this.policy.widens(client.address().isIpv4(), this.ipv6PrefixLength)) {
			return null;
		}
		long now = this.clock.millis();
		long until = (decision.retryAfterMillis() < 0) ? Long.MAX_VALUE : now + decision.retryAfterMillis();
		IpAddress prefix = client.address().maskedTo(this.policy.prefixLength(client.address().isIpv4()));
		if (this.widened.containsKey(prefix)) {
			return null;
		}
		Members members = this.members.get(prefix, (key) -> new Members());
		Members.Restriction longest;
		synchronized (members) {
			members.add(client.key(), until, decision.outcome() == Outcome.BANNED, now);
			if (members.restricted.size() < this.policy.afterClients()) {
				return null;
			}
			longest = members.longest();
			members.restricted.clear();
		}
		return widen(prefix, longest, now);
	}

	/**
	 * Forgets the widened prefix that contains an address, as an operator's lift of that
	 * address does.
	 * @param address an address
	 * @return the key of the prefix that was lifted here, or {@code null}
	 */
	public @Nullable String forget(IpAddress address) {
		if (!this.policy.widens(address.isIpv4(), this.ipv6PrefixLength)) {
			return null;
		}
		IpAddress prefix = address.maskedTo(this.policy.prefixLength(address.isIpv4()));
		this.members.invalidate(prefix);
		return (this.widened.remove(prefix) != null) ? key(prefix) : null;
	}

	/**
	 * The key the prefix of an address is restricted by.
	 * @param address an address
	 * @return its prefix's key, or {@code null} when the address is not widened
	 */
	public @Nullable String prefixKey(IpAddress address) {
		if (!this.policy.widens(address.isIpv4(), this.ipv6PrefixLength)) {
			return null;
		}
		return key(address.maskedTo(this.policy.prefixLength(address.isIpv4())));
	}

	private @Nullable Widening widen(IpAddress prefix, Members.Restriction longest, long now) {
		String key = key(prefix);
		Duration duration = (longest.untilMillis == Long.MAX_VALUE) ? null
				: Duration.ofMillis(Math.max(1, longest.untilMillis - now));
		Outcome outcome = longest.banned ? Outcome.BANNED : Outcome.BLOCKED;
		long untilMillis = longest.untilMillis;
		int number = 1;
		try {
			ClientStatus status = longest.banned ? this.store.ban(key, duration)
					: this.store.block(key, (duration != null) ? duration : Duration.ofDays(3650));
			number = Math.max(1, status.blocks());
		}
		catch (RuntimeException ex) {
			// the store cannot keep it now: this instance still restricts the prefix until its end
			logger.debug("Could not record the restriction of " + key + " in the store", ex);
		}
		this.widened.put(prefix, new Widened(outcome, untilMillis, now));
		Escalation escalation = new Escalation(longest.banned ? Escalation.Kind.BAN : Escalation.Kind.BLOCK, number,
				untilMillis, this.policy.afterClients());
		return new Widening(key, escalation);
	}

	private @Nullable Widened recheck(IpAddress prefix, Widened widened, long now) {
		try {
			Optional<ClientStatus> status = this.store.status(key(prefix));
			if (status.isEmpty() || !status.get().restricted()) {
				this.widened.remove(prefix, widened);
				return null;
			}
			Widened fresh = new Widened(status.get().banned() ? Outcome.BANNED : Outcome.BLOCKED,
					untilMillis(status.get()), now);
			this.widened.replace(prefix, widened, fresh);
			return fresh;
		}
		catch (RuntimeException ex) {
			// the store cannot be read: what this instance knows still holds
			widened.rechecking.set(false);
			return widened;
		}
	}

	private static long untilMillis(ClientStatus status) {
		Instant until = status.banned() ? status.bannedUntil() : status.blockedUntil();
		return (until != null) ? until.toEpochMilli() : Long.MAX_VALUE;
	}

	private String key(IpAddress prefix) {
		return prefix + "/" + this.policy.prefixLength(prefix.isIpv4());
	}

	/**
	 * A prefix widened by this instance: the key it is restricted by, and its block or ban.
	 *
	 * @param prefix the prefix's client key
	 * @param escalation its block or ban
	 */
	public record Widening(String prefix, Escalation escalation) {
	}

	private static final class Widened {

		final Outcome outcome;

		final long untilMillis;

		final long checkedMillis;

		final AtomicBoolean rechecking = new AtomicBoolean();

		Widened(Outcome outcome, long untilMillis, long checkedMillis) {
			this.outcome = outcome;
			this.untilMillis = untilMillis;
			this.checkedMillis = checkedMillis;
		}

	}

	/** The restricted clients of one prefix, guarded by the instance's lock. */
	private static final class Members {

		final Map<String, Restriction> restricted = new HashMap<>();

		void add(String client, long untilMillis, boolean banned, long now) {
			this.restricted.values().removeIf((restriction) -> restriction.untilMillis <= now);
			this.restricted.put(client, new Restriction(untilMillis, banned));
		}

		Restriction longest() {
			Restriction longest = null;
			for (Restriction restriction : this.restricted.values()) {
				if (longest == null || restriction.untilMillis > longest.untilMillis
						|| (restriction.untilMillis == longest.untilMillis && restriction.banned)) {
					longest = restriction;
				}
			}
			return longest;
		}

		record Restriction(long untilMillis, boolean banned) {
		}

	}

}
