package dev.floodgate.web;

import java.util.ArrayDeque;
import java.util.Enumeration;
import java.util.Iterator;

import dev.floodgate.core.net.IpAddress;
import dev.floodgate.core.net.IpRanges;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

/**
 * Decides who the client of a request is.
 * <p>
 * The peer of the connection ({@link HttpServletRequest#getRemoteAddr()}) is the client
 * unless the application is behind a proxy and the peer is one of the trusted proxies.
 * Only then are headers read, and only in a way that a client cannot use to choose its own
 * address:
 * <ol>
 * <li>If a client IP header (such as {@code X-Real-IP}) is configured and the request has
 * exactly one such header whose value is a single IP literal, that is the client.</li>
 * <li>Otherwise the forwarded header ({@code X-Forwarded-For} or {@code Forwarded}) is
 * walked from the right, the end that the trusted proxy appended to: trusted proxies are
 * skipped, and the first address that is not a trusted proxy is the client. The walk
 * stops at the first element that is not a valid address (nothing to the left of it can
 * be believed) and after {@value #MAX_HOPS} elements; the client is then the last
 * (leftmost) trusted proxy walked over, or the peer if there was none.</li>
 * </ol>
 * Headers are parsed from their right end, so only the elements walked are ever read,
 * however long the header. Resolving never resolves names and never throws because of
 * what a header contains.
 */
public class ClientAddressResolver {

	/**
	 * The most elements of the forwarded header that are walked.
	 */
	public static final int MAX_HOPS = 32;

	static final String X_FORWARDED_FOR = "X-Forwarded-For";

	static final String FORWARDED = "Forwarded";

	/**
	 * The longest element of {@code X-Forwarded-For}, {@code for} value of
	 * {@code Forwarded}, and value of the client IP header that can be valid.
	 */
	static final int MAX_ADDRESS_LENGTH = 64;

	/**
	 * The longest element of {@code Forwarded} that can be valid: an element also has
	 * {@code by}, {@code proto} and {@code host} parameters, the host up to 253
	 * characters.
	 */
	static final int MAX_FORWARDED_ELEMENT_LENGTH = 512;

	private static final int START = -1;

	private static final int INVALID = -2;

	private final boolean behindProxy;

	private final IpRanges trustedProxies;

	private final @Nullable String clientIpHeader;

	private final ForwardedHeader forwardedHeader;

	private final int ipv6PrefixLength;

	/**
	 * Create a resolver.
	 * @param behindProxy whether the application is behind a proxy, so headers of requests
	 * from trusted proxies are read; if {@code false} the client is always the peer
	 * @param trustedProxies the addresses of the proxies whose headers are believed
	 * @param clientIpHeader the header a trusted proxy sets to the client's address (such
	 * as {@code X-Real-IP}), or {@code null} for none
	 * @param forwardedHeader the header with the chain of proxies
	 * @param ipv6PrefixLength the length of the prefix that identifies an IPv6 client, 1
	 * to 128
	 * @throws IllegalArgumentException if the prefix length is out of range
	 */
	public ClientAddressResolver(boolean behindProxy, IpRanges trustedProxies, @Nullable String clientIpHeader,
			ForwardedHeader forwardedHeader, int ipv6PrefixLength) {
		if (trustedProxies == null) {
			throw new IllegalArgumentException("trustedProxies must not be null");
		}
		if (forwardedHeader == null) {
			throw new IllegalArgumentException("forwardedHeader must not be null");
		}
		if (ipv6PrefixLength < 1 || ipv6PrefixLength > 128) {
			throw new IllegalArgumentException(
					"IPv6 prefix length must be between 1 and 128, was " + ipv6PrefixLength);
		}
		this.behindProxy = behindProxy;
		this.trustedProxies = trustedProxies;
		this.clientIpHeader = (clientIpHeader != null && !clientIpHeader.isBlank()) ? clientIpHeader.strip() : null;
		this.forwardedHeader = forwardedHeader;
		this.ipv6PrefixLength = ipv6PrefixLength;
	}

	/**
	 * Decide who the client of the given request is.
	 * @param request the request
	 * @return the client, or {@code null} if the peer's address is not an IP address (for
	 * example a Unix domain socket)
	 */
	public @Nullable ClientAddress resolve(HttpServletRequest request) {
		return resolve(request.getRemoteAddr(), (name) -> {
			Enumeration<String> values = request.getHeaders(name);
			return (values != null) ? values.asIterator() : null;
		});
	}

