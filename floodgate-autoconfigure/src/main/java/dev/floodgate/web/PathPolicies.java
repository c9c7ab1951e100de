package dev.floodgate.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.floodgate.core.Limit;
import dev.floodgate.core.RatePolicy;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.http.server.PathContainer;
import org.springframework.http.server.RequestPath;
import org.springframework.web.util.pattern.PathPattern;

/**
 * The limits of {@code floodgate.paths}: path patterns with methods and a policy, decided by
 * the {@link FloodgateFilter} for requests that no handler may ever see (form login's
 * {@code POST /login}, an endpoint another filter answers). The first entry that matches a
 * request applies. Without entries, a request costs nothing here: its path is not even parsed.
 */
public final class PathPolicies {

	/** No path limits. */
	public static final PathPolicies NONE = new PathPolicies(List.of());

	private final Entry[] entries;

	/**
	 * Creates the path policies.
	 * @param entries the entries, in the order they are matched
	 */
	public PathPolicies(List<Entry> entries) {
		this.entries = entries.toArray(new Entry[0]);
	}

	/**
	 * Creates the policies of some paths, each in the policies of the handlers (so that its
	 * counter slots are its own, and a name shared with a handler's policy shares its counter).
	 * @param paths the paths
	 * @param handlerPolicies the handler policies
	 * @return the path policies
	 */
	public static PathPolicies of(List<Path> paths, HandlerPolicies handlerPolicies) {
		List<Entry> entries = new ArrayList<>(paths.size());
		for (Path path : paths) {
			entries.add(new Entry(path.pattern(), path.methods().toArray(new String[0]),
					handlerPolicies.pathPolicy(path.name(), path.limits(), path.source(),
							(path.methods().isEmpty() ? "" : String.join(",", path.methods()) + " ") + path.pattern())));
		}
		return new PathPolicies(entries);
	}

	/**
	 * Whether there are no path limits.
	 * @return {@code true} when no request is ever decided here
	 */
	public boolean isEmpty() {
		return this.entries.length == 0;
	}

	/**
	 * The entries, for the actuator endpoint.
	 * @return the entries in the order they are matched
	 */
	public List<Entry> entries() {
		return List.of(this.entries);
	}

	/**
	 * The policy of the first entry that matches a request.
	 * @param request the request
	 * @return the policy, or {@code null} when no entry matches
	 */
	public @Nullable RatePolicy policyFor(HttpServletRequest request) {
		if (this.entries.length == 0) {
			return null;
		}
		return policyFor(request.getMethod(),
				RequestPath.parse(request.getRequestURI(), request.getContextPath()).pathWithinApplication());
	}

	/**
	 * The policy of the first entry that matches a request, whatever the web stack.
	 * @param method the request's method
	 * @param path the request's path within the application
	 * @return the policy, or {@code null} when no entry matches
	 */
	public @Nullable RatePolicy policyFor(String method, PathContainer path) {
		if (this.entries.length == 0) {
			return null;
		}
		for (Entry entry : this.entries) {
			if (entry.appliesTo(method) && entry.pattern().matches(path)) {
				return entry.policy();
			}
		}
		return null;
	}

	/**
	 * A path limit as configured, before its policy exists.
	 *
	 * @param source where it was configured, such as {@code floodgate.paths[0]}
	 * @param pattern the path pattern
	 * @param methods the upper-case methods it applies to, empty for all
	 * @param limits the limits
	 * @param name the policy's name
	 */
	public record Path(String source, PathPattern pattern, Set<String> methods, List<Limit> limits, String name) {
	}

	/**
	 * One path limit.
	 *
	 * @param pattern the path pattern
	 * @param methods the upper-case methods it applies to, empty for all
	 * @param policy its policy
	 */
	public record Entry(PathPattern pattern, String[] methods, RatePolicy policy) {

		boolean appliesTo(String method) {
			if (this.methods.length == 0) {
				return true;
			}
			for (String candidate : this.methods) {
				if (candidate.equals(method)) {
					return true;
				}
			}
			return false;
		}

	}

}
