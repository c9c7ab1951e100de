/**
 * Floodgate in Spring Cloud Gateway (server WebFlux): the {@code Floodgate} gateway filter,
 * which gives a route its own policy, decided by the one {@code FloodgateWebFilter} in front
 * of every route.
 */
@NullMarked
package dev.floodgate.gateway;

import org.jspecify.annotations.NullMarked;
