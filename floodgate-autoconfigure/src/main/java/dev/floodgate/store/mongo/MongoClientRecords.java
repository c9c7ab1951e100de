package dev.floodgate.store.mongo;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import dev.floodgate.core.Algorithm;
import dev.floodgate.core.ClientState;
import dev.floodgate.core.ClientState.Escalations;
import dev.floodgate.core.Counted;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.RecentTimes;
import dev.floodgate.core.Refusal;
import dev.floodgate.store.ClientRecords;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.StoreUnavailableException;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ClientRecords} of MongoDB, shared by every instance that uses the same database
 * (the store is the {@link dev.floodgate.store.RuleBookStore} over them).
 * One document per client in the collection:
 *
 * <pre>
 * { _id: "203.0.113.7",                      the client key
 *   c:  { "default|60000": { "29496960": 12, "29496959": 40 } },   request counts per window index
 *   vt: [...], bt: [...], bn,                 recent violations (for a block, for a ban), latest block's number
 *   ba, bu, bl: block start, end, length;  na, nu: ban start, end (Long.MAX_VALUE = permanent)
 *   lc, cr: latest counted request, how long counters matter;  ver: escalation version
 *   exp: Date }                               when the document stops mattering (TTL index)
 * </pre>
 *
 * A request within its limits costs exactly one {@code findOneAndUpdate} (upsert, atomic
 * {@code $inc}, {@code $max}, {@code $unset}, {@code $setOnInsert}); its filter
 * admits only a live document of a client neither blocked nor banned. A request over a limit
 * takes back its count and answers the escalation state and its version; a change of that
 * state is an update conditional on the version, so concurrent instances never double-count a
 * block or lose a ban. Only classic update operators are used (no pipeline updates). Expired documents are
 * removed by the TTL index on {@code exp}, and treated as absent when read before that.
 * Every operation is bounded by the driver's client-side operation timeout.
 */
public final class MongoClientRecords implements ClientRecords {

	private static final int DUPLICATE_KEY = 11000;

	private static final int ATTEMPTS = 16;

	/** The field of a limit's counters that holds the newest window counted in. */
	private static final String NEWEST = "w";

	/** Stale window counts left for the next update to remove; more are removed at once. */
	private static final int MAX_STALE_COUNTERS = 16;

	/** The latest date MongoDB's TTL index is given: the year 9999. */
	private static final long NEVER = 253_402_300_799_000L;

	private final MongoCollection<Document> collection;

	private final long timeoutNanos;

	private final DecisionRules rules;

	private final Clock clock;

	private final boolean sliding;

	private final Map<RatePolicy, String[]> counterPaths = new ConcurrentHashMap<>();

	/** Per client, the stale window counts its latest document showed, for the next update to remove. */
	private final Cache<String, StaleCounters> staleCounters = Caffeine.newBuilder()
		.maximumSize(10_000)
		.executor(Runnable::run)
		.build();

	/**
	 * Per client, until when its counters matter ({@code lc + cr}) as the document read last
	 * showed: the expiry an escalation write gives the document is the later of that and the
	 * escalation's own, without reading the document again.
	 */
	private final Cache<String, Long> countersUntil = Caffeine.newBuilder()
		.maximumSize(10_000)
		.executor(Runnable::run)
		.build();

	private volatile boolean indexesCreated;

	/**
	 * Creates a store.
	 * @param database the database
	 * @param collectionName the collection holding one document per client
	 * @param rules the rules to decide by
	 * @param clock the time source
	 * @param timeout the longest any operation may take
	 */
	public MongoClientRecords(MongoDatabase database, String collectionName, DecisionRules rules, Clock clock,
			Duration timeout) {
		this.collection = database.getCollection(collectionName).withTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
		this.timeoutNanos = timeout.toNanos();
		this.rules = rules;
		this.clock = clock;
		this.sliding = rules.algorithm() == Algorithm.SLIDING_WINDOW;
	}

	/**
	 * Creates the indexes when missing (idempotent): the TTL index on {@code exp}, and the
	 * indexes that find blocked and banned clients.
	 */
	public void createIndexes() {
		this.collection.createIndex(Indexes.ascending("exp"),
				new IndexOptions().name("floodgate_expiry").expireAfter(0L, TimeUnit.SECONDS));
		this.collection.createIndex(Indexes.ascending("bu"), new IndexOptions().name("floodgate_blocked_until"));
		this.collection.createIndex(Indexes.ascending("nu"), new IndexOptions().name("floodgate_banned_until"));
		this.indexesCreated = true;
	}

