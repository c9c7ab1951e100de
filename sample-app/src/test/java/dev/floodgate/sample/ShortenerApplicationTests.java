package dev.floodgate.sample;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.floodgate.actuate.FloodgateEndpoint;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample answers 429 with Floodgate's headers and problem body after its limits, and
 * serves its actuator only on the management port.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ShortenerApplicationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	FloodgateEndpoint endpoint;

	/**
	 * The sample counts 404s as penalties (floodgate.penalize.statuses: 404), and every test
	 * here calls from the same loopback address: three 404s over the tests block it. Each test
	 * starts from a forgotten client, through the endpoint's own operation (over HTTP the
	 * management port refuses a blocked client too, and the operator here is that client).
	 */
	@BeforeEach
	void forgetTheTestClient() {
		this.endpoint.forget("127.0.0.1");
		this.endpoint.forget("::1");
	}

	@Test
	void creatingLinksIsLimitedToFivePerMinute() throws Exception {
		for (int i = 1; i <= 5; i++) {
			HttpResponse<String> created = post("/api/links", "{\"url\":\"https://example.com/" + i + "\"}");
			assertThat(created.statusCode()).isEqualTo(201);
			assertThat(created.headers().firstValue("RateLimit-Policy"))
				.hasValue("\"create-link-1m\";q=5;w=60, \"create-link-1d\";q=50;w=86400");
			assertThat(created.headers().firstValue("RateLimit")).get()
				.asString()
				.startsWith("\"create-link-1m\";r=" + (5 - i) + ";t=");
		}
		HttpResponse<String> limited = post("/api/links", "{\"url\":\"https://example.com/6\"}");
		assertThat(limited.statusCode()).isEqualTo(429);
		assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(limited.headers().firstValue("Retry-After")).get().asString().matches("[1-9][0-9]*");
		assertThat(limited.body()).contains("\"status\":429").contains("\"title\":\"Rate limit exceeded\"");
		// the default limit is counted apart from the annotated handler
		String code = "abcdefg";
		assertThat(get("/api/links/" + code).statusCode()).isEqualTo(404);
		assertThat(management("/actuator/health").statusCode()).isEqualTo(200);
	}

	@Test
	void prometheusShowsFloodgatesSeries() throws Exception {
		get("/api/links/abcdefg");
		HttpResponse<String> prometheus = management("/actuator/prometheus");
		assertThat(prometheus.statusCode()).isEqualTo(200);
		assertThat(prometheus.body()).contains("floodgate_requests_total{")
			.contains("outcome=\"allowed\"")
			.contains("policy=\"default\"")
			.contains("floodgate_store_latency_seconds")
			.contains("floodgate_store_circuit{")
			.contains("floodgate_clients_tracked");
	}

	@Test
	void theActuatorIsNotOnTheApplicationsPort() throws Exception {
		assertThat(this.managementPort).isNotEqualTo(this.port);
		assertThat(get("/actuator/floodgate").statusCode()).isEqualTo(404);
		assertThat(post("/actuator/floodgate/203.0.113.7", "{\"action\":\"ban\"}").statusCode()).isNotEqualTo(200);
		assertThat(get("/actuator/health").statusCode()).isEqualTo(404);
		// three probes of the public port are three 404s, which the sample counts as penalties
		assertThat(get("/actuator/health").statusCode()).isEqualTo(429);
	}

	@Test
	void theManagementPortListensOnlyOn127001() {
		// on Linux all of 127.0.0.0/8 reaches this host: the application's port (bound to every
		// address) answers on 127.0.0.2, the management port (bound to 127.0.0.1) does not
		Assumptions.assumeTrue(connects("127.0.0.2", this.port), "127.0.0.2 does not reach this host");
		assertThat(connects("127.0.0.1", this.managementPort)).isTrue();
		assertThat(connects("127.0.0.2", this.managementPort)).isFalse();
	}

	private static boolean connects(String host, int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 2000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Test
	void theFloodgateEndpointIsExposedOnTheManagementPort() throws Exception {
		HttpResponse<String> endpoint = management("/actuator/floodgate");
		assertThat(endpoint.statusCode()).isEqualTo(200);
		assertThat(endpoint.body()).contains("\"name\":\"create-link\",\"limits\":[\"5/1m\",\"50/1d\"],\"cost\":1,\"handlers\":[\"LinkController#create\"]");
	}

	private HttpResponse<String> post(String path, String json) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> management(String path) throws Exception {
		return this.http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
