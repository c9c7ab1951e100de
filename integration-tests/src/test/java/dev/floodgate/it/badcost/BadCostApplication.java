package dev.floodgate.it.badcost;

import dev.floodgate.RateLimited;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * An application whose handler costs more than its limit admits in a whole window.
 */
@SpringBootApplication
public class BadCostApplication {

	@RestController
	public static class BadController {

		@GetMapping("/bad")
		@RateLimited(value = "5/minute", cost = 6)
		public String bad() {
			return "bad";
		}

	}

}
