package dev.floodgate.reactive;

import java.util.ArrayList;
import java.util.List;

import dev.floodgate.testsupport.ReactiveFleetContract;
import dev.floodgate.testsupport.ReactiveInstance;
import dev.floodgate.testsupport.RedisServer;

/**
 * The fleet cases on two instances of the WebFlux application sharing a real
 * {@code redis-server}: the burst on {@code /hello} at {@code floodgate.limit=40/hour}, the
 * scanner on {@code /codes/*}.
 */
class ReactiveRedisFleetTests extends ReactiveFleetContract {

	@Override
	protected ReactiveInstance start(RedisServer redis, String... properties) {
		List<String> all = new ArrayList<>(List.of("floodgate.store.type=redis", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redis.port(), "test.redis-on-test-clock=true"));
		all.addAll(List.of(properties));
		return new ReactiveApp(all.toArray(new String[0]));
	}

	@Override
	protected String page() {
		return "/hello";
	}

	@Override
	protected String miss(int n) {
		return "/codes/x" + n;
	}

	@Override
	protected String[] burst() {
		return new String[] { "/hello", "floodgate.limit=40/hour" };
	}

}
