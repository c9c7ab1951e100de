package dev.floodgate.core;

import java.util.List;

/**
 * A named set of limits that must all hold, counted per client. The default limit is one
 * policy; each {@code @RateLimited} handler (or class) is another.
 * <p>
 * Policies are created once at start-up by {@link RatePolicies}, which gives each one its
 * own counter slots.
 */
public final class RatePolicy {

	private final String name;

	private final Limit[] limits;

	private final int firstSlot;

	private final long longestWindowMillis;

	RatePolicy(String name, List<Limit> limits, int firstSlot) {
		if (limits.isEmpty()) {
			throw new IllegalArgumentException("A policy needs at least one limit");
		}
		this.name = name;
		this.limits = limits.toArray(new Limit[0]);
		this.firstSlot = firstSlot;
		long longest = 0;
		for (Limit limit : this.limits) {
			longest = Math.max(longest, limit.windowMillis());
		}
		this.longestWindowMillis = longest;
	}

	/**
	 * The policy's name: {@code default}, the annotation's name, or the annotated
	 * {@code Class#method}. Used in response headers, metrics tags and store keys.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * The limits, all of which must hold.
	 * @return a copy of the limits
	 */
	public List<Limit> limits() {
		return List.of(this.limits);
	}

	/**
	 * The number of limits.
	 * @return the number of limits, at least 1
	 */
	public int size() {
		return this.limits.length;
	}

	/**
	 * One limit.
	 * @param index its index
	 * @return the limit
	 */
	public Limit limit(int index) {
		return this.limits[index];
	}

	/**
	 * The first of this policy's counter slots ({@link #size()} consecutive slots), unique
	 * among the policies created by one {@link RatePolicies}.
	 * @return the first slot
	 */
	public int firstSlot() {
		return this.firstSlot;
	}

	/**
	 * The longest window of this policy's limits.
	 * @return the longest window in milliseconds
	 */
	public long longestWindowMillis() {
		return this.longestWindowMillis;
	}

	@Override
	public String toString() {
		StringBuilder text = new StringBuilder(this.name).append('[');
		for (int i = 0; i < this.limits.length; i++) {
			text.append((i > 0) ? ";" : "").append(this.limits[i]);
		}
		return text.append(']').toString();
	}

}
