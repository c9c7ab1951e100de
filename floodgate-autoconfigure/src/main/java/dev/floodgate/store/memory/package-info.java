/**
 * The in-memory store, bounded with Caffeine.
 */
@NullMarked
package dev.floodgate.store.memory;

import org.jspecify.annotations.NullMarked;
