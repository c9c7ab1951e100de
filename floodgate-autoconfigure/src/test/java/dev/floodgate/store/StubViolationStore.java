package dev.floodgate.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import dev.floodgate.core.Decision;
import dev.floodgate.core.RatePolicy;
import org.jspecify.annotations.Nullable;

/**
 * A store for tests that need one but not its state: decides every request unlimited and
 * knows no client. Subclasses override what a test makes fail.
 */
public class StubViolationStore implements ViolationStore {

	@Override
	public Decision decide(String client, @Nullable RatePolicy policy) {
		return Decision.UNLIMITED;
	}

	@Override
	public Optional<ClientStatus> status(String client) {
		return Optional.empty();
	}

	@Override
	public List<ClientStatus> restrictedClients(int max) {
		return List.of();
	}

	@Override
	public boolean forget(String client) {
		return false;
	}

	@Override
	public ClientStatus block(String client, Duration duration) {
		throw new UnsupportedOperationException();
	}

	@Override
	public ClientStatus ban(String client, @Nullable Duration duration) {
		throw new UnsupportedOperationException();
	}

}
