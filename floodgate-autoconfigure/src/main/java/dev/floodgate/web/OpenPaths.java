package dev.floodgate.web;

import java.util.List;

/**
 * Paths that Floodgate never refuses nor penalizes, with everything below them: the health
 * endpoints, which load balancers probe. Compared as text on the raw request path (no
 * parsing per request); a path that is not in canonical form (encoded, with {@code ..} or
 * {@code ;} parameters) is not open, and is refused like any other when its client is.
 */
public final class OpenPaths {

	private final String[] paths;

	/**
	 * Creates the open paths.
	 * @param paths the paths, such as {@code /actuator/health}
	 */
	public OpenPaths(List<String> paths) {
		this.paths = paths.toArray(new String[0]);
	}

	/**
	 * Whether a request's path is open.
	 * @param uri the raw request path, with the context path
	 * @param contextPath the context path, or {@code null} or empty for none
	 * @return whether the path is open
	 */
	public boolean contains(String uri, @org.jspecify.annotations.Nullable String contextPath) {
		int start = (contextPath != null && uri.startsWith(contextPath)) ? contextPath.length() : 0;
		for (String path : this.paths) {
			if (uri.startsWith(path, start)) {
				int end = start + path.length();
				if (uri.length() == end || uri.charAt(end) == '/') {
					return uri.indexOf(';') < 0 && uri.indexOf('%') < 0 && !uri.contains("/.");
				}
			}
		}
		return false;
	}

}
