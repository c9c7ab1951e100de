/**
 * Floodgate for reactive (WebFlux) applications and Spring Cloud Gateway: the request and
 * response adapters over the rules the servlet stack shares ({@link dev.floodgate.web.Gatekeeper}).
 */
@NullMarked
package dev.floodgate.web.reactive;

import org.jspecify.annotations.NullMarked;
