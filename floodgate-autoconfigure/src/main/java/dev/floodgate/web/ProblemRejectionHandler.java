package dev.floodgate.web;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * Answers a rejection with its status, {@code Retry-After} in whole seconds (none for a
 * permanent ban) and an RFC 9457 {@code application/problem+json} body with {@code type},
 * {@code title}, {@code status} and {@code detail}. The bodies are rendered once, at
 * start-up.
 */
public final class ProblemRejectionHandler implements RejectionHandler {

	private static final String CONTENT_TYPE = MediaType.APPLICATION_PROBLEM_JSON_VALUE;

	private final ProblemBodies bodies;

	/**
	 * Creates the handler.
	 * @param message the detail text of every rejection, or {@code null} for the built-in
	 * texts
	 */
	public ProblemRejectionHandler(@Nullable String message) {
		this.bodies = new ProblemBodies(message);
	}

	@Override
	public void reject(HttpServletRequest request, HttpServletResponse response, Rejection rejection)
			throws IOException {
		byte[] body = this.bodies.body(rejection.reason());
		response.setStatus(rejection.reason().status().value());
		long retryAfter = rejection.retryAfterSeconds();
		if (retryAfter >= 0) {
			response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
		}
		response.setContentType(CONTENT_TYPE);
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
		response.flushBuffer();
	}

}