	/**
	 * Decide who the client of a request is, whatever the web stack: the servlet request's
	 * and the reactive {@code ServerHttpRequest}'s adapters both come here.
	 * @param remoteAddr the peer's address as text, or {@code null} when it has none
	 * @param headers the values of the request's headers, instance by instance in the order
	 * they arrived
	 * @return the client, or {@code null} if the peer's address is not an IP address (for
	 * example a Unix domain socket)
	 */
	public @Nullable ClientAddress resolve(@Nullable String remoteAddr, HeaderValues headers) {
		IpAddress peer = parsePeer(remoteAddr);
		if (peer == null) {
			return null;
		}
		IpAddress client = resolveAddress(headers, peer);
		if (client == peer && peer.isIpv4() && remoteAddr != null && remoteAddr.length() <= 15 && remoteAddr.indexOf(':') < 0) {
			// a strictly parsed dotted quad is its own canonical text: the key needs no new string
			return new ClientAddress(peer, remoteAddr);
		}
		return ClientAddress.of(client, this.ipv6PrefixLength);
	}

	private IpAddress resolveAddress(HeaderValues request, IpAddress peer) {
		if (!this.behindProxy || !this.trustedProxies.contains(peer)) {
			return peer;
		}
		if (this.clientIpHeader != null) {
			IpAddress client = fromClientIpHeader(request, this.clientIpHeader);
			if (client != null) {
				return client;
			}
		}
		return switch (this.forwardedHeader) {
			case X_FORWARDED_FOR -> walk(request, X_FORWARDED_FOR, false, peer);
			case FORWARDED -> walk(request, FORWARDED, true, peer);
			case AUTO -> hasValue(request.values(X_FORWARDED_FOR)) ? walk(request, X_FORWARDED_FOR, false, peer)
					: walk(request, FORWARDED, true, peer);
		};
	}

	/**
	 * Parse the peer's address, which comes from the connection: a zone id
	 * ({@code fe80::1%eth0}) and brackets are dropped.
	 */
	static @Nullable IpAddress parsePeer(@Nullable String remoteAddr) {
		if (remoteAddr == null) {
			return null;
		}
		int start = 0;
		int end = remoteAddr.length();
		if (end >= 2 && remoteAddr.charAt(0) == '[' && remoteAddr.charAt(end - 1) == ']') {
			start = 1;
			end--;
		}
		int percent = indexOf(remoteAddr, '%', start, end);
		if (percent >= 0 && indexOf(remoteAddr, ':', start, percent) >= 0) {
			end = percent;
		}
		return IpAddress.parse(remoteAddr, start, end);
	}

	/**
	 * The address in the client IP header, if the request has exactly one such header and
	 * its value is a single IP literal.
	 */
	private static @Nullable IpAddress fromClientIpHeader(HeaderValues request, String name) {
		Iterator<String> values = request.values(name);
		if (values == null || !values.hasNext()) {
			return null;
		}
		String value = values.next();
		if (value == null || values.hasNext() || value.length() > MAX_ADDRESS_LENGTH) {
			return null;
		}
		int start = skipWhitespace(value, 0, value.length());
		int end = trimWhitespace(value, start, value.length());
		return IpAddress.parse(value, start, end);
	}

	private IpAddress walk(HeaderValues request, String name, boolean forwarded, IpAddress peer) {
		Iterator<String> values = request.values(name);
		if (values == null || !values.hasNext()) {
			return peer;
		}
		String last = values.next();
		ArrayDeque<String> earlier = null;
		while (values.hasNext()) {
			if (earlier == null) {
				earlier = new ArrayDeque<>();
			}
			earlier.addLast(last);
			if (earlier.size() > MAX_HOPS) {
				// every instance holds at least one element, so those far left are never reached
				earlier.removeFirst();
			}
			last = values.next();
		}
		Walk walk = new Walk();
		if (!walkInstance(walk, last, forwarded) && earlier != null) {
			Iterator<String> iterator = earlier.descendingIterator();
			while (iterator.hasNext()) {
				if (walkInstance(walk, iterator.next(), forwarded)) {
					break;
				}
			}
		}
		if (walk.client != null) {
			return walk.client;
		}
		return (walk.accepted != null) ? walk.accepted : peer;
	}

