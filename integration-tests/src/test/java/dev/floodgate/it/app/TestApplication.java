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
