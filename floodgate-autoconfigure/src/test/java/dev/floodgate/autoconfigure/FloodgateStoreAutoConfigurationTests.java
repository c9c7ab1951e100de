package dev.floodgate.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.floodgate.core.InvalidFloodgateSettingException;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.memory.InMemoryClientRecords;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import dev.floodgate.store.mongo.MongoClientRecords;
import dev.floodgate.store.redis.RedisClientRecords;
import dev.floodgate.testsupport.MongoTestServer;
import dev.floodgate.testsupport.RedisServer;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.junit.jupiter.api.Test;

import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.core.SpringProperties;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store is chosen by {@code floodgate.store.type}, built from the application's own
 * connection, and fails loudly when it cannot be built.
 */
class FloodgateStoreAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(FloodgateAutoConfiguration.class,
				FloodgateRedisStoreAutoConfiguration.class, FloodgateMongoStoreAutoConfiguration.class));

	@Test
	void memoryByDefaultEvenWithRedisAndMongoAround() {
		this.runner.withBean(RedisConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1", 1))
			.run((context) -> assertThat(context.getBean(ViolationStore.class)).isInstanceOfSatisfying(RuleBookStore.class,
					(store) -> assertThat(store.records()).isInstanceOf(InMemoryClientRecords.class)));
	}

	@Test
	void redisThroughTheApplicationsConnectionFactory() {
		this.runner.withPropertyValues("floodgate.store.type=redis")
			.withBean(RedisConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1", 1))
			.run((context) -> assertThat(context.getBean(ViolationStore.class)).isInstanceOfSatisfying(RuleBookStore.class,
					(store) -> assertThat(store.records()).isInstanceOf(RedisClientRecords.class)));
	}

	@Test
	void redisReconnectsWithinHalfASecondAfterALongOutage() {
		// Lettuce's own delay doubles up to 30s: after 20s without Redis it waited 16s more
		this.runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("floodgate.store.type=redis", "floodgate.store.timeout=50ms", "spring.data.redis.port=1")
			.run((context) -> assertThat(reconnectDelayAfter(context.getBean(ClientResources.class), 20))
				.isLessThanOrEqualTo(Duration.ofMillis(500)));
	}

	@Test
	void redisReconnectDelayLeftAloneWithoutTheRedisStore() {
		this.runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("spring.data.redis.port=1")
			.run((context) -> assertThat(reconnectDelayAfter(context.getBean(ClientResources.class), 20))
				.isEqualTo(Duration.ofSeconds(30)));
	}

	@Test
	void redisReconnectDelayOfTheApplicationWins() {
		this.runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
			.withPropertyValues("floodgate.store.type=redis", "floodgate.store.timeout=50ms", "spring.data.redis.port=1")
			.withBean(ClientResourcesBuilderCustomizer.class,
					() -> (builder) -> builder.reconnectDelay(Delay.constant(Duration.ofSeconds(3))))
			.run((context) -> assertThat(reconnectDelayAfter(context.getBean(ClientResources.class), 20))
				.isEqualTo(Duration.ofSeconds(3)));
	}

	private static Duration reconnectDelayAfter(ClientResources resources, long attempts) {
		return resources.reconnectDelay().createDelay(attempts);
	}

	@Test
	void mongoThroughTheApplicationsTemplateStartsEvenWhenTheDatabaseIsDown() {
		this.runner.withPropertyValues("floodgate.store.type=mongo", "floodgate.store.timeout=200ms")
			.withBean(MongoClient.class, () -> MongoClients.create("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200"))
			.withUserConfiguration(TemplateConfiguration.class)
			.run((context) -> assertThat(context.getBean(ViolationStore.class)).isInstanceOfSatisfying(RuleBookStore.class,
					(store) -> assertThat(store.records()).isInstanceOf(MongoClientRecords.class)));
	}

	@Test
	void redisThroughThePrimaryOfTwoConnectionFactories() {
		this.runner.withPropertyValues("floodgate.store.type=redis", "floodgate.store.timeout=50ms")
			.withBean("first", RedisConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1", 1),
					(definition) -> definition.setPrimary(true))
			.withBean("second", RedisConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1", 2))
			.run((context) -> assertThat(context).hasNotFailed()
				.getBean(ViolationStore.class)
				.isInstanceOfSatisfying(RuleBookStore.class,
						(store) -> assertThat(store.records()).isInstanceOf(RedisClientRecords.class)));
	}

	@Test
	void redisStoreIsConnectedWithItsScriptsLoadedOnceTheContextHasStarted() {
		try (RedisServer server = RedisServer.start()) {
			this.runner.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class))
				.withPropertyValues("floodgate.store.type=redis", "spring.data.redis.port=" + server.port())
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(context.getBean(RedisClientRecords.class).awaitReady(Duration.ZERO)).isTrue();
				});
		}
	}

	@Test
	void redisBacksOffFromTwoConnectionFactoriesWithoutAPrimaryAndSaysWhichToMark() {
		// like Spring Boot's own RedisTemplate: @ConditionalOnSingleCandidate, then a message, not an injection failure
		this.runner.withPropertyValues("floodgate.store.type=redis")
			.withBean("first", RedisConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1", 1))
			.withBean("second", RedisConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1", 2))
			.run((context) -> {
				assertThat(context).getFailure()
					.rootCause()
					.isInstanceOf(InvalidFloodgateSettingException.class)
					.hasMessageContaining("a single RedisConnectionFactory but there are 2 (first, second)")
					.hasMessageContaining("@Primary");
				assertThat(context.getStartupFailure()).rootCause().isNotInstanceOf(NoUniqueBeanDefinitionException.class);
			});
	}

	@Test
	void mongoThroughThePrimaryOfTwoTemplates() {
		this.runner.withPropertyValues("floodgate.store.type=mongo", "floodgate.store.timeout=200ms")
			.withBean(MongoClient.class, () -> MongoClients.create("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200"))
			.withUserConfiguration(TemplateConfiguration.class)
			.withBean("otherTemplate", MongoTemplate.class,
					() -> new MongoTemplate(MongoClients.create("mongodb://127.0.0.1:2"), "other"))
			.run((context) -> assertThat(context.getBean(ViolationStore.class)).isInstanceOfSatisfying(RuleBookStore.class,
					(store) -> assertThat(store.records()).isInstanceOf(MongoClientRecords.class)));
	}

	@Test
	void mongoBacksOffFromTwoTemplatesWithoutAPrimary() {
		this.runner.withPropertyValues("floodgate.store.type=mongo")
			.withBean("oneTemplate", MongoTemplate.class,
					() -> new MongoTemplate(MongoClients.create("mongodb://127.0.0.1:1"), "one"))
			.withBean("otherTemplate", MongoTemplate.class,
					() -> new MongoTemplate(MongoClients.create("mongodb://127.0.0.1:2"), "other"))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidFloodgateSettingException.class)
				.hasMessageContaining("a single MongoTemplate but there are 2 (oneTemplate, otherTemplate)"));
	}

	@Test
	void mongoIndexesExistOnceTheContextHasStartedButCreatingTheStoreBeanTalksToNobody() {
		List<String> commands = new CopyOnWriteArrayList<>();
		List<String> commandsWhenTheStoreWasCreated = new CopyOnWriteArrayList<>();
		String collection = "clients_" + UUID.randomUUID().toString().replace("-", "");
		try (MongoTestServer server = MongoTestServer.start()) {
			this.runner.withPropertyValues("floodgate.store.type=mongo", "floodgate.store.mongo.collection=" + collection)
				.withBean(MongoClient.class, () -> MongoClients.create(MongoClientSettings.builder()
					.applyConnectionString(new ConnectionString(server.uri()))
					.addCommandListener(new CommandListener() {
						@Override
						public void commandStarted(CommandStartedEvent event) {
							commands.add(event.getCommandName());
						}
					})
					.build()))
				.withUserConfiguration(TemplateConfiguration.class)
				.withBean(BeanPostProcessor.class, () -> new BeanPostProcessor() {
					@Override
					public Object postProcessAfterInitialization(Object bean, String name) {
						if (bean instanceof MongoClientRecords) {
							commandsWhenTheStoreWasCreated.addAll(commands);
						}
						return bean;
					}
				})
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(commandsWhenTheStoreWasCreated).doesNotContain("createIndexes");
					List<String> indexes = context.getBean(MongoTemplate.class)
						.getCollection(collection)
						.listIndexes()
						.map((index) -> index.getString("name"))
						.into(new ArrayList<>());
					assertThat(indexes).contains("floodgate_expiry", "floodgate_blocked_until", "floodgate_banned_until");
				});
		}
	}

	@Test
	void redisChosenWithoutSpringDataRedisFailsNamingWhatToAdd() {
		this.runner.withPropertyValues("floodgate.store.type=redis")
			.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidFloodgateSettingException.class)
				.hasMessageContaining("floodgate.store.type")
				.hasMessageContaining("spring-boot-starter-data-redis"));
	}

	@Test
	void mongoChosenWithoutATemplateFailsNamingWhatToAdd() {
		this.runner.withPropertyValues("floodgate.store.type=mongo")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidFloodgateSettingException.class)
				.hasMessageContaining("spring-boot-starter-data-mongodb"));
	}

	@Test
	void underAotARedisStoreLeftOutAtBuildTimeSaysSoInsteadOfWhatToAdd() {
		// the AOT-processed application was built with the memory store: no Redis bean definitions at run time
		inAotMode(() -> this.runner.withPropertyValues("floodgate.store.type=redis")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(StoreChosenAtBuildTimeException.class)
				.hasMessageContaining("floodgate.store.type")
				.hasMessageContaining("processed ahead of time")
				.hasMessageContaining("Spring Data Redis is on the classpath")
				.hasMessageNotContaining("add spring-boot-starter-data-redis")));
	}

	@Test
	void underAotAMongoStoreLeftOutAtBuildTimeSaysSoInsteadOfWhatToAdd() {
		inAotMode(() -> this.runner.withPropertyValues("floodgate.store.type=mongo")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(StoreChosenAtBuildTimeException.class)
				.hasMessageContaining("processed ahead of time")
				.hasMessageContaining("Spring Data MongoDB is on the classpath")));
	}

	@Test
	void underAotAStoreWhoseLibraryIsMissingStillSaysWhatToAdd() {
		inAotMode(() -> this.runner.withPropertyValues("floodgate.store.type=redis")
			.withClassLoader(new FilteredClassLoader("org.springframework.data.redis"))
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isNotInstanceOf(StoreChosenAtBuildTimeException.class)
				.hasMessageContaining("spring-boot-starter-data-redis")));
	}

	@Test
	void outsideAotAMissingConnectionFactoryIsNotBlamedOnTheBuild() {
		this.runner.withPropertyValues("floodgate.store.type=redis")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isNotInstanceOf(StoreChosenAtBuildTimeException.class)
				.hasMessageContaining("RedisConnectionFactory"));
	}

	@Test
	void aUsersStoreWinsOverTheChosenType() {
		this.runner.withPropertyValues("floodgate.store.type=redis")
			.withBean("myStore", ViolationStore.class, FloodgateOperationsAutoConfigurationTests.MyStore::new)
			.withBean(RedisConnectionFactory.class, () -> new LettuceConnectionFactory("127.0.0.1", 1))
			.run((context) -> assertThat(context).hasSingleBean(ViolationStore.class).hasBean("myStore"));
	}

	private static void inAotMode(Runnable test) {
		SpringProperties.setFlag(AotDetector.AOT_ENABLED);
		try {
			test.run();
		}
		finally {
			SpringProperties.setProperty(AotDetector.AOT_ENABLED, null);
		}
	}

	@org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
	static class TemplateConfiguration {

		@org.springframework.context.annotation.Bean
		@org.springframework.context.annotation.Primary
		MongoTemplate floodgateTestTemplate(MongoClient client) {
			return new MongoTemplate(client, "floodgate_test");
		}

	}

}