	/**
	 * Walk the elements of one instance of the header from the right.
	 * @return {@code true} if the walk is over, {@code false} to continue with the
	 * instance to the left
	 */
	private boolean walkInstance(Walk walk, @Nullable String value, boolean forwarded) {
		if (value == null) {
			return true;
		}
		int end = value.length();
		while (true) {
			if (walk.hops == MAX_HOPS) {
				return true;
			}
			walk.hops++;
			int separator = forwarded ? previousForwardedSeparator(value, end) : previousSeparator(value, end);
			if (separator == INVALID) {
				return true;
			}
			int start = (separator == START) ? 0 : separator + 1;
			IpAddress address = forwarded ? parseForwardedElement(value, start, end)
					: parseForwardedForElement(value, start, end);
			if (address == null) {
				return true;
			}
			if (!this.trustedProxies.contains(address)) {
				walk.client = address;
				return true;
			}
			walk.accepted = address;
			if (separator == START) {
				return false;
			}
			end = separator;
		}
	}

	/**
	 * The comma before the {@code X-Forwarded-For} element that ends at {@code end}.
	 * @return the index of the comma, {@link #START} if the element starts the value, or
	 * {@link #INVALID} if the element is too long
	 */
	private static int previousSeparator(String value, int end) {
		for (int i = end - 1; i >= 0; i--) {
			if (value.charAt(i) == ',') {
				return i;
			}
			if (end - i > MAX_ADDRESS_LENGTH) {
				return INVALID;
			}
		}
		return START;
	}

	/**
	 * The comma before the {@code Forwarded} element that ends at {@code end}, skipping
	 * commas inside quoted strings.
	 * @return the index of the comma, {@link #START} if the element starts the value, or
	 * {@link #INVALID} if the element is too long or its quotes are unbalanced
	 */
	private static int previousForwardedSeparator(String value, int end) {
		boolean quoted = false;
		for (int i = end - 1; i >= 0; i--) {
			if (end - i > MAX_FORWARDED_ELEMENT_LENGTH) {
				return INVALID;
			}
			char c = value.charAt(i);
			if (quoted) {
				if (c == '"') {
					// the opening quote, unless escaped by an odd number of backslashes
					int backslashes = 0;
					for (int j = i - 1; j >= 0 && value.charAt(j) == '\\' && end - j <= MAX_FORWARDED_ELEMENT_LENGTH; j--) {
						backslashes++;
					}
					quoted = (backslashes % 2) != 0;
				}
			}
			else if (c == '"') {
				quoted = true;
			}
			else if (c == ',') {
				return i;
			}
		}
		return quoted ? INVALID : START;
	}

	/**
	 * Parse an {@code X-Forwarded-For} element: a bare IP literal with optional
	 * surrounding whitespace.
	 */
	private static @Nullable IpAddress parseForwardedForElement(String value, int start, int end) {
		if (end - start > MAX_ADDRESS_LENGTH) {
			return null;
		}
		start = skipWhitespace(value, start, end);
		end = trimWhitespace(value, start, end);
		return IpAddress.parse(value, start, end);
	}

	/**
	 * Parse a {@code Forwarded} element ({@code name=value} pairs separated by
	 * {@code ';'}) and return the address of its {@code for} parameter.
	 * @return the address, or {@code null} if the element is malformed or has no valid
	 * {@code for} parameter
	 */
	private static @Nullable IpAddress parseForwardedElement(String value, int start, int end) {
		if (end - start > MAX_FORWARDED_ELEMENT_LENGTH) {
			return null;
		}
		int i = skipWhitespace(value, start, end);
		end = trimWhitespace(value, i, end);
		IpAddress address = null;
		boolean seenFor = false;
		while (i < end) {
			if (value.charAt(i) == ';') {
				// an empty pair
				i = skipWhitespace(value, i + 1, end);
				continue;
			}
			int nameStart = i;
			while (i < end && isTokenChar(value.charAt(i))) {
				i++;
			}
			if (i == nameStart || i == end || value.charAt(i) != '=') {
				return null;
			}
			boolean isFor = (i - nameStart == 3) && value.regionMatches(true, nameStart, "for", 0, 3);
			i++;
			int valueStart;
			int valueEnd;
			boolean quoted = (i < end && value.charAt(i) == '"');
			boolean escaped = false;
			if (quoted) {
				i++;
				valueStart = i;
				while (true) {
					if (i == end) {
						return null;
					}
					char c = value.charAt(i);
					if (c == '"') {
						break;
					}
					if (c == '\\') {
						escaped = true;
						i++;
						if (i == end || !isQuotedPairChar(value.charAt(i))) {
							return null;
						}
					}
					else if (!isQuotedTextChar(c)) {
						return null;
					}
					i++;
				}
				valueEnd = i;
				i++;
			}
			else {
				valueStart = i;
				while (i < end && isTokenChar(value.charAt(i))) {
					i++;
				}
				valueEnd = i;
				if (valueStart == valueEnd) {
					return null;
				}
			}
			if (isFor) {
				if (seenFor || escaped) {
					// a repeated parameter is ambiguous, and no address needs escaping
					return null;
				}
				seenFor = true;
				address = parseForwardedFor(value, valueStart, valueEnd, quoted);
				if (address == null) {
					return null;
				}
			}
			i = skipWhitespace(value, i, end);
			if (i < end) {
				if (value.charAt(i) != ';') {
					return null;
				}
				i = skipWhitespace(value, i + 1, end);
			}
		}
		return address;
	}

