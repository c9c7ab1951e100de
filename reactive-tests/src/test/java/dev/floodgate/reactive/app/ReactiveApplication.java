package dev.floodgate.reactive.app;

import java.time.Clock;
import java.time.Duration;

import dev.floodgate.RateLimited;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.event.ClientBlockedEvent;
import dev.floodgate.store.redis.RedisClientRecords;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * A new Spring WebFlux application with floodgate-starter and no Floodgate code of its own
 * but one {@code @RateLimited}: a greeting under the default limit, a search with its own
 * limit, and a redirect service's codes, where a scanner collects 404s.
 */
@SpringBootApplication
public class ReactiveApplication {

	/**
	 * The Redis store on the test's clock ({@code test.redis-on-test-clock}), where the
	 * starter's reads the Redis server's: a test moves time past a block.
	 */
	@Bean
	@ConditionalOnBooleanProperty("test.redis-on-test-clock")
	RedisClientRecords floodgateRedisClientRecords(RedisConnectionFactory connectionFactory, DecisionRules rules,
			@Qualifier("floodgateClock") Clock clock, @Value("${floodgate.store.timeout:500ms}") Duration timeout) {
		return new RedisClientRecords(connectionFactory, rules, "floodgate:", timeout, clock);
	}

	/**
	 * A listener of blocks that throws ({@code test.throwing-listener}): a failing neighbour.
	 * @return the listener
	 */
	@Bean
	@ConditionalOnBooleanProperty("test.throwing-listener")
	ThrowingListener throwingListener() {
		return new ThrowingListener();
	}

	static class ThrowingListener {

		@EventListener
		void blocked(ClientBlockedEvent event) {
			throw new IllegalStateException("a listener of " + event.client() + "'s block that throws");
		}

	}

	@RestController
	static class Api {

		@GetMapping("/hello")
		Mono<String> hello() {
			return Mono.just("hello");
		}

		@RateLimited("2/minute")
		@GetMapping("/search")
		Mono<String> search() {
			return Mono.just("results");
		}

		@GetMapping("/codes/{code}")
		Mono<String> code(@PathVariable String code) {
			return "abc".equals(code) ? Mono.just("https://example.com/abc")
					: Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND));
		}

	}

}
