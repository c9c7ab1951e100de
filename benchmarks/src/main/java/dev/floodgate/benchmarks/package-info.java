/**
 * JMH benchmarks of Floodgate's stores against bucket4j and Resilience4j, and a heap
 * measurement per tracked client.
 */
@NullMarked
package dev.floodgate.benchmarks;

import org.jspecify.annotations.NullMarked;
