package dev.floodgate.alert;

import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.floodgate.core.Escalation;
import dev.floodgate.core.FloodgateObserver;
import dev.floodgate.core.JsonStrings;
import dev.floodgate.core.RatePolicy;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.util.Assert;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;

/**
 * A {@link FloodgateObserver} that POSTs a JSON alert to webhooks for every block and ban.
 * <p>
 * Alerts never delay a request: {@link #escalated} only puts the alert in a bounded queue
 * that a single daemon thread, {@code floodgate-alerts}, sends from (when the queue is full
 * the alert is dropped, and that is logged at most once a minute). At most one alert per
 * client is sent per minimum interval. Each webhook gets each alert once, through Spring's
 * {@link RestClient} with a connect and read timeout: a failed POST (timeout, refused
 * connection, non-2xx answer) is never retried; it is logged at WARN once per webhook until
 * that webhook succeeds again, which is logged at INFO.
 * <p>
 * The body is a JSON object: <pre class="code">
 * {"event":"client-blocked","client":"203.0.113.7","until":"2025-01-01T10:05:00Z",
 *  "permanent":false,"blockNumber":1,"violations":5,"policy":"default","penalty":null,
 *  "dryRun":false,"application":"shop","at":"2025-01-01T10:00:00Z"}
 * </pre> {@code event} is {@code client-blocked} or {@code client-banned}; {@code until} is
 * {@code null} for a permanent ban; {@code penalty} is {@code status} or
 * {@code authentication-failure} when a penalized response's violation started it;
 * {@code policy}, {@code penalty} and {@code application} may be {@code null}.
 */
public final class WebhookAlerts implements FloodgateObserver, DisposableBean, AutoCloseable {

	/** The default number of alerts that may wait to be sent. */
	public static final int DEFAULT_QUEUE_CAPACITY = 1000;

	/** The name of the thread that sends the alerts. */
	public static final String THREAD_NAME = "floodgate-alerts";

	private static final Log logger = LogFactory.getLog(WebhookAlerts.class);

	private static final long DROP_LOG_INTERVAL_MILLIS = TimeUnit.MINUTES.toMillis(1);

	private static final int MAX_TRACKED_CLIENTS = 100_000;

	private final List<URI> webhookUrls;

	private final Duration timeout;

	private final @Nullable String application;

	private final Clock clock;

	private final int queueCapacity;

	private final Cache<String, Boolean> recentlyAlerted;

	private final BlockingQueue<Alert> queue;

	private final RestClient restClient;

	private final boolean[] failing;

	private final AtomicInteger pending = new AtomicInteger();

	private final Object idleMonitor = new Object();

	private final AtomicLong dropped = new AtomicLong();

	private final AtomicLong nextDropLogMillis = new AtomicLong(Long.MIN_VALUE);

	private final Thread worker;

	private volatile boolean closed;

	/**
	 * Creates the alerts and starts their thread, with a queue of
	 * {@value #DEFAULT_QUEUE_CAPACITY} alerts.
	 * @param webhookUrls the absolute http or https URLs to POST to
	 * @param minInterval the shortest interval between two alerts about one client
	 * @param timeout the connect and read timeout of each POST
	 * @param application the application's name sent with each alert, or {@code null}
	 * @param clock the clock that gives the alert's time and measures the interval
	 */
	public WebhookAlerts(List<URI> webhookUrls, Duration minInterval, Duration timeout, @Nullable String application,
			Clock clock) {
		this(webhookUrls, minInterval, timeout, application, clock, DEFAULT_QUEUE_CAPACITY);
	}

