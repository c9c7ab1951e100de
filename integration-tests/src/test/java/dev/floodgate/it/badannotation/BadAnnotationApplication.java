package dev.floodgate.it.badannotation;

import dev.floodgate.RateLimited;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application whose handler carries a limit that does not parse.
 */
@SpringBootApplication
public class BadAnnotationApplication {

	@RestController
	public static class BadController {

		@GetMapping("/bad")
		@RateLimited("5/fortnight")
		public String bad() {
			return "bad";
		}

	}

}
