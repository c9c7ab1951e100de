/**
 * What Floodgate's own tests share: a clock moved by hand, real Redis servers and clusters.
 */
@NullMarked
package dev.floodgate.testsupport;

import org.jspecify.annotations.NullMarked;
