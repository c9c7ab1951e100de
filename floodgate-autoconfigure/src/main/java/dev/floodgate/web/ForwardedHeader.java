package dev.floodgate.web;

/**
 * Which header a {@link ClientAddressResolver} reads the chain of proxies from when the
 * request comes from a trusted proxy.
 */
public enum ForwardedHeader {

	/**
	 * {@code X-Forwarded-For} when the request has it, otherwise the RFC 7239
	 * {@code Forwarded} header. Only safe when every trusted proxy appends to (or sets)
	 * {@code X-Forwarded-For}: behind a proxy that only writes {@code Forwarded} and passes
	 * a client's own {@code X-Forwarded-For} through, choose {@link #FORWARDED}.
	 */
	AUTO,

	/**
	 * Only {@code X-Forwarded-For}: a comma-separated list of bare IP addresses.
	 */
	X_FORWARDED_FOR,

	/**
	 * Only the RFC 7239 {@code Forwarded} header, using the {@code for} parameter of each
	 * element.
	 */
	FORWARDED

}
