package dev.floodgate.sample;

import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.memory.InMemoryClientRecords;
import dev.floodgate.store.mongo.MongoClientRecords;
import dev.floodgate.store.redis.RedisClientRecords;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.testsupport.MongoTestServer;
import dev.floodgate.testsupport.RedisServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each profile of the sample runs on its store.
 */
class ShortenerProfilesTests {

	@Test
	void theDefaultProfileKeepsStateInMemory() {
		try (ConfigurableApplicationContext context = start()) {
			assertThat(context.getBean(ViolationStore.class)).isInstanceOfSatisfying(RuleBookStore.class,
					(store) -> assertThat(store.records()).isInstanceOf(InMemoryClientRecords.class));
		}
	}

	@Test
	void theRedisProfileUsesRedis() {
		try (RedisServer redis = RedisServer.start();
				ConfigurableApplicationContext context = start("--spring.profiles.active=redis",
						"--spring.data.redis.port=" + redis.port())) {
			assertThat(context.getBean(ViolationStore.class)).isInstanceOfSatisfying(RuleBookStore.class,
					(store) -> assertThat(store.records()).isInstanceOf(RedisClientRecords.class));
		}
	}

	@Test
	void theMongoProfileUsesMongoDb() {
		try (MongoTestServer mongo = MongoTestServer.start();
				ConfigurableApplicationContext context = start("--spring.profiles.active=mongo",
						"--spring.mongodb.uri=" + mongo.uri() + "/floodgate_sample")) {
			assertThat(context.getBean(ViolationStore.class)).isInstanceOfSatisfying(RuleBookStore.class,
					(store) -> assertThat(store.records()).isInstanceOf(MongoClientRecords.class));
		}
	}

	private static ConfigurableApplicationContext start(String... arguments) {
		String[] all = new String[arguments.length + 2];
		all[0] = "--server.port=0";
		all[1] = "--management.server.port=0";
		System.arraycopy(arguments, 0, all, 2, arguments.length);
		return new SpringApplicationBuilder(ShortenerApplication.class).run(all);
	}

}
