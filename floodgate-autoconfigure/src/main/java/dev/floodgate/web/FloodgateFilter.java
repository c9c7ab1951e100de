package dev.floodgate.web;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;

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

	private final RateLimitInterceptor interceptor;

	private final PathPattern[] open;

	/**
	 * Creates the filter.
	 * @param interceptor the interceptor whose client resolution, lists, store, restriction
	 * cache and rejections the front door shares
	 * @param open paths that are never refused nor penalized here (the health endpoints)
	 */
	public FloodgateFilter(RateLimitInterceptor interceptor, List<PathPattern> open) {
		this.interceptor = interceptor;
		this.open = open.toArray(new PathPattern[0]);
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		if (this.open.length == 0) {
			return false;
		}
		PathContainer path = RequestPath.parse(request.getRequestURI(), request.getContextPath()).pathWithinApplication();
		for (PathPattern pattern : this.open) {
			if (pattern.matches(path)) {
				return true;
			}
		}
		return false;
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

	private static final ThreadLocal<HttpServletRequest> CURRENT = new ThreadLocal<>();

	/**
	 * The request this filter is passing down the chain on this thread, for listeners of
	 * events that the chain publishes (Spring Security's failed authentications).
	 * @return the request, or {@code null} outside of one
	 */
	public static @org.jspecify.annotations.Nullable HttpServletRequest currentRequest() {
		return CURRENT.get();
	}

}
