package dev.floodgate.store.redis;

import java.time.Duration;
import java.util.UUID;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.ViolationStoreContractTests;
import dev.floodgate.testsupport.MutableClock;
import dev.floodgate.testsupport.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis store keeps the {@link ViolationStore} contract on a three-master Redis Cluster.
 */
class RedisClusterViolationStoreTests extends ViolationStoreContractTests {

	private static RedisCluster cluster;

	private LettuceConnectionFactory connectionFactory;

	@BeforeAll
	static void startCluster() {
		cluster = RedisCluster.start();
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	@AfterEach
	void stopConnectionFactory() {
		if (this.connectionFactory != null) {
			this.connectionFactory.destroy();
		}
	}

	@Override
	protected ViolationStore createStore(DecisionRules rules, MutableClock clock) {
		return new RedisViolationStore(connectionFactory(), rules, "floodgate-test:" + UUID.randomUUID() + ":",
				Duration.ofSeconds(5), clock);
	}

	private LettuceConnectionFactory connectionFactory() {
		if (this.connectionFactory == null) {
			this.connectionFactory = new LettuceConnectionFactory(new RedisClusterConfiguration(cluster.addresses()));
			this.connectionFactory.afterPropertiesSet();
			this.connectionFactory.start();
		}
		return this.connectionFactory;
	}

	@Test
	void clientsSpreadOverEveryMasterWithOneEvalshaEach() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("default", "100/minute");
		store.decide(newClient(), policy);
		long[] before = cluster.nodes().stream().mapToLong((node) -> node.calls("evalsha")).toArray();
		for (int i = 0; i < 300; i++) {
			store.decide("203.0.113." + i % 250 + "-" + i, policy);
		}
		long[] after = cluster.nodes().stream().mapToLong((node) -> node.calls("evalsha")).toArray();
		long total = 0;
		for (int i = 0; i < 3; i++) {
			assertThat(after[i] - before[i]).as("node %d", i).isPositive();
			total += after[i] - before[i];
		}
		assertThat(total).isEqualTo(300);
	}

}