	/** The database was unreachable when the application started: try again, once it answers. */
	private void createIndexesAfterAnOutage() {
		try {
			createIndexes();
		}
		catch (MongoTimeoutException | MongoSocketException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			// not an outage (a conflicting index, no privilege): say so once, and carry on without
			this.indexesCreated = true;
			org.apache.commons.logging.LogFactory.getLog(MongoClientRecords.class)
				.warn("Floodgate cannot create its indexes; create them by hand (see Floodgate's README): "
						+ ex.getMessage());
		}
	}

	@Override
	public String type() {
		return "mongo";
	}

	/**
	 * The store that decides by these records' rules over them.
	 * @return a new {@link RuleBookStore} over this
	 */
	public RuleBookStore asStore() {
		return new RuleBookStore(this, this.rules, this.clock);
	}

	@Override
	public Counted count(String client, @Nullable RatePolicy policy) {
		if (!this.indexesCreated) {
			createIndexesAfterAnOutage();
		}
		if (policy == null) {
			return restrictionOnly(client);
		}
		String[] paths = this.counterPaths.computeIfAbsent(policy, this::counterPaths);
		long deadline = System.nanoTime() + this.timeoutNanos;
		// each limit's window to count in: the clock's, or a newer one the document holds
		long[] indexes = new long[policy.size()];
		Arrays.fill(indexes, Long.MIN_VALUE);
		StaleCounters stale = this.staleCounters.asMap().remove(client);
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			long now = this.clock.millis();
			for (int i = 0; i < indexes.length; i++) {
				indexes[i] = Math.max(now / policy.limit(i).windowMillis(), indexes[i]);
			}
			Document document;
			try {
				document = within(deadline, attempt).findOneAndUpdate(admissible(client, policy, paths, indexes, now),
						count(policy, paths, indexes, now, (attempt == 0) ? stale : null),
						new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
			}
			catch (MongoCommandException | MongoWriteException ex) {
				if (!isDuplicateKey(ex)) {
					throw ex;
				}
				// the client's document exists but is expired, the client is blocked or banned,
				// or a limit's current window is full
				Refusal refused = refuseExisting(client, policy, paths, indexes, now, deadline);
				if (refused != null) {
					return refused;
				}
				continue;
			}
			return counted(client, policy, paths, indexes, document, now, deadline);
		}
		throw new StoreUnavailableException("Too much contention on client " + client);
	}

	/**
	 * The counters of a document in the given windows, less this request's own count when it
	 * is included.
	 */
	private ClientState counterState(RatePolicy policy, String[] paths, Document document, long[] indexes, long own) {
		ClientState state = new ClientState();
		Document counters = document.get("c", Document.class);
		for (int i = 0; i < policy.size(); i++) {
			long index = indexes[i];
			Document windows = (counters != null) ? counters.get(paths[i], Document.class) : null;
			long current = Math.max(0, count(windows, index) - own);
			long previous = this.sliding ? count(windows, index - 1) : 0;
			state.restoreCounter(policy.firstSlot() + i, index, previous, current);
		}
		return state;
	}

