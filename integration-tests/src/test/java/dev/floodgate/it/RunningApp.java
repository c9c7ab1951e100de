package dev.floodgate.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.floodgate.testsupport.MutableClock;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * An application started on a random port, with Floodgate's clock under the test's control.
 */
final class RunningApp implements AutoCloseable {

	static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	final MutableClock clock;

	final ConfigurableApplicationContext context;

	private final int port;

	private final int managementPort;

	private RunningApp(ConfigurableApplicationContext context, MutableClock clock) {
		this(context, clock, ((WebServerApplicationContext) context).getWebServer().getPort(),
				context.getEnvironment().getProperty("local.management.port", Integer.class, -1));
	}

	private RunningApp(ConfigurableApplicationContext context, MutableClock clock, int port, int managementPort) {
		this.context = context;
		this.clock = clock;
		this.port = port;
		this.managementPort = managementPort;
	}

	/**
	 * The same application, requested on its separate management port
	 * ({@code management.server.port}).
	 * @return a view of this application whose requests go to the management port
	 */
	RunningApp management() {
		if (this.managementPort <= 0 || this.managementPort == this.port) {
			throw new IllegalStateException("no separate management port");
		}
		return new RunningApp(this.context, this.clock, this.managementPort, this.managementPort);
	}

	static RunningApp start(Class<?> application, String... properties) {
		MutableClock clock = new MutableClock(START);
		List<String> all = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off",
				"management.endpoints.web.exposure.include=health,metrics", "management.health.redis.enabled=false",
				"management.health.mongodb.enabled=false"));
		all.addAll(List.of(properties));
		if (all.stream().noneMatch((property) -> property.startsWith("spring.datasource.url="))) {
			// spring-boot-starter-jdbc is on the classpath for the JDBC store's tests: without a URL,
			// and without an embedded database, an application has no DataSource to make
			String exclude = "spring.autoconfigure.exclude=";
			String dataSource = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";
			int given = all.size() - 1;
			while (given >= 0 && !all.get(given).startsWith(exclude)) {
				given--;
			}
			if (given >= 0) {
				all.set(given, all.get(given) + "," + dataSource);
			}
			else {
				all.add(exclude + dataSource);
			}
		}
		ConfigurableApplicationContext context = new SpringApplicationBuilder(application)
			.properties(all.toArray(new String[0]))
			.initializers((ctx) -> ctx.getBeanFactory().registerSingleton("floodgateClock", clock))
			.run();
		return new RunningApp(context, clock);
	}

	HttpResponse<String> get(String path, String... headers) {
		return send("GET", path, null, headers);
	}

	HttpResponse<String> delete(String path, String... headers) {
		return send("DELETE", path, null, headers);
	}

	HttpResponse<String> postJson(String path, String json, String... headers) {
		String[] all = new String[headers.length + 2];
		all[0] = "Content-Type";
		all[1] = "application/json";
		System.arraycopy(headers, 0, all, 2, headers.length);
		return send("POST", path, json, all);
	}

	private HttpResponse<String> send(String method, String path, String body, String... headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
		for (int i = 0; i < headers.length; i += 2) {
			request.header(headers[i], headers[i + 1]);
		}
		try {
			return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	List<Integer> statuses(String path, int times, String... headers) {
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < times; i++) {
			statuses.add(get(path, headers).statusCode());
		}
		return statuses;
	}

	@Override
	public void close() {
		this.context.close();
	}

}
