/**
 * The Redis store: one script call per request, shared by a fleet, Redis Cluster ready.
 */
@NullMarked
package dev.floodgate.store.redis;

import org.jspecify.annotations.NullMarked;
