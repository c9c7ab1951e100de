package dev.floodgate.gatewaysample;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import org.springframework.http.HttpStatus;

/**
 * A stand-in for the URL shortener's redirect service, which the gateway proxies: a server of
 * its own on a loopback port, outside the gateway (Floodgate does not see its requests).
 * {@code /upstream/links/abc} is a short link, every other code a 404, and every other
 * {@code /upstream/**} page a 200.
 */
public final class RedirectService implements AutoCloseable {

	private final LoopResources loops = LoopResources.create("upstream", 1, true);

	private final DisposableServer server;

	/**
	 * Starts the service.
	 * @param port its port on 127.0.0.1, or 0 for a free one
	 */
	public RedirectService(int port) {
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			// loops of its own: a gateway's context, closing, disposes Reactor Netty's global ones
			.runOn(this.loops)
			.route((routes) -> routes.get("/upstream/links/{code}", (request, response) -> {
				if ("abc".equals(request.param("code"))) {
					return response.sendString(Mono.just("https://example.com/abc"));
				}
				return response.status(HttpStatus.NOT_FOUND.value()).send();
			}).get("/upstream/**", (request, response) -> response.sendString(Mono.just("upstream page"))))
			.bindNow();
	}

	/**
	 * Where the service answers.
	 * @return its base URI
	 */
	public String uri() {
		return "http://127.0.0.1:" + this.server.port();
	}

	@Override
	public void close() {
		this.server.disposeNow();
		this.loops.dispose();
	}

}
