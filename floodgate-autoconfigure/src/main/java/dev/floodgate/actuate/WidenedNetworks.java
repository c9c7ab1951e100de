package dev.floodgate.actuate;

import dev.floodgate.core.net.IpAddress;
import org.jspecify.annotations.Nullable;

/**
 * The networks this instance restricts because several of their clients are restricted, as
 * far as the {@link FloodgateEndpoint} needs them: lifting a client lifts its network too.
 */
public interface WidenedNetworks {

	/**
	 * The key by which the network of an address is restricted.
	 * @param address an address
	 * @return its network's key, or {@code null} when networks of its kind are not widened
	 */
	@Nullable String networkKey(IpAddress address);

	/**
	 * Forgets, on this instance, the widened network that contains an address.
	 * @param address an address
	 */
	void forget(IpAddress address);

}
