package dev.floodgate.reactive;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.floodgate.reactive.app.ReactiveApplication;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.testsupport.MutableClock;
import dev.floodgate.testsupport.ReactiveInstance;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * {@link ReactiveApplication} started on Reactor Netty on a random port, with Floodgate's
 * clock under the test's control, and a {@link WebTestClient} bound to that server. Unless a
 * test says otherwise, every client is an address behind the loopback proxy
 * ({@code floodgate.behind-proxy=true}, {@code X-Forwarded-For}).
 */
final class ReactiveApp implements ReactiveInstance {

	static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

	final MutableClock clock = new MutableClock(START);

	final ConfigurableApplicationContext context;

	final WebTestClient http;

	final int port;

	ReactiveApp(String... properties) {
		List<String> all = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
				"floodgate.behind-proxy=true", "floodgate.limit=5/minute", "floodgate.block.after-violations=3",
				"floodgate.block.duration=1m", "floodgate.block.factor=2", "floodgate.ban.after-violations=10",
				"floodgate.ban.window=24h", "floodgate.penalize.statuses=404", "management.health.redis.enabled=false",
				"management.endpoints.web.exposure.include=health,floodgate"));
		all.addAll(List.of(properties));
		if (all.stream().noneMatch((p) -> p.startsWith("floodgate.store.type=redis"))) {
			all.add("spring.autoconfigure.exclude="
					+ "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration,"
					+ "org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration,"
					+ "org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration");
		}
		this.context = new SpringApplicationBuilder(ReactiveApplication.class).web(WebApplicationType.REACTIVE)
			.properties(all.toArray(new String[0]))
			.initializers((ctx) -> ctx.getBeanFactory().registerSingleton("floodgateClock", this.clock))
			.run();
		this.port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
		this.http = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.port)
			.responseTimeout(Duration.ofSeconds(10))
			.build();
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

}
