package dev.floodgate.web;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.context.ApplicationListener;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;

/**
 * Makes Spring Security's failed authentications violations of the request's client: form
 * login (which answers with a redirect, not a 401), HTTP Basic, and any authentication
 * through Spring Security's {@code AuthenticationManager} that publishes its events on the
 * request's thread. The request is penalized once it is answered, by the
 * {@link FloodgateFilter}, at most once however many failures it raised.
 */
public final class AuthenticationFailurePenalties implements ApplicationListener<AbstractAuthenticationFailureEvent> {

	@Override
	public void onApplicationEvent(AbstractAuthenticationFailureEvent event) {
		HttpServletRequest request = FloodgateFilter.currentRequest();
		if (request != null) {
			RateLimitInterceptor.authenticationFailed(request);
		}
	}

	@Override
	public boolean supportsAsyncExecution() {
		// the request is found through the publishing thread
		return false;
	}

}
