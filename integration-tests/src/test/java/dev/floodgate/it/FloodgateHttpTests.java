package dev.floodgate.it;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.floodgate.core.Algorithm;
import dev.floodgate.it.app.TestApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new Spring Boot 4.1 application that depends on floodgate-starter behaves as SPEC.md
 * says, through real HTTP on a random port.
 */
class FloodgateHttpTests {

	private static final String PROBLEM_JSON = "application/problem+json";

	@Test
	void theDefaultLimitCountsAcrossUnannotatedHandlers() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=3/minute")) {
			for (int i = 1; i <= 3; i++) {
				HttpResponse<String> ok = app.get((i % 2 == 0) ? "/other" : "/open");
				assertThat(ok.statusCode()).isEqualTo(200);
				assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"default\";q=3;w=60");
				// with nothing left, t is when the next request is admitted (as Retry-After says), not the reset
				assertThat(ok.headers().firstValue("RateLimit"))
					.hasValue("\"default\";r=" + (3 - i) + ";t=" + ((i < 3) ? 60 : 80));
			}
			HttpResponse<String> limited = app.get("/other");
			assertThat(limited.statusCode()).isEqualTo(429);
			assertThat(limited.headers().firstValue("Content-Type")).hasValue(PROBLEM_JSON);
			// the sliding window: the three requests weigh 3 * (1 - e/60s) in the next window, <= 2 from e = 20s
			assertThat(limited.headers().firstValue("Retry-After")).hasValue("80");
			assertThat(limited.headers().firstValue("RateLimit")).hasValue("\"default\";r=0;t=80");
			assertThat(limited.body()).isEqualTo("{\"type\":\"urn:floodgate:problem:rate-limited\","
					+ "\"title\":\"Rate limit exceeded\",\"status\":429,\"detail\":\"Too many requests from your address. "
					+ "Retry after the number of seconds in the Retry-After header.\"}");
			// annotated handlers have their own counters; the actuator and the error page are never limited
			assertThat(app.get("/strict").statusCode()).isEqualTo(200);
			assertThat(app.statuses("/actuator/health", 20)).containsOnly(200);
			assertThat(app.get("/no-such-page").statusCode()).as("unmapped paths fall under the default limit").isEqualTo(429);
			assertThat(app.statuses("/error", 5)).doesNotContain(429);
		}
	}

	@Test
	void aListenerThatThrowsOnBlocksAndBansNeverTurnsARequestIntoA500() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=1/minute",
				"floodgate.block.after-violations=1", "floodgate.ban.after-violations=2",
				"test.failing-listeners=true")) {
			assertThat(app.statuses("/open", 2)).as("the violation blocks").containsExactly(200, 429);
			app.clock.advance(Duration.ofMinutes(16));
			assertThat(app.statuses("/open", 3)).as("the second violation bans").containsExactly(200, 403, 403);
		}
	}

	@Test
	void withoutADefaultLimitOnlyAnnotatedHandlersAreLimited() {
		try (RunningApp app = RunningApp.start(TestApplication.class)) {
			assertThat(app.statuses("/open", 30)).containsOnly(200);
			assertThat(app.get("/open").headers().firstValue("RateLimit-Policy")).isEmpty();
			assertThat(app.statuses("/strict", 3)).containsExactly(200, 200, 429);
		}
	}

	@Test
	void aClassLevelLimitCountsOnceForTheWholeClassAndAMethodLimitWins() {
		try (RunningApp app = RunningApp.start(TestApplication.class)) {
			assertThat(app.statuses("/class/a", 2)).containsExactly(200, 200);
			assertThat(app.statuses("/class/b", 2)).containsExactly(200, 429);
			assertThat(app.get("/class/own").statusCode()).isEqualTo(200);
			assertThat(app.get("/class/own").headers().firstValue("RateLimit-Policy"))
				.hasValue("\"TestApplication.ClassLimited#own\";q=10;w=60");
		}
	}

	@Test
	void severalLimitsMustAllHold() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.algorithm=fixed-window",
				"floodgate.block.enabled=false")) {
			HttpResponse<String> first = app.get("/burst");
			assertThat(first.headers().firstValue("RateLimit-Policy"))
				.hasValue("\"burst-1s\";q=2;w=1, \"burst-1m\";q=4;w=60");
			assertThat(first.headers().firstValue("RateLimit")).hasValue("\"burst-1s\";r=1;t=1");
			assertThat(app.statuses("/burst", 2)).containsExactly(200, 429);
			app.clock.advance(Duration.ofSeconds(1));
			HttpResponse<String> third = app.get("/burst");
			assertThat(third.statusCode()).isEqualTo(200);
			assertThat(third.headers().firstValue("RateLimit")).as("the minute limit is tighter now")
				.hasValue("\"burst-1m\";r=1;t=59");
			assertThat(app.statuses("/burst", 2)).containsExactly(200, 429);
			app.clock.advance(Duration.ofSeconds(1));
			HttpResponse<String> minute = app.get("/burst");
			assertThat(minute.statusCode()).isEqualTo(429);
			assertThat(minute.headers().firstValue("Retry-After")).hasValue("58");
		}
	}

	/**
	 * A client that does what the headers say: it waits {@code t} seconds whenever
	 * {@code r=0}, and otherwise sends its next request at once or after a short pause, over
	 * several quota cycles of every kind of limit. A block follows a single violation, so one
	 * lie would block it for 15 minutes.
	 */
	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void aClientThatWaitsWhatTheHeadersSayIsNeverRefused(Algorithm algorithm) {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.algorithm=" + algorithm.name(),
				"floodgate.limit=1 per month", "floodgate.block.after-violations=1",
				"floodgate.response.headers=both")) {
			Map<String, Integer> requests = new LinkedHashMap<>();
			requests.put("/honest/per-second", 24);
			requests.put("/honest/per-minute", 204);
			requests.put("/honest/per-ten-seconds", 16);
			requests.put("/honest/two-limits", 84);
			requests.put("/honest/comma", 44);
			requests.put("/honest/expensive", 16);
			requests.put("/open", 5);
			Random random = new Random(5);
			Pattern parameters = Pattern.compile(";r=(\\d+);t=(\\d+)$");
			requests.forEach((path, count) -> {
				int waits = 0;
				for (int i = 0; i < count; i++) {
					HttpResponse<String> response = app.get(path);
					String rateLimit = response.headers().firstValue("RateLimit").orElse("");
					assertThat(response.statusCode())
						.as(algorithm + " " + path + ", request " + i + " at " + app.clock.instant() + ": " + rateLimit
								+ ", Retry-After " + response.headers().firstValue("Retry-After").orElse("none"))
						.isEqualTo(200);
					Matcher matcher = parameters.matcher(rateLimit);
					assertThat(matcher.find()).as(rateLimit).isTrue();
					assertThat(response.headers().firstValue("X-RateLimit-Reset")).hasValue(matcher.group(2));
					if (matcher.group(1).equals("0")) {
						app.clock.advance(Duration.ofSeconds(Long.parseLong(matcher.group(2))));
						waits++;
					}
					else if (random.nextBoolean()) {
						app.clock.advance(Duration.ofMillis(random.nextInt(400)));
					}
				}
				assertThat(waits).as(path + " ran out of quota several times").isGreaterThanOrEqualTo(3);
			});
		}
	}

	@Test
	void anExpensiveHandlerSpendsItsCostOfTheLimit() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.algorithm=fixed-window",
				"floodgate.block.enabled=false")) {
			List<String> rateLimits = new java.util.ArrayList<>();
			for (int i = 0; i < 3; i++) {
				HttpResponse<String> ok = app.get("/honest/expensive");
				assertThat(ok.statusCode()).isEqualTo(200);
				rateLimits.add(ok.headers().firstValue("RateLimit").orElseThrow());
			}
			// quota units left; the one unit left after the third cannot pay for a fourth: r=0
			assertThat(rateLimits).containsExactly("\"TestApplication.Honest#expensive\";r=7;t=60",
					"\"TestApplication.Honest#expensive\";r=4;t=60", "\"TestApplication.Honest#expensive\";r=0;t=60");
			HttpResponse<String> refused = app.get("/honest/expensive");
			assertThat(refused.statusCode()).isEqualTo(429);
			assertThat(refused.headers().firstValue("Retry-After")).hasValue("60");
		}
	}

	@Test
	void theFeatureFlagOffRegistersNothing() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.enabled=false",
				"floodgate.limit=1/minute")) {
			assertThat(app.statuses("/strict", 10)).containsOnly(200);
			assertThat(app.get("/open").headers().map()).doesNotContainKeys("RateLimit-Policy", "RateLimit");
			assertThat(Arrays.stream(app.context.getBeanDefinitionNames())
				.map(app.context.getBeanFactory()::getType)
				.filter((type) -> type != null && type.getName().startsWith("dev.floodgate.")
						&& !type.getName().startsWith("dev.floodgate.it")))
				.isEmpty();
		}
	}

	@Test
	void aBlockOutlivesTheLimitWindowAndCoversEveryRoute() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=1/minute",
				"floodgate.block.after-violations=2", "floodgate.block.duration=15m")) {
			assertThat(app.statuses("/open", 3)).containsExactly(200, 429, 429);
			HttpResponse<String> blocked = app.get("/strict");
			assertThat(blocked.statusCode()).isEqualTo(429);
			assertThat(blocked.headers().firstValue("Retry-After")).hasValue("900");
			// a consistent pair: no quota until the block ends
			assertThat(blocked.headers().firstValue("RateLimit-Policy"))
				.hasValue("\"TestApplication.Api#strict\";q=2;w=60");
			assertThat(blocked.headers().firstValue("RateLimit")).hasValue("\"TestApplication.Api#strict\";r=0;t=900");
			assertThat(blocked.body()).contains("\"type\":\"urn:floodgate:problem:blocked\"");
			app.clock.advance(Duration.ofMinutes(5));
			HttpResponse<String> stillBlocked = app.get("/open");
			assertThat(stillBlocked.statusCode()).isEqualTo(429);
			assertThat(stillBlocked.headers().firstValue("Retry-After")).hasValue("600");
			app.clock.advance(Duration.ofMinutes(10));
			assertThat(app.get("/open").statusCode()).isEqualTo(200);
			assertThat(app.get("/strict").statusCode()).isEqualTo(200);
		}
	}

	@Test
	void blocksGrowWithEachBlock() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=1/minute",
				"floodgate.block.after-violations=1", "floodgate.block.duration=10m", "floodgate.block.factor=3",
				"floodgate.block.max-duration=1h", "floodgate.ban.enabled=false")) {
			List<String> retryAfters = new java.util.ArrayList<>();
			for (int block = 0; block < 4; block++) {
				assertThat(app.get("/open").statusCode()).isEqualTo(200);
				HttpResponse<String> blocked = app.get("/open");
				assertThat(blocked.statusCode()).isEqualTo(429);
				String retryAfter = blocked.headers().firstValue("Retry-After").orElseThrow();
				retryAfters.add(retryAfter);
				app.clock.advance(Duration.ofSeconds(Long.parseLong(retryAfter)));
			}
			assertThat(retryAfters).containsExactly("600", "1800", "3600", "3600");
		}
	}

	@Test
	void enoughViolationsBanTheClientWith403() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=1/minute",
				"floodgate.block.enabled=false", "floodgate.ban.after-violations=3")) {
			assertThat(app.statuses("/open", 4)).containsExactly(200, 429, 429, 403);
			app.clock.advance(Duration.ofDays(30));
			HttpResponse<String> banned = app.get("/strict");
			assertThat(banned.statusCode()).isEqualTo(403);
			assertThat(banned.headers().firstValue("Retry-After")).as("a permanent ban has no retry").isEmpty();
			assertThat(banned.headers().firstValue("RateLimit")).as("nor a time when quota comes back")
				.hasValue("\"TestApplication.Api#strict\";r=0");
			assertThat(banned.headers().firstValue("Content-Type")).hasValue(PROBLEM_JSON);
			assertThat(banned.body()).contains("\"type\":\"urn:floodgate:problem:banned\"", "\"status\":403");
			assertThat(app.get("/actuator/health").statusCode()).isEqualTo(200);
		}
	}

	@Test
	void aTimedBanCarriesRetryAfter() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=1/minute",
				"floodgate.block.enabled=false", "floodgate.ban.after-violations=1", "floodgate.ban.duration=2h")) {
			assertThat(app.statuses("/open", 2)).containsExactly(200, 403);
			assertThat(app.get("/open").headers().firstValue("Retry-After")).hasValue("7200");
		}
	}

	@Test
	void theResponseMessageReplacesTheDetail() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=1/minute",
				"floodgate.response.message=Slow down, \"friend\"")) {
			app.get("/open");
			assertThat(app.get("/open").body()).contains("\"detail\":\"Slow down, \\\"friend\\\"\"");
		}
	}

	@Test
	void legacyHeadersOnRequest() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=5/minute",
				"floodgate.response.headers=legacy")) {
			HttpResponse<String> ok = app.get("/open");
			assertThat(ok.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
			assertThat(ok.headers().firstValue("X-RateLimit-Remaining")).hasValue("4");
			assertThat(ok.headers().firstValue("X-RateLimit-Reset")).hasValue("60");
			assertThat(ok.headers().map()).doesNotContainKeys("RateLimit", "RateLimit-Policy");
		}
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=5/minute",
				"floodgate.response.headers=none")) {
			assertThat(app.get("/open").headers().map()).doesNotContainKeys("RateLimit", "RateLimit-Policy",
					"X-RateLimit-Limit");
		}
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void dryRunDecidesButRejectsNothing(CapturedOutput output) {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=2/minute",
				"floodgate.dry-run=true", "floodgate.block.enabled=false", "floodgate.ban.after-violations=3")) {
			assertThat(app.get("/open").headers().firstValue("RateLimit")).hasValue("\"default\";r=1;t=60");
			assertThat(app.statuses("/open", 10)).containsOnly(200);
			assertThat(output).containsOnlyOnce("[dry-run: not enforced] Floodgate banned client 127.0.0.1 permanently");
		}
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.dry-run=true",
				"floodgate.deny-list=127.0.0.0/8")) {
			assertThat(app.statuses("/open", 3)).containsOnly(200);
		}
	}

	@Test
	void theAllowListIsNeverLimitedAndTheDenyListAlwaysRejected() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=1/minute",
				"floodgate.allow-list=127.0.0.1/32, ::1")) {
			assertThat(app.statuses("/open", 20)).containsOnly(200);
		}
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.deny-list=127.0.0.0/8,::1")) {
			HttpResponse<String> denied = app.get("/open");
			assertThat(denied.statusCode()).isEqualTo(403);
			assertThat(denied.body()).contains("urn:floodgate:problem:denied");
			assertThat(app.get("/actuator/health").statusCode()).isEqualTo(200);
		}
	}

	@Test
	void behindATrustedProxyTheRightmostUntrustedAddressIsTheClient() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=2/minute",
				"floodgate.behind-proxy=true")) {
			// the client rotates what it writes itself; the proxy appends what it saw
			assertThat(app.get("/open", "X-Forwarded-For", "1.1.1.1, 203.0.113.5").statusCode()).isEqualTo(200);
			assertThat(app.get("/open", "X-Forwarded-For", "2.2.2.2, 203.0.113.5").statusCode()).isEqualTo(200);
			assertThat(app.get("/open", "X-Forwarded-For", "3.3.3.3, 203.0.113.5").statusCode()).isEqualTo(429);
			assertThat(app.get("/open", "X-Forwarded-For", "203.0.113.5, 10.0.0.7").statusCode())
				.as("trusted hops are skipped").isEqualTo(429);
			assertThat(app.get("/open", "Forwarded", "for=203.0.113.5").statusCode()).isEqualTo(429);
			assertThat(app.get("/open", "X-Forwarded-For", "203.0.113.6").statusCode()).isEqualTo(200);
			assertThat(app.get("/open", "Forwarded", "for=9.9.9.9, for=\"[2001:db8:cafe::17]:4711\"").statusCode())
				.isEqualTo(200);
		}
	}

	@Test
	void headersOfAnUntrustedPeerOrWithoutBehindProxyAreIgnored() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=2/minute")) {
			assertThat(app.get("/open", "X-Forwarded-For", "203.0.113.1").statusCode()).isEqualTo(200);
			assertThat(app.get("/open", "X-Forwarded-For", "203.0.113.2").statusCode()).isEqualTo(200);
			assertThat(app.get("/open", "X-Forwarded-For", "203.0.113.3").statusCode()).isEqualTo(429);
		}
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=2/minute",
				"floodgate.behind-proxy=true", "floodgate.proxy.trusted-proxies=10.0.0.0/8")) {
			assertThat(app.get("/open", "X-Forwarded-For", "203.0.113.1").statusCode()).isEqualTo(200);
			assertThat(app.get("/open", "X-Forwarded-For", "203.0.113.2").statusCode()).isEqualTo(200);
			assertThat(app.get("/open", "CF-Connecting-IP", "203.0.113.3").statusCode()).isEqualTo(429);
		}
	}

	@Test
	void hostileForwardingHeadersNeverCauseAnError() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=1000/minute",
				"floodgate.behind-proxy=true", "floodgate.proxy.client-ip-header=X-Real-IP")) {
			List<String> hostile = List.of("", ",", ",,,", "unknown", "localhost", "example.com", "[::1]", "[::1]:80",
					"1.2.3.4:80", "fe80::1%eth0", "999.1.1.1", "1.2.3", "01.2.3.4", "::ffff:999.1.1.1", "\"1.2.3.4\"",
					"_hidden", "for=", "for=\"", "for=\"[::1", "1.2.3.4;for=5.6.7.8", "a".repeat(7000),
					"1.1.1.1,".repeat(700) + "x", "%00", "%0d%0a", "\\", "¯\\_(ツ)_/¯".replaceAll("[^\\x20-\\x7e]", "?"));
			for (String value : hostile) {
				for (String header : List.of("X-Forwarded-For", "Forwarded", "X-Real-IP")) {
					int status = app.get("/open", header, value).statusCode();
					assertThat(status).as("%s: %s", header, value).isEqualTo(200);
				}
			}
		}
	}

	@Test
	void ipv6ClientsAreKeyedByTheirSlash64() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=2/minute",
				"floodgate.behind-proxy=true")) {
			assertThat(app.get("/open", "X-Forwarded-For", "2001:db8:1:2::1").statusCode()).isEqualTo(200);
			assertThat(app.get("/open", "X-Forwarded-For", "2001:db8:1:2:ffff:ffff:ffff:fffe").statusCode())
				.isEqualTo(200);
			assertThat(app.get("/open", "X-Forwarded-For", "2001:DB8:1:2:abcd::9").statusCode()).isEqualTo(429);
			assertThat(app.get("/open", "X-Forwarded-For", "2001:db8:1:3::1").statusCode())
				.as("the next /64 is another client").isEqualTo(200);
		}
	}

	@Test
	void aClientIpHeaderFromATrustedEdgeNamesTheClient() {
		try (RunningApp app = RunningApp.start(TestApplication.class, "floodgate.limit=1/minute",
				"floodgate.behind-proxy=true", "floodgate.proxy.client-ip-header=CF-Connecting-IP")) {
			assertThat(app.get("/open", "CF-Connecting-IP", "198.51.100.10", "X-Forwarded-For", "198.51.100.99")
				.statusCode()).isEqualTo(200);
			assertThat(app.get("/open", "CF-Connecting-IP", "198.51.100.10").statusCode()).isEqualTo(429);
			assertThat(app.get("/open", "CF-Connecting-IP", "198.51.100.11").statusCode()).isEqualTo(200);
		}
	}

	@Test
	void anExemptionBeanLetsRequestsThrough() {
		try (RunningApp app = RunningApp.start(ExemptionApplication.class, "floodgate.limit=1/minute")) {
			assertThat(app.statuses("/open", 5, "X-Api-Key", "partner")).containsOnly(200);
			assertThat(app.statuses("/open", 2)).containsExactly(200, 429);
		}
	}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	@org.springframework.context.annotation.Import(TestApplication.class)
	static class ExemptionApplication {

		@org.springframework.context.annotation.Bean
		dev.floodgate.web.RateLimitExemption partnerKey() {
			return (request) -> "partner".equals(request.getHeader("X-Api-Key"));
		}

	}

}
