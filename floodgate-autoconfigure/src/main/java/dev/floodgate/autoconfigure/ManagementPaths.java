package dev.floodgate.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * The paths Floodgate never limits, and among them the health paths it never refuses, read
 * from the same properties the actuator and the error page are configured with.
 */
final class ManagementPaths {

	private static final String DEFAULT_BASE_PATH = "/actuator";

	private static final boolean HEALTH_PRESENT = ClassUtils.isPresent(
			"org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups", ManagementPaths.class.getClassLoader());

	private ManagementPaths() {
	}

	/**
	 * The actuator's base path, {@code management.endpoints.web.base-path}, without a
	 * trailing slash: empty when the endpoints are at the root.
	 * @param environment the environment
	 * @return the base path
	 */
	static String basePath(Environment environment) {
		String path = environment.getProperty("management.endpoints.web.base-path", DEFAULT_BASE_PATH).trim();
		while (path.endsWith("/")) {
			path = path.substring(0, path.length() - 1);
		}
		return (path.isEmpty() || path.startsWith("/")) ? path : "/" + path;
	}

	/**
	 * The patterns that are never limited: the actuator's (the default {@code /actuator}
	 * and the configured base path, unless that is the root) while the actuator answers on
	 * the application's port, and the error page's ({@code server.error.path}).
	 * @param environment the environment
	 * @return path patterns
	 */
	static String[] unlimited(Environment environment) {
		List<String> patterns = new ArrayList<>();
		if (actuatorOnApplicationPort(environment)) {
			patterns.addAll(List.of(DEFAULT_BASE_PATH, DEFAULT_BASE_PATH + "/**"));
			String base = basePath(environment);
			if (!base.isEmpty() && !base.equals(DEFAULT_BASE_PATH)) {
				patterns.add(base);
				patterns.add(base + "/**");
			}
		}
		String error = environment.getProperty("server.error.path", "/error");
		patterns.add(error);
		patterns.add(error + "/**");
		return patterns.toArray(new String[0]);
	}

	/**
	 * The patterns of the health endpoint and its groups under the actuator's base path
	 * ({@code management.endpoints.web.path-mapping.health}), which load balancers probe.
	 * @param environment the environment
	 * @return path patterns
	 */
	static List<String> health(Environment environment) {
		if (!actuatorOnApplicationPort(environment)) {
			return List.of();
		}
		return managementHealth(environment);
	}

	/**
	 * The patterns of the health endpoint and its groups in the context that serves the
	 * actuator, wherever that is.
	 * @param environment the environment
	 * @return path patterns
	 */
	static List<String> managementHealth(Environment environment) {
		String path = healthPath(environment);
		return List.of(path, path + "/**");
	}

	/**
	 * The health endpoint's path on the application's port, if the actuator answers there.
	 * @param environment the environment
	 * @return the path, or none when the actuator has a port of its own
	 */
	static List<String> applicationHealthPath(Environment environment) {
		return actuatorOnApplicationPort(environment) ? List.of(healthPath(environment)) : List.of();
	}

	/**
	 * The paths on the application's port that are never refused: the health endpoint's
	 * while the actuator answers there, and the health groups' additional paths on the
	 * server ({@code additional-path=server:/probe}) wherever the actuator is.
	 * @param environment the environment
	 * @param beanFactory where the health groups are, if Spring Boot's health module is present
	 * @return the paths, each with everything below it
	 */
	static List<String> applicationHealthPaths(Environment environment, ListableBeanFactory beanFactory) {
		List<String> paths = new ArrayList<>(applicationHealthPath(environment));
		paths.addAll(additionalHealthPaths(beanFactory, false));
		return paths;
	}

	/**
	 * The paths never refused on a management server of its own: the health endpoint's, and
	 * the health groups' {@code management:} additional paths, each with everything below it.
	 * @param environment the environment
	 * @param beanFactory where the health groups are
	 * @return the paths
	 */
	static List<String> managementServerHealthPaths(Environment environment, ListableBeanFactory beanFactory) {
		List<String> paths = new ArrayList<>(List.of(healthPath(environment)));
		paths.addAll(additionalHealthPaths(beanFactory, true));
		return paths;
	}

	/**
	 * The health groups' additional paths ({@code management.endpoint.health.group.*.additional-path}).
	 * @param beanFactory where the health groups are
	 * @param management the management port's ({@code management:}), else the application's
	 * ({@code server:})
	 * @return the paths, none when Spring Boot's health module is absent
	 */
	static List<String> additionalHealthPaths(ListableBeanFactory beanFactory, boolean management) {
		return HEALTH_PRESENT ? HealthGroups.additionalPaths(beanFactory, management) : List.of();
	}

	/** Reads the health groups only when Spring Boot's health module is present. */
	private static final class HealthGroups {

		static List<String> additionalPaths(ListableBeanFactory beanFactory, boolean management) {
			HealthEndpointGroups groups = beanFactory.getBeanProvider(HealthEndpointGroups.class).getIfAvailable();
			if (groups == null) {
				return List.of();
			}
			WebServerNamespace namespace = management ? WebServerNamespace.MANAGEMENT : WebServerNamespace.SERVER;
			List<String> paths = new ArrayList<>();
			for (HealthEndpointGroup group : groups.getAllWithAdditionalPath(namespace)) {
				paths.add(group.getAdditionalPath().getValue());
			}
			return paths;
		}

	}

	/**
	 * Whether the actuator answers on the application's port: not when
	 * {@code management.server.port} names another port (or {@code -1}, no HTTP at all). On a
	 * port of its own, {@code /actuator/**} of the application's port is a path like any other:
	 * a scanner probing it is limited and penalized, and nobody's health probe is there.
	 * @param environment the environment
	 * @return whether the actuator shares the application's port
	 */
	static boolean actuatorOnApplicationPort(Environment environment) {
		Integer management = environment.getProperty("management.server.port", Integer.class);
		if (management == null) {
			return true;
		}
		// as Spring Boot's ManagementPortType: 0 is a random port of its own, -1 no HTTP at all
		return management > 0 && management.equals(environment.getProperty("server.port", Integer.class, 8080));
	}

	/**
	 * The path of the health endpoint under the actuator's base path, without a trailing
	 * slash; its groups are below it.
	 * @param environment the environment
	 * @return the path, such as {@code /actuator/health}
	 */
	static String healthPath(Environment environment) {
		String mapping = environment.getProperty("management.endpoints.web.path-mapping.health", "health").trim();
		while (mapping.startsWith("/")) {
			mapping = mapping.substring(1);
		}
		while (mapping.endsWith("/")) {
			mapping = mapping.substring(0, mapping.length() - 1);
		}
		return basePath(environment) + "/" + mapping;
	}

}
