package dev.floodgate.core.net;

import org.jspecify.annotations.Nullable;

/**
 * An immutable IPv4 or IPv6 address, parsed from its literal text form only.
 * <p>
 * Parsing never resolves names, never consults {@link java.net.InetAddress} and never
 * throws: anything that is not exactly an IP literal yields {@code null}. Accepted forms:
 * <ul>
 * <li>IPv4: four decimal parts {@code 0}-{@code 255} separated by {@code '.'}, one to
 * three ASCII digits each, without leading zeros (so {@code 01.2.3.4}, which some parsers
 * read as octal, is rejected);</li>
 * <li>IPv6: the RFC 4291 text forms: eight groups of one to four hexadecimal digits (any
 * case), at most one {@code ::} compression, and optionally the last 32 bits as an
 * embedded dotted IPv4 address. Brackets, zone ids ({@code %eth0}), ports and whitespace
 * are rejected.</li>
 * </ul>
 * IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}, also written
 * {@code ::ffff:c000:201}) are normalised to the IPv4 address they map, so the same client
 * is keyed and matched the same way whichever way the stack reports it.
 * <p>
 * The address is held as two {@code long}s: the 128 bits of an IPv6 address, or the 32
 * bits of an IPv4 address in the low {@code long}.
 *
 * @see IpRange
 */
public final class IpAddress {

	/**
	 * The longest IP literal: {@code ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255}.
	 */
	static final int MAX_TEXT_LENGTH = 45;

	private static final long IPV4_MASK = 0xFFFF_FFFFL;

	private static final long MAPPED_PREFIX = 0xFFFFL;

	private final long high;

	private final long low;

	private final boolean ipv4;

	private @Nullable String text;

	private IpAddress(long high, long low, boolean ipv4) {
		this.high = high;
		this.low = low;
		this.ipv4 = ipv4;
	}

	/**
	 * Create an IPv4 address from its 32 bits.
	 * @param bits the address, in the low 32 bits
	 * @return the address
	 */
	static IpAddress ipv4(long bits) {
		return new IpAddress(0, bits & IPV4_MASK, true);
	}

	/**
	 * Create an IPv6 address from its 128 bits, normalising an IPv4-mapped address to IPv4.
	 * @param high the upper 64 bits
	 * @param low the lower 64 bits
	 * @return the address
	 */
	static IpAddress ipv6(long high, long low) {
		if (high == 0 && (low >>> 32) == MAPPED_PREFIX) {
			return ipv4(low);
		}
		return new IpAddress(high, low, false);
	}

	/**
	 * Parse an IP literal.
	 * @param text the text, which must be exactly an IPv4 or IPv6 literal
	 * @return the address, or {@code null} if the text is not an IP literal
	 */
	public static @Nullable IpAddress parse(@Nullable CharSequence text) {
		return (text != null) ? parse(text, 0, text.length()) : null;
	}

	/**
	 * Parse an IP literal from a range of a larger text, without copying it.
	 * @param text the text
	 * @param start the index of the first character of the literal
	 * @param end the index after the last character of the literal
	 * @return the address, or {@code null} if the range is not exactly an IP literal (or
	 * is not a valid range of the text)
	 */
	public static @Nullable IpAddress parse(@Nullable CharSequence text, int start, int end) {
		if (text == null || start < 0 || end > text.length() || start >= end || end - start > MAX_TEXT_LENGTH) {
			return null;
		}
		for (int i = start; i < end; i++) {
			if (text.charAt(i) == ':') {
				return parseIpv6(text, start, end);
			}
		}
		long bits = parseIpv4(text, start, end);
		return (bits >= 0) ? ipv4(bits) : null;
	}

	/**
	 * Parse a dotted IPv4 literal.
	 * @return the 32 bits of the address, or {@code -1} if the range is not an IPv4
	 * literal
	 */
	private static long parseIpv4(CharSequence text, int start, int end) {
		long bits = 0;
		int parts = 0;
		int i = start;
		while (true) {
			int partStart = i;
			int value = 0;
			while (i < end) {
				char c = text.charAt(i);
				if (c < '0' || c > '9') {
					break;
				}
				if (i - partStart == 3) {
					return -1;
				}
				value = value * 10 + (c - '0');
				i++;
			}
			int digits = i - partStart;
			if (digits == 0 || value > 255 || (digits > 1 && text.charAt(partStart) == '0')) {
				return -1;
			}
			bits = (bits << 8) | value;
			parts++;
			if (i == end) {
				return (parts == 4) ? bits : -1;
			}
			if (parts == 4 || text.charAt(i) != '.') {
				return -1;
			}
			i++;
		}
	}

