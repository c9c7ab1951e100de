package dev.floodgate.web;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Writes the response to a rejected request. Declare a bean of this type to replace the
 * RFC 9457 problem response Floodgate writes by default.
 */
@FunctionalInterface
public interface RejectionHandler {

	/**
	 * Writes the rejection.
	 * @param request the request
	 * @param response the response, not yet committed; rate limit headers are already set
	 * @param rejection the rejection
	 * @throws IOException when writing fails
	 */
	void reject(HttpServletRequest request, HttpServletResponse response, Rejection rejection) throws IOException;

}
