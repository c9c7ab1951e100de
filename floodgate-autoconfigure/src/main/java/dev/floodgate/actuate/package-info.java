/**
 * The {@code floodgate} actuator endpoint and health indicator.
 */
@NullMarked
package dev.floodgate.actuate;

import org.jspecify.annotations.NullMarked;
