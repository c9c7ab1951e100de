package dev.floodgate.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.floodgate.testsupport.RedisServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample as Spring AOT processed it ({@code process-aot}, once per store: see the
 * sample's pom), run in a JVM of its own with {@code -Dspring.aot.enabled=true}: its
 * requests are decided on the memory store and on Redis, and a store that AOT left out says
 * that it was chosen at build time.
 */
class ShortenerAotIT {

	private static final Path TARGET = Path.of(System.getProperty("floodgate.aot.directory", "target"));

	private static final Duration STARTUP = Duration.ofSeconds(90);

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void theMemoryBuildDecidesRequests() throws Exception {
		try (Child app = Child.start("aot-memory")) {
			assertLimited(app);
		}
	}

	@Test
	void theRedisBuildDecidesRequestsOnRedis() throws Exception {
		try (RedisServer redis = RedisServer.start();
				Child app = Child.start("aot-redis", "--spring.profiles.active=redis",
						"--spring.data.redis.port=" + redis.port())) {
			assertLimited(app);
			assertThat(redis.calls("evalsha") + redis.calls("eval")).as("script calls on Redis").isPositive();
			assertThat(redis.command("EXISTS", "floodgate:{127.0.0.1}")).as("the client's hash").contains("1");
		}
	}

	@Test
	void theMemoryBuildAskedForRedisSaysTheStoreWasChosenAtBuildTime() {
		String output = Child.failure("aot-memory", "--floodgate.store.type=redis");
		assertThat(output).contains("floodgate.store.type is 'redis', but the store was chosen when the application was built")
			.contains("Rebuild the application with floodgate.store.type=redis")
			.doesNotContain("add spring-boot-starter-data-redis");
	}

	@Test
	void theRedisBuildAskedForTheMemoryStoreRefusesIt() {
		// the profiles active during AOT processing (redis) are active again at run time
		String output = Child.failure("aot-redis", "--floodgate.store.type=memory");
		assertThat(output).contains("floodgate.store.type is 'memory'")
			.contains("processed ahead of time (Spring AOT) with floodgate.store.type=redis");
	}

	private void assertLimited(Child app) throws Exception {
		List<Integer> statuses = new ArrayList<>();
		HttpResponse<String> response = null;
		for (int i = 0; i < 60 && (response == null || response.statusCode() != 429); i++) {
			response = this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port + "/api/links"))
				.timeout(Duration.ofSeconds(10))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://example.com/" + i + "\"}"))
				.build(), HttpResponse.BodyHandlers.ofString());
			statuses.add(response.statusCode());
		}
		assertThat(statuses).as(app.output()).first().isEqualTo(201);
		assertThat(statuses).as(app.output()).last().isEqualTo(429);
		assertThat(statuses.subList(0, statuses.size() - 1)).containsOnly(201);
		assertThat(response.headers().firstValue("Retry-After")).get().asString().matches("[1-9][0-9]*");
		assertThat(response.headers().firstValue("RateLimit")).isPresent();
		assertThat(response.body()).contains("urn:floodgate:problem:rate-limited");
	}

	/**
	 * The sample in a JVM of its own, on the classes of one AOT build.
	 */
	private static final class Child implements AutoCloseable {

		private final Process process;

		private final int port;

		private final StringBuffer output = new StringBuffer();

		private final CountDownLatch started = new CountDownLatch(1);

		private final Thread reader;

		private Child(Process process, int port) {
			this.process = process;
			this.port = port;
			this.reader = new Thread(this::read, "aot-app-output");
			this.reader.setDaemon(true);
			this.reader.start();
		}

		static Child start(String build, String... arguments) throws InterruptedException {
			Child child = launch(build, arguments);
			boolean up = child.started.await(STARTUP.toSeconds(), TimeUnit.SECONDS);
			if (!up || !child.process.isAlive()) {
				child.close();
				throw new AssertionError("The " + build + " build did not start:\n" + child.output());
			}
			return child;
		}

		/** Starts a build that must fail, and returns what it printed. */
		static String failure(String build, String... arguments) {
			try (Child child = launch(build, arguments)) {
				boolean exited = child.process.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS);
				assertThat(exited).as("the application stopped:\n" + child.output()).isTrue();
				assertThat(child.process.exitValue()).as(child.output()).isNotZero();
				child.reader.join(10_000);
				return child.output();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

		private static Child launch(String build, String... arguments) {
			Path classes = TARGET.resolve(build).resolve("classes");
			assertThat(classes.resolve("dev/floodgate/sample/ShortenerApplication__ApplicationContextInitializer.class"))
				.as("the AOT-generated initializer (process-aot ran)")
				.exists();
			int port = RedisServer.freePort();
			List<String> command = new ArrayList<>(List.of(
					Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dspring.aot.enabled=true",
					"-XX:TieredStopAtLevel=1", "-cp", classes + java.io.File.pathSeparator + runtimeClasspath(),
					ShortenerApplication.class.getName(), "--server.port=" + port, "--server.address=127.0.0.1",
					// the sample's management port is fixed (8081): a free one, so that builds never collide
					"--management.server.port=" + RedisServer.freePort(),
					"--spring.main.banner-mode=off"));
			command.addAll(List.of(arguments));
			try {
				Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
				return new Child(process, port);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		private static String runtimeClasspath() {
			try {
				return Files.readString(TARGET.resolve("aot-runtime.classpath")).trim();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		private void read() {
			try (BufferedReader lines = new BufferedReader(
					new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = lines.readLine()) != null) {
					this.output.append(line).append('\n');
					if (line.contains("Started ShortenerApplication")) {
						this.started.countDown();
					}
				}
			}
			catch (IOException ex) {
				// the process ended
			}
		}

		String output() {
			return this.output.toString();
		}

		@Override
		public void close() {
			this.process.destroy();
			try {
				if (!this.process.waitFor(20, TimeUnit.SECONDS)) {
					this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				this.process.destroyForcibly();
			}
		}

	}

}
