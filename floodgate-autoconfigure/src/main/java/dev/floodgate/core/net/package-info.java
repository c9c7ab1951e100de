/**
 * IP address literals and CIDR ranges, parsed without any name lookup.
 */
@NullMarked
package dev.floodgate.core.net;

import org.jspecify.annotations.NullMarked;
