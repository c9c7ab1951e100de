package dev.floodgate.autoconfigure;

import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every property appears in the configuration metadata the annotation processor writes, with
 * its description and default, so that IDEs can help; enumerated values have hints.
 */
class ConfigurationMetadataTests {

	private static final Map<String, String> DEFAULTS = Map.ofEntries(Map.entry("floodgate.enabled", "true"),
			Map.entry("floodgate.algorithm", "sliding-window"), Map.entry("floodgate.behind-proxy", "false"),
			Map.entry("floodgate.dry-run", "false"), Map.entry("floodgate.ipv6-prefix-length", "64"),
			Map.entry("floodgate.proxy.forwarded-header", "auto"), Map.entry("floodgate.block.enabled", "true"),
			Map.entry("floodgate.block.after-violations", "3"), Map.entry("floodgate.block.violation-window", "10m"),
			Map.entry("floodgate.block.duration", "15m"), Map.entry("floodgate.block.factor", "2"),
			Map.entry("floodgate.block.max-duration", "24h"), Map.entry("floodgate.block.relative", "false"),
			Map.entry("floodgate.ban.enabled", "true"), Map.entry("floodgate.ban.after-violations", "10"),
			Map.entry("floodgate.ban.window", "24h"), Map.entry("floodgate.store.type", "memory"),
			Map.entry("floodgate.store.on-failure", "allow"), Map.entry("floodgate.store.timeout", "500ms"),
			Map.entry("floodgate.store.memory.max-clients", "100000"),
			Map.entry("floodgate.store.memory.max-restricted", "100000"),
			Map.entry("floodgate.store.redis.key-prefix", "floodgate:"),
			Map.entry("floodgate.store.mongo.collection", "floodgate_clients"),
			Map.entry("floodgate.store.jdbc.table", "floodgate_clients"),
			Map.entry("floodgate.store.jdbc.initialize-schema", "embedded"),
			Map.entry("floodgate.response.headers", "ietf"), Map.entry("floodgate.alerts.min-interval", "1m"),
			Map.entry("floodgate.alerts.timeout", "2s"));

	private static final List<String> WITHOUT_DEFAULT = List.of("floodgate.limit", "floodgate.allow-list",
			"floodgate.deny-list", "floodgate.proxy.client-ip-header", "floodgate.ban.duration",
			"floodgate.response.message", "floodgate.alerts.webhook-urls", "floodgate.proxy.trusted-proxies");

	@Test
	void everyPropertyHasADescriptionAndItsDefault() throws Exception {
		JsonNode metadata;
		try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			metadata = JsonMapper.builder().build().readTree(in);
		}
		Map<String, JsonNode> properties = new HashMap<>();
		for (JsonNode property : metadata.get("properties")) {
			properties.put(property.get("name").asString(), property);
		}
		for (Map.Entry<String, String> expected : DEFAULTS.entrySet()) {
			JsonNode property = properties.get(expected.getKey());
			assertThat(property).as(expected.getKey()).isNotNull();
			assertThat(property.get("description").asString()).as(expected.getKey()).isNotBlank();
			assertThat(property.get("defaultValue").asString()).as(expected.getKey()).isEqualTo(expected.getValue());
		}
		for (String name : WITHOUT_DEFAULT) {
			assertThat(properties).as(name).containsKey(name);
			assertThat(properties.get(name).get("description").asString()).as(name).isNotBlank();
		}
		assertThat(properties.get("floodgate.proxy.trusted-proxies").get("defaultValue")).hasSize(6);
		List<String> hinted = metadata.get("hints").valueStream().map((hint) -> hint.get("name").asString()).toList();
		assertThat(hinted).contains("floodgate.algorithm", "floodgate.store.type", "floodgate.store.jdbc.initialize-schema", "floodgate.store.on-failure",
				"floodgate.response.headers", "floodgate.proxy.forwarded-header", "floodgate.proxy.client-ip-header");
	}

}
