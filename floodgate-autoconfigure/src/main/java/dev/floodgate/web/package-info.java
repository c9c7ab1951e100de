/**
 * Spring MVC: the interceptor, client-address resolution, rate limit headers and rejection responses.
 */
@NullMarked
package dev.floodgate.web;

import org.jspecify.annotations.NullMarked;
