package dev.floodgate.gatewaysample;

import java.net.InetSocketAddress;

import dev.floodgate.gateway.FloodgateGatewayFilterFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.gateway.filter.ratelimit.KeyResolver;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * A Spring Cloud Gateway in front of the URL shortener's redirect service, with
 * floodgate-starter: every route under {@code floodgate.limit}, the {@code search} route
 * ({@code application.yml}) and the {@code preview} route (Java DSL, below) under limits of
 * their own, and a scanner's 404s from the service counted as violations.
 * <p>
 * The redirect service is {@code sample.upstream-uri}; without one, a stand-in inside this
 * application ({@link Upstream}, reached through {@code forward:}) answers, so the sample
 * runs on its own.
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
			@Value("${sample.upstream-uri:forward:/}") String upstream) {
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
	 * The redirect service's stand-in: {@code abc} is a short link, every other code a 404.
	 */
	@RestController
	static class Upstream {

		@GetMapping("/upstream/links/{code}")
		Mono<String> link(@PathVariable String code) {
			return "abc".equals(code) ? Mono.just("https://example.com/abc")
					: Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND));
		}

		@GetMapping({ "/upstream/search", "/upstream/preview/{code}", "/upstream/hello" })
		Mono<String> page() {
			return Mono.just("hello from the redirect service");
		}

	}

}
