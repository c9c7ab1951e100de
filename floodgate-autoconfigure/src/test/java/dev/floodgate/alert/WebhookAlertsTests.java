package dev.floodgate.alert;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.floodgate.core.Escalation;
import dev.floodgate.core.LimitParser;
import dev.floodgate.core.RatePolicies;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.testsupport.MutableClock;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Tests for {@link WebhookAlerts}, against real HTTP servers on the loopback interface.
 */
class WebhookAlertsTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private static final Instant START = Instant.parse("2025-06-01T10:00:00Z");

	private static final JsonMapper json = new JsonMapper();

	private final MutableClock clock = new MutableClock(START);

	private final RatePolicy policy = new RatePolicies().getOrCreate("default", LimitParser.parse("5/minute"));

	private final List<AutoCloseable> resources = new ArrayList<>();

	@AfterEach
	void closeResources() throws Exception {
		Collections.reverse(this.resources);
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
	}

	@Test
	void sendsOneAlertPerClientPerInterval() throws Exception {
		WebhookServer server = server();
		WebhookAlerts alerts = alerts(List.of(server.url()), "shop");
		for (int i = 1; i <= 5; i++) {
			alerts.escalated("203.0.113.7", block(i), this.policy, false);
		}
		alerts.escalated("2001:db8:1:2::/64", ban(), null, true);
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		List<Received> received = server.drain();
		assertThat(received).hasSize(2);
		assertThat(received.get(0).json()).containsEntry("event", "client-blocked")
			.containsEntry("client", "203.0.113.7")
			.containsEntry("until", "2025-06-01T10:05:00Z")
			.containsEntry("permanent", false)
			.containsEntry("blockNumber", 1)
			.containsEntry("violations", 5)
			.containsEntry("policy", "default")
			.containsEntry("dryRun", false)
			.containsEntry("application", "shop")
			.containsEntry("at", "2025-06-01T10:00:00Z");
		assertThat(received.get(1).json()).containsEntry("event", "client-banned")
			.containsEntry("client", "2001:db8:1:2::/64")
			.containsEntry("until", null)
			.containsEntry("permanent", true)
			.containsEntry("blockNumber", 1)
			.containsEntry("violations", 12)
			.containsEntry("policy", null)
			.containsEntry("dryRun", true)
			.containsEntry("application", "shop")
			.containsEntry("at", "2025-06-01T10:00:00Z");
		// still within the interval: nothing
		this.clock.advance(Duration.ofSeconds(59));
		alerts.escalated("203.0.113.7", ban(), this.policy, false);
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		assertThat(server.drain()).isEmpty();
		// past the interval: the next escalation is sent
		this.clock.advance(Duration.ofSeconds(2));
		alerts.escalated("203.0.113.7", ban(), this.policy, false);
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		received = server.drain();
		assertThat(received).hasSize(1);
		assertThat(received.get(0).json()).containsEntry("event", "client-banned")
			.containsEntry("client", "203.0.113.7")
			.containsEntry("policy", "default")
			.containsEntry("at", "2025-06-01T10:01:01Z");
	}

	@Test
	void concurrentEscalationsOfOneClientSendOneAlert() throws Exception {
		WebhookServer server = server();
		WebhookAlerts alerts = alerts(List.of(server.url()), null);
		int threads = 8;
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch ready = new CountDownLatch(threads);
			CountDownLatch go = new CountDownLatch(1);
			List<Future<?>> calls = new ArrayList<>();
			for (int i = 0; i < threads; i++) {
				int number = i + 1;
				calls.add(executor.submit(() -> {
					ready.countDown();
					go.await();
					alerts.escalated("198.51.100.1", block(number), this.policy, false);
					return null;
				}));
			}
			assertThat(ready.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			go.countDown();
			for (Future<?> call : calls) {
				call.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		assertThat(server.drain()).singleElement()
			.satisfies((received) -> assertThat(received.json()).containsEntry("client", "198.51.100.1"));
	}

	@Test
	void postsJson() throws Exception {
		WebhookServer server = server();
		WebhookAlerts alerts = alerts(List.of(server.url()), null);
		alerts.escalated("203.0.113.7", block(2), this.policy, false);
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		Received received = server.drain().get(0);
		assertThat(received.method()).isEqualTo("POST");
		assertThat(received.path()).isEqualTo("/hook");
		assertThat(received.contentType()).startsWith("application/json");
		assertThat(received.json()).containsEntry("application", null).containsEntry("blockNumber", 2);
	}

	@Test
	void escapesStringsInTheJson() throws Exception {
		WebhookServer server = server();
		String application = "shop \"eu\"\t\\ \u0001 \u2028 ünïcödé 🚀";
		WebhookAlerts alerts = alerts(List.of(server.url()), application);
		RatePolicy annotated = new RatePolicies().getOrCreate("com.example.Api#create \"x\"",
				LimitParser.parse("5/minute"));
		alerts.escalated("203.0.113.7", block(1), annotated, false);
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		Received received = server.drain().get(0);
		assertThat(received.body()).doesNotContain("\t").doesNotContain("\u0001");
		assertThat(received.json()).containsEntry("application", application)
			.containsEntry("policy", "com.example.Api#create \"x\"");
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void aDeadOrHangingWebhookAddsNoLatency(CapturedOutput output) throws Exception {
		URI dead = deadUrl();
		WebhookServer hanging = server();
		CountDownLatch gate = hanging.hold();
		// a timeout far longer than the test: only the gate frees the worker
		WebhookAlerts alerts = new WebhookAlerts(List.of(dead, hanging.url()), Duration.ofMinutes(1),
				Duration.ofMinutes(5), null, this.clock);
		this.resources.add(alerts);
		try {
			alerts.escalated("198.51.100.0", block(1), this.policy, false);
			// the worker is now stuck in the hanging webhook
			assertThat(hanging.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			int returned = 0;
			for (int i = 1; i <= 100; i++) {
				alerts.escalated("198.51.100." + i, block(1), this.policy, false);
				returned++;
			}
			assertThat(returned).isEqualTo(100);
			assertThat(gate.getCount()).as("the webhook is still held").isOne();
			assertThat(hanging.received).hasSize(1);
		}
		finally {
			gate.countDown();
		}
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		List<Received> received = hanging.drain();
		assertThat(received).hasSize(101);
		assertThat(received.stream().map((alert) -> alert.json().get("client")).distinct()).hasSize(101);
		assertThat(alerts.droppedAlerts()).isZero();
		assertThat(warnings(output, "webhook-urls[0]")).singleElement()
			.asString()
			.contains("ConnectException")
			.doesNotContain("/hook");
		assertThat(warnings(output, "webhook-urls[1]")).isEmpty();
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void aFailingWebhookIsLoggedOnceAndDoesNotStopTheOthers(CapturedOutput output) throws Exception {
		WebhookServer failing = server();
		failing.status = 500;
		WebhookServer healthy = server();
		WebhookAlerts alerts = alerts(List.of(failing.url(), healthy.url()), null);
		for (int i = 1; i <= 4; i++) {
			alerts.escalated("192.0.2." + i, block(1), this.policy, false);
		}
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		assertThat(failing.drain()).as("never retried").hasSize(4);
		assertThat(healthy.drain()).hasSize(4);
		List<String> warnings = warnings(output, "webhook-urls[0]");
		assertThat(warnings).singleElement()
			.asString()
			.contains("it answered 500")
			.contains(origin(failing.url()))
			.doesNotContain("/hook");
		assertThat(warnings(output, "webhook-urls[1]")).isEmpty();
		assertThat(output).doesNotContain("accepts alerts again");
		// it recovers: logged once
		failing.status = 204;
		alerts.escalated("192.0.2.10", block(1), this.policy, false);
		alerts.escalated("192.0.2.11", block(1), this.policy, false);
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		assertThat(output).containsOnlyOnce("webhook-urls[0] (" + origin(failing.url()) + ") accepts alerts again");
		// and fails again: logged again
		failing.status = 503;
		alerts.escalated("192.0.2.12", block(1), this.policy, false);
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		assertThat(warnings(output, "webhook-urls[0]")).hasSize(2).last().asString().contains("it answered 503");
		assertThat(healthy.drain()).hasSize(3);
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void aSlowWebhookTimesOutAndIsNotRetried(CapturedOutput output) throws Exception {
		WebhookServer slow = server();
		CountDownLatch gate = slow.hold();
		try {
			WebhookAlerts alerts = new WebhookAlerts(List.of(slow.url()), Duration.ofMinutes(1),
					Duration.ofMillis(300), null, this.clock);
			this.resources.add(alerts);
			alerts.escalated("192.0.2.1", block(1), this.policy, false);
			alerts.escalated("192.0.2.2", block(1), this.policy, false);
			// both time out while the webhook still holds them
			assertThat(alerts.awaitIdle(WAIT)).isTrue();
			assertThat(gate.getCount()).isOne();
			for (int i = 0; i < 2; i++) {
				assertThat(slow.received.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
			}
			assertThat(slow.received).as("never retried").isEmpty();
			assertThat(warnings(output, "webhook-urls[0]")).singleElement()
				.asString()
				.contains("did not answer within 300ms");
		}
		finally {
			gate.countDown();
		}
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void aFullQueueDropsAlertsAndLogsAtMostOnceAMinute(CapturedOutput output) throws Exception {
		WebhookServer hanging = server();
		CountDownLatch gate = hanging.hold();
		WebhookAlerts alerts = new WebhookAlerts(List.of(hanging.url()), Duration.ofMinutes(1),
				Duration.ofMinutes(5), null, this.clock, 2);
		this.resources.add(alerts);
		try {
			alerts.escalated("192.0.2.0", block(1), this.policy, false);
			assertThat(hanging.entered.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			for (int i = 1; i <= 9; i++) {
				alerts.escalated("192.0.2." + i, block(1), this.policy, false);
			}
			assertThat(alerts.droppedAlerts()).isEqualTo(7);
			assertThat(output).containsOnlyOnce("Floodgate dropped a webhook alert");
			this.clock.advance(Duration.ofMinutes(1));
			alerts.escalated("192.0.2.20", block(1), this.policy, false);
			assertThat(alerts.droppedAlerts()).isEqualTo(8);
			assertThat(countOf(output.toString(), "Floodgate dropped a webhook alert")).isEqualTo(2);
		}
		finally {
			gate.countDown();
		}
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		assertThat(hanging.drain()).hasSize(3);
		// a dropped client's next escalation is not suppressed by the interval
		alerts.escalated("192.0.2.9", block(2), this.policy, false);
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		assertThat(hanging.drain()).singleElement()
			.satisfies((received) -> assertThat(received.json()).containsEntry("client", "192.0.2.9"));
	}

	@Test
	void sendsFromOneDaemonThreadThatCloseStops() throws Exception {
		Set<Thread> before = alertThreads();
		WebhookServer server = server();
		WebhookAlerts alerts = alerts(List.of(server.url()), null);
		Set<Thread> started = alertThreads();
		started.removeAll(before);
		assertThat(started).singleElement().satisfies((thread) -> assertThat(thread.isDaemon()).isTrue());
		alerts.close();
		assertThat(started.iterator().next().isAlive()).isFalse();
		assertThatNoException().isThrownBy(() -> alerts.escalated("192.0.2.1", block(1), this.policy, false));
		assertThat(alerts.awaitIdle(WAIT)).isTrue();
		assertThat(server.drain()).isEmpty();
		assertThatNoException().isThrownBy(alerts::destroy);
	}

	private static Set<Thread> alertThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals(WebhookAlerts.THREAD_NAME) && thread.isAlive())
			.collect(Collectors.toSet());
	}

	private WebhookAlerts alerts(List<URI> urls, @Nullable String application) {
		WebhookAlerts alerts = new WebhookAlerts(urls, Duration.ofMinutes(1), Duration.ofSeconds(5), application,
				this.clock);
		this.resources.add(alerts);
		return alerts;
	}

	private WebhookServer server() throws IOException {
		WebhookServer server = new WebhookServer();
		this.resources.add(server);
		return server;
	}

	private static Escalation block(int number) {
		return new Escalation(Escalation.Kind.BLOCK, number, START.plus(Duration.ofMinutes(5)).toEpochMilli(), 5);
	}

	private static Escalation ban() {
		return new Escalation(Escalation.Kind.BAN, 1, Long.MAX_VALUE, 12);
	}

	private static URI deadUrl() throws IOException, URISyntaxException {
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		return new URI("http", null, InetAddress.getLoopbackAddress().getHostAddress(), port, "/hook", null, null);
	}

	private static String origin(URI url) {
		return url.getScheme() + "://" + url.getHost() + ":" + url.getPort();
	}

	/**
	 * The WARN lines about one webhook (the only lines with that wording: further failures
	 * are logged at DEBUG with another).
	 */
	private static List<String> warnings(CapturedOutput output, String webhook) {
		return output.toString()
			.lines()
			.filter((line) -> line.contains("Floodgate could not send an alert to webhook floodgate.alerts." + webhook)
					&& line.contains("this webhook's further failures are logged at DEBUG"))
			.toList();
	}

	private static int countOf(String text, String part) {
		int count = 0;
		for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
			count++;
		}
		return count;
	}

	/**
	 * A request the webhook received.
	 */
	record Received(String method, String path, @Nullable String contentType, String body) {

		@SuppressWarnings("unchecked")
		Map<String, Object> json() {
			return json.readValue(this.body, Map.class);
		}

	}

	/**
	 * A webhook on the loopback interface that records what it receives, answers with
	 * {@link #status}, and can be held on a latch.
	 */
	static final class WebhookServer implements AutoCloseable {

		final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

		final CountDownLatch entered = new CountDownLatch(1);

		volatile int status = 204;

		private volatile @Nullable CountDownLatch gate;

		private final ExecutorService executor = Executors.newCachedThreadPool();

		private final HttpServer server;

		WebhookServer() throws IOException {
			this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
			this.server.createContext("/", this::handle);
			this.server.setExecutor(this.executor);
			this.server.start();
		}

		URI url() {
			InetSocketAddress address = this.server.getAddress();
			try {
				return new URI("http", null, address.getAddress().getHostAddress(), address.getPort(), "/hook", null,
						null);
			}
			catch (URISyntaxException ex) {
				throw new IllegalStateException(ex);
			}
		}

		/**
		 * Holds every request until the returned latch is released.
		 */
		CountDownLatch hold() {
			CountDownLatch gate = new CountDownLatch(1);
			this.gate = gate;
			return gate;
		}

		List<Received> drain() {
			List<Received> all = new ArrayList<>();
			this.received.drainTo(all);
			return all;
		}

		private void handle(HttpExchange exchange) throws IOException {
			try {
				String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
				this.received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
						exchange.getRequestHeaders().getFirst("Content-Type"), body));
				CountDownLatch gate = this.gate;
				if (gate != null) {
					this.entered.countDown();
					gate.await();
				}
				exchange.sendResponseHeaders(this.status, -1);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				exchange.close();
			}
		}

		@Override
		public void close() {
			this.server.stop(0);
			this.executor.shutdownNow();
		}

	}

}
