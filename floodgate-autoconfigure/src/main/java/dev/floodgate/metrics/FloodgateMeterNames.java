package dev.floodgate.metrics;

/**
 * The names and tags of every meter Floodgate registers. No tag value ever comes from a
 * request: policies are named by their source (the default policy, an annotation's name, or
 * the annotated {@code Class#method}), never by a path or a client address.
 */
public final class FloodgateMeterNames {

	/** Counter of decided requests, tagged {@link #OUTCOME} and {@link #POLICY}. */
	public static final String REQUESTS = "floodgate.requests";

	/** Counter of blocks and bans as they start, tagged {@link #KIND}. */
	public static final String BLOCKS = "floodgate.blocks";

	/**
	 * Responses counted as violations of their client, tag {@link #REASON}
	 * ({@code status}, {@code authentication-failure}).
	 */
	public static final String PENALTIES = "floodgate.penalties";

	/** The tag of {@link #PENALTIES}: why the response was a violation. */
	public static final String REASON = "reason";

	/** Timer of calls to the store, tagged {@link #STORE}. */
	public static final String STORE_LATENCY = "floodgate.store.latency";

	/** Counter of failed calls to the store (errors and timeouts), tagged {@link #STORE}. */
	public static final String STORE_ERRORS = "floodgate.store.errors";

	/** Gauge of the store's circuit: 0 closed, 1 half-open, 2 open; tagged {@link #STORE}. */
	public static final String STORE_CIRCUIT = "floodgate.store.circuit";

	/** Gauge of the clients the in-memory store tracks. */
	public static final String CLIENTS_TRACKED = "floodgate.clients.tracked";

	/**
	 * Counter of blocked or banned clients the in-memory store forgot to stay within
	 * {@code floodgate.store.memory.max-restricted}, tagged {@link #STORE}.
	 */
	public static final String RESTRICTED_EVICTIONS = "floodgate.store.restricted.evictions";

	/** Tag: allowed, limited, blocked, banned, denied, exempt or unavailable. */
	public static final String OUTCOME = "outcome";

	/** Tag: the policy's name, or {@code none}. */
	public static final String POLICY = "policy";

	/** Tag: {@code temporary} for a block, {@code permanent} for a ban. */
	public static final String KIND = "kind";

	/** Tag: {@code memory}, {@code redis}, {@code mongo} or {@code custom}. */
	public static final String STORE = "store";

	/** The policy tag of requests no policy applied to. */
	public static final String NO_POLICY = "none";

	private FloodgateMeterNames() {
	}

}
