package dev.floodgate.web;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Floodgate's front door: a servlet filter, registered ahead of Spring Security's filter
 * chain, that refuses deny-listed, banned and blocked clients before any later filter runs
 * (security, sessions, body parsing), decides the path limits of {@code floodgate.paths}, and
 * once the chain has answered turns penalized responses into violations of their client.
 * Per-handler limits stay with the {@link RateLimitInterceptor}, which decides each request
 * once: a request the front door decided is not counted again, and forwards, includes and
 * error dispatches are not filtered at all.
 * <p>
 * The health endpoints, which load balancers probe, are never refused nor penalized here.
 */
public final class FloodgateFilter extends OncePerRequestFilter {

	/**
	 * The default order: ahead of Spring Security's filter chain (-100) and of Spring's
	 * request context filter (-105), after the character encoding and form content filters.
	 */
	public static final int DEFAULT_ORDER = -110;

	private static final ThreadLocal<HttpServletRequest> CURRENT = new ThreadLocal<>();

	private final RateLimitInterceptor interceptor;

	private final OpenPaths open;

	/**
	 * Creates the filter.
	 * @param interceptor the interceptor whose client resolution, lists, store, restriction
	 * cache and rejections the front door shares
	 * @param open paths that are never refused nor penalized here, with everything below them
	 * (the health endpoints: {@code /actuator/health})
	 */
	public FloodgateFilter(RateLimitInterceptor interceptor, List<String> open) {
		this.interceptor = interceptor;
		this.open = new OpenPaths(open);
	}

	/**
	 * Whether a request is to an open path: compared as text on the raw request URI (no
	 * parsing per request); a URI that is not in canonical form (encoded, with {@code ..} or
	 * {@code ;} parameters) is not open, and is refused like any other path when its client is.
	 */
	/**
	 * Whether a request is to an open path: see {@link OpenPaths}.
	 */
	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return this.open.contains(request.getRequestURI(), request.getContextPath());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		try {
			if (!this.interceptor.frontDoor(request, response)) {
				return;
			}
		}
		catch (IOException | ServletException | RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new ServletException(ex);
		}
		CURRENT.set(request);
		try {
			chain.doFilter(request, response);
		}
		finally {
			CURRENT.remove();
		}
		if (!request.isAsyncStarted()) {
			this.interceptor.responded(request, response);
		}
	}

	/**
	 * The request this filter is passing down the chain on this thread, for listeners of
	 * events that the chain publishes (Spring Security's failed authentications).
	 * @return the request, or {@code null} outside of one
	 */
	public static @org.jspecify.annotations.Nullable HttpServletRequest currentRequest() {
		return CURRENT.get();
	}

}