	/**
	 * Creates the alerts and starts their thread.
	 * @param webhookUrls the absolute http or https URLs to POST to
	 * @param minInterval the shortest interval between two alerts about one client
	 * @param timeout the connect and read timeout of each POST
	 * @param application the application's name sent with each alert, or {@code null}
	 * @param clock the clock that gives the alert's time and measures the interval
	 * @param queueCapacity how many alerts may wait to be sent before new ones are dropped
	 */
	public WebhookAlerts(List<URI> webhookUrls, Duration minInterval, Duration timeout, @Nullable String application,
			Clock clock, int queueCapacity) {
		Assert.notEmpty(webhookUrls, "'webhookUrls' must not be empty");
		Assert.isTrue(!minInterval.isNegative() && !minInterval.isZero(), "'minInterval' must be positive");
		Assert.isTrue(!timeout.isNegative() && !timeout.isZero(), "'timeout' must be positive");
		Assert.isTrue(queueCapacity > 0, "'queueCapacity' must be positive");
		this.webhookUrls = List.copyOf(webhookUrls);
		this.timeout = timeout;
		this.application = application;
		this.clock = clock;
		this.queueCapacity = queueCapacity;
		Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
		this.recentlyAlerted = Caffeine.newBuilder()
			.expireAfterWrite(minInterval)
			.maximumSize(MAX_TRACKED_CLIENTS)
			.ticker(ticker)
			.executor(Runnable::run)
			.build();
		this.queue = new ArrayBlockingQueue<>(queueCapacity);
		this.restClient = RestClient.builder().requestFactory(requestFactory(timeout)).build();
		this.failing = new boolean[this.webhookUrls.size()];
		this.worker = new Thread(this::work, THREAD_NAME);
		this.worker.setDaemon(true);
		this.worker.start();
	}

	private static JdkClientHttpRequestFactory requestFactory(Duration timeout) {
		HttpClient httpClient = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(timeout)
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
		JdkClientHttpRequestFactory requestFactory = new JdkClientHttpRequestFactory(httpClient);
		requestFactory.setReadTimeout(timeout);
		return requestFactory;
	}

	@Override
	public void escalated(String client, Escalation escalation, @Nullable RatePolicy policy, boolean dryRun) {
		if (this.closed) {
			return;
		}
		try {
			if (this.recentlyAlerted.asMap().putIfAbsent(client, Boolean.TRUE) != null) {
				if (logger.isDebugEnabled()) {
					logger.debug("Floodgate sends no webhook alert about client " + client
							+ ": one was sent within floodgate.alerts.min-interval");
				}
				return;
			}
			Alert alert = new Alert(escalation.kind(), client, escalation.untilMillis(), escalation.number(),
					escalation.violations(), (policy != null) ? policy.name() : null,
					(escalation.penalty() != null) ? escalation.penalty().tag() : null, dryRun, this.clock.millis());
			this.pending.incrementAndGet();
			if (!this.queue.offer(alert)) {
				done();
				// let a later escalation of this client try again
				this.recentlyAlerted.asMap().remove(client, Boolean.TRUE);
				dropped();
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Floodgate could not queue a webhook alert", ex);
		}
	}

	private void dropped() {
		long total = this.dropped.incrementAndGet();
		long now = this.clock.millis();
		long next = this.nextDropLogMillis.get();
		if (now >= next && this.nextDropLogMillis.compareAndSet(next, now + DROP_LOG_INTERVAL_MILLIS)) {
			logger.warn("Floodgate dropped a webhook alert: " + this.queueCapacity + " alerts are already waiting "
					+ "because the webhooks do not keep up (dropped since start-up: " + total
					+ "; this is logged at most once a minute)");
		}
	}

	/**
	 * The number of alerts dropped because the queue was full.
	 * @return the number of dropped alerts since start-up
	 */
	public long droppedAlerts() {
		return this.dropped.get();
	}

	/**
	 * Waits until every queued alert has been sent (or has failed).
	 * @param timeout the longest wait
	 * @return {@code true} if no alert is waiting or being sent, {@code false} if the
	 * timeout elapsed first
	 * @throws InterruptedException if interrupted while waiting
	 */
	public boolean awaitIdle(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (this.idleMonitor) {
			while (this.pending.get() > 0) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				TimeUnit.NANOSECONDS.timedWait(this.idleMonitor, remaining);
			}
		}
		return true;
	}

	private void done() {
		if (this.pending.decrementAndGet() == 0) {
			synchronized (this.idleMonitor) {
				this.idleMonitor.notifyAll();
			}
		}
	}

	private void work() {
		while (!this.closed) {
			Alert alert;
			try {
				alert = this.queue.take();
			}
			catch (InterruptedException ex) {
				break;
			}
			try {
				send(alert);
			}
			catch (RuntimeException ex) {
				logger.debug("Floodgate could not send a webhook alert", ex);
			}
			finally {
				done();
			}
		}
		while (this.queue.poll() != null) {
			done();
		}
	}

