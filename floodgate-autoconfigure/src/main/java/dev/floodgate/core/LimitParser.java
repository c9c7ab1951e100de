package dev.floodgate.core;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses limit text such as {@code 50/minute}, {@code 5 per second}, {@code 10/30s},
 * {@code 100/15 minutes}, {@code 1 per 2 months}, {@code 5/second;100/hour} or
 * {@code 100/day, 10/hour}.
 * <p>
 * Grammar: {@code <count>/<unit>}, {@code <count> per <unit>}, {@code <count>/<n><unit>}
 * and {@code <count>/<iso-8601 duration>}; units {@code second}, {@code minute},
 * {@code hour}, {@code day}, {@code month}, {@code year} with plurals and the short forms
 * {@code s}, {@code sec}, {@code m}, {@code min}, {@code h}, {@code hr}, {@code d}, plus
 * {@code ms}. A month is 30 days and a year 12 such months (360 days), as flask-limiter's
 * {@code limits} library defines them: fixed lengths, not calendar months. Several limits
 * separated by {@code ;} or {@code ,} must all hold (so an ISO-8601 duration takes
 * {@code .}, not {@code ,}, before a fraction). Case and surrounding whitespace do not
 * matter.
 */
public final class LimitParser {

	/** A month as the limits library defines it: 30 days. */
	static final Duration MONTH = Duration.ofDays(30);

	/** A year as the limits library defines it: 12 months of 30 days. */
	static final Duration YEAR = MONTH.multipliedBy(12);

	private LimitParser() {
	}

	/**
	 * Parses one or more limits.
	 * @param text the limit text
	 * @return the limits, never empty
	 * @throws IllegalArgumentException with a message that quotes the text and says what is
	 * wrong with it
	 */
	public static List<Limit> parse(String text) {
		if (text == null || text.isBlank()) {
			throw new IllegalArgumentException("'" + text + "' is empty: expected a limit such as '50/minute'");
		}
		List<Limit> limits = new ArrayList<>();
		for (String part : text.split("[;,]", -1)) {
			if (part.isBlank()) {
				throw new IllegalArgumentException("'" + text + "' has an empty limit between ';' or ',' separators");
			}
			limits.add(parseOne(part.trim(), text));
		}
		return List.copyOf(limits);
	}

	/**
	 * Parses one or more limits, naming where the text came from in the error.
	 * @param source the property or annotated element the text came from
	 * @param text the limit text
	 * @return the limits, never empty
	 * @throws InvalidFloodgateSettingException when the text is not a valid limit
	 */
	public static List<Limit> parse(String source, String text) {
		try {
			return parse(text);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidFloodgateSettingException(source, text, ex.getMessage());
		}
	}

	private static Limit parseOne(String part, String text) {
		String lower = part.toLowerCase(Locale.ROOT);
		int slash = lower.indexOf('/');
		String countText;
		String windowText;
		if (slash >= 0) {
			countText = lower.substring(0, slash).trim();
			windowText = lower.substring(slash + 1).trim();
		}
		else {
			int per = indexOfPer(lower);
			if (per < 0) {
				throw invalid(text, "'" + part + "' is not of the form <count>/<unit> or <count> per <unit>");
			}
			countText = lower.substring(0, per).trim();
			windowText = lower.substring(per + 5).trim();
		}
		long count = parseCount(countText, part, text);
		Duration window = parseWindow(windowText, part, text);
		try {
			return new Limit(count, window);
		}
		catch (IllegalArgumentException | ArithmeticException ex) {
			throw invalid(text, "'" + part + "': " + ex.getMessage());
		}
	}

	private static int indexOfPer(String lower) {
		int at = lower.indexOf(" per ");
		return at;
	}

	private static long parseCount(String countText, String part, String text) {
		if (countText.isEmpty() || !isDigits(countText)) {
			throw invalid(text, "the count '" + countText + "' in '" + part + "' is not a whole number");
		}
		if (countText.length() > 18) {
			throw invalid(text, "the count '" + countText + "' in '" + part + "' is too large");
		}
		long count = Long.parseLong(countText);
		if (count < 1) {
			throw invalid(text, "the count in '" + part + "' must be at least 1");
		}
		return count;
	}

	private static Duration parseWindow(String windowText, String part, String text) {
		if (windowText.isEmpty()) {
			throw invalid(text, "'" + part + "' has no unit: expected second, minute, hour, day, month or year");
		}
		if (windowText.charAt(0) == 'p') {
			try {
				Duration duration = Duration.parse(windowText.toUpperCase(Locale.ROOT));
				if (duration.isNegative() || duration.isZero()) {
					throw invalid(text, "the window in '" + part + "' must be positive");
				}
				return duration;
			}
			catch (DateTimeParseException ex) {
				throw invalid(text, "the window '" + windowText + "' in '" + part + "' is not an ISO-8601 duration");
			}
		}
		int digits = 0;
		while (digits < windowText.length() && isAsciiDigit(windowText.charAt(digits))) {
			digits++;
		}
		long multiple = 1;
		if (digits > 0) {
			if (digits > 12) {
				throw invalid(text, "the window in '" + part + "' is too large");
			}
			multiple = Long.parseLong(windowText.substring(0, digits));
			if (multiple < 1) {
				throw invalid(text, "the window in '" + part + "' must be positive");
			}
		}
		String unit = windowText.substring(digits).trim();
		Duration unitDuration = unit(unit);
		if (unitDuration == null) {
			throw invalid(text, "unknown unit '" + unit + "' in '" + part
					+ "': use second, minute, hour, day, month or year (or s, m, h, d)");
		}
		try {
			return unitDuration.multipliedBy(multiple);
		}
		catch (ArithmeticException ex) {
			throw invalid(text, "the window in '" + part + "' is too large");
		}
	}

	private static Duration unit(String unit) {
		return switch (unit) {
			case "ms", "millisecond", "milliseconds" -> Duration.ofMillis(1);
			case "s", "sec", "secs", "second", "seconds" -> Duration.ofSeconds(1);
			case "m", "min", "mins", "minute", "minutes" -> Duration.ofMinutes(1);
			case "h", "hr", "hrs", "hour", "hours" -> Duration.ofHours(1);
			case "d", "day", "days" -> Duration.ofDays(1);
			case "month", "months" -> MONTH;
			case "year", "years" -> YEAR;
			default -> null;
		};
	}

	private static boolean isDigits(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (!isAsciiDigit(text.charAt(i))) {
				return false;
			}
		}
		return true;
	}

	private static boolean isAsciiDigit(char c) {
		return c >= '0' && c <= '9';
	}

	private static IllegalArgumentException invalid(String text, String reason) {
		return new IllegalArgumentException("Invalid limit '" + text + "': " + reason);
	}

}
