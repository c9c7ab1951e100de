/**
 * Configuration properties, their validation and the auto-configuration.
 */
@NullMarked
package dev.floodgate.autoconfigure;

import org.jspecify.annotations.NullMarked;