	private static @Nullable IpAddress parseIpv6(CharSequence text, int start, int end) {
		int[] groups = new int[8];
		int count = 0;
		int compressAt = -1;
		int i = start;
		if (text.charAt(i) == ':') {
			if (i + 1 >= end || text.charAt(i + 1) != ':') {
				return null;
			}
			compressAt = 0;
			i += 2;
		}
		while (i < end) {
			if (count == 8) {
				return null;
			}
			int groupStart = i;
			int value = 0;
			while (i < end) {
				int digit = hexValue(text.charAt(i));
				if (digit < 0) {
					break;
				}
				if (i - groupStart == 4) {
					return null;
				}
				value = (value << 4) | digit;
				i++;
			}
			if (i == groupStart) {
				return null;
			}
			if (i < end && text.charAt(i) == '.') {
				// The embedded IPv4 address must be the last 32 bits
				if (count > 6) {
					return null;
				}
				long bits = parseIpv4(text, groupStart, end);
				if (bits < 0) {
					return null;
				}
				groups[count++] = (int) (bits >>> 16);
				groups[count++] = (int) (bits & 0xFFFF);
				break;
			}
			groups[count++] = value;
			if (i == end) {
				break;
			}
			if (text.charAt(i) != ':') {
				return null;
			}
			i++;
			if (i == end) {
				// a single trailing colon
				return null;
			}
			if (text.charAt(i) == ':') {
				if (compressAt >= 0) {
					return null;
				}
				compressAt = count;
				i++;
			}
		}
		if (count > 8 || (compressAt < 0 && count != 8) || (compressAt >= 0 && count == 8)) {
			// "::" stands for at least one group of zeros
			return null;
		}
		int zeros = 8 - count;
		long high = 0;
		long low = 0;
		for (int k = 0; k < 8; k++) {
			int group;
			if (compressAt < 0 || k < compressAt) {
				group = groups[k];
			}
			else if (k < compressAt + zeros) {
				group = 0;
			}
			else {
				group = groups[k - zeros];
			}
			high = (high << 16) | (low >>> 48);
			low = (low << 16) | group;
		}
		return ipv6(high, low);
	}

	private static int hexValue(char c) {
		if (c >= '0' && c <= '9') {
			return c - '0';
		}
		if (c >= 'a' && c <= 'f') {
			return c - 'a' + 10;
		}
		if (c >= 'A' && c <= 'F') {
			return c - 'A' + 10;
		}
		return -1;
	}

	/**
	 * Whether this is an IPv4 address (including one that was written as an IPv4-mapped
	 * IPv6 address).
	 * @return {@code true} for IPv4, {@code false} for IPv6
	 */
	public boolean isIpv4() {
		return this.ipv4;
	}

	/**
	 * The number of bits of the address: 32 for IPv4, 128 for IPv6.
	 * @return the address length in bits
	 */
	public int bitLength() {
		return this.ipv4 ? 32 : 128;
	}

	/**
	 * The upper 64 bits of an IPv6 address; 0 for IPv4.
	 */
	long high() {
		return this.high;
	}

	/**
	 * The lower 64 bits of an IPv6 address, or the 32 bits of an IPv4 address.
	 */
	long low() {
		return this.low;
	}

	/**
	 * The network address of the given prefix length that contains this address: this
	 * address with all bits after the prefix cleared.
	 * @param prefixLength the prefix length, 0 to 32 for IPv4 and 0 to 128 for IPv6
	 * @return the masked address, of the same family
	 * @throws IllegalArgumentException if the prefix length is out of range
	 */
	public IpAddress maskedTo(int prefixLength) {
		checkPrefixLength(prefixLength, 0);
		if (prefixLength == bitLength()) {
			return this;
		}
		if (this.ipv4) {
			return new IpAddress(0, this.low & ipv4Mask(prefixLength), true);
		}
		return new IpAddress(this.high & highMask(prefixLength), this.low & lowMask(prefixLength), false);
	}

