/**
 * Application events Floodgate publishes when it blocks or bans a client.
 */
@NullMarked
package dev.floodgate.event;

import org.jspecify.annotations.NullMarked;
