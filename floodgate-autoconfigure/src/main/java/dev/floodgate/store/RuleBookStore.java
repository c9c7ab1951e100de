package dev.floodgate.store;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ObjLongConsumer;
import java.util.function.Supplier;

import dev.floodgate.core.ClientState;
import dev.floodgate.core.ClientState.Escalations;
import dev.floodgate.core.Counted;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.EscalationPolicy;
import dev.floodgate.core.Penalty;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.Refusal;
import dev.floodgate.store.ClientRecords.ClientRecord;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ViolationStore} of any {@link ClientRecords}: the escalation rules (violations,
 * blocks and their numbering and growth, bans, relative blocks, blocks and bans by hand),
 * written once, over a store's primitives. A request within its limits is the store's one
 * {@link ClientRecords#count count}; a refused one is decided by the {@link DecisionRules} on
 * the escalation state the store returned, and a change of that state is one conditional
 * {@link ClientRecords#write write}, retried on the state the store holds when another request
 * or instance changed it first. So concurrent violations of one client, on however many
 * instances, are each recorded once, and start exactly one block or ban.
 */
public final class RuleBookStore implements ViolationStore {

	private static final int ATTEMPTS = 16;

	private final ClientRecords records;

	private final DecisionRules rules;

	private final EscalationPolicy escalation;

	private final Clock clock;

	/**
	 * Creates the store.
	 * @param records the store's primitives
	 * @param rules the rules to decide by (the same the records count by)
	 * @param clock the time for a change by hand of a client the store holds nothing of
	 */
	public RuleBookStore(ClientRecords records, DecisionRules rules, Clock clock) {
		this.records = records;
		this.rules = rules;
		this.escalation = rules.escalation();
		this.clock = clock;
	}

	/**
	 * The primitives this store decides over.
	 * @return the records
	 */
	public ClientRecords records() {
		return this.records;
	}

	@Override
	public String type() {
		return this.records.type();
	}

	@Override
	public String implementation() {
		return this.records.getClass().getName();
	}

	@Override
	public Decision decide(String client, @Nullable RatePolicy policy) {
		Counted counted = this.records.count(client, policy);
		if (counted instanceof Decision decision) {
			return decision;
		}
		return decideRefused(client, (Refusal) counted);
	}

	private Decision decideRefused(String client, Refusal refusal) {
		Decision limited = refusal.limited();
		long now = refusal.nowMillis();
		Escalations escalations = refusal.escalations();
		long version = refusal.version();
		for (int attempt = 1;; attempt++) {
			ClientState state = ClientState.of(escalations);
			Decision decision = (limited != null) ? this.rules.reject(state, limited, now)
					: this.rules.decide(state, null, now);
			if (!state.consumeEscalationChange()
					|| this.records.write(client, version, state.escalations(), state.expiresAtMillis(this.escalation), now)) {
				return decision;
			}
			if (limited == null) {
				// a relative block's restart lost to another write: the block that write left
				// stands (or the client was forgotten, and this one request is still refused)
				return decision;
			}
			if (attempt == ATTEMPTS) {
				// heavy contention on this one client: it is over its limit whatever the outcome
				// of the race, so say so, without recording this violation
				return limited;
			}
			ClientRecord current = this.records.read(client);
			if (current == null) {
				escalations = Escalations.NONE;
				version = 0;
			}
			else {
				escalations = current.escalations();
				version = current.version();
				now = Math.max(now, current.nowMillis());
			}
		}
	}

	@Override
	public Optional<ClientStatus> status(String client) {
		ClientRecord record = this.records.read(client);
		return (record != null) ? Optional.of(status(record)) : Optional.empty();
	}

	private ClientStatus status(ClientRecord record) {
		return ClientStatus.of(record.client(), ClientState.of(record.escalations()), this.escalation,
				record.nowMillis());
	}

	@Override
	public List<ClientStatus> restrictedClients(int max) {
		List<ClientStatus> statuses = new ArrayList<>();
		for (ClientRecord record : this.records.restricted(max)) {
			if (record.restricted()) {
				statuses.add(status(record));
			}
		}
		return List.copyOf(statuses);
	}

	@Override
	public long restrictedCount() {
		return this.records.restrictedCount();
	}

	@Override
	public boolean forget(String client) {
		return this.records.forget(client);
	}

	@Override
	public ClientStatus block(String client, Duration duration) {
		return change(client, this.rules.blockFor(duration));
	}

	@Override
	public ClientStatus ban(String client, @Nullable Duration duration) {
		return change(client, this.rules.banFor(duration));
	}

	@Override
	public Decision penalize(String client, Penalty penalty) {
		// after too many lost races the client is being escalated by others' writes right now:
		// this one penalty is not recorded
		return change(client, (state, now) -> this.rules.penalize(state, now, penalty),
				(state, now, decision) -> decision, () -> DecisionRules.PENALIZED);
	}

	/**
	 * Applies a change to a client's escalation state, as one conditional write retried on
	 * the state the store holds.
	 */
	private ClientStatus change(String client, ObjLongConsumer<ClientState> change) {
		return change(client, (state, now) -> {
			change.accept(state, now);
			return null;
		}, (state, now, ignored) -> ClientStatus.of(client, state, this.escalation, now), () -> {
			throw new StoreUnavailableException("Too much contention on client " + client);
		});
	}

	/**
	 * Reads a client's record, applies a change to its escalation state and writes it back
	 * on the version read (nothing is written when the change changed nothing), retried on
	 * the state the store holds when another request or instance wrote first.
	 * @param client the client
	 * @param change the change, and what it decided
	 * @param result the result of a change written (or not needed)
	 * @param contended the result after too many lost races
	 */
	private <D, R> R change(String client, Change<D> change, Result<D, R> result, Supplier<R> contended) {
		for (int attempt = 1;; attempt++) {
			ClientRecord record = this.records.read(client);
			Escalations escalations = (record != null) ? record.escalations() : Escalations.NONE;
			long version = (record != null) ? record.version() : 0;
			long now = (record != null) ? record.nowMillis() : this.clock.millis();
			ClientState state = ClientState.of(escalations);
			D decided = change.apply(state, now);
			if (!state.consumeEscalationChange()
					|| this.records.write(client, version, state.escalations(), state.expiresAtMillis(this.escalation), now)) {
				return result.of(state, now, decided);
			}
			if (attempt == ATTEMPTS) {
				return contended.get();
			}
		}
	}

	@FunctionalInterface
	private interface Change<D> {

		@Nullable D apply(ClientState state, long now);

	}

	@FunctionalInterface
	private interface Result<D, R> {

		R of(ClientState state, long now, @Nullable D decided);

	}

}
