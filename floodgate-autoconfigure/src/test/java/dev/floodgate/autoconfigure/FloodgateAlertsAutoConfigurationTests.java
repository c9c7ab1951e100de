package dev.floodgate.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import com.sun.net.httpserver.HttpServer;
import dev.floodgate.alert.WebhookAlerts;
import dev.floodgate.core.Escalation;
import dev.floodgate.core.FloodgateObserver;
import dev.floodgate.core.InvalidFloodgateSettingException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link FloodgateAlertsAutoConfiguration}.
 */
class FloodgateAlertsAutoConfigurationTests {

	private static final String URL = "http://127.0.0.1:1/hook";

	private final WebApplicationContextRunner contextRunner = new WebApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(FloodgateAutoConfiguration.class, FloodgateAlertsAutoConfiguration.class));

	@Test
	void noAlertsWithoutWebhookUrls() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(FloodgateSettings.class);
			assertThat(context).doesNotHaveBean(WebhookAlerts.class);
		});
	}

	@Test
	void noAlertsWithBlankWebhookUrls() {
		this.contextRunner.withPropertyValues("floodgate.alerts.webhook-urls=")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(WebhookAlerts.class));
	}

	@Test
	void alertsWithAWebhookUrl() {
		this.contextRunner.withPropertyValues("floodgate.alerts.webhook-urls=" + URL).run((context) -> {
			assertThat(context).hasSingleBean(WebhookAlerts.class);
			assertThat(context).hasBean("floodgateWebhookAlerts");
			assertThat(context.getBeanProvider(FloodgateObserver.class).orderedStream())
				.contains(context.getBean(WebhookAlerts.class));
		});
	}

	@Test
	void alertsWithCommaSeparatedWebhookUrls() {
		this.contextRunner.withPropertyValues("floodgate.alerts.webhook-urls=" + URL + ", http://127.0.0.1:2/hook")
			.run((context) -> {
				assertThat(context).hasSingleBean(WebhookAlerts.class);
				assertThat(context.getBean(FloodgateSettings.class).webhookUrls())
					.containsExactly(URI.create(URL), URI.create("http://127.0.0.1:2/hook"));
			});
	}

	@Test
	void alertsWithIndexedWebhookUrls() {
		this.contextRunner
			.withPropertyValues("floodgate.alerts.webhook-urls[0]=" + URL,
					"floodgate.alerts.webhook-urls[1]=http://127.0.0.1:2/hook")
			.run((context) -> {
				assertThat(context).hasSingleBean(WebhookAlerts.class);
				assertThat(context.getBean(FloodgateSettings.class).webhookUrls()).hasSize(2);
			});
	}

	@Test
	void alertsUseTheSettingsTheFloodgateClockAndTheApplicationName() throws IOException {
		BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
		HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		server.createContext("/", (exchange) -> {
			try {
				bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
				exchange.sendResponseHeaders(204, -1);
			}
			finally {
				exchange.close();
			}
		});
		server.start();
		try {
			Instant now = Instant.parse("2025-06-01T10:00:00Z");
			String url = "http://" + server.getAddress().getAddress().getHostAddress() + ":"
					+ server.getAddress().getPort() + "/hook";
			this.contextRunner
				.withBean(FloodgateAutoConfiguration.CLOCK_BEAN_NAME, Clock.class,
						() -> Clock.fixed(now, ZoneOffset.UTC))
				.withPropertyValues("floodgate.alerts.webhook-urls=" + url, "spring.application.name=shop")
				.run((context) -> {
					WebhookAlerts alerts = context.getBean(WebhookAlerts.class);
					alerts.escalated("192.0.2.1",
							new Escalation(Escalation.Kind.BAN, 1, Long.MAX_VALUE, 3), null, false);
					assertThat(alerts.awaitIdle(Duration.ofSeconds(20))).isTrue();
					assertThat(bodies).hasSize(1);
					assertThat(new JsonMapper().readTree(bodies.poll()).toString())
						.contains("\"application\":\"shop\"")
						.contains("\"at\":\"2025-06-01T10:00:00Z\"")
						.contains("\"event\":\"client-banned\"");
				});
		}
		finally {
			server.stop(0);
		}
	}

	@Test
	void userDefinedAlertsReplaceTheAutoConfiguredOnes() {
		this.contextRunner.withPropertyValues("floodgate.alerts.webhook-urls=" + URL)
			.withBean("myAlerts", WebhookAlerts.class, () -> new WebhookAlerts(List.of(URI.create(URL)),
					Duration.ofMinutes(5), Duration.ofSeconds(1), "mine", Clock.systemUTC()))
			.run((context) -> {
				assertThat(context).hasSingleBean(WebhookAlerts.class);
				assertThat(context).hasBean("myAlerts");
				assertThat(context).doesNotHaveBean("floodgateWebhookAlerts");
			});
	}

	@Test
	void noAlertsWhenFloodgateIsDisabled() {
		this.contextRunner.withPropertyValues("floodgate.enabled=false", "floodgate.alerts.webhook-urls=" + URL)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(WebhookAlerts.class));
	}

	@Test
	void noAlertsInANonWebApplication() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(FloodgateAutoConfiguration.class, FloodgateAlertsAutoConfiguration.class))
			.withPropertyValues("floodgate.alerts.webhook-urls=" + URL)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(WebhookAlerts.class));
	}

	@Test
	void noAlertsWithoutRestClient() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RestClient.class))
			.withPropertyValues("floodgate.alerts.webhook-urls=" + URL)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).hasSingleBean(FloodgateSettings.class);
				assertThat(context).doesNotHaveBean(WebhookAlerts.class);
			});
	}

	@Test
	void anInvalidWebhookUrlFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("floodgate.alerts.webhook-urls=ftp://x").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidFloodgateSettingException.class)
				.hasMessageContaining("floodgate.alerts.webhook-urls[0]")
				.hasMessageContaining("ftp://x");
		});
	}

}
