package dev.floodgate.gatewaysample;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import org.springframework.http.HttpStatus;

/**
 * The redirect service the gateway proxies, as a server of its own on a free loopback port:
 * {@code /upstream/links/abc} is a short link, every other code a 404, and every other
 * {@code /upstream/**} page a 200.
 */
final class Upstream implements AutoCloseable {

	private final LoopResources loops = LoopResources.create("upstream", 1, true);

	private final DisposableServer server;

	Upstream() {
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
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

	String uri() {
		return "http://127.0.0.1:" + this.server.port();
	}

	@Override
	public void close() {
		this.server.disposeNow();
		this.loops.dispose();
	}

}
