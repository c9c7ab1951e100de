package dev.floodgate.web;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ConcurrentHashMap;

import dev.floodgate.RateLimited;
import dev.floodgate.core.InvalidFloodgateSettingException;
import dev.floodgate.core.Limit;
import dev.floodgate.core.LimitParser;
import dev.floodgate.core.RatePolicies;
import dev.floodgate.core.RatePolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.web.method.HandlerMethod;

/**
 * Which {@link RatePolicy} applies to which handler: the {@link RateLimited} annotation of
 * the method, else of its class, else the default limit, which also covers static
 * resources and unmapped paths (exempt assets with a {@link RateLimitExemption} if pages load
 * many). Resolved for every handler method
 * at start-up (so an invalid annotation stops the application), then looked up per request
 * without reflection.
 */
public final class HandlerPolicies {

	/** The name of the policy of {@code floodgate.limit}. */
	public static final String DEFAULT_POLICY = "default";

	private static final int[] NO_STATUSES = new int[0];

	private final RatePolicies policies = new RatePolicies();

	private final @Nullable RatePolicy defaultPolicy;

	private final ClassValue<Map<Method, Resolved>> byBeanType = new ClassValue<>() {
		@Override
		protected Map<Method, Resolved> computeValue(Class<?> type) {
			return new ConcurrentHashMap<>();
		}
	};

	private final Map<String, String> implicitNameSources = new ConcurrentHashMap<>();

	private final Map<String, Set<String>> handlersByPolicy = new ConcurrentHashMap<>();

	/**
	 * Creates the handler policies.
	 * @param defaultLimits the default limits, or {@code null} for none
	 */
	public HandlerPolicies(@Nullable List<Limit> defaultLimits) {
		this(defaultLimits, 1);
	}

	/**
	 * Creates the handler policies.
	 * @param defaultLimits the default limits, or {@code null} for none
	 * @param defaultCost the quota units a request under the default limits spends
	 */
	public HandlerPolicies(@Nullable List<Limit> defaultLimits, int defaultCost) {
		this.defaultPolicy = (defaultLimits != null)
				? this.policies.getOrCreate(DEFAULT_POLICY, defaultLimits, defaultCost) : null;
	}

	/**
	 * The policy of {@code floodgate.limit}.
	 * @return the default policy, or {@code null} when none is set
	 */
	public @Nullable RatePolicy defaultPolicy() {
		return this.defaultPolicy;
	}

	/**
	 * Every policy known so far: the default one and those of every annotated handler.
	 * @return the policies
	 */
	public List<RatePolicy> all() {
		return this.policies.all();
	}

	/**
	 * The policy for a handler.
	 * @param handler the handler the request was mapped to
	 * @return its policy, or {@code null} when no limit applies
	 * @throws InvalidFloodgateSettingException when its
	 * annotation is invalid
	 */
	public @Nullable RatePolicy policyFor(Object handler) {
		if (handler instanceof HandlerMethod handlerMethod) {
			Map<Method, Resolved> methods = this.byBeanType.get(handlerMethod.getBeanType());
			Method method = handlerMethod.getMethod();
			Resolved resolved = methods.get(method);
			if (resolved == null) {
				resolved = methods.computeIfAbsent(method, (m) -> resolve(handlerMethod.getBeanType(), m));
			}
			return resolved.policy;
		}
		// static resources, unmapped paths (scanners' 404s) and functional endpoints
		return this.defaultPolicy;
	}

	/**
	 * The statuses that a handler's {@code @RateLimited(penalize = ...)} penalizes.
	 * @param handler the handler the request was mapped to
	 * @return the statuses, empty when the handler penalizes none of its own
	 */
	public int[] penalizedStatuses(Object handler) {
		if (handler instanceof HandlerMethod handlerMethod) {
			Map<Method, Resolved> methods = this.byBeanType.get(handlerMethod.getBeanType());
			Resolved resolved = methods.get(handlerMethod.getMethod());
			if (resolved == null) {
				policyFor(handler);
				resolved = methods.get(handlerMethod.getMethod());
			}
			return resolved.penalize;
		}
		return NO_STATUSES;
	}