	/**
	 * The key that identifies the client at this address: the address itself for IPv4
	 * (for example {@code 203.0.113.7}), and for IPv6 the network of the given prefix
	 * length that contains it, as {@code network/length} (for example
	 * {@code 2001:db8:1:2::/64}), because a single IPv6 host usually owns a whole /64.
	 * @param ipv6PrefixLength the IPv6 prefix length, 1 to 128
	 * @return the key
	 * @throws IllegalArgumentException if the prefix length is not between 1 and 128
	 */
	public String key(int ipv6PrefixLength) {
		if (ipv6PrefixLength < 1 || ipv6PrefixLength > 128) {
			throw new IllegalArgumentException(
					"IPv6 prefix length must be between 1 and 128, was " + ipv6PrefixLength);
		}
		if (this.ipv4) {
			return toString();
		}
		return maskedTo(ipv6PrefixLength).toString() + "/" + ipv6PrefixLength;
	}

	private void checkPrefixLength(int prefixLength, int min) {
		if (prefixLength < min || prefixLength > bitLength()) {
			throw new IllegalArgumentException("Prefix length for " + (this.ipv4 ? "IPv4" : "IPv6")
					+ " must be between " + min + " and " + bitLength() + ", was " + prefixLength);
		}
	}

	/**
	 * The mask of the first {@code prefixLength} bits of a 32-bit IPv4 address.
	 */
	static long ipv4Mask(int prefixLength) {
		return (prefixLength == 0) ? 0 : (IPV4_MASK << (32 - prefixLength)) & IPV4_MASK;
	}

	/**
	 * The mask of the upper 64 bits of an IPv6 address for a prefix length of 0 to 128.
	 */
	static long highMask(int prefixLength) {
		return (prefixLength >= 64) ? -1L : (prefixLength == 0) ? 0 : -1L << (64 - prefixLength);
	}

	/**
	 * The mask of the lower 64 bits of an IPv6 address for a prefix length of 0 to 128.
	 */
	static long lowMask(int prefixLength) {
		return (prefixLength <= 64) ? 0 : (prefixLength == 128) ? -1L : -1L << (128 - prefixLength);
	}

	@Override
	public boolean equals(@Nullable Object obj) {
		if (this == obj) {
			return true;
		}
		return (obj instanceof IpAddress other) && this.ipv4 == other.ipv4 && this.high == other.high
				&& this.low == other.low;
	}

	@Override
	public int hashCode() {
		int result = Long.hashCode(this.high);
		result = 31 * result + Long.hashCode(this.low);
		return 31 * result + (this.ipv4 ? 1 : 0);
	}

	/**
	 * The canonical text form: dotted decimal for IPv4, and for IPv6 the RFC 5952 form
	 * (lower case, no leading zeros, the longest run of two or more zero groups, the
	 * leftmost of equally long runs, compressed to {@code ::}).
	 * @return the canonical text
	 */
	@Override
	public String toString() {
		String text = this.text;
		if (text == null) {
			text = this.ipv4 ? formatIpv4() : formatIpv6();
			this.text = text;
		}
		return text;
	}

	private String formatIpv4() {
		StringBuilder builder = new StringBuilder(15);
		for (int shift = 24; shift >= 0; shift -= 8) {
			if (shift != 24) {
				builder.append('.');
			}
			builder.append((this.low >>> shift) & 0xFF);
		}
		return builder.toString();
	}

	private String formatIpv6() {
		int bestStart = -1;
		int bestLength = 0;
		int runStart = -1;
		for (int k = 0; k < 8; k++) {
			if (group(k) == 0) {
				if (runStart < 0) {
					runStart = k;
				}
				int runLength = k - runStart + 1;
				if (runLength > bestLength) {
					bestStart = runStart;
					bestLength = runLength;
				}
			}
			else {
				runStart = -1;
			}
		}
		if (bestLength < 2) {
			bestStart = -1;
			bestLength = 0;
		}
		StringBuilder builder = new StringBuilder(39);
		for (int k = 0; k < 8; k++) {
			if (k == bestStart) {
				builder.append("::");
				k += bestLength - 1;
				continue;
			}
			if (k > 0 && k != bestStart + bestLength) {
				builder.append(':');
			}
			builder.append(Integer.toHexString(group(k)));
		}
		return builder.toString();
	}

	private int group(int index) {
		long half = (index < 4) ? this.high : this.low;
		return (int) ((half >>> (48 - 16 * (index & 3))) & 0xFFFF);
	}

}
