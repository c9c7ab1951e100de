package dev.floodgate.core;

/**
 * When restricting many clients of one network restricts the network as one client: once
 * {@code afterClients} clients within one wider prefix are blocked or banned at the same time,
 * the prefix itself is restricted, for as long as the longest of them. This answers address
 * rotation at its root: a host that owns a /48 of IPv6 space (or a botnet in one /24) cannot
 * escape by moving to the next /64 (or address).
 *
 * @param enabled whether prefixes are widened at all
 * @param afterClients how many restricted clients within one prefix restrict the prefix
 * @param ipv6PrefixLength the wider IPv6 prefix
 * @param ipv4 whether IPv4 clients are widened too
 * @param ipv4PrefixLength the wider IPv4 prefix
 */
public record WideningPolicy(boolean enabled, int afterClients, int ipv6PrefixLength, boolean ipv4,
		int ipv4PrefixLength) {

	/** Widening as documented: 8 clients of one IPv6 /48; IPv4 (by /24) only when enabled. */
	public static final WideningPolicy DEFAULTS = new WideningPolicy(true, 8, 48, false, 24);

	/** No widening. */
	public static final WideningPolicy DISABLED = new WideningPolicy(false, 8, 48, false, 24);

	/**
	 * Validates the policy.
	 * @param enabled whether prefixes are widened
	 * @param afterClients the restricted clients that widen, at least 2
	 * @param ipv6PrefixLength the wider IPv6 prefix, 1 to 127
	 * @param ipv4 whether IPv4 is widened
	 * @param ipv4PrefixLength the wider IPv4 prefix, 1 to 31
	 * @throws InvalidFloodgateSettingException naming the property of an invalid value
	 */
	public WideningPolicy {
		if (afterClients < 2) {
			throw new InvalidFloodgateSettingException("floodgate.widen.after-clients", afterClients,
					"must be at least 2");
		}
		if (ipv6PrefixLength < 1 || ipv6PrefixLength > 127) {
			throw new InvalidFloodgateSettingException("floodgate.widen.ipv6-prefix-length", ipv6PrefixLength,
					"must be between 1 and 127");
		}
		if (ipv4PrefixLength < 1 || ipv4PrefixLength > 31) {
			throw new InvalidFloodgateSettingException("floodgate.widen.ipv4-prefix-length", ipv4PrefixLength,
					"must be between 1 and 31");
		}
	}

	/**
	 * Whether clients of this family are widened.
	 * @param ipv4Client whether the client is IPv4
	 * @param clientIpv6PrefixLength the prefix by which IPv6 clients are keyed
	 * @return {@code true} if such a client's restriction counts towards its wider prefix
	 */
	public boolean widens(boolean ipv4Client, int clientIpv6PrefixLength) {
		if (!this.enabled) {
			return false;
		}
		return ipv4Client ? this.ipv4 : this.ipv6PrefixLength < clientIpv6PrefixLength;
	}

	/**
	 * The wider prefix length for a client of this family.
	 * @param ipv4Client whether the client is IPv4
	 * @return the prefix length
	 */
	public int prefixLength(boolean ipv4Client) {
		return ipv4Client ? this.ipv4PrefixLength : this.ipv6PrefixLength;
	}

}
