package dev.floodgate.store.redis;

import java.time.Duration;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.testsupport.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis store ({@link RedisClientRecords} under the rule book) keeps the
 * {@link ViolationStore} contract on a three-master Redis Cluster.
 */
class RedisClusterClientRecordsTests extends AbstractRedisClientRecordsTests {

	private static RedisCluster cluster;

	@BeforeAll
	static void startCluster() {
		cluster = RedisCluster.start();
	}

	@AfterAll
	static void stopCluster() {
		cluster.close();
	}

	@Override
	protected RedisConfiguration redisConfiguration() {
		return new RedisClusterConfiguration(cluster.addresses());
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
