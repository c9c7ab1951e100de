package dev.floodgate.gatewaysample;

import java.net.InetSocketAddress;

import dev.floodgate.gateway.FloodgateGatewayFilterFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Cloud Gateway in front of the URL shortener's redirect service, with
 * floodgate-starter: every route under {@code floodgate.limit}, the {@code search} route
 * ({@code application.yml}) and the {@code preview} route (Java DSL, below) under limits of
 * their own, and a scanner's 404s from the service counted as violations.
 * <p>
 * The redirect service is {@code sample.upstream-uri}; without one, a stand-in
 * ({@link RedirectService}) answers on {@code sample.redirect-service.port} (8091), so the
 * sample runs on its own.
 */
@SpringBootApplication
public class GatewaySampleApplication {

	/**
	 * Starts the gateway.
	 * @param args the command line
	 */
	public static void main(String[] args) {
		SpringApplication.run(GatewaySampleApplication.class, args);
	}

	/**
	 * A route in the Java DSL with a Floodgate limit of its own.
	 * @param routes the builder
	 * @param floodgate the Floodgate filter's factory
	 * @param upstream the redirect service
	 * @return the routes
	 */
	@Bean
	RouteLocator previewRoutes(RouteLocatorBuilder routes, FloodgateGatewayFilterFactory floodgate,
			@Value("${sample.upstream-uri:http://127.0.0.1:${sample.redirect-service.port:8091}}") String upstream) {
		return routes.routes()
			.route("preview", (route) -> route.path("/preview/**")
				.filters((filters) -> filters.filter(floodgate.limit("3/minute")).prefixPath("/upstream"))
				.uri(upstream))
			.build();
	}

	/**
	 * The client's address as the gateway's own {@code RequestRateLimiter} keys it (the
	 * benchmark's comparison: {@code bench-redis-rate-limiter} profile).
	 * @return the key resolver
	 */
	@Bean
	KeyResolver remoteAddressKeyResolver() {
		return (exchange) -> {
			InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
			return (remote != null && remote.getAddress() != null)
					? Mono.just(remote.getAddress().getHostAddress()) : Mono.empty();
		};
	}

	/**
	 * The redirect service's stand-in, unless {@code sample.redirect-service.enabled=false}.
	 * @param port its port
	 * @return the service
	 */
	@Bean(destroyMethod = "close")
	@ConditionalOnBooleanProperty(name = "sample.redirect-service.enabled", matchIfMissing = true)
	RedirectService redirectService(@Value("${sample.redirect-service.port:8091}") int port) {
		return new RedirectService(port);
	}

}