	private Counted counted(String client, RatePolicy policy, String[] paths, long[] indexes, Document document,
			long now, long deadline) {
		StaleCounters stale = StaleCounters.of(policy, paths, indexes, document);
		Decision decision = this.rules.checkLimits(counterState(policy, paths, document, indexes, policy.cost()), policy, now);
		if (decision.outcome() == Outcome.ALLOWED) {
			if (stale != null) {
				if (stale.size() <= MAX_STALE_COUNTERS) {
					// after an idle gap longer than two windows: this instance's next update for the
					// client drops the counts that no longer matter, in its one round trip
					this.staleCounters.put(client, stale);
				}
				else {
					// rare (the hints went to other instances, or were evicted): keep the document small
					try {
						this.collection.updateOne(Filters.eq("_id", client),
								new Document("$unset", stale.unset(policy, paths, indexes, new Document())));
					}
					catch (RuntimeException ex) {
						// best effort: a later request removes them
					}
				}
			}
			return decision;
		}
		Document uncount = new Document();
		for (int i = 0; i < policy.size(); i++) {
			uncount.append(counterPath(paths[i], indexes[i]), -(long) policy.cost());
		}
		Document update = new Document("$inc", uncount);
		if (stale != null) {
			update.append("$unset", stale.unset(policy, paths, indexes, new Document()));
		}
		Document current = within(deadline, 1).findOneAndUpdate(Filters.eq("_id", client), update,
				new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
		return refusal(current, decision, now);
	}

	/** A refusal with the escalation state of the document (none when it is gone). */
	private Refusal refusal(@Nullable Document document, @Nullable Decision limited, long now) {
		if (document == null) {
			return new Refusal(now, limited, Escalations.NONE, 0);
		}
		rememberCountersUntil(document);
		return new Refusal(now, limited, escalations(document), number(document, "ver"));
	}

	private void rememberCountersUntil(Document document) {
		this.countersUntil.put(document.getString("_id"), number(document, "lc") + number(document, "cr"));
	}

	private static boolean restricted(Document document, long now) {
		return number(document, "bu") > now || number(document, "nu") > now;
	}

	private @Nullable Refusal refuseExisting(String client, RatePolicy policy, String[] paths, long[] indexes,
			long now, long deadline) {
		Document document = within(deadline, 1).find(Filters.eq("_id", client)).first();
		if (document == null) {
			return null;
		}
		if (expiresAt(document) <= now) {
			within(deadline, 1).deleteOne(Filters.and(Filters.eq("_id", client), Filters.eq("exp", document.get("exp"))));
			return null;
		}
		if (restricted(document, now)) {
			return refusal(document, null, now);
		}
		Document counters = document.get("c", Document.class);
		for (int i = 0; i < indexes.length; i++) {
			// a window newer than this clock's (another instance's clock is ahead, or this one
			// stepped back) is the current one: count in it
			Document windows = (counters != null) ? counters.get(paths[i], Document.class) : null;
			if (windows != null && windows.get(NEWEST) instanceof Number newest) {
				indexes[i] = Math.max(indexes[i], newest.longValue());
			}
		}
		Decision limits = this.rules.checkLimits(counterState(policy, paths, document, indexes, 0), policy, now);
		if (limits.outcome() == Outcome.ALLOWED) {
			// the window moved on, another instance counted in a newer window, or a concurrent
			// request gave its count back: count again
			return null;
		}
		return refusal(document, limits, now);
	}

	private Counted restrictionOnly(String client) {
		long now = this.clock.millis();
		Document document = this.collection.find(Filters.eq("_id", client)).first();
		if (document == null || expiresAt(document) <= now || !restricted(document, now)) {
			return Decision.UNLIMITED;
		}
		return refusal(document, null, now);
	}

	/**
	 * A live document of a client neither blocked nor banned, whose current windows all have
	 * room for one more request of the policy's cost (each count at most the limit less the
	 * cost) and none of whose limits has counted in a window newer than the one given: the
	 * filter alone keeps every window's count within its limit, whatever other instances do
	 * at the same moment, and whatever their clocks say.
	 */
	private static Bson admissible(String client, RatePolicy policy, String[] paths, long[] indexes, long now) {
		List<Bson> filters = new ArrayList<>(4 + 2 * policy.size());
		filters.add(Filters.eq("_id", client));
		filters.add(Filters.gt("exp", new Date(now)));
		filters.add(Filters.lte("bu", now));
		filters.add(Filters.lte("nu", now));
		for (int i = 0; i < policy.size(); i++) {
			filters.add(Filters.not(Filters.gt(counterPath(paths[i], indexes[i]),
					policy.limit(i).count() - policy.cost())));
			filters.add(Filters.not(Filters.gt(newestPath(paths[i]), indexes[i])));
		}
		return Filters.and(filters);
	}

	/**
	 * Counts the request in each limit's window, drops the window that just stopped mattering
	 * (and the stale ones this instance saw last time), and records each limit's newest window:
	 * every path distinct, none inside another.
	 */
	private Bson count(RatePolicy policy, String[] paths, long[] indexes, long now, @Nullable StaleCounters stale) {
		Document increment = new Document();
		Document unset = new Document();
		long retention = (this.sliding ? 2 : 1) * policy.longestWindowMillis();
		Document max = new Document("lc", now).append("cr", retention).append("exp", new Date(now + retention));
		for (int i = 0; i < policy.size(); i++) {
			long index = indexes[i];
			increment.append(counterPath(paths[i], index), (long) policy.cost());
			unset.append(counterPath(paths[i], index - (this.sliding ? 2 : 1)), "");
			max.append(newestPath(paths[i]), index);
		}
		if (stale != null) {
			stale.unset(policy, paths, indexes, unset);
		}
		Document update = new Document("$inc", increment).append("$unset", unset)
			.append("$max", max)
			.append("$setOnInsert", fields(Escalations.NONE).append("ver", 0L));
		return update;
	}

	@Override
	public boolean write(String client, long version, Escalations escalations, long expiresAtMillis, long nowMillis) {
		long now = this.clock.millis();
		// $set, not $max: a ban replaced by a shorter one must let the document expire sooner;
		// the version check makes it safe, and the counters' own retention is kept
		Long until = this.countersUntil.asMap().remove(client);
		if (until == null) {
			Document current = this.collection.find(Filters.eq("_id", client)).first();
			until = (current != null) ? number(current, "lc") + number(current, "cr") : 0;
		}
		long expiresAt = Math.max(expiresAtMillis, until);
		Document update = new Document("$set", fields(escalations).append("exp", new Date(Math.min(NEVER, expiresAt))))
			.append("$inc", new Document("ver", 1L));
		if (this.collection
			.updateOne(Filters.and(Filters.eq("_id", client), Filters.eq("ver", version), Filters.gt("exp", new Date(now))),
					update)
			.getModifiedCount() == 1) {
			return true;
		}
		if (version != 0) {
			return false;
		}
		// a client the store does not hold: none, or only an expired document, which is removed
		Document existing = this.collection.find(Filters.eq("_id", client)).first();
		if (existing != null) {
			if (expiresAt(existing) > now) {
				return false;
			}
			this.collection.deleteOne(Filters.and(Filters.eq("_id", client), Filters.eq("exp", existing.get("exp"))));
		}
		Document insert = fields(escalations).append("ver", 1L)
			.append("lc", 0L)
			.append("cr", 0L)
			.append("exp", new Date(Math.min(NEVER, expiresAt)));
		try {
			return this.collection.updateOne(Filters.eq("_id", client), new Document("$setOnInsert", insert),
					new UpdateOptions().upsert(true)).getUpsertedId() != null;
		}
		catch (MongoCommandException | MongoWriteException ex) {
			if (isDuplicateKey(ex)) {
				return false;
			}
			throw ex;
		}
	}

	/**
	 * The collection with what is left of one request's time: however many operations a
	 * decision takes, together they take at most the store's timeout.
	 */
	private MongoCollection<Document> within(long deadline, int operation) {
		if (operation == 0) {
			return this.collection;
		}
		long remaining = deadline - System.nanoTime();
		if (remaining <= 0) {
			throw new StoreUnavailableException(
					"MongoDB did not decide within " + TimeUnit.NANOSECONDS.toMillis(this.timeoutNanos) + "ms");
		}
		return this.collection.withTimeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)), TimeUnit.MILLISECONDS);
	}

	private static Document fields(Escalations escalations) {
		return new Document("vt", list(escalations.violationTimes())).append("bt", list(escalations.banViolationTimes()))
			.append("bn", escalations.blockNumber())
			.append("ba", escalations.blockedAtMillis())
			.append("bu", escalations.blockedUntilMillis())
			.append("bl", escalations.blockLengthMillis())
			.append("na", escalations.bannedAtMillis())
			.append("nu", escalations.bannedUntilMillis());
	}

	private static Escalations escalations(Document document) {
		return new Escalations(times(document, "vt"), times(document, "bt"), (int) number(document, "bn"),
				number(document, "ba"), number(document, "bu"), number(document, "bl"), number(document, "na"),
				number(document, "nu"));
	}

	@Override
	public @Nullable ClientRecord read(String client) {
		long now = this.clock.millis();
		Document document = this.collection.find(Filters.eq("_id", client)).first();
		if (document == null || expiresAt(document) <= now) {
			return null;
		}
		rememberCountersUntil(document);
		return new ClientRecord(client, now, escalations(document), number(document, "ver"));
	}

	@Override
	public List<ClientRecord> restricted(int max) {
		long now = this.clock.millis();
		List<ClientRecord> restricted = new ArrayList<>();
		for (Document document : this.collection.find(restricted(now))) {
			restricted.add(new ClientRecord(document.getString("_id"), now, escalations(document), number(document, "ver")));
		}
		return ClientRecord.mostRecentFirst(restricted, max);
	}

	@Override
	public long restrictedCount() {
		return this.collection.countDocuments(restricted(this.clock.millis()));
	}

	private static Bson restricted(long now) {
		return Filters.or(Filters.gt("bu", now), Filters.gt("nu", now));
	}

	@Override
	public boolean forget(String client) {
		return this.collection.deleteOne(Filters.eq("_id", client)).getDeletedCount() > 0;
	}

	private String[] counterPaths(RatePolicy policy) {
		String[] paths = new String[policy.size()];
		for (int i = 0; i < paths.length; i++) {
			paths[i] = fieldName(policy.name() + "|" + policy.limit(i).windowMillis());
		}
		return paths;
	}

	private static String counterPath(String path, long index) {
		return "c." + path + "." + index;
	}

	private static String newestPath(String path) {
		return "c." + path + "." + NEWEST;
	}

	/** A field name without the characters MongoDB gives a meaning ('.', a leading '$'). */
	static String fieldName(String name) {
		StringBuilder field = new StringBuilder(name.length());
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			switch (c) {
				case '%' -> field.append("%25");
				case '.' -> field.append("%2E");
				case '$' -> field.append("%24");
				case '\0' -> field.append("%00");
				default -> field.append(c);
			}
		}
		return field.toString();
	}

	/**
	 * The window counts of a client's document that no longer matter (older than the previous
	 * window), as one request saw them: this instance's next update for that client and policy
	 * removes them, within its one round trip.
	 */
	private record StaleCounters(RatePolicy policy, int[] limits, long[] indexes) {

		static @Nullable StaleCounters of(RatePolicy policy, String[] paths, long[] current, Document document) {
			Document counters = document.get("c", Document.class);
			if (counters == null) {
				return null;
			}
			int[] limits = null;
			long[] indexes = null;
			int size = 0;
			for (int i = 0; i < policy.size(); i++) {
				Document windows = counters.get(paths[i], Document.class);
				if (windows == null) {
					continue;
				}
				for (String key : windows.keySet()) {
					long index = staleIndex(key, current[i]);
					if (index != Long.MIN_VALUE) {
						if (limits == null || size == limits.length) {
							limits = (limits != null) ? Arrays.copyOf(limits, size * 2) : new int[4];
							indexes = (indexes != null) ? Arrays.copyOf(indexes, size * 2) : new long[4];
						}
						limits[size] = i;
						indexes[size++] = index;
					}
				}
			}
			return (size > 0) ? new StaleCounters(policy, Arrays.copyOf(limits, size), Arrays.copyOf(indexes, size))
					: null;
		}

		/**
		 * The window index of a count older than the previous window, else {@link Long#MIN_VALUE}
		 * (the newest-window field, the current and previous windows, and a newer one are kept).
		 */
		private static long staleIndex(String key, long current) {
			if (key.equals(NEWEST)) {
				return Long.MIN_VALUE;
			}
			try {
				long index = Long.parseLong(key);
				return (index < current - 1) ? index : Long.MIN_VALUE;
			}
			catch (NumberFormatException ex) {
				return Long.MIN_VALUE;
			}
		}

		int size() {
			return this.limits.length;
		}

		/**
		 * Adds the paths to unset to an update of the same policy, only those still older
		 * than the previous window the update counts in.
		 */
		Document unset(RatePolicy current, String[] paths, long[] currentIndexes, Document unset) {
			if (current == this.policy) {
				for (int k = 0; k < this.limits.length; k++) {
					int i = this.limits[k];
					if (this.indexes[k] < currentIndexes[i] - 1) {
						unset.append(counterPath(paths[i], this.indexes[k]), "");
					}
				}
			}
			return unset;
		}

	}

	private static long count(@Nullable Document windows, long index) {
		if (windows == null) {
			return 0;
		}
		Object value = windows.get(Long.toString(index));
		return (value instanceof Number number) ? number.longValue() : 0;
	}

	private static long expiresAt(Document document) {
		Date expiry = document.getDate("exp");
		return (expiry != null) ? expiry.getTime() : Long.MAX_VALUE;
	}

	private static long number(Document document, String field) {
		Object value = document.get(field);
		return (value instanceof Number number) ? number.longValue() : 0;
	}

	private static long[] times(Document document, String field) {
		Object value = document.get(field);
		if (!(value instanceof List<?> list) || list.isEmpty()) {
			return RecentTimes.NONE;
		}
		long[] times = new long[list.size()];
		for (int i = 0; i < times.length; i++) {
			times[i] = ((Number) list.get(i)).longValue();
		}
		return times;
	}

	private static List<Long> list(long[] times) {
		List<Long> list = new ArrayList<>(times.length);
		for (long time : times) {
			list.add(time);
		}
		return list;
	}

	private static boolean isDuplicateKey(RuntimeException ex) {
		if (ex instanceof MongoWriteException write) {
			return write.getError().getCategory() == ErrorCategory.DUPLICATE_KEY;
		}
		return ex instanceof MongoCommandException command && command.getErrorCode() == DUPLICATE_KEY;
	}

}
