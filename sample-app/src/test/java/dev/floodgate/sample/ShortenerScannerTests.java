package dev.floodgate.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import dev.floodgate.autoconfigure.FloodgateAutoConfiguration;
import dev.floodgate.testsupport.MutableClock;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scanner that walks the sample's short codes collects 404s, and the sample's
 * {@code floodgate.penalize.statuses: 404} turns each into a violation: blocked after three,
 * banned after ten, while a visitor who follows a real link is never counted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "floodgate.behind-proxy=true" })
class ShortenerScannerTests {

	private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));

	private static final String SCANNER = "203.0.113.9";

	private static final String VISITOR = "198.51.100.7";

	private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry meters;

	@Test
	void aScannerOfShortCodesIsBlockedThenBannedAndAVisitorIsNeverCounted() throws Exception {
		String code = createLink();
		int scanned = 0;
		// blocks of 1m, 2m and 4m (the sample's block.duration 1m, factor 2) after 3 violations each
		for (Duration block : new Duration[] { Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4) }) {
			for (int i = 0; i < 3; i++) {
				assertThat(status(scan("/" + code(scanned++)))).isEqualTo(404);
				assertThat(status(get("/" + code))).isEqualTo(302);
			}
			HttpResponse<String> blocked = scan("/" + code(scanned));
			assertThat(blocked.statusCode()).isEqualTo(429);
			assertThat(blocked.headers().firstValue("Retry-After")).hasValue(Long.toString(block.toSeconds()));
			CLOCK.advance(block);
		}
		assertThat(status(scan("/" + code(scanned++)))).isEqualTo(404);
		HttpResponse<String> banned = scan("/" + code(scanned));
		assertThat(banned.statusCode()).isEqualTo(403);
		assertThat(banned.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(banned.body()).contains("urn:floodgate:problem:banned");
		assertThat(status(scan("/" + code))).isEqualTo(403);
		assertThat(status(get("/" + code))).isEqualTo(302);
		assertThat(this.meters.get("floodgate.penalties").tag("reason", "status").counter().count()).isEqualTo(10);
		assertThat(this.meters.get("floodgate.blocks").tag("kind", "permanent").counter().count()).isEqualTo(1);
	}

	private String createLink() throws Exception {
		HttpResponse<String> created = this.http.send(HttpRequest.newBuilder(uri("/api/links"))
			.header("Content-Type", "application/json")
			.header("X-Forwarded-For", VISITOR)
			.POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://spring.io\"}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(created.statusCode()).isEqualTo(201);
		return created.body().replaceAll(".*\"code\":\"([^\"]+)\".*", "$1");
	}

	private static String code(int n) {
		return String.format("zz%05d", n);
	}

	/** A request of the scanner, behind the sample's (loopback, trusted) proxy. */
	private HttpResponse<String> scan(String path) throws Exception {
		return get(path, SCANNER);
	}

	/** A request of a visitor who follows real links. */
	private HttpResponse<String> get(String path) throws Exception {
		return get(path, VISITOR);
	}

	private HttpResponse<String> get(String path, String client) throws Exception {
		return this.http.send(HttpRequest.newBuilder(uri(path)).header("X-Forwarded-For", client).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static int status(HttpResponse<String> response) {
		return response.statusCode();
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ScannerClock {

		@Bean(name = FloodgateAutoConfiguration.CLOCK_BEAN_NAME, defaultCandidate = false)
		Clock floodgateClock() {
			return CLOCK;
		}

	}

}
