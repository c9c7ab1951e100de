/**
 * Floodgate: per-client rate limits for Spring MVC that escalate to blocks and bans. Users write {@link dev.floodgate.RateLimited}.
 */
@NullMarked
package dev.floodgate;

import org.jspecify.annotations.NullMarked;