	private void send(Alert alert) {
		byte[] body = json(alert, this.application).getBytes(StandardCharsets.UTF_8);
		for (int i = 0; i < this.webhookUrls.size() && !this.closed; i++) {
			URI url = this.webhookUrls.get(i);
			try {
				this.restClient.post()
					.uri(url)
					.contentType(MediaType.APPLICATION_JSON)
					.body(body)
					.retrieve()
					.toBodilessEntity();
				succeeded(i);
			}
			catch (RuntimeException ex) {
				failed(i, ex);
			}
		}
	}

	private void succeeded(int index) {
		if (this.failing[index]) {
			this.failing[index] = false;
			logger.info("Floodgate's webhook " + describe(index) + " accepts alerts again");
		}
	}

	private void failed(int index, RuntimeException ex) {
		if (this.closed) {
			return;
		}
		if (!this.failing[index]) {
			this.failing[index] = true;
			logger.warn("Floodgate could not send an alert to webhook " + describe(index) + ": " + reason(ex)
					+ "; the alert is dropped, and this webhook's further failures are logged at DEBUG until it "
					+ "accepts an alert again");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug("Floodgate could not send an alert to webhook " + describe(index) + " either: " + reason(ex));
		}
		logger.trace("Floodgate's webhook alert failed", ex);
	}

	/**
	 * Names a webhook without its path, query or user information, which often hold a
	 * secret token.
	 */
	private String describe(int index) {
		URI url = this.webhookUrls.get(index);
		String origin = url.getScheme() + "://" + url.getHost() + ((url.getPort() != -1) ? ":" + url.getPort() : "");
		return "floodgate.alerts.webhook-urls[" + index + "] (" + origin + ")";
	}

	private String reason(RuntimeException ex) {
		if (ex instanceof RestClientResponseException response) {
			return "it answered " + response.getStatusCode().value();
		}
		Throwable root = NestedExceptionUtils.getMostSpecificCause(ex);
		if (root instanceof HttpTimeoutException || root instanceof SocketTimeoutException) {
			return "it did not answer within " + this.timeout.toMillis() + "ms (" + root.getClass().getSimpleName()
					+ ")";
		}
		// Spring's exceptions name the URL: describe the I/O failure under them instead
		Throwable cause = (ex instanceof RestClientException && ex.getCause() != null) ? ex.getCause() : ex;
		StringBuilder reason = new StringBuilder(cause.getClass().getSimpleName());
		String message = cause.getMessage();
		if (message != null && !message.isBlank() && cause != ex) {
			reason.append(": ").append(message);
		}
		if (root != cause) {
			reason.append(" (").append(root.getClass().getSimpleName()).append(')');
		}
		return reason.toString();
	}

	/**
	 * Stops the thread that sends the alerts; alerts still waiting are dropped. Alerts
	 * reported afterwards are ignored.
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		this.worker.interrupt();
		try {
			this.worker.join(this.timeout.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void destroy() {
		close();
	}

	static String json(Alert alert, @Nullable String application) {
		boolean permanent = alert.untilMillis() == Long.MAX_VALUE;
		StringBuilder json = new StringBuilder(256);
		json.append("{\"event\":")
			.append((alert.kind() == Escalation.Kind.BAN) ? "\"client-banned\"" : "\"client-blocked\"");
		json.append(",\"client\":");
		JsonStrings.append(json, alert.client());
		json.append(",\"until\":");
		JsonStrings.append(json, permanent ? null : Instant.ofEpochMilli(alert.untilMillis()).toString());
		json.append(",\"permanent\":").append(permanent);
		json.append(",\"blockNumber\":").append(alert.number());
		json.append(",\"violations\":").append(alert.violations());
		json.append(",\"policy\":");
		JsonStrings.append(json, alert.policy());
		json.append(",\"penalty\":");
		JsonStrings.append(json, alert.penalty());
		json.append(",\"dryRun\":").append(alert.dryRun());
		json.append(",\"application\":");
		JsonStrings.append(json, application);
		json.append(",\"at\":");
		JsonStrings.append(json, Instant.ofEpochMilli(alert.atMillis()).toString());
		return json.append('}').toString();
	}

	/**
	 * One alert waiting to be sent.
	 */
	record Alert(Escalation.Kind kind, String client, long untilMillis, int number, int violations,
			@Nullable String policy, @Nullable String penalty, boolean dryRun, long atMillis) {
	}

}
