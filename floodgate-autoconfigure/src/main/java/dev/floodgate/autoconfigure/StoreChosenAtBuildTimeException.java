package dev.floodgate.autoconfigure;

import java.util.Locale;

import dev.floodgate.autoconfigure.FloodgateProperties.StoreType;
import dev.floodgate.core.InvalidFloodgateSettingException;

/**
 * {@code floodgate.store.type} names another store than the one the application was built
 * with ahead of time (Spring AOT): under AOT the beans, the store among them, are chosen when
 * the application is processed, and a property set at run time cannot change them.
 */
final class StoreChosenAtBuildTimeException extends InvalidFloodgateSettingException {

	private final String action;

	private StoreChosenAtBuildTimeException(StoreType requested, String reason) {
		super("floodgate.store.type", name(requested), reason);
		this.action = "Rebuild the application with floodgate.store.type=" + name(requested)
				+ " set while it is processed ahead of time (spring-boot-maven-plugin's process-aot goal: the profile "
				+ "that sets it in <profiles>, or -Dfloodgate.store.type=" + name(requested)
				+ " in <jvmArguments>), or start it without -Dspring.aot.enabled=true.";
	}

	/**
	 * The application was processed without the requested store, whose library is on the
	 * classpath all the same.
	 * @param requested the store the property names now
	 * @param library the library, as a user adds it
	 * @param connection what the store needs from the application
	 * @return the exception
	 */
	static StoreChosenAtBuildTimeException without(StoreType requested, String library, String connection) {
		return new StoreChosenAtBuildTimeException(requested, "this application was processed ahead of time (Spring "
				+ "AOT), which fixes its beans when it is built, and it was built with the in-memory store "
				+ "(floodgate.store.type was not " + name(requested) + " then, or there was no " + connection
				+ "). " + library + " is on the classpath: nothing is missing, the store was chosen at build time");
	}

	/**
	 * The application was processed with one store and the property now names another.
	 * @param requested the store the property names now
	 * @param built the store the application was processed with
	 * @return the exception
	 */
	static StoreChosenAtBuildTimeException builtWith(StoreType requested, StoreType built) {
		return new StoreChosenAtBuildTimeException(requested, "this application was processed ahead of time (Spring "
				+ "AOT) with floodgate.store.type=" + name(built) + ", and AOT fixes the store when the application is "
				+ "built");
	}

	/**
	 * What the user should do.
	 * @return the action
	 */
	String getAction() {
		return this.action;
	}

	private static String name(StoreType type) {
		return type.name().toLowerCase(Locale.ROOT);
	}

}
