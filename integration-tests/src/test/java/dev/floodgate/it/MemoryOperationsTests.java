package dev.floodgate.it;

import java.util.List;

/**
 * Operations on the in-memory store.
 */
class MemoryOperationsTests implements OperationsContract {

	@Override
	public List<String> storeProperties() {
		return List.of();
	}

}
