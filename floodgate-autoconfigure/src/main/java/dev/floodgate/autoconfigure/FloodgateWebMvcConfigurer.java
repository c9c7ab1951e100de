package dev.floodgate.autoconfigure;

import dev.floodgate.web.RateLimitInterceptor;

import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Registers the {@link RateLimitInterceptor} ahead of other interceptors, for every path but
 * the actuator's ({@code /actuator/**}, or {@code management.endpoints.web.base-path}) and
 * the error page ({@code /error}, or {@code server.error.path}).
 */
final class FloodgateWebMvcConfigurer implements WebMvcConfigurer {

	private final RateLimitInterceptor interceptor;

	private final String[] excluded;

	FloodgateWebMvcConfigurer(RateLimitInterceptor interceptor, Environment environment) {
		this.interceptor = interceptor;
		String actuator = trimTrailingSlash(environment.getProperty("management.endpoints.web.base-path", "/actuator"));
		String error = environment.getProperty("server.error.path", "/error");
		this.excluded = new String[] { "/actuator", "/actuator/**", actuator, actuator + "/**", error, error + "/**" };
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(this.interceptor).excludePathPatterns(this.excluded).order(Ordered.HIGHEST_PRECEDENCE);
	}

	private static String trimTrailingSlash(String path) {
		String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
		return trimmed.isEmpty() ? "/actuator" : trimmed;
	}

}
