package dev.floodgate.web;

import dev.floodgate.core.net.IpAddress;

/**
 * The client of a request, as decided by a {@link ClientAddressResolver}.
 *
 * @param address the client's address
 * @param key the key that identifies the client, see {@link IpAddress#key(int)}
 */
public record ClientAddress(IpAddress address, String key) {

	public ClientAddress {
		if (address == null) {
			throw new IllegalArgumentException("address must not be null");
		}
		if (key == null || key.isEmpty()) {
			throw new IllegalArgumentException("key must not be empty");
		}
	}

	/**
	 * Create the client at the given address, keyed by the address for IPv4 and by its
	 * network of the given prefix length for IPv6.
	 * @param address the client's address
	 * @param ipv6PrefixLength the IPv6 prefix length, 1 to 128
	 * @return the client
	 */
	public static ClientAddress of(IpAddress address, int ipv6PrefixLength) {
		return new ClientAddress(address, address.key(ipv6PrefixLength));
	}

}
