package dev.floodgate.actuate;

import java.time.Duration;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.EscalationPolicy;
import dev.floodgate.core.net.IpRanges;
import org.jspecify.annotations.Nullable;

/**
 * What the {@link FloodgateEndpoint} shows of the settings in force, and the IPv6 prefix
 * length by which it keys the clients it is asked about. Built by the auto-configuration
 * from Floodgate's settings, so that the endpoint depends on no more of them than it shows.
 *
 * @param dryRun whether rejections are only counted and logged
 * @param algorithm the counting algorithm
 * @param escalation the block and ban rules
 * @param behindProxy whether the client address comes from trusted proxies' headers
 * @param trustedProxies proxies whose headers are believed
 * @param clientIpHeader a single client-address header set by a trusted edge, or
 * {@code null}
 * @param forwardedHeader which forwarding header is walked, as the property names it (such
 * as {@code x-forwarded-for})
 * @param ipv6PrefixLength the prefix length by which IPv6 clients are keyed
 * @param allowList clients never limited
 * @param denyList clients always rejected
 * @param onFailure what happens while the store is unreachable ({@code allow} or
 * {@code deny})
 * @param storeTimeout the longest wait for the store
 * @param penalizedStatuses the statuses penalized everywhere
 * @param penalizeAuthenticationFailures whether Spring Security's failed authentications
 * are penalties (and Spring Security is there to report them)
 */
public record FloodgateEndpointSettings(boolean dryRun, Algorithm algorithm, EscalationPolicy escalation,
		boolean behindProxy, IpRanges trustedProxies, @Nullable String clientIpHeader, String forwardedHeader,
		int ipv6PrefixLength, IpRanges allowList, IpRanges denyList, String onFailure, Duration storeTimeout,
		java.util.Set<Integer> penalizedStatuses, boolean penalizeAuthenticationFailures) {

}
