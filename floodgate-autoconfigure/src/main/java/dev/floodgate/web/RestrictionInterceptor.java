package dev.floodgate.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Refuses deny-listed, banned and blocked clients, and counts nothing: the interceptor for
 * paths that are never limited, such as the actuator's and the error page. Registered as a
 * {@link org.springframework.web.servlet.handler.MappedInterceptor} bean, it applies to
 * every handler mapping, the actuator's included, in the application's context and in a
 * management context of its own ({@code management.server.port}).
 *
 * @see RateLimitInterceptor#refuseRestricted
 */
public final class RestrictionInterceptor implements HandlerInterceptor {

	private final RateLimitInterceptor interceptor;

	/**
	 * Creates the interceptor.
	 * @param interceptor the interceptor whose client resolution, deny-list, store,
	 * restriction cache and rejection it uses
	 */
	public RestrictionInterceptor(RateLimitInterceptor interceptor) {
		this.interceptor = interceptor;
	}

	@Override
	public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
			throws Exception {
		return this.interceptor.refuseRestricted(request, response);
	}

}
