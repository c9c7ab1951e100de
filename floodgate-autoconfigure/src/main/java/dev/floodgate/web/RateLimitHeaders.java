package dev.floodgate.web;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.floodgate.core.Decision;
import dev.floodgate.core.Limit;
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
 * {@code RateLimit} names the tightest limit: the one with the fewest requests left.
 * {@code X-RateLimit-Reset} is in seconds from now.
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
		if (!this.ietf && !this.legacy) {
			return;
		}
		PolicyTexts texts = this.texts.computeIfAbsent(policy, PolicyTexts::new);
		if (this.ietf) {
			response.setHeader(POLICY, texts.policy);
		}
		int index = decision.limitIndex();
		if (index < 0 || index >= texts.counts.length) {
			return;
		}
		long resetSeconds = Math.max(0, (decision.resetMillis() + 999) / 1000);
		if (this.ietf) {
			response.setHeader(RATE_LIMIT, texts.itemPrefixes[index] + decision.remaining() + ";t=" + resetSeconds);
		}
		if (this.legacy) {
			response.setHeader(LEGACY_LIMIT, texts.counts[index]);
			response.setHeader(LEGACY_REMAINING, Long.toString(decision.remaining()));
			response.setHeader(LEGACY_RESET, Long.toString(resetSeconds));
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
