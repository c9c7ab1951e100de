package dev.floodgate.store;

/**
 * The store could not decide: it failed, timed out, or its circuit is open.
 * {@code floodgate.store.on-failure} decides what happens to the request.
 */
public class StoreUnavailableException extends RuntimeException {

	public StoreUnavailableException(String message) {
		super(message);
	}

	public StoreUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
