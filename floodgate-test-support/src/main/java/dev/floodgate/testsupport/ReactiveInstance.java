package dev.floodgate.testsupport;

import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A started reactive application under test: a client bound to its server over real HTTP,
 * and Floodgate's clock, which the test moves.
 */
public interface ReactiveInstance extends AutoCloseable {

	/**
	 * A client of the started server.
	 * @return the client
	 */
	WebTestClient http();

	/**
	 * Floodgate's clock in the application.
	 * @return the clock
	 */
	MutableClock clock();

	/**
	 * A GET as the loopback proxy forwards it for a client.
	 * @param client the client's address, as the proxy appends it to {@code X-Forwarded-For}
	 * @param path the path
	 * @return the exchange
	 */
	default WebTestClient.ResponseSpec get(String client, String path) {
		return http().get().uri(path).header("X-Forwarded-For", client).exchange();
	}

	/**
	 * The status of a GET as the loopback proxy forwards it for a client.
	 * @param client the client's address
	 * @param path the path
	 * @return the status
	 */
	default int status(String client, String path) {
		return get(client, path).returnResult(String.class).getStatus().value();
	}

	@Override
	void close();

}
