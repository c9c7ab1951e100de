/**
 * Limits, windows, escalation and decisions: plain Java that takes the time as an argument.
 */
@NullMarked
package dev.floodgate.core;

import org.jspecify.annotations.NullMarked;
