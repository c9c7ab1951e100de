/**
 * The {@link dev.floodgate.store.ViolationStore} SPI and its value types.
 */
@NullMarked
package dev.floodgate.store;

import org.jspecify.annotations.NullMarked;
