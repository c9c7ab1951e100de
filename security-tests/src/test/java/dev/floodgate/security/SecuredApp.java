package dev.floodgate.security;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.floodgate.security.app.SecuredApplication;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.testsupport.MutableClock;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@link SecuredApplication} started on a random port, with Floodgate's clock under the
 * test's control. Every client is an address behind the loopback proxy
 * ({@code floodgate.behind-proxy=true}, {@code X-Forwarded-For}).
 */
final class SecuredApp implements AutoCloseable {

	static final Instant START = Instant.parse("2026-03-01T00:00:00Z");

	private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

	final MutableClock clock = new MutableClock(START);

	final ConfigurableApplicationContext context;

	private final int port;

	/** No redirects are followed and no cookie is kept but the ones a test passes. */
	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	SecuredApp(String login, String... properties) {
		List<String> all = new ArrayList<>(List.of("server.port=0", "spring.main.banner-mode=off", "test.login=" + login,
				"spring.security.user.name=alice", "spring.security.user.password=secret",
				"floodgate.behind-proxy=true", "floodgate.block.after-violations=3", "floodgate.block.duration=1m",
				"floodgate.block.factor=2", "floodgate.ban.after-violations=10", "floodgate.ban.window=24h",
				"management.health.redis.enabled=false"));
		all.addAll(List.of(properties));
		if (!all.contains("floodgate.store.type=redis")) {
			all.add("spring.autoconfigure.exclude="
					+ "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration,"
					+ "org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration");
		}
		this.context = new SpringApplicationBuilder(SecuredApplication.class).properties(all.toArray(new String[0]))
			.initializers((ctx) -> ctx.getBeanFactory().registerSingleton("floodgateClock", this.clock))
			.run();
		this.port = ((WebServerApplicationContext) this.context).getWebServer().getPort();
	}

	/**
	 * A request with HTTP Basic credentials.
	 * @param client the client's address
	 * @param path the path
	 * @param user the user name
	 * @param password the password
	 * @return the response
	 */
	HttpResponse<String> basic(String client, String path, String user, String password) {
		String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
		return send(request(client, path).header("Authorization", "Basic " + credentials).GET());
	}

	HttpResponse<String> get(String client, String path) {
		return send(request(client, path).GET());
	}

	/**
	 * A form login as a browser makes it: the login page first, for its session and CSRF
	 * token, then {@code POST /login}. A client refused the page posts without them, as a
	 * script would.
	 * @param client the client's address
	 * @param user the user name
	 * @param password the password
	 * @return the response to the post
	 */
	HttpResponse<String> formLogin(String client, String user, String password) {
		HttpResponse<String> page = get(client, "/login");
		String form = "username=" + encode(user) + "&password=" + encode(password);
		HttpRequest.Builder post = request(client, "/login").header("Content-Type", "application/x-www-form-urlencoded");
		if (page.statusCode() == 200) {
			Matcher token = CSRF.matcher(page.body());
			if (!token.find()) {
				throw new IllegalStateException("no CSRF token on the login page: " + page.body());
			}
			form += "&_csrf=" + encode(token.group(1));
			page.headers().allValues("Set-Cookie").stream().map((cookie) -> cookie.split(";", 2)[0])
				.reduce((a, b) -> a + "; " + b)
				.ifPresent((cookies) -> post.header("Cookie", cookies));
		}
		return send(post.POST(HttpRequest.BodyPublishers.ofString(form)));
	}

	Optional<ClientStatus> status(String client) {
		return this.context.getBean("floodgateViolationStore", ViolationStore.class).status(client);
	}

	long seenBehindSecurity(String client) {
		return this.context.getBean(SecuredApplication.SeenRequests.class).from(client);
	}

	private HttpRequest.Builder request(String client, String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.header("X-Forwarded-For", client);
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	@Override
	public void close() {
		this.context.close();
	}

}
