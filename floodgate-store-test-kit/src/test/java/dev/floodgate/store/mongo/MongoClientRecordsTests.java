package dev.floodgate.store.mongo;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import dev.floodgate.core.Algorithm;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ClientRecords;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.testkit.ClientRecordsContractTests;
import dev.floodgate.testsupport.MongoTestServer;
import dev.floodgate.testsupport.MutableClock;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MongoDB store keeps the {@link ViolationStore} contract on the MongoDB wire-protocol
 * server in process, or on a real MongoDB when {@code FLOODGATE_TEST_MONGODB_URI} is set.
 */
class MongoClientRecordsTests extends ClientRecordsContractTests {

	private static final List<String> commands = new CopyOnWriteArrayList<>();

	private static MongoTestServer server;

	private static MongoClient client;

	private static MongoDatabase database;

	private String collectionName;

	@BeforeAll
	static void startServer() {
		server = MongoTestServer.start();
		CommandListener listener = new CommandListener() {
			@Override
			public void commandStarted(CommandStartedEvent event) {
				commands.add(event.getCommandName());
			}
		};
		client = MongoClients.create(MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(server.uri()))
			.addCommandListener(listener)
			.build());
		database = client.getDatabase("floodgate_test_" + UUID.randomUUID().toString().replace("-", ""));
	}

	@AfterAll
	static void stopServer() {
		database.drop();
		client.close();
		server.close();
	}

	@Override
	protected ClientRecords createRecords(DecisionRules rules, MutableClock clock) {
		this.collectionName = "clients_" + UUID.randomUUID().toString().replace("-", "");
		MongoClientRecords records = new MongoClientRecords(database, this.collectionName, rules, clock,
				Duration.ofSeconds(5));
		records.createIndexes();
		return records;
	}

	@Override
	protected ClientRecords createSecondRecords(DecisionRules rules, MutableClock clock) {
		return new MongoClientRecords(database, this.collectionName, rules, clock, Duration.ofSeconds(5));
	}

	@Override
	protected int differentialSeeds() {
		// the in-process server takes about 4ms a step, several times a real MongoDB's time
		return server.isExternal() ? 20 : 6;
	}

	@Override
	protected boolean returnsItsOwnWriteUnderConcurrency() {
		// mongo-java-server: 400 concurrent {$inc: 1} findAndModify calls on one document returned
		// 15 duplicate values (the total was exact); a real MongoDB returns each update's own result
		return server.isExternal();
	}

	@Test
	void anAdmittedRequestCostsExactlyOneFindAndModify() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		RatePolicy policy = policy("default", "1000/minute;5000/hour");
		store.decide(newClient(), policy);
		commands.clear();
		for (int i = 0; i < 100; i++) {
			Decision decision = store.decide("203.0.113." + (i % 20), policy);
			assertThat(decision.outcome()).isEqualTo(Outcome.ALLOWED);
		}
		assertThat(commands).hasSize(100).containsOnly("findAndModify");
	}

	@Test
	void aViolationCostsABoundedNumberOfCommandsAndABlockedRequestFewer() throws Exception {
		ViolationStore store = store(Algorithm.FIXED_WINDOW);
		RatePolicy policy = policy("default", "1/minute");
		String client = newClient();
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
		commands.clear();
		// over the limit: the refused count, the document read, the conditional escalation write
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.LIMITED);
		assertThat(commands).containsExactly("findAndModify", "find", "update");
		store.block(client, Duration.ofMinutes(5));
		commands.clear();
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(commands).as("a blocked client: the refused count and the read, no write")
			.containsExactly("findAndModify", "find");
	}

	@Test
	void createsItsIndexesIdempotently() throws Exception {
		String name = "clients_" + UUID.randomUUID().toString().replace("-", "");
		MongoClientRecords records = new MongoClientRecords(database, name,
				new DecisionRules(Algorithm.SLIDING_WINDOW, escalation()), this.clock, Duration.ofSeconds(5));
		records.createIndexes();
		records.createIndexes();
		List<Document> indexes = database.getCollection(name).listIndexes().into(new java.util.ArrayList<>());
		assertThat(indexes).extracting((index) -> index.getString("name"))
			.contains("floodgate_expiry", "floodgate_blocked_until", "floodgate_banned_until");
		Document expiry = indexes.stream().filter((index) -> "floodgate_expiry".equals(index.getString("name")))
			.findFirst().orElseThrow();
		assertThat(((Number) expiry.get("expireAfterSeconds")).longValue()).isZero();
	}

	@Test
	void anExpiredDocumentIsTreatedAsAbsentBeforeTheTtlMonitorRemovesIt() throws Exception {
		ViolationStore store = store(Algorithm.FIXED_WINDOW);
		RatePolicy policy = policy("default", "1/minute");
		String client = newClient();
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.LIMITED);
		this.clock.advance(Duration.ofDays(2));
		assertThat(store.status(client)).isEmpty();
		assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
		assertThat(store.status(client).orElseThrow().violations()).isZero();
	}

	@Test
	void windowCountersDoNotGrowWithoutBound() throws Exception {
		String name = "clients_" + UUID.randomUUID().toString().replace("-", "");
		MongoClientRecords records = new MongoClientRecords(database, name,
				new DecisionRules(Algorithm.SLIDING_WINDOW, escalation()), this.clock, Duration.ofSeconds(5));
		ViolationStore store = records.asStore();
		RatePolicy policy = policy("default", "100/minute");
		store.ban("203.0.113.50", Duration.ofDays(365));
		store.forget("203.0.113.50");
		for (int i = 0; i < 50; i++) {
			store.decide("203.0.113.51", policy);
			this.clock.advance(Duration.ofMinutes(i % 3 + 1));
			// the current and previous windows, and the two a pause left, which the next request removes
			assertThat(windowCounts(name, "203.0.113.51", "default|60000")).hasSizeLessThanOrEqualTo(4);
		}
	}

	@ParameterizedTest
	@EnumSource(Algorithm.class)
	void aMultiLimitPolicyCostsOneFindAndModifyAfterAPause(Algorithm algorithm) throws Exception {
		ViolationStore store = pureRateLimiter(algorithm);
		RatePolicy policy = policy("burst", "2/second;100/hour");
		String client = newClient();
		store.decide(client, policy);
		for (int i = 0; i < 20; i++) {
			this.clock.advance(Duration.ofSeconds(3));
			commands.clear();
			assertThat(store.decide(client, policy).outcome()).isEqualTo(Outcome.ALLOWED);
			assertThat(commands).as("request %d, 3 s after the previous one", i).containsExactly("findAndModify");
			assertThat(windowCounts(this.collectionName, client, "burst|1000")).as("the second's window counts")
				.hasSizeLessThanOrEqualTo(2);
		}
	}

	private static List<String> windowCounts(String collection, String client, String limit) {
		Document document = database.getCollection(collection).find(new Document("_id", client)).first();
		Document windows = document.get("c", Document.class).get(limit, Document.class);
		return windows.keySet().stream().filter((key) -> key.chars().allMatch(Character::isDigit)).toList();
	}

	@Test
	void aPermanentBanReplacedByAShorterOneLetsTheDocumentExpire() throws Exception {
		ViolationStore store = store(Algorithm.SLIDING_WINDOW);
		String client = newClient();
		store.ban(client, null);
		store.ban(client, Duration.ofHours(1));
		this.clock.advance(Duration.ofDays(2));
		assertThat(store.status(client)).isEmpty();
	}

}
