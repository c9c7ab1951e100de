package dev.floodgate.gatewaysample;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.floodgate.core.DecisionRules;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.redis.RedisClientRecords;
import dev.floodgate.testsupport.MutableClock;
import dev.floodgate.testsupport.ReactiveInstance;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * {@link GatewaySampleApplication} started on Reactor Netty on a random port in front of an
 * {@link RedirectService} server, with Floodgate's clock under the test's control, and a
 * {@link WebTestClient} bound to that server. Unless a test says otherwise, every client is
 * an address behind the loopback proxy ({@code floodgate.behind-proxy=true},
 * {@code X-Forwarded-For}), blocked after 3 violations for 1, 2, 4 minutes, banned after 10.
 */
final class GatewayApp implements ReactiveInstance {

	static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

	final MutableClock clock = new MutableClock(START);

	final ConfigurableApplicationContext context;

	final WebTestClient http;

	/**
	 * Starts the gateway in front of the one upstream all of this JVM's tests share.
	 * @param properties settings of the test, over the harness's
	 */
	GatewayApp(String... properties) {
		RedirectService upstream = Upstream.SERVER;
		List<String> all = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
				"sample.upstream-uri=" + upstream.uri(), "sample.redirect-service.enabled=false",
				"floodgate.behind-proxy=true", "floodgate.limit=5/minute",
				"floodgate.block.after-violations=3", "floodgate.block.duration=1m", "floodgate.block.factor=2",
				"floodgate.ban.after-violations=10", "floodgate.ban.window=24h"));
		all.addAll(List.of(properties));
		this.context = new SpringApplicationBuilder(GatewaySampleApplication.class, TestClockRedisStore.class)
			.web(WebApplicationType.REACTIVE)
			.initializers((ctx) -> ctx.getBeanFactory().registerSingleton("floodgateClock", this.clock))
			// as command-line arguments, over the sample's application.yml; a test's own replace the defaults
			.run(arguments(all));
		int port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		this.http = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + port)
			.responseTimeout(Duration.ofSeconds(10))
			.build();
	}

	private static String[] arguments(List<String> properties) {
		Map<String, String> byName = new LinkedHashMap<>();
		for (String property : properties) {
			int equals = property.indexOf('=');
			byName.put(property.substring(0, equals), property.substring(equals + 1));
		}
		return byName.entrySet().stream().map((entry) -> "--" + entry.getKey() + "=" + entry.getValue())
			.toArray(String[]::new);
	}



	Optional<ClientStatus> status(String client) {
		return this.context.getBean("floodgateViolationStore", ViolationStore.class).status(client);
	}

	@Override
	public WebTestClient http() {
		return this.http;
	}

	@Override
	public MutableClock clock() {
		return this.clock;
	}

	@Override
	public void close() {
		this.context.close();
	}

	/** The upstream, started once for the tests of this JVM; its loops are daemons. */
	private static final class Upstream {

		static final RedirectService SERVER = new RedirectService(0);

	}

	/**
	 * On the Redis store, the store on the test's clock, where the starter's reads the Redis
	 * server's: a test moves time past a block.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "floodgate.store.type", havingValue = "redis")
	static class TestClockRedisStore {

		@Bean
		RedisClientRecords floodgateRedisClientRecords(RedisConnectionFactory connectionFactory, DecisionRules rules,
				@Qualifier("floodgateClock") Clock clock,
				@Value("${floodgate.store.timeout:500ms}") Duration timeout) {
			return new RedisClientRecords(connectionFactory, rules, "floodgate:", timeout, clock);
		}

	}

}
