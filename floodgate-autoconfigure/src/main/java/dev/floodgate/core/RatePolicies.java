package dev.floodgate.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Creates and holds the {@link RatePolicy policies} of one application, each with its own
 * counter slots. Policies are looked up by name: asking twice for the same name with the
 * same limits gives the same policy (so handlers can share a named limit), asking with other
 * limits is an error.
 */
public final class RatePolicies {

	private final Map<String, RatePolicy> byName = new LinkedHashMap<>();

	private int nextSlot;

	/**
	 * Returns the policy of that name, creating it.
	 * @param name the policy name
	 * @param limits its limits
	 * @return the policy
	 * @throws IllegalArgumentException when a policy of that name exists with other limits
	 */
	public RatePolicy getOrCreate(String name, List<Limit> limits) {
		return getOrCreate(name, limits, 1);
	}

	/**
	 * Returns the policy of that name, creating it.
	 * @param name the policy name
	 * @param limits its limits
	 * @param cost the quota units one request spends of each limit
	 * @return the policy
	 * @throws IllegalArgumentException when a policy of that name exists with other limits or
	 * another cost, or when the cost is below 1 or above a limit's count
	 */
	public synchronized RatePolicy getOrCreate(String name, List<Limit> limits, long cost) {
		RatePolicy existing = this.byName.get(name);
		if (existing != null) {
			if (!existing.limits().equals(limits)) {
				throw new IllegalArgumentException("The policy '" + name + "' is already defined as "
						+ existing.limits() + ", not " + limits + ": give it another name");
			}
			if (existing.cost() != cost) {
				throw new IllegalArgumentException("The policy '" + name + "' is already defined with cost "
						+ existing.cost() + ", not " + cost + ": give it another name");
			}
			return existing;
		}
		RatePolicy policy = new RatePolicy(name, limits, cost, this.nextSlot);
		this.nextSlot += limits.size();
		this.byName.put(name, policy);
		return policy;
	}

	/**
	 * Every policy, in the order they were created.
	 * @return the policies
	 */
	public synchronized List<RatePolicy> all() {
		return List.copyOf(new ArrayList<>(this.byName.values()));
	}

}
