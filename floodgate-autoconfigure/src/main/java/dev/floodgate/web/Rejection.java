package dev.floodgate.web;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * Why a request is rejected, and what the client is told.
 *
 * @param reason the reason
 * @param retryAfterMillis how long until the client may retry, -1 when never on its own
 * @param client the client key, or {@code null} when unknown
 * @param policy the name of the policy that applied, or {@code null}
 */
public record Rejection(Reason reason, long retryAfterMillis, @Nullable String client, @Nullable String policy) {

	/**
	 * The {@code Retry-After} value: whole seconds, rounded up.
	 * @return seconds, or -1 when no {@code Retry-After} is sent
	 */
	public long retryAfterSeconds() {
		return (this.retryAfterMillis < 0) ? -1 : Math.max(1, (this.retryAfterMillis + 999) / 1000);
	}

	/**
	 * Why requests are rejected.
	 */
	public enum Reason {

		/** Over a limit. */
		LIMITED(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Rate limit exceeded",
				"Too many requests from your address. Retry after the number of seconds in the Retry-After header."),

		/** Temporarily blocked after repeated violations. */
		BLOCKED(HttpStatus.TOO_MANY_REQUESTS, "blocked", "Client temporarily blocked",
				"Your address is temporarily blocked after repeatedly exceeding the rate limit. Retry after the number of seconds in the Retry-After header."),

		/** Banned. */
		BANNED(HttpStatus.FORBIDDEN, "banned", "Client banned",
				"Your address is banned after repeatedly exceeding the rate limit."),

		/** On the deny-list. */
		DENIED(HttpStatus.FORBIDDEN, "denied", "Client denied", "Requests from your address are not accepted."),

		/** The store is unreachable and {@code floodgate.store.on-failure} is {@code deny}. */
		STORE_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Rate limiter unavailable",
				"The service cannot check request limits right now. Try again shortly.");

		private final HttpStatus status;

		private final String type;

		private final String title;

		private final String detail;

		Reason(HttpStatus status, String type, String title, String detail) {
			this.status = status;
			this.type = "urn:floodgate:problem:" + type;
			this.title = title;
			this.detail = detail;
		}

		/**
		 * The response status.
		 * @return the status
		 */
		public HttpStatus status() {
			return this.status;
		}

		/**
		 * The problem type URI.
		 * @return a {@code urn:floodgate:problem:*} URI
		 */
		public String type() {
			return this.type;
		}

		/**
		 * The problem title.
		 * @return the title
		 */
		public String title() {
			return this.title;
		}

		/**
		 * The built-in problem detail.
		 * @return the detail
		 */
		public String detail() {
			return this.detail;
		}

	}

}
