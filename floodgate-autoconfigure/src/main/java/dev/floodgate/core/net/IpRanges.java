package dev.floodgate.core.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * An immutable set of {@link IpRange IP ranges}, such as the trusted proxies.
 *
 * @see IpRange
 */
public final class IpRanges {

	private static final IpRanges NONE = new IpRanges(new IpRange[0]);

	private final IpRange[] ranges;

	private IpRanges(IpRange[] ranges) {
		this.ranges = ranges;
	}

	/**
	 * The empty set, which contains no address.
	 * @return the empty set
	 */
	public static IpRanges none() {
		return NONE;
	}

	/**
	 * A set of the given ranges. Duplicates are dropped.
	 * @param ranges the ranges
	 * @return the set
	 */
	public static IpRanges of(List<IpRange> ranges) {
		if (ranges.isEmpty()) {
			return NONE;
		}
		List<IpRange> distinct = new ArrayList<>(ranges.size());
		for (IpRange range : ranges) {
			if (range == null) {
				throw new IllegalArgumentException("IP ranges must not contain null");
			}
			if (!distinct.contains(range)) {
				distinct.add(range);
			}
		}
		return new IpRanges(distinct.toArray(new IpRange[0]));
	}

	/**
	 * A set of the given ranges. Duplicates are dropped.
	 * @param ranges the ranges
	 * @return the set
	 */
	public static IpRanges of(IpRange... ranges) {
		return of(Arrays.asList(ranges));
	}

	/**
	 * Parse ranges in CIDR notation or single addresses, as {@link IpRange#parse(String)}
	 * does.
	 * @param ranges the ranges, or {@code null} for none
	 * @return the set
	 * @throws IllegalArgumentException if one of the texts is not a range
	 */
	public static IpRanges parse(@Nullable Collection<String> ranges) {
		if (ranges == null || ranges.isEmpty()) {
			return NONE;
		}
		List<IpRange> parsed = new ArrayList<>(ranges.size());
		for (String range : ranges) {
			parsed.add(IpRange.parse(range));
		}
		return of(parsed);
	}

	/**
	 * Whether one of the ranges contains the given address.
	 * @param address the address
	 * @return whether the address is in one of the ranges
	 */
	public boolean contains(IpAddress address) {
		for (IpRange range : this.ranges) {
			if (range.contains(address)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether this set contains no range.
	 * @return {@code true} if there is no range
	 */
	public boolean isEmpty() {
		return this.ranges.length == 0;
	}

	/**
	 * The ranges of this set, in the order they were given.
	 * @return an unmodifiable list of the ranges
	 */
	public List<IpRange> ranges() {
		return List.of(this.ranges);
	}

	@Override
	public boolean equals(@Nullable Object obj) {
		if (this == obj) {
			return true;
		}
		return (obj instanceof IpRanges other) && Arrays.equals(this.ranges, other.ranges);
	}

	@Override
	public int hashCode() {
		return Arrays.hashCode(this.ranges);
	}

	@Override
	public String toString() {
		return Arrays.toString(this.ranges);
	}

}
