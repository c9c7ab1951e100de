package dev.floodgate;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits requests to a handler method, or to every handler method of a controller class,
 * per client. A method's annotation wins over its class's. A class-level limit is counted
 * once for the whole class; a method-level limit for that method alone. Handlers without
 * this annotation fall under {@code floodgate.limit}, if set.
 * <p>
 * Limits: {@code "5/minute"}, {@code "5 per minute"}, {@code "10/30s"},
 * {@code "100/15m"}, {@code "1 per month"}, or several that must all hold:
 * {@code "5/second;100/hour"}, {@code "100/day, 10/hour"}. A request to an expensive handler
 * can spend more than one unit of each limit ({@link #cost()}). A limit that does not parse,
 * or a cost below 1 or above a limit's count, stops the application at start-up.
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RateLimited {

	/**
	 * The limit, such as {@code "5/minute"}, {@code "5/second;100/hour"} or
	 * {@code "100/day, 10/hour"}.
	 * @return the limit text
	 */
	String value();

	/**
	 * The policy's name, shown in the {@code RateLimit} headers, metrics and the actuator
	 * endpoint. Handlers that give the same name share one counter per client (and must give
	 * the same limit). Empty: the handler's {@code Class#method}, or {@code Class} for a
	 * class-level annotation.
	 * @return the policy name
	 */
	String name() default "";

	/**
	 * The quota units one request spends of each limit: a request whose cost exceeds what is
	 * left is refused (429) and is a violation. At least 1, and at most the smallest count of
	 * the limits. Handlers that share a {@link #name()} must give the same cost.
	 * @return the cost of one request
	 */
	int cost() default 1;

	/**
	 * Response statuses of this handler that count as violations of the client, as a request
	 * over the limit does, such as {@code {401, 403}} on a login or {@code 404} on a lookup by
	 * code: they lead to the same blocks and bans. Added to {@code floodgate.penalize.statuses}.
	 * A response that costs a penalty costs one more store call; any other costs nothing more.
	 * @return the penalized statuses
	 */
	int[] penalize() default {};

}
