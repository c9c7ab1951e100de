package dev.floodgate.autoconfigure;

import dev.floodgate.web.RateLimitInterceptor;

import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Registers the {@link RateLimitInterceptor} ahead of other interceptors, for every path but
 * the actuator's ({@code /actuator/**}, or {@code management.endpoints.web.base-path}) and
 * the error page ({@code /error}, or {@code server.error.path}). Deny-listed, banned and
 * blocked clients are refused there by the {@link dev.floodgate.web.RestrictionInterceptor}
 * instead, which counts nothing.
 */
final class FloodgateWebMvcConfigurer implements WebMvcConfigurer {

	private final RateLimitInterceptor interceptor;

	private final String[] excluded;

	FloodgateWebMvcConfigurer(RateLimitInterceptor interceptor, Environment environment) {
		this.interceptor = interceptor;
		this.excluded = ManagementPaths.unlimited(environment);
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(this.interceptor).excludePathPatterns(this.excluded).order(Ordered.HIGHEST_PRECEDENCE);
	}

}
