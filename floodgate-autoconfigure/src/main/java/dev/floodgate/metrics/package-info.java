/**
 * Micrometer meters: their names in one place and the observer that records them.
 */
@NullMarked
package dev.floodgate.metrics;

import org.jspecify.annotations.NullMarked;