	/**
	 * Parse the value of a {@code for} parameter: an IPv4 address, optionally with a port
	 * if quoted, or a quoted, bracketed IPv6 address, optionally with a port.
	 */
	private static @Nullable IpAddress parseForwardedFor(String value, int start, int end, boolean quoted) {
		if (start == end || end - start > MAX_ADDRESS_LENGTH) {
			return null;
		}
		if (value.charAt(start) == '[') {
			int close = indexOf(value, ']', start + 1, end);
			if (!quoted || close < 0 || !isPortOrNothing(value, close + 1, end)
					|| indexOf(value, ':', start + 1, close) < 0) {
				return null;
			}
			return IpAddress.parse(value, start + 1, close);
		}
		int colon = indexOf(value, ':', start, end);
		if (colon >= 0) {
			if (!quoted || !isPortOrNothing(value, colon, end)) {
				return null;
			}
			end = colon;
		}
		// without a colon, only an IPv4 address can parse
		return IpAddress.parse(value, start, end);
	}

	/**
	 * Whether the range is empty or is {@code ':'} followed by one to five digits.
	 */
	private static boolean isPortOrNothing(String value, int start, int end) {
		if (start == end) {
			return true;
		}
		int digits = end - start - 1;
		if (value.charAt(start) != ':' || digits < 1 || digits > 5) {
			return false;
		}
		for (int i = start + 1; i < end; i++) {
			char c = value.charAt(i);
			if (c < '0' || c > '9') {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether the character is a {@code tchar} of RFC 9110.
	 */
	private static boolean isTokenChar(char c) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			return true;
		}
		return switch (c) {
			case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
			default -> false;
		};
	}

	/**
	 * Whether the character is {@code qdtext} of RFC 9110.
	 */
	private static boolean isQuotedTextChar(char c) {
		return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E)
				|| (c >= 0x80 && c <= 0xFF);
	}

	/**
	 * Whether the character can follow a backslash in a {@code quoted-pair} of RFC 9110.
	 */
	private static boolean isQuotedPairChar(char c) {
		return c == '\t' || (c >= 0x20 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF);
	}

	private static int skipWhitespace(String value, int start, int end) {
		while (start < end && isWhitespace(value.charAt(start))) {
			start++;
		}
		return start;
	}

	private static int trimWhitespace(String value, int start, int end) {
		while (end > start && isWhitespace(value.charAt(end - 1))) {
			end--;
		}
		return end;
	}

	private static boolean isWhitespace(char c) {
		return c == ' ' || c == '\t';
	}

	private static int indexOf(String value, char c, int start, int end) {
		for (int i = start; i < end; i++) {
			if (value.charAt(i) == c) {
				return i;
			}
		}
		return -1;
	}

	/**
	 * The state of a walk over the forwarded header.
	 */
	private static final class Walk {

		/**
		 * The number of elements walked.
		 */
		int hops;

		/**
		 * The last (leftmost) trusted proxy walked over.
		 */
		@Nullable IpAddress accepted;

		/**
		 * The first address from the right that is not a trusted proxy.
		 */
		@Nullable IpAddress client;

	}

	private static boolean hasValue(@Nullable Iterator<String> values) {
		return values != null && values.hasNext();
	}

	/**
	 * The values of a request's headers, as the web stack holds them.
	 */
	@FunctionalInterface
	public interface HeaderValues {

		/**
		 * The values of every instance of a header, in the order they arrived.
		 * @param name the header's name, matched without regard to case
		 * @return the values, or {@code null} or an empty iterator when the request has none
		 */
		@Nullable Iterator<String> values(String name);

	}

}
