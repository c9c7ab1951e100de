package dev.floodgate.core;

import java.util.List;

/**
 * A named set of limits that must all hold, counted per client, and the cost of one request:
 * the quota units a request spends of each limit (1 unless {@code @RateLimited(cost = n)} or
 * {@code floodgate.cost} says otherwise). The default limit is one policy; each
 * {@code @RateLimited} handler (or class) is another.
 * <p>
 * Policies are created once at start-up by {@link RatePolicies}, which gives each one its
 * own counter slots.
 */
public final class RatePolicy {

	private final String name;

	private final Limit[] limits;

	private final int firstSlot;

	private final long longestWindowMillis;

	private final long[] windowMillis;

	private final long[] counts;

	private final long cost;

	RatePolicy(String name, List<Limit> limits, long cost, int firstSlot) {
		if (limits.isEmpty()) {
			throw new IllegalArgumentException("A policy needs at least one limit");
		}
		if (cost < 1) {
			throw new IllegalArgumentException("the cost must be at least 1, was " + cost);
		}
		for (Limit limit : limits) {
			if (cost > limit.count()) {
				throw new IllegalArgumentException("the cost " + cost + " is more than the limit " + limit
						+ " admits in a whole window: no request could ever be admitted");
			}
		}
		this.name = name;
		this.cost = cost;
		this.limits = limits.toArray(new Limit[0]);
		this.firstSlot = firstSlot;
		this.windowMillis = new long[this.limits.length];
		this.counts = new long[this.limits.length];
		long longest = 0;
		for (int i = 0; i < this.limits.length; i++) {
			this.windowMillis[i] = this.limits[i].windowMillis();
			this.counts[i] = this.limits[i].count();
			longest = Math.max(longest, this.windowMillis[i]);
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
	 * One limit's window, computed once.
	 * @param index the limit's index
	 * @return its window in milliseconds
	 */
	public long windowMillis(int index) {
		return this.windowMillis[index];
	}

	/**
	 * One limit's count.
	 * @param index the limit's index
	 * @return the requests it admits per window
	 */
	public long count(int index) {
		return this.counts[index];
	}

	/**
	 * The cost of one request: the quota units it spends of each limit.
	 * @return the cost, at least 1 and at most the smallest count
	 */
	public long cost() {
		return this.cost;
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
		text.append(']');
		return (this.cost != 1) ? text.append(" cost ").append(this.cost).toString() : text.toString();
	}

}
