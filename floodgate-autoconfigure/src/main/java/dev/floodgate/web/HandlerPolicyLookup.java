package dev.floodgate.web;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.floodgate.core.RatePolicy;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.server.RequestPath;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * The policy of the handler a request would reach, looked up in the dispatcher's handler
 * mappings ahead of the filter chain: the front door's refusal of a blocked or banned client
 * carries the same {@code RateLimit} headers as the handler's interceptor would have written.
 * It is asked only for a refusal, never for a request let through.
 */
public final class HandlerPolicyLookup implements Function<HttpServletRequest, @Nullable RatePolicy> {

	private final Supplier<List<HandlerMapping>> handlerMappings;

	private final HandlerPolicies handlerPolicies;

	/**
	 * Creates a lookup.
	 * @param handlerMappings the dispatcher's handler mappings, asked for at the first lookup
	 * (they are made after the interceptors they hold)
	 * @param handlerPolicies the handlers' policies
	 */
	public HandlerPolicyLookup(Supplier<List<HandlerMapping>> handlerMappings, HandlerPolicies handlerPolicies) {
		this.handlerMappings = handlerMappings;
		this.handlerPolicies = handlerPolicies;
	}

	@Override
	public @Nullable RatePolicy apply(HttpServletRequest request) {
		RequestPath previous = ServletRequestPathUtils.hasParsedRequestPath(request)
				? ServletRequestPathUtils.getParsedRequestPath(request) : null;
		ServletRequestPathUtils.parseAndCache(request);
		try {
			for (HandlerMapping mapping : this.handlerMappings.get()) {
				HandlerExecutionChain chain = mapping.getHandler(request);
				if (chain != null) {
					return this.handlerPolicies.policyFor(chain.getHandler());
				}
			}
			return null;
		}
		catch (Exception ex) {
			// no handler, no headers: the refusal stands without them
			return null;
		}
		finally {
			ServletRequestPathUtils.setParsedRequestPath(previous, request);
		}
	}

}
