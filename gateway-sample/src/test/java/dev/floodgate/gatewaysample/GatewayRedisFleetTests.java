package dev.floodgate.gatewaysample;

import java.util.ArrayList;
import java.util.List;

import dev.floodgate.testsupport.ReactiveFleetContract;
import dev.floodgate.testsupport.ReactiveInstance;
import dev.floodgate.testsupport.RedisServer;

/**
 * The fleet cases on two gateway instances sharing a real {@code redis-server}, in front of
 * one real upstream: the burst on the {@code search} route's own policy (its
 * {@code Floodgate} filter at 40 an hour), the scanner on the upstream's 404s through the
 * {@code links} route.
 */
class GatewayRedisFleetTests extends ReactiveFleetContract {

	@Override
	protected ReactiveInstance start(RedisServer redis, String... properties) {
		List<String> all = new ArrayList<>(List.of("spring.profiles.active=redis", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redis.port(), "management.health.redis.enabled=false"));
		all.addAll(List.of(properties));
		return new GatewayApp(all.toArray(new String[0]));
	}

	@Override
	protected String page() {
		return "/links/abc";
	}

	@Override
	protected String miss(int n) {
		return "/links/x" + n;
	}

	@Override
	protected String[] burst() {
		return new String[] { "/search", "sample.search-limit=40/hour" };
	}

}
