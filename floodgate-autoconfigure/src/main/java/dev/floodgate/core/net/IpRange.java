package dev.floodgate.core.net;

import org.jspecify.annotations.Nullable;

/**
 * An immutable block of IP addresses in CIDR notation, such as {@code 10.0.0.0/8} or
 * {@code fc00::/7}.
 * <p>
 * An IPv4 range contains only IPv4 addresses and an IPv6 range only IPv6 addresses. Since
 * {@link IpAddress} normalises IPv4-mapped IPv6 addresses to IPv4, {@code ::ffff:10.0.0.1}
 * is contained in {@code 10.0.0.0/8}; a range written in IPv4-mapped form (such as
 * {@code ::ffff:10.0.0.0/104}) is likewise turned into the IPv4 range it covers.
 *
 * @see IpRanges
 */
public final class IpRange {

	private static final int MAPPED_PREFIX_LENGTH = 96;

	private final IpAddress network;

	private final int prefixLength;

	private final long highMask;

	private final long lowMask;

	private IpRange(IpAddress network, int prefixLength) {
		this.network = network.maskedTo(prefixLength);
		this.prefixLength = prefixLength;
		if (network.isIpv4()) {
			this.highMask = 0;
			this.lowMask = IpAddress.ipv4Mask(prefixLength);
		}
		else {
			this.highMask = IpAddress.highMask(prefixLength);
			this.lowMask = IpAddress.lowMask(prefixLength);
		}
	}

	/**
	 * Create the range of the given prefix length that contains the given address. Bits of
	 * the address after the prefix are ignored.
	 * @param address an address of the range
	 * @param prefixLength the prefix length, 0 to 32 for IPv4 and 0 to 128 for IPv6
	 * @return the range
	 * @throws IllegalArgumentException if the prefix length is out of range
	 */
	public static IpRange of(IpAddress address, int prefixLength) {
		if (prefixLength < 0 || prefixLength > address.bitLength()) {
			throw new IllegalArgumentException("Prefix length of '" + address + "/" + prefixLength
					+ "' must be between 0 and " + address.bitLength());
		}
		return new IpRange(address, prefixLength);
	}

	/**
	 * Parse a range in CIDR notation ({@code 10.0.0.0/8}, {@code ::1/128},
	 * {@code fc00::/7}) or a single address (the same as {@code /32} or {@code /128}).
	 * Surrounding whitespace is ignored and bits of the address after the prefix are
	 * cleared, so {@code 10.1.2.3/8} is {@code 10.0.0.0/8}.
	 * @param cidr the text to parse
	 * @return the range
	 * @throws IllegalArgumentException if the text is not a range, with a message that
	 * quotes the text and says what is wrong with it
	 */
	public static IpRange parse(@Nullable String cidr) {
		if (cidr == null) {
			throw new IllegalArgumentException("IP range must not be null");
		}
		String text = cidr.strip();
		if (text.isEmpty()) {
			throw new IllegalArgumentException("Invalid IP range '" + cidr + "': it is empty");
		}
		int slash = text.indexOf('/');
		int addressEnd = (slash >= 0) ? slash : text.length();
		IpAddress address = IpAddress.parse(text, 0, addressEnd);
		if (address == null) {
			throw new IllegalArgumentException("Invalid IP range '" + cidr + "': '" + text.substring(0, addressEnd)
					+ "' is not an IPv4 or IPv6 address literal");
		}
		boolean writtenAsIpv6 = text.lastIndexOf(':', addressEnd) >= 0;
		int maxLength = writtenAsIpv6 ? 128 : 32;
		int prefixLength = maxLength;
		if (slash >= 0) {
			prefixLength = parsePrefixLength(text, slash + 1);
			if (prefixLength < 0 || prefixLength > maxLength) {
				throw new IllegalArgumentException("Invalid IP range '" + cidr + "': prefix length '"
						+ text.substring(slash + 1) + "' is not a number between 0 and " + maxLength);
			}
		}
		if (writtenAsIpv6 && address.isIpv4()) {
			// an IPv4-mapped IPv6 range
			if (prefixLength < MAPPED_PREFIX_LENGTH) {
				throw new IllegalArgumentException("Invalid IP range '" + cidr
						+ "': an IPv4-mapped range needs a prefix length between 96 and 128");
			}
			prefixLength -= MAPPED_PREFIX_LENGTH;
		}
		return new IpRange(address, prefixLength);
	}

	private static int parsePrefixLength(String text, int start) {
		int length = text.length() - start;
		if (length < 1 || length > 3) {
			return -1;
		}
		int value = 0;
		for (int i = start; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			value = value * 10 + (c - '0');
		}
		return value;
	}

	/**
	 * Whether the given address is in this range. An IPv4 range contains only IPv4
	 * addresses and an IPv6 range only IPv6 addresses.
	 * @param address the address
	 * @return whether the address is in this range
	 */
	public boolean contains(IpAddress address) {
		return address.isIpv4() == this.network.isIpv4()
				&& (address.high() & this.highMask) == this.network.high()
				&& (address.low() & this.lowMask) == this.network.low();
	}

	/**
	 * The first address of the range, with all bits after the prefix cleared.
	 * @return the network address
	 */
	public IpAddress network() {
		return this.network;
	}

	/**
	 * The number of leading bits that addresses of the range share.
	 * @return the prefix length
	 */
	public int prefixLength() {
		return this.prefixLength;
	}

	/**
	 * Whether this is an IPv4 range.
	 * @return {@code true} for IPv4, {@code false} for IPv6
	 */
	public boolean isIpv4() {
		return this.network.isIpv4();
	}

	@Override
	public boolean equals(@Nullable Object obj) {
		if (this == obj) {
			return true;
		}
		return (obj instanceof IpRange other) && this.prefixLength == other.prefixLength
				&& this.network.equals(other.network);
	}

	@Override
	public int hashCode() {
		return 31 * this.network.hashCode() + this.prefixLength;
	}

	/**
	 * The canonical form {@code network/prefixLength}, for example {@code 10.0.0.0/8} or
	 * {@code fc00::/7}.
	 * @return the canonical text
	 */
	@Override
	public String toString() {
		return this.network + "/" + this.prefixLength;
	}

}
