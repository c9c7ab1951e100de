package dev.floodgate.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.floodgate.core.DecisionRules;
import dev.floodgate.store.ClientRecords;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.testkit.ClientRecordsContractTests;
import dev.floodgate.testsupport.MutableClock;
import org.junit.jupiter.api.AfterEach;

import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The {@link ViolationStore} contract on a real Redis, for the {@link RedisClientRecords}
 * under the {@link RuleBookStore}: a subclass says only which server to connect to. Each store gets its own key prefix, so tests never see each other's clients.
 */
abstract class AbstractRedisClientRecordsTests extends ClientRecordsContractTests {

	private LettuceConnectionFactory connectionFactory;

	private String keyPrefix;

	/**
	 * Where the server (or cluster) the tests run against is.
	 * @return its configuration
	 */
	protected abstract RedisConfiguration redisConfiguration();

	@AfterEach
	void stopConnectionFactory() {
		if (this.connectionFactory != null) {
			this.connectionFactory.destroy();
		}
	}

	/**
	 * Redis expires a key in real time, after the time the store gave it on the test's clock,
	 * while the test moves its clock by hand: the differential test takes each key's time to
	 * live away from Redis and expires the key itself once the test's clock passes it, a little
	 * later than it stops mattering, as the in-memory store does.
	 */
	private static final long EXPIRY_SLACK_MILLIS = 1_100;

	/** Takes a key's time to live away, in one round trip: {ttl, 1 if banned permanently}. */
	private static final byte[] TAKE_TTL = ("local ttl = redis.call('PTTL', KEYS[1]) "
			+ "if ttl >= 0 then redis.call('PERSIST', KEYS[1]) end "
			+ "local permanent = 0 if redis.call('HGET', KEYS[1], 'nu') == '" + Long.MAX_VALUE + "' then permanent = 1 end "
			+ "return {ttl, permanent}").getBytes(StandardCharsets.UTF_8);

	private final Map<String, Long> expiries = new ConcurrentHashMap<>();

	@Override
	protected ClientRecords createRecords(DecisionRules rules, MutableClock clock) {
		this.keyPrefix = "floodgate-test:" + UUID.randomUUID() + ":";
		return new RedisClientRecords(connectionFactory(), rules, this.keyPrefix, Duration.ofSeconds(5), clock);
	}

	@Override
	protected ClientRecords createSecondRecords(DecisionRules rules, MutableClock clock) {
		return new RedisClientRecords(connectionFactory(), rules, this.keyPrefix, Duration.ofSeconds(5), clock);
	}

	@Override
	protected void touched(ViolationStore store, String client) {
		String prefix = ((RedisClientRecords) ((RuleBookStore) store).records()).keyPrefix();
		String key = prefix + "{" + client + "}";
		List<?> result;
		try (RedisConnection connection = connectionFactory().getConnection()) {
			result = connection.scriptingCommands().eval(TAKE_TTL, ReturnType.MULTI, 1,
					key.getBytes(StandardCharsets.UTF_8));
		}
		long ttl = ((Number) result.get(0)).longValue();
		if (ttl >= 0) {
			this.expiries.put(key, this.clock.millis() + ttl + EXPIRY_SLACK_MILLIS);
		}
		else if (ttl == -2 || ((Number) result.get(1)).longValue() == 1) {
			// gone, or banned permanently: it never expires
			this.expiries.remove(key);
		}
		// otherwise the key was persisted here before and left unchanged: its expiry holds
	}

	@Override
	protected void clockMoved() {
		long now = this.clock.millis();
		for (Map.Entry<String, Long> entry : this.expiries.entrySet()) {
			if (entry.getValue() <= now) {
				try (RedisConnection connection = connectionFactory().getConnection()) {
					connection.keyCommands().del(entry.getKey().getBytes(StandardCharsets.UTF_8));
				}
				this.expiries.remove(entry.getKey());
			}
		}
	}

	protected LettuceConnectionFactory connectionFactory() {
		if (this.connectionFactory == null) {
			this.connectionFactory = new LettuceConnectionFactory(redisConfiguration());
			this.connectionFactory.afterPropertiesSet();
			this.connectionFactory.start();
		}
		return this.connectionFactory;
	}

}
