package dev.floodgate.web;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;

import dev.floodgate.core.JsonStrings;
import org.jspecify.annotations.Nullable;

import org.springframework.http.ProblemDetail;

/**
 * The RFC 9457 {@code application/problem+json} bodies of Floodgate's rejections, with
 * {@code type}, {@code title}, {@code status} and {@code detail}, rendered once at start-up
 * for every reason; the same for the servlet stack ({@link ProblemRejectionHandler}) and
 * the reactive one.
 */
public final class ProblemBodies {

	private final Map<Rejection.Reason, byte[]> bodies = new EnumMap<>(Rejection.Reason.class);

	/**
	 * Renders the bodies.
	 * @param message the detail text of every rejection, or {@code null} for the built-in
	 * texts
	 */
	public ProblemBodies(@Nullable String message) {
		for (Rejection.Reason reason : Rejection.Reason.values()) {
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(reason.status(),
					(message != null) ? message : reason.detail());
			problem.setType(URI.create(reason.type()));
			problem.setTitle(reason.title());
			this.bodies.put(reason, json(problem).getBytes(StandardCharsets.UTF_8));
		}
	}

	/**
	 * The body of a rejection for a reason.
	 * @param reason the reason
	 * @return the body's bytes, not to be modified
	 */
	public byte[] body(Rejection.Reason reason) {
		return this.bodies.get(reason);
	}

	private static String json(ProblemDetail problem) {
		return "{\"type\":" + JsonStrings.quote(String.valueOf(problem.getType())) + ",\"title\":" + JsonStrings.quote(problem.getTitle())
				+ ",\"status\":" + problem.getStatus() + ",\"detail\":" + JsonStrings.quote(problem.getDetail()) + "}";
	}

}
