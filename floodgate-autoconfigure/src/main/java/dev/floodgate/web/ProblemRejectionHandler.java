package dev.floodgate.web;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

import dev.floodgate.core.JsonStrings;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * Answers a rejection with its status, {@code Retry-After} in whole seconds (none for a
 * permanent ban) and an RFC 9457 {@code application/problem+json} body with {@code type},
 * {@code title}, {@code status} and {@code detail}. The bodies are rendered once, at
 * start-up.
 */
public final class ProblemRejectionHandler implements RejectionHandler {

	private static final String CONTENT_TYPE = MediaType.APPLICATION_PROBLEM_JSON_VALUE;

	private final Map<Rejection.Reason, byte[]> bodies = new EnumMap<>(Rejection.Reason.class);

	/**
	 * Creates the handler.
	 * @param message the detail text of every rejection, or {@code null} for the built-in
	 * texts
	 */
	public ProblemRejectionHandler(@Nullable String message) {
		for (Rejection.Reason reason : Rejection.Reason.values()) {
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(reason.status(),
					(message != null) ? message : reason.detail());
			problem.setType(URI.create(reason.type()));
			problem.setTitle(reason.title());
			this.bodies.put(reason, json(problem).getBytes(StandardCharsets.UTF_8));
		}
	}

	@Override
	public void reject(HttpServletRequest request, HttpServletResponse response, Rejection rejection)
			throws IOException {
		byte[] body = this.bodies.get(rejection.reason());
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

	private static String json(ProblemDetail problem) {
		return "{\"type\":" + JsonStrings.quote(String.valueOf(problem.getType())) + ",\"title\":" + JsonStrings.quote(problem.getTitle())
				+ ",\"status\":" + problem.getStatus() + ",\"detail\":" + JsonStrings.quote(problem.getDetail()) + "}";
	}

}
