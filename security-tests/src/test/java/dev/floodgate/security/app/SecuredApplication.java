package dev.floodgate.security.app;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.floodgate.core.DecisionRules;
import dev.floodgate.store.redis.RedisClientRecords;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A new Spring Boot application with Spring Security and floodgate-starter, and no Floodgate
 * code of its own: its user ({@code spring.security.user.*}) logs in with HTTP Basic
 * ({@code test.login=basic}) or with Spring Security's form login ({@code test.login=form}).
 * A filter of its own, ordered after Spring Security's, records every request it sees.
 */
@SpringBootApplication
public class SecuredApplication {

	/** The order of {@link #afterSecurity}: Spring Security's filter chain is at -100. */
	public static final int AFTER_SECURITY_ORDER = 0;

	/**
	 * The requests that reached the application's own filter behind Spring Security, by the
	 * {@code X-Forwarded-For} they came with.
	 */
	@Bean
	SeenRequests seenRequests() {
		return new SeenRequests();
	}

	@Bean
	FilterRegistrationBean<Filter> afterSecurity(SeenRequests seen) {
		FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
			String forwarded = ((HttpServletRequest) request).getHeader("X-Forwarded-For");
			seen.add((forwarded != null) ? forwarded : "");
			chain.doFilter(request, response);
		});
		registration.setOrder(AFTER_SECURITY_ORDER);
		return registration;
	}

	/**
	 * The Redis store on the test's clock ({@code test.redis-on-test-clock}), where the
	 * starter's reads the Redis server's: a test moves time past a block.
	 */
	@Bean
	@ConditionalOnBooleanProperty("test.redis-on-test-clock")
	RedisClientRecords floodgateRedisClientRecords(RedisConnectionFactory connectionFactory, DecisionRules rules,
			@Qualifier("floodgateClock") Clock clock) {
		return new RedisClientRecords(connectionFactory, rules, "floodgate:", Duration.ofSeconds(5), clock);
	}

	/**
	 * Everything but {@code /public} needs a login: HTTP Basic or form login, as
	 * {@code test.login} says.
	 */
	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http, Environment environment) throws Exception {
		http.authorizeHttpRequests(
				(requests) -> requests.requestMatchers("/public").permitAll().anyRequest().authenticated());
		String login = environment.getRequiredProperty("test.login");
		switch (login) {
			case "basic" -> http.httpBasic(Customizer.withDefaults());
			case "form" -> http.formLogin(Customizer.withDefaults());
			default -> throw new IllegalArgumentException("test.login is basic or form, not " + login);
		}
		return http.build();
	}

	@RestController
	static class Api {

		@GetMapping("/api/hello")
		String hello() {
			return "hello";
		}

		@GetMapping("/public")
		String open() {
			return "public";
		}

		@GetMapping("/")
		String home() {
			return "home";
		}

	}

	/** The {@code X-Forwarded-For} of every request that got past Spring Security. */
	public static final class SeenRequests {

		private final List<String> forwardedFor = new CopyOnWriteArrayList<>();

		void add(String forwardedFor) {
			this.forwardedFor.add(forwardedFor);
		}

		/**
		 * How many requests from a client got past Spring Security.
		 * @param client the client's address, as its {@code X-Forwarded-For}
		 * @return the count
		 */
		public long from(String client) {
			return this.forwardedFor.stream().filter(client::equals).count();
		}

	}

}
