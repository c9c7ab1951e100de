package dev.floodgate.core;

import org.jspecify.annotations.Nullable;

/**
 * A Floodgate setting that cannot work: thrown at start-up, naming where the setting came
 * from (a property, or an annotated class or method) and quoting its value.
 */
public class InvalidFloodgateSettingException extends RuntimeException {

	private final String source;

	private final @Nullable Object value;

	private final String reason;

	/**
	 * Creates an exception.
	 * @param source where the setting came from, such as {@code floodgate.limit} or
	 * {@code @RateLimited on com.example.LinkController#create}
	 * @param value the value as given
	 * @param reason what is wrong with it
	 */
	public InvalidFloodgateSettingException(String source, @Nullable Object value, String reason) {
		super("Invalid Floodgate setting " + source + " = '" + value + "': " + reason);
		this.source = source;
		this.value = value;
		this.reason = reason;
	}

	/**
	 * Where the setting came from.
	 * @return a property name or a description of an annotated element
	 */
	public String getSource() {
		return this.source;
	}

	/**
	 * The value as given.
	 * @return the value
	 */
	public @Nullable Object getValue() {
		return this.value;
	}

	/**
	 * What is wrong with the value.
	 * @return the reason
	 */
	public String getReason() {
		return this.reason;
	}

}
