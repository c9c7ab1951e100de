package dev.floodgate.core;

import org.jspecify.annotations.Nullable;

/**
 * Writes JSON string literals, for the few small JSON documents Floodgate writes without a
 * JSON library (problem bodies, alerts).
 */
public final class JsonStrings {

	private JsonStrings() {
	}

	/**
	 * A JSON string literal.
	 * @param value the text, or {@code null}
	 * @return the quoted, escaped text, or {@code null}
	 */
	public static String quote(@Nullable String value) {
		StringBuilder json = new StringBuilder((value != null) ? value.length() + 2 : 4);
		append(json, value);
		return json.toString();
	}

	/**
	 * Appends a JSON string literal: quotes, backslashes and control characters escaped, and
	 * lone surrogates and the line separators JavaScript trips on written as {@code \\u} escapes.
	 * @param json where to append
	 * @param value the text, or {@code null} for the JSON {@code null}
	 */
	public static void append(StringBuilder json, @Nullable String value) {
		if (value == null) {
			json.append("null");
			return;
		}
		json.append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				case '\b' -> json.append("\\b");
				case '\f' -> json.append("\\f");
				default -> {
					if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029
							|| (Character.isSurrogate(c) && !validSurrogatePair(value, i))) {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		json.append('"');
	}

	private static boolean validSurrogatePair(String value, int index) {
		char c = value.charAt(index);
		if (Character.isHighSurrogate(c)) {
			return index + 1 < value.length() && Character.isLowSurrogate(value.charAt(index + 1));
		}
		return index > 0 && Character.isHighSurrogate(value.charAt(index - 1));
	}

}
