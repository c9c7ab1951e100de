package dev.floodgate.store.redis;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.ClientState.Escalations;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ClientRecords.ClientRecord;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.StoreUnavailableException;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.testsupport.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The Redis store ({@link RedisClientRecords} under the rule book) keeps the
 * {@link ViolationStore} contract on a real standalone {@code redis-server}, in one script
 * call per request.
 */
class RedisClientRecordsTests extends AbstractRedisClientRecordsTests {

	private static RedisServer server;

	@BeforeAll
	static void startServer() {
		server = RedisServer.start();
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Override
	protected RedisConfiguration redisConfiguration() {
		return new RedisStandaloneConfiguration("127.0.0.1", server.port());
	}

	@Test
	void decidesEachRequestWithExactlyOneEvalsha() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("default", "1000/minute;5000/hour");
		store.decide(newClient(), policy);
		long evalsha = server.calls("evalsha");
		long eval = server.calls("eval");
		for (int i = 0; i < 200; i++) {
			store.decide("203.0.113." + (i % 50), policy);
		}
		assertThat(server.calls("evalsha") - evalsha).isEqualTo(200);
		assertThat(server.calls("eval")).as("the script is loaded once").isEqualTo(eval);
	}

	@Test
	void listsAPageAndCountsInOneScriptCallEachHoweverManyAreRestricted() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		List<Map<String, Long>> costs = new ArrayList<>();
		int banned = 0;
		for (int restricted : new int[] { 5, 600 }) {
			for (; banned < restricted; banned++) {
				store.ban("192.0.2." + (banned % 250) + "-" + banned, null);
				this.clock.advance(Duration.ofMillis(1));
			}
			// returns once the asynchronous index writes before it are done
			assertThat(store.restrictedCount()).isEqualTo(restricted);
			Map<String, Long> before = commandCalls();
			List<ClientStatus> page = store.restrictedClients(100);
			long count = store.restrictedCount();
			Map<String, Long> after = commandCalls();
			assertThat(count).isEqualTo(restricted);
			assertThat(page).hasSize(Math.min(100, restricted)).allMatch(ClientStatus::permanentlyBanned);
			assertThat(page.get(0).client()).as("most recent first").isEqualTo("192.0.2." + ((banned - 1) % 250) + "-" + (banned - 1));
			Map<String, Long> cost = new TreeMap<>();
			after.forEach((command, calls) -> {
				long delta = calls - before.getOrDefault(command, 0L);
				if (delta > 0 && !command.equals("info")) {
					cost.put(command, delta);
				}
			});
			costs.add(cost);
		}
		assertThat(costs.get(0)).as("one EVALSHA for the page, one for the count").containsEntry("evalsha", 2L);
		assertThat(costs.get(1)).as("commands for 600 restricted clients, as for 5").isEqualTo(costs.get(0));
	}

	@Test
	void theIndexHoldsOnlyClientsRestrictedNow() throws Exception {
		String prefix = "floodgate-index:" + UUID.randomUUID() + ":";
		ViolationStore store = redisStore(connectionFactory(),
				new DecisionRules(Algorithm.SLIDING_WINDOW, escalation()), prefix, Duration.ofSeconds(5), this.clock);
		for (int i = 0; i < 50; i++) {
			store.block("198.51.100." + i, Duration.ofMinutes(1));
		}
		store.ban("198.51.100.200", null);
		assertThat(store.restrictedCount()).isEqualTo(51);
		this.clock.advance(Duration.ofMinutes(2));
		store.block("198.51.100.201", Duration.ofMinutes(1));
		store.forget("198.51.100.200");
		assertThat(server.command("ZCARD", prefix + "{restricted}")).as("ended entries go on the next write")
			.isEqualTo("1");
		assertThat(server.command("ZCARD", prefix + "{restricted}:since")).isEqualTo("1");
		assertThat(server.command("HLEN", prefix + "{restricted}:info")).isEqualTo("1");
		assertThat(store.restrictedClients(10)).extracting(ClientStatus::client).containsExactly("198.51.100.201");
	}

	private RuleBookStore redisStore(RedisConnectionFactory factory,
			DecisionRules rules, String prefix, Duration timeout) {
		RedisClientRecords records = new RedisClientRecords(factory, rules, prefix, timeout);
		return new RuleBookStore(records, rules, records.clock());
	}

	private RuleBookStore redisStore(RedisConnectionFactory factory,
			DecisionRules rules, String prefix, Duration timeout, Clock clock) {
		return new RuleBookStore(new RedisClientRecords(factory, rules, prefix, timeout, clock), rules, clock);
	}

	private static Map<String, Long> commandCalls() {
		Map<String, Long> calls = new HashMap<>();
		for (String line : server.command("INFO", "commandstats").split("\r\n")) {
			if (line.startsWith("cmdstat_")) {
				String command = line.substring("cmdstat_".length(), line.indexOf(':'));
				String count = line.substring(line.indexOf("calls=") + "calls=".length());
				calls.put(command, Long.parseLong(count.substring(0, count.indexOf(','))));
			}
		}
		return calls;
	}

	@Test
	void everyKeyOfAClientHasAHashTagAndATimeToLive() throws Exception {
		String prefix = "floodgate-ttl:" + UUID.randomUUID() + ":";
		ViolationStore store = redisStore(connectionFactory(), new DecisionRules(Algorithm.SLIDING_WINDOW,
				escalation()), prefix, Duration.ofSeconds(5));
		store.decide("198.51.100.7", policy("default", "10/minute"));
		String key = prefix + "{198.51.100.7}";
		long ttl = Long.parseLong(server.command("PTTL", key));
		assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(2).toMillis());
		store.ban("198.51.100.8", null);
		assertThat(server.command("PTTL", prefix + "{198.51.100.8}")).as("a permanent ban persists").isEqualTo("-1");
	}

	@Test
	void aPermanentBanIsStoredAsJavaWritesItAndComparedOnly() throws Exception {
		String prefix = "floodgate-ban:" + UUID.randomUUID() + ":";
		ViolationStore store = redisStore(connectionFactory(), new DecisionRules(Algorithm.SLIDING_WINDOW, escalation()),
				prefix, Duration.ofSeconds(5), this.clock);
		store.ban("198.51.100.9", null);
		assertThat(server.command("HGET", prefix + "{198.51.100.9}", "nu")).isEqualTo(Long.toString(Long.MAX_VALUE));
		assertThat(server.command("PTTL", prefix + "{198.51.100.9}")).isEqualTo("-1");
		this.clock.advance(Duration.ofDays(365 * 100));
		assertThat(store.decide("198.51.100.9", policy("default", "10/minute")).retryAfterMillis()).isEqualTo(-1);
		assertThat(store.status("198.51.100.9")).hasValueSatisfying((status) -> {
			assertThat(status.permanentlyBanned()).isTrue();
			assertThat(status.since()).isEqualTo(START);
		});
		assertThat(store.restrictedClients(10)).singleElement().satisfies(ClientStatus::permanentlyBanned);
	}

	@Test
	void aPermanentBanWrittenByAnEarlierVersionAsMinusOneStaysABan() throws Exception {
		String prefix = "floodgate-legacy:" + UUID.randomUUID() + ":";
		ViolationStore store = redisStore(connectionFactory(), new DecisionRules(Algorithm.SLIDING_WINDOW, escalation()),
				prefix, Duration.ofSeconds(5), this.clock);
		String key = prefix + "{198.51.100.11}";
		// as Floodgate 0.1's script wrote a permanent ban
		server.command("HSET", key, "na", Long.toString(this.clock.millis()), "nu", "-1");
		Decision decision = store.decide("198.51.100.11", policy("default", "10/minute"));
		assertThat(decision.outcome()).isEqualTo(Outcome.BANNED);
		assertThat(decision.retryAfterMillis()).isEqualTo(-1);
		assertThat(store.status("198.51.100.11")).hasValueSatisfying((status) -> assertThat(status.permanentlyBanned()).isTrue());
	}

	@Test
	void writesEscalationsOnlyOverTheVersionRead() throws Exception {
		RedisClientRecords records = new RedisClientRecords(connectionFactory(),
				new DecisionRules(Algorithm.SLIDING_WINDOW, escalation()), "floodgate-cas:" + UUID.randomUUID() + ":",
				Duration.ofSeconds(5), this.clock);
		long now = this.clock.millis();
		Escalations blocked = new Escalations(new long[0], new long[] { now }, 1, now, now + 60_000, 60_000, 0, 0);
		assertThat(records.write("198.51.100.10", 1, blocked, now + 60_000, now)).as("no version 1 yet").isFalse();
		assertThat(records.write("198.51.100.10", 0, blocked, now + 60_000, now)).isTrue();
		assertThat(records.write("198.51.100.10", 0, Escalations.NONE, now, now)).as("a stale version").isFalse();
		ClientRecord record = records.read("198.51.100.10");
		assertThat(record).isNotNull();
		assertThat(record.version()).isEqualTo(1);
		assertThat(record.escalations().blockedUntilMillis()).isEqualTo(now + 60_000);
		assertThat(record.escalations().banViolationTimes()).containsExactly(now);
		assertThat(records.restricted(10)).extracting(ClientRecord::client).containsExactly("198.51.100.10");
		assertThat(records.write("198.51.100.10", 1, Escalations.NONE, now, now)).isTrue();
		assertThat(records.restrictedCount()).as("a lifted block leaves the index").isZero();
		records.forget("198.51.100.10");
		assertThat(records.read("198.51.100.10")).isNull();
		assertThat(records.write("198.51.100.10", 2, blocked, now + 60_000, now)).as("forgotten since").isFalse();
	}

	@Test
	void takesTheTimeFromTheServerByDefault() throws Exception {
		ViolationStore store = redisStore(connectionFactory(), new DecisionRules(Algorithm.FIXED_WINDOW,
				escalation()), "floodgate-time:" + UUID.randomUUID() + ":", Duration.ofSeconds(5));
		RatePolicy policy = policy("default", "2/day");
		String client = newClient();
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
		long serverNow = Long.parseLong(server.command("TIME").split("\n")[0]) * 1000;
		long resetMillis = store.decide(client, policy).resetMillis();
		long dayEnd = (serverNow / 86_400_000 + 1) * 86_400_000;
		assertThat(serverNow + resetMillis).isCloseTo(dayEnd, org.assertj.core.data.Offset.offset(5_000L));
		String blocked = newClient();
		store.block(blocked, Duration.ofHours(1));
		assertThat(store.decide(blocked, policy).retryAfterMillis()).as("blocked by hand at the server's time")
			.isCloseTo(Duration.ofHours(1).toMillis(), org.assertj.core.data.Offset.offset(5_000L));
	}

	@Test
	void aDeadServerFailsWithinTheTimeout() throws Exception {
		try (RedisServer doomed = RedisServer.start()) {
			LettuceConnectionFactory factory = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration("127.0.0.1", doomed.port()));
			factory.afterPropertiesSet();
			factory.start();
			try {
				ViolationStore store = redisStore(factory,
						new DecisionRules(Algorithm.SLIDING_WINDOW, escalation()), "floodgate-dead:", Duration.ofMillis(200));
				RatePolicy policy = policy("default", "10/minute");
				assertThat(store.decide("203.0.113.1", policy).outcome()).isEqualTo(Outcome.ALLOWED);
				doomed.kill();
				assertThatExceptionOfType(RuntimeException.class).isThrownBy(() -> store.decide("203.0.113.1", policy));
				doomed.restart();
				Outcome outcome = null;
				for (int i = 0; i < 100 && outcome == null; i++) {
					try {
						outcome = store.decide("203.0.113.1", policy).outcome();
					}
					catch (StoreUnavailableException ex) {
						Thread.sleep(100);
					}
				}
				assertThat(outcome).as("Lettuce reconnects by itself").isEqualTo(Outcome.ALLOWED);
			}
			finally {
				factory.destroy();
			}
		}
	}

}