	/**
	 * The policy of a path limit ({@code floodgate.paths}).
	 * @param name the policy's name
	 * @param limits its limits
	 * @param source where it was configured, for the message when it clashes
	 * @param requests the requests it applies to, as the endpoint shows them
	 * ({@code POST /login})
	 * @return the policy
	 * @throws InvalidFloodgateSettingException when a policy of that name has other limits
	 */
	public RatePolicy pathPolicy(String name, List<Limit> limits, String source, String requests) {
		try {
			return handled(this.policies.getOrCreate(name, limits, 1), requests + " (" + source + ")");
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidFloodgateSettingException(source + ".name", name, ex.getMessage());
		}
	}

	private Resolved resolve(Class<?> beanType, Method method) {
		RateLimited onMethod = AnnotatedElementUtils.findMergedAnnotation(method, RateLimited.class);
		if (onMethod != null) {
			String source = "@RateLimited on " + beanType.getName() + "#" + method.getName();
			String implicit = ClassUtils.getShortName(beanType) + "#" + method.getName();
			return new Resolved(handled(policy(onMethod, source, implicit), implicit), penalize(onMethod, source));
		}
		Class<?> userType = ClassUtils.getUserClass(beanType);
		RateLimited onClass = AnnotatedElementUtils.findMergedAnnotation(userType, RateLimited.class);
		if (onClass != null) {
			String source = "@RateLimited on " + userType.getName();
			return new Resolved(handled(policy(onClass, source, ClassUtils.getShortName(userType)),
					ClassUtils.getShortName(beanType) + "#" + method.getName()), penalize(onClass, source));
		}
		return new Resolved(this.defaultPolicy, NO_STATUSES);
	}

	private RatePolicy handled(RatePolicy policy, String handler) {
		this.handlersByPolicy.computeIfAbsent(policy.name(), (name) -> new ConcurrentSkipListSet<>()).add(handler);
		return policy;
	}

	/**
	 * The handlers an annotated policy applies to, as {@code Class#method}.
	 * @param policy the policy
	 * @return the handlers seen so far (empty for the default policy, which applies to every
	 * handler without an annotation)
	 */
	public Set<String> handlers(RatePolicy policy) {
		return Set.copyOf(this.handlersByPolicy.getOrDefault(policy.name(), Set.of()));
	}

	private RatePolicy policy(RateLimited annotation, String source, String implicitName) {
		List<Limit> limits = LimitParser.parse(source, annotation.value());
		if (annotation.cost() < 1) {
			throw new InvalidFloodgateSettingException(source + " (cost)", annotation.cost(),
					"the cost of a request must be at least 1");
		}
		String name = annotation.name().trim();
		if (name.isEmpty()) {
			name = uniqueImplicitName(implicitName, source);
		}
		try {
			return this.policies.getOrCreate(name, limits, annotation.cost());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidFloodgateSettingException(source,
					(annotation.cost() != 1) ? annotation.value() + ", cost = " + annotation.cost() : annotation.value(),
					ex.getMessage());
		}
	}

	private String uniqueImplicitName(String implicitName, String source) {
		String name = implicitName;
		for (int n = 2;; n++) {
			String owner = this.implicitNameSources.putIfAbsent(name, source);
			if (owner == null || source.equals(owner)) {
				return name;
			}
			name = implicitName + "~" + n;
		}
	}

	private static int[] penalize(RateLimited annotation, String source) {
		int[] statuses = annotation.penalize();
		for (int status : statuses) {
			if (status < 100 || status > 599) {
				throw new InvalidFloodgateSettingException(source + " (penalize)", status,
						"must be an HTTP status between 100 and 599, such as 401 or 404");
			}
		}
		return (statuses.length == 0) ? NO_STATUSES : statuses.clone();
	}

	private record Resolved(@Nullable RatePolicy policy, int[] penalize) {
	}

}
