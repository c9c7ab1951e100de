package dev.floodgate.web;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.floodgate.core.Decision;
import dev.floodgate.core.Limit;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Writes the rate limit headers of a response: the IETF {@code RateLimit-Policy} and
 * {@code RateLimit} headers (draft-ietf-httpapi-ratelimit-headers-10, structured fields),
 * the legacy {@code X-RateLimit-*} headers, both or none. A policy's header texts are built
 * once and reused.
 * <p>
 * A policy with one limit is one list member named after the policy
 * ({@code "default";q=50;w=60}); with several, one member per limit, named after the policy
 * and the limit's window ({@code "default-1s";q=5;w=1, "default-1h";q=100;w=3600}).
 * {@code RateLimit} names the tightest limit: the one with the fewest quota units left.
 * <p>
 * The headers never lie to a client that follows them: {@code r} is the quota units left
 * (a request spends the policy's {@link RatePolicy#cost() cost}), and is 0 once fewer than
 * the cost are left, since no request of the policy could spend them; whenever {@code r} is
 * 0, {@code t} is the time until a request would be admitted again (what a refused request's
 * {@code Retry-After} says), so a client that waits {@code t} seconds is never refused. While
 * {@code r} is positive, {@code t} is the time until the tightest limit's window resets.
 * Seconds are rounded up. A blocked client (429) and a client on a timed ban (403) get
 * {@code r=0} with {@code t} equal to {@code Retry-After}, on the policy's first limit; a
 * permanently banned client gets {@code r=0} without {@code t} (the parameter is optional in
 * the draft, and no quota will be made available). {@code X-RateLimit-Reset} is the same
 * {@code t}, in seconds from now (absent for a permanent ban).
 */
public final class RateLimitHeaders {

	static final String POLICY = "RateLimit-Policy";

	static final String RATE_LIMIT = "RateLimit";

	static final String LEGACY_LIMIT = "X-RateLimit-Limit";

	static final String LEGACY_REMAINING = "X-RateLimit-Remaining";

	static final String LEGACY_RESET = "X-RateLimit-Reset";

	private final boolean ietf;

	private final boolean legacy;

	private final Map<RatePolicy, PolicyTexts> texts = new ConcurrentHashMap<>();

	/**
	 * Creates the writer.
	 * @param ietf whether to write the IETF headers
	 * @param legacy whether to write the legacy headers
	 */
	public RateLimitHeaders(boolean ietf, boolean legacy) {
		this.ietf = ietf;
		this.legacy = legacy;
	}

	/**
	 * Writes the headers for one decision.
	 * @param response the response
	 * @param policy the policy that applied
	 * @param decision the decision
	 */
	public void write(HttpServletResponse response, RatePolicy policy, Decision decision) {
		write(response::setHeader, policy, decision);
	}

	/**
	 * Writes the headers for one decision, whatever the web stack.
	 * @param response sets a header of the response, replacing any value it had
	 * @param policy the policy that applied
	 * @param decision the decision
	 */
	public void write(java.util.function.BiConsumer<String, String> response, RatePolicy policy, Decision decision) {
		if (!this.ietf && !this.legacy) {
			return;
		}
		PolicyTexts texts = this.texts.computeIfAbsent(policy, PolicyTexts::new);
		int index = decision.limitIndex();
		long remaining;
		long resetMillis;
		Outcome outcome = decision.outcome();
		if (outcome == Outcome.BLOCKED || outcome == Outcome.BANNED) {
			// no request is admitted before the restriction ends: no quota left until then
			index = 0;
			remaining = 0;
			resetMillis = decision.retryAfterMillis();
		}
		else if (index >= 0 && index < texts.counts.length) {
			remaining = (decision.remaining() < policy.cost()) ? 0 : decision.remaining();
			resetMillis = decision.resetMillis();
		}
		else {
			// no limit was evaluated: neither field rather than a policy without its state
			return;
		}
		String reset = (resetMillis < 0) ? null : Long.toString(Math.max(0, (resetMillis + 999) / 1000));
		if (this.ietf) {
			response.accept(POLICY, texts.policy);
			response.accept(RATE_LIMIT,
					texts.itemPrefixes[index] + remaining + ((reset != null) ? ";t=" + reset : ""));
		}
		if (this.legacy) {
			response.accept(LEGACY_LIMIT, texts.counts[index]);
			response.accept(LEGACY_REMAINING, Long.toString(remaining));
			if (reset != null) {
				response.accept(LEGACY_RESET, reset);
			}
		}
	}

	private static final class PolicyTexts {

		final String policy;

		final String[] itemPrefixes;

		final String[] counts;

		PolicyTexts(RatePolicy policy) {
			int size = policy.size();
			String[] names = itemNames(policy);
			StringBuilder header = new StringBuilder();
			this.itemPrefixes = new String[size];
			this.counts = new String[size];
			for (int i = 0; i < size; i++) {
				Limit limit = policy.limit(i);
				String name = sfString(names[i]);
				header.append((i > 0) ? ", " : "")
					.append(name)
					.append(";q=")
					.append(limit.count())
					.append(";w=")
					.append(limit.windowSeconds());
				this.itemPrefixes[i] = name + ";r=";
				this.counts[i] = Long.toString(limit.count());
			}
			this.policy = header.toString();
		}

		private static String[] itemNames(RatePolicy policy) {
			String[] names = new String[policy.size()];
			if (names.length == 1) {
				names[0] = policy.name();
				return names;
			}
			Set<String> used = new HashSet<>();
			for (int i = 0; i < names.length; i++) {
				String name = policy.name() + "-" + policy.limit(i).toString().substring(policy.limit(i).toString().indexOf('/') + 1);
				names[i] = used.add(name) ? name : policy.name() + "-" + (i + 1);
				used.add(names[i]);
			}
			return names;
		}

		/** A structured-field string: printable ASCII with '"' and '\' escaped. */
		private static String sfString(String text) {
			StringBuilder value = new StringBuilder(text.length() + 2).append('"');
			for (int i = 0; i < text.length(); i++) {
				char c = text.charAt(i);
				if (c == '"' || c == '\\') {
					value.append('\\').append(c);
				}
				else if (c >= 0x20 && c < 0x7f) {
					value.append(c);
				}
				else {
					value.append('_');
				}
			}
			return value.append('"').toString();
		}

	}

}
