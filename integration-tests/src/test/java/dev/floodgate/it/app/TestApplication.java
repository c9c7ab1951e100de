package dev.floodgate.it.app;

import dev.floodgate.RateLimited;
import dev.floodgate.event.ClientBannedEvent;
import dev.floodgate.event.ClientBlockedEvent;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A new Spring Boot application that only adds floodgate-starter: no Floodgate code of its
 * own but the annotations.
 */
@SpringBootApplication
public class TestApplication {

	/** A listener that throws on every block and ban, as a broken audit hook would. */
	@Component
	@ConditionalOnBooleanProperty("test.failing-listeners")
	static class FailingListeners {

		@EventListener
		void blocked(ClientBlockedEvent event) {
			throw new IllegalStateException("audit log unavailable");
		}

		@EventListener
		void banned(ClientBannedEvent event) {
			throw new IllegalStateException("audit log unavailable");
		}

	}

	@RestController
	static class Api {

		@GetMapping("/open")
		String open() {
			return "open";
		}

		@GetMapping("/other")
		String other() {
			return "other";
		}

		@GetMapping("/strict")
		@RateLimited("2/minute")
		String strict() {
			return "strict";
		}

		@GetMapping("/burst")
		@RateLimited(value = "2/second;4/minute", name = "burst")
		String burst() {
			return "burst";
		}

		@GetMapping("/peer")
		String peer(HttpServletRequest request) {
			return request.getRemoteAddr();
		}

	}

	/** Handlers for a client that follows the headers, one per kind of limit. */
	@RestController
	static class Honest {

		@GetMapping("/honest/per-second")
		@RateLimited("5/second")
		String perSecond() {
			return "ok";
		}

		@GetMapping("/honest/per-minute")
		@RateLimited("50/minute")
		String perMinute() {
			return "ok";
		}

		@GetMapping("/honest/per-ten-seconds")
		@RateLimited("3/10s")
		String perTenSeconds() {
			return "ok";
		}

		@GetMapping("/honest/two-limits")
		@RateLimited("5/s;20/minute")
		String twoLimits() {
			return "ok";
		}

		@GetMapping("/honest/comma")
		@RateLimited("100/day, 10/Hour")
		String comma() {
			return "ok";
		}

		@GetMapping("/honest/expensive")
		@RateLimited(value = "10/minute", cost = 3)
		String expensive() {
			return "ok";
		}

	}

	@RestController
	@RateLimited("3/minute")
	static class ClassLimited {

		@GetMapping("/class/a")
		String a() {
			return "a";
		}

		@GetMapping("/class/b")
		String b() {
			return "b";
		}

		@GetMapping("/class/own")
		@RateLimited("10/minute")
		String own() {
			return "own";
		}

	}

}
