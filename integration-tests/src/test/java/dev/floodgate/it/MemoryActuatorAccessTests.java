package dev.floodgate.it;

import java.util.List;

/**
 * Actuator access on the in-memory store.
 */
class MemoryActuatorAccessTests implements ActuatorAccessContract {

	@Override
	public List<String> storeProperties() {
		return List.of();
	}

}
