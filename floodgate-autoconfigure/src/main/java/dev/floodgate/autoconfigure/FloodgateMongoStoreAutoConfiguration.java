package dev.floodgate.autoconfigure;

import java.time.Clock;

import dev.floodgate.autoconfigure.FloodgateProperties.StoreType;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.mongo.MongoClientRecords;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * Auto-configuration of the MongoDB store, for {@code floodgate.store.type=mongo}: through
 * the application's own {@link MongoTemplate} ({@code spring.mongodb.uri}). Its indexes are
 * created at start-up when missing. Without Spring Data MongoDB or a single template (one, or
 * one of several marked {@code @Primary}) nothing is
 * registered here, and {@link FloodgateAutoConfiguration} stops the application with a
 * message that says what to add.
 */
@AutoConfiguration(before = FloodgateAutoConfiguration.class,
		afterName = { "org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration",
				"org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration" })
@ConditionalOnWebApplication
@ConditionalOnBooleanProperty(name = "floodgate.enabled", matchIfMissing = true)
@ConditionalOnProperty(name = "floodgate.store.type", havingValue = "mongo")
@ConditionalOnClass({ MongoTemplate.class, com.mongodb.client.MongoDatabase.class })
public final class FloodgateMongoStoreAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnSingleCandidate(MongoTemplate.class)
	MongoClientRecords floodgateMongoClientRecords(MongoTemplate mongoTemplate, FloodgateSettings settings,
			DecisionRules rules, @Qualifier(FloodgateAutoConfiguration.CLOCK_BEAN_NAME) Clock clock) {
		if (settings.storeType() != StoreType.MONGO) {
			// only under AOT, where this condition was decided at build time
			throw StoreChosenAtBuildTimeException.builtWith(settings.storeType(), StoreType.MONGO);
		}
		// no I/O here: the indexes are created once every singleton is (floodgateMongoIndexes)
		return new MongoClientRecords(mongoTemplate.getDb(), settings.mongoCollection(), rules, clock,
				settings.storeTimeout());
	}

	@Bean
	@ConditionalOnMissingBean(ViolationStore.class)
	@ConditionalOnBean(MongoClientRecords.class)
	RuleBookStore floodgateViolationStore(MongoClientRecords records, DecisionRules rules,
			@Qualifier(FloodgateAutoConfiguration.CLOCK_BEAN_NAME) Clock clock) {
		return new RuleBookStore(records, rules, clock);
	}

	/**
	 * Creates the MongoDB store's indexes when missing, once every singleton is created rather
	 * than while its bean is: the context's bean creation does no I/O. The database may be
	 * down at start-up: the application still starts, requests follow
	 * {@code floodgate.store.on-failure} until it answers, and the store creates its indexes
	 * then.
	 * @param store the store, when it is Floodgate's MongoDB store
	 * @param settings the settings
	 * @return the initializer
	 */
	@Bean
	@ConditionalOnMissingBean(name = "floodgateMongoIndexes")
	SmartInitializingSingleton floodgateMongoIndexes(ObjectProvider<MongoClientRecords> records,
			FloodgateSettings settings) {
		return () -> {
			MongoClientRecords mongo = records.getIfUnique();
			if (mongo != null) {
				try {
					mongo.createIndexes();
				}
				catch (RuntimeException ex) {
					org.apache.commons.logging.LogFactory.getLog(FloodgateMongoStoreAutoConfiguration.class)
						.warn("Floodgate could not create the indexes of collection '" + settings.mongoCollection()
								+ "': " + ex.getMessage());
				}
			}
		};
	}

}
