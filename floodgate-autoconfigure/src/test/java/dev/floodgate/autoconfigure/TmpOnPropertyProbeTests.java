package dev.floodgate.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class TmpOnPropertyProbeTests {

	@Test
	void probe() {
		new WebApplicationContextRunner().withUserConfiguration(Probe.class)
			.withPropertyValues("floodgate.alerts.webhook-urls=http://a/x,http://b/y")
			.run((context) -> System.out.println("PROBE comma: " + context.containsBean("marker")));
		new WebApplicationContextRunner().withUserConfiguration(Probe.class)
			.withPropertyValues("floodgate.alerts.webhook-urls[0]=http://a/x")
			.run((context) -> System.out.println("PROBE indexed: " + context.containsBean("marker")));
	}

	@Configuration(proxyBeanMethods = false)
	static class Probe {

		@Bean
		@ConditionalOnProperty(name = "floodgate.alerts.webhook-urls[0]")
		String marker() {
			return "x";
		}

	}

}
