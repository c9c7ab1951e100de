package dev.floodgate.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Tests for {@link LimitParser}: the limit grammar, its rejections, and properties that hold
 * for any input.
 */
class LimitParserTests {

	private static final long SEED = 0x5EED_F100DL;

	@ParameterizedTest(name = "[{index}] ''{0}''")
	@MethodSource("validLimits")
	void parsesValidLimit(String text, List<Limit> expected) {
		assertThat(LimitParser.parse(text)).isEqualTo(expected);
	}

	static Stream<Arguments> validLimits() {
		return Stream.of(
				// <count>/<unit>
				valid("50/minute", limit(50, Duration.ofMinutes(1))),
				valid("50/minutes", limit(50, Duration.ofMinutes(1))),
				valid("50/min", limit(50, Duration.ofMinutes(1))),
				valid("50/m", limit(50, Duration.ofMinutes(1))),
				valid("1/second", limit(1, Duration.ofSeconds(1))),
				valid("1/seconds", limit(1, Duration.ofSeconds(1))),
				valid("1/sec", limit(1, Duration.ofSeconds(1))),
				valid("1/s", limit(1, Duration.ofSeconds(1))),
				valid("3/hour", limit(3, Duration.ofHours(1))),
				valid("3/hours", limit(3, Duration.ofHours(1))),
				valid("3/hr", limit(3, Duration.ofHours(1))),
				valid("3/h", limit(3, Duration.ofHours(1))),
				valid("1/day", limit(1, Duration.ofDays(1))),
				valid("1/days", limit(1, Duration.ofDays(1))),
				valid("1/d", limit(1, Duration.ofDays(1))),
				valid("7/ms", limit(7, Duration.ofMillis(1))),
				valid("7/250ms", limit(7, Duration.ofMillis(250))),
				// <count> per <unit>
				valid("5 per second", limit(5, Duration.ofSeconds(1))),
				valid("5 per 10 seconds", limit(5, Duration.ofSeconds(10))),
				valid("100 per day", limit(100, Duration.ofDays(1))),
				// <count>/<n><unit>
				valid("10/30s", limit(10, Duration.ofSeconds(30))),
				valid("100/15m", limit(100, Duration.ofMinutes(15))),
				valid("100/15 minutes", limit(100, Duration.ofMinutes(15))),
				valid("2/36h", limit(2, Duration.ofHours(36))),
				valid("2/7d", limit(2, Duration.ofDays(7))),
				// <count>/<iso-8601 duration>
				valid("5/PT30S", limit(5, Duration.ofSeconds(30))),
				valid("5/pt30s", limit(5, Duration.ofSeconds(30))),
				valid("5/PT1M30S", limit(5, Duration.ofSeconds(90))),
				valid("5/P1D", limit(5, Duration.ofDays(1))),
				// case does not matter
				valid("50/MINUTE", limit(50, Duration.ofMinutes(1))),
				valid("50/Minute", limit(50, Duration.ofMinutes(1))),
				valid("5 PER Second", limit(5, Duration.ofSeconds(1))),
				valid("10/30S", limit(10, Duration.ofSeconds(30))),
				valid("7/250MS", limit(7, Duration.ofMillis(250))),
				// whitespace does not matter
				valid("  50/minute  ", limit(50, Duration.ofMinutes(1))),
				valid("50 / minute", limit(50, Duration.ofMinutes(1))),
				valid("\t50/minute\n", limit(50, Duration.ofMinutes(1))),
				valid("5  per  second", limit(5, Duration.ofSeconds(1))),
				// leading zeros are still a whole number
				valid("007/s", limit(7, Duration.ofSeconds(1))),
				// the largest count
				valid("2147483647/h", limit(Integer.MAX_VALUE, Duration.ofHours(1))),
				// several limits must all hold
				valid("5/second;100/hour", limit(5, Duration.ofSeconds(1)), limit(100, Duration.ofHours(1))),
				valid("5/second ; 100/hour", limit(5, Duration.ofSeconds(1)), limit(100, Duration.ofHours(1))),
				valid("1/s;10/m;100/h;1000/d", limit(1, Duration.ofSeconds(1)), limit(10, Duration.ofMinutes(1)),
						limit(100, Duration.ofHours(1)), limit(1000, Duration.ofDays(1))),
				valid("5 per second;10/30s;5/PT1H", limit(5, Duration.ofSeconds(1)), limit(10, Duration.ofSeconds(30)),
						limit(5, Duration.ofHours(1))),
				// flask-limiter's grammar: months of 30 days, years of 12 such months, ',' between limits
				valid("1 per month", limit(1, Duration.ofDays(30))),
				valid("5/Month", limit(5, Duration.ofDays(30))),
				valid("5/months", limit(5, Duration.ofDays(30))),
				valid("1 per year", limit(1, Duration.ofDays(360))),
				valid("1/YEARS", limit(1, Duration.ofDays(360))),
				valid("1 per 2 months", limit(1, Duration.ofDays(60))),
				valid("1/3months", limit(1, Duration.ofDays(90))),
				valid("1/121 months", limit(1, Duration.ofDays(3630))),
				valid("1 per 10 years", limit(1, Duration.ofDays(3600))),
				valid("100/day, 10/hour", limit(100, Duration.ofDays(1)), limit(10, Duration.ofHours(1))),
				valid("100/day,10/hour;1/second", limit(100, Duration.ofDays(1)), limit(10, Duration.ofHours(1)),
						limit(1, Duration.ofSeconds(1))),
				valid("1000 per year, 100 per Month", limit(1000, Duration.ofDays(360)), limit(100, Duration.ofDays(30))));
	}

	@ParameterizedTest(name = "[{index}] ''{0}''")
	@ValueSource(strings = { "", " ", "\t", "abc", "0/minute", "-1/minute", "+1/minute", "5/fortnight", "5/week",
			"5/", "/minute", "/", "5/0s", "5/0m", "5/00ms", "5/PT0S", "5/PT-30S", "5/-30s", "5/PTS", "5/P",
			";5/second", "5/second;;100/hour", "5/second; ;100/hour", "99999999999999999999/s",
			"1000000000000000000/s", "2147483648/s", "9223372036854775807/s", "\u0665/minute", "5/\u0663\u0660s",
			"\uff15/minute", "5.5/minute", "1e3/minute", "5 minute", "5 per", "per second", "5/1000000000d",
			"5/10 5s", "five/minute", "5/minute!", "5 pro second", "5/second;", ";", ";;", " ; ", "5/s;;",
			"1/PT9223372036854775807S", "1/PT2562047788015216H", "1/P106751991167301D", "1/3651d", "1/P3651D",
			"1/PT1234567891S", "5/PT1.0005S", "5/PT0.0001S", "2147483647/3650d", "1/11 years", "1/122 months", "5/mon", "5/mo", "5/yr",
			"5/second,,100/hour", "5/second,", ",5/second", ",", "5/second, ,10/hour", "5/second;,10/hour",
			"5/PT1,5S", "2147483647/month" })
	void rejectsInvalidLimitQuotingTheWholeText(String text) {
		assertThatIllegalArgumentException().isThrownBy(() -> LimitParser.parse(text))
			.withMessageContaining("'" + text + "'");
	}

	@Test
	void rejectsNull() {
		assertThatIllegalArgumentException().isThrownBy(() -> LimitParser.parse(null)).withMessageContaining("empty");
	}

	@Test
	void rejectsUnknownUnitNamingIt() {
		assertThatIllegalArgumentException().isThrownBy(() -> LimitParser.parse("5/second;5/fortnight"))
			.withMessageContaining("'5/second;5/fortnight'")
			.withMessageContaining("fortnight")
			.withMessageContaining("second, minute, hour, day, month or year");
	}

	@Test
	void rejectsEmptyLimitBetweenCommas() {
		assertThatIllegalArgumentException().isThrownBy(() -> LimitParser.parse("100/day,,10/hour"))
			.withMessageContaining("'100/day,,10/hour'")
			.withMessageContaining("empty limit between ';' or ',' separators");
	}

	@Test
	void monthsAndYearsHoldUpToTheLongestWindow() {
		assertThat(LimitParser.parse("1/121 months")).containsExactly(limit(1, Duration.ofDays(3630)));
		assertThatIllegalArgumentException().isThrownBy(() -> LimitParser.parse("1/122 months"))
			.withMessageContaining("'1/122 months'")
			.withMessageContaining("3650 days");
		assertThat(LimitParser.parse("1/10 years")).containsExactly(limit(1, Duration.ofDays(3600)));
		assertThatIllegalArgumentException().isThrownBy(() -> LimitParser.parse("1/11 years"))
			.withMessageContaining("3650 days");
	}

	@Test
	void rejectsCountAboveIntegerMaxValue() {
		assertThatIllegalArgumentException().isThrownBy(() -> LimitParser.parse("2147483648/minute"))
			.withMessageContaining("'2147483648/minute'")
			.withMessageContaining(String.valueOf(Integer.MAX_VALUE));
	}

	@Test
	void rejectsWindowLongerThanTenYears() {
		assertThat(LimitParser.parse("1/3650d")).containsExactly(limit(1, Duration.ofDays(3650)));
		assertThatIllegalArgumentException().isThrownBy(() -> LimitParser.parse("1/3651d"))
			.withMessageContaining("'1/3651d'")
			.withMessageContaining("3650 days");
	}

	@Test
	void rejectsWindowWithSubMillisecondPart() {
		assertThat(LimitParser.parse("5/PT1.001S")).containsExactly(limit(5, Duration.ofMillis(1001)));
		assertThatIllegalArgumentException().isThrownBy(() -> LimitParser.parse("5/PT1.0005S"))
			.withMessageContaining("'5/PT1.0005S'")
			.withMessageContaining("whole number of milliseconds");
	}

	@Test
	void parseWithSourceNamesSourceAndValue() {
		assertThatExceptionOfType(InvalidFloodgateSettingException.class)
			.isThrownBy(() -> LimitParser.parse("floodgate.limit", "5/fortnight"))
			.satisfies((ex) -> {
				assertThat(ex.getSource()).isEqualTo("floodgate.limit");
				assertThat(ex.getValue()).isEqualTo("5/fortnight");
				assertThat(ex.getReason()).contains("fortnight");
				assertThat(ex).hasMessageContaining("floodgate.limit").hasMessageContaining("'5/fortnight'");
			});
	}

	@Test
	void parseWithAnnotationSourceNamesTheAnnotatedElement() {
		String source = "@RateLimited on com.example.LinkController#create";
		assertThatExceptionOfType(InvalidFloodgateSettingException.class)
			.isThrownBy(() -> LimitParser.parse(source, "0/minute"))
			.satisfies((ex) -> {
				assertThat(ex.getSource()).isEqualTo(source);
				assertThat(ex.getValue()).isEqualTo("0/minute");
				assertThat(ex).hasMessageContaining(source).hasMessageContaining("'0/minute'");
			});
	}

	@Test
	void parseWithSourceReturnsLimitsOfValidText() {
		assertThat(LimitParser.parse("floodgate.limit", "5/second;100/hour"))
			.containsExactly(limit(5, Duration.ofSeconds(1)), limit(100, Duration.ofHours(1)));
	}

	@Test
	void limitRejectsCountAndWindowOutOfRange() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Limit(0, Duration.ofSeconds(1)));
		assertThatIllegalArgumentException().isThrownBy(() -> new Limit(1L + Integer.MAX_VALUE, Duration.ofSeconds(1)));
		assertThatIllegalArgumentException().isThrownBy(() -> new Limit(1, Duration.ZERO));
		assertThatIllegalArgumentException().isThrownBy(() -> new Limit(1, Duration.ofNanos(999_999)));
		assertThatIllegalArgumentException().isThrownBy(() -> new Limit(1, Duration.ofSeconds(-1)));
		assertThatIllegalArgumentException().isThrownBy(() -> new Limit(1, Duration.ofDays(3650).plusMillis(1)));
		assertThatIllegalArgumentException().isThrownBy(() -> new Limit(1, Duration.ofNanos(1_000_500_000)));
		assertThatIllegalArgumentException().isThrownBy(() -> new Limit(1, Duration.ofSeconds(Long.MAX_VALUE)));
	}

	@Test
	void limitToStringIsCompact() {
		assertThat(limit(50, Duration.ofMinutes(1))).hasToString("50/1m");
		assertThat(limit(10, Duration.ofSeconds(30))).hasToString("10/30s");
		assertThat(limit(10, Duration.ofSeconds(90))).hasToString("10/90s");
		assertThat(limit(3, Duration.ofHours(36))).hasToString("3/36h");
		assertThat(limit(1, Duration.ofDays(2))).hasToString("1/2d");
		assertThat(limit(7, Duration.ofMillis(1500))).hasToString("7/1500ms");
	}

	@ParameterizedTest(name = "[{index}] {0}")
	@MethodSource("generatedInputs")
	void eitherParsesToValidLimitsOrRejectsQuotingTheInput(String text) {
		List<Limit> limits;
		try {
			limits = LimitParser.parse(text);
		}
		catch (IllegalArgumentException ex) {
			assertThat(ex).isExactlyInstanceOf(IllegalArgumentException.class);
			assertThat(ex.getMessage()).contains(text);
			return;
		}
		catch (RuntimeException ex) {
			throw new AssertionError("'" + text + "' threw " + ex + " instead of IllegalArgumentException", ex);
		}
		assertThat(limits).isNotEmpty().allSatisfy((limit) -> {
			assertThat(limit.count()).isBetween(1L, (long) Integer.MAX_VALUE);
			assertThat(limit.window().isNegative() || limit.window().isZero()).isFalse();
			assertThat(limit.windowMillis()).isPositive();
		});
		// what parses once parses again the same way, and prints as text that parses back
		assertThat(LimitParser.parse(text)).isEqualTo(limits);
		assertThat(LimitParser.parse(String.join(";", limits.stream().map(Limit::toString).toList())))
			.isEqualTo(limits);
	}

	static Stream<String> generatedInputs() {
		Random random = new Random(SEED);
		List<String> inputs = new ArrayList<>();
		for (int i = 0; i < 1500; i++) {
			inputs.add(randomAscii(random, random.nextInt(24)));
		}
		for (int i = 0; i < 800; i++) {
			inputs.add(randomUnicode(random, random.nextInt(16)));
		}
		for (int i = 0; i < 2500; i++) {
			inputs.add(mutate(random, randomValidLimit(random)));
		}
		for (int i = 0; i < 300; i++) {
			inputs.add(randomValidLimit(random));
		}
		for (int i = 0; i < 100; i++) {
			inputs.add(veryLong(random));
		}
		return inputs.stream();
	}

	@ParameterizedTest(name = "[{index}] {0} per {1}ms")
	@MethodSource("generatedLimits")
	void toStringParsesBackToTheSameLimit(long count, long windowMillis) {
		Limit limit = new Limit(count, Duration.ofMillis(windowMillis));
		assertThat(LimitParser.parse(limit.toString())).isEqualTo(List.of(limit));
	}

	@ParameterizedTest(name = "[{index}] ''{0}''")
	@ValueSource(strings = { "3/PT6189574.115S", "1/PT1234567.891S", "5/P3650D", "2147483647/PT0.001S",
			"1/314999999999ms", "5 per second;10/30s;5/PT1H", "9/PT1M30.5S" })
	void printedLimitsParseBackToTheSameLimits(String text) {
		List<Limit> limits = LimitParser.parse(text);
		String printed = String.join(";", limits.stream().map(Limit::toString).toList());
		assertThat(LimitParser.parse(printed)).isEqualTo(limits);
	}

	static Stream<Arguments> generatedLimits() {
		Random random = new Random(SEED + 1);
		List<Arguments> limits = new ArrayList<>();
		long[] units = { 1, 1000, 60_000, 3_600_000, 86_400_000 };
		while (limits.size() < 1000) {
			long count = switch (random.nextInt(3)) {
				case 0 -> 1 + random.nextInt(10);
				case 1 -> 1 + random.nextInt(100_000);
				default -> 1 + random.nextInt(Integer.MAX_VALUE);
			};
			long windowMillis = switch (random.nextInt(3)) {
				case 0 -> units[random.nextInt(units.length)];
				case 1 -> units[random.nextInt(units.length)] * (1 + random.nextInt(1000));
				default -> 1 + (random.nextLong() & Long.MAX_VALUE) % Limit.MAX_WINDOW.toMillis();
			};
			if (Math.multiplyHigh(count, windowMillis) == 0
					&& count * windowMillis <= Limit.MAX_COUNT_TIMES_WINDOW_MILLIS) {
				limits.add(Arguments.of(count, windowMillis));
			}
		}
		limits.add(Arguments.of(1L, 1L));
		limits.add(Arguments.of((long) Integer.MAX_VALUE, 3_600_000L));
		limits.add(Arguments.of(1L, Limit.MAX_WINDOW.toMillis()));
		limits.add(Arguments.of(1L, Limit.MAX_WINDOW.toMillis() - 1));
		return limits.stream();
	}

	private static String randomValidLimit(Random random) {
		String[] units = { "s", "sec", "second", "seconds", "m", "min", "minute", "minutes", "h", "hr", "hour", "hours",
				"d", "day", "days", "ms", "month", "Months", "year" };
		StringBuilder text = new StringBuilder();
		int parts = 1 + ((random.nextInt(4) == 0) ? random.nextInt(3) : 0);
		for (int p = 0; p < parts; p++) {
			if (p > 0) {
				text.append(random.nextBoolean() ? ";" : random.nextBoolean() ? " ; " : ", ");
			}
			text.append(1 + random.nextInt(random.nextBoolean() ? 10 : 1_000_000));
			String unit = units[random.nextInt(units.length)];
			switch (random.nextInt(4)) {
				case 0 -> text.append(" per ").append(unit);
				case 1 -> text.append('/').append(1 + random.nextInt(120)).append(unit);
				case 2 -> text.append("/PT").append(1 + random.nextInt(3600)).append('S');
				default -> text.append('/').append(unit);
			}
		}
		return random.nextBoolean() ? text.toString() : text.toString().toUpperCase(Locale.ROOT);
	}

	private static String mutate(Random random, String valid) {
		StringBuilder text = new StringBuilder(valid);
		int mutations = 1 + random.nextInt(3);
		for (int i = 0; i < mutations; i++) {
			int at = (text.length() == 0) ? 0 : random.nextInt(text.length());
			switch (random.nextInt(6)) {
				case 0 -> text.insert(at, interestingChar(random));
				case 1 -> {
					if (text.length() > 0) {
						text.deleteCharAt(at);
					}
				}
				case 2 -> {
					if (text.length() > 1) {
						int other = random.nextInt(text.length());
						char c = text.charAt(at);
						text.setCharAt(at, text.charAt(other));
						text.setCharAt(other, c);
					}
				}
				case 3 -> {
					if (text.length() > 0) {
						text.setCharAt(at, interestingChar(random));
					}
				}
				case 4 -> text.insert(at, String.valueOf(random.nextLong()));
				default -> text.insert(at, "9".repeat(1 + random.nextInt(25)));
			}
		}
		return text.toString();
	}

	private static char interestingChar(Random random) {
		String interesting = "0123456789/;-+. \t\npPtTsSmMhHdDeE\u0665\uff15\u00a0\u2028";
		return random.nextBoolean() ? interesting.charAt(random.nextInt(interesting.length()))
				: (char) (32 + random.nextInt(95));
	}

	private static String randomAscii(Random random, int length) {
		StringBuilder text = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			text.append((char) random.nextInt(128));
		}
		return text.toString();
	}

	private static String randomUnicode(Random random, int length) {
		StringBuilder text = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			int codePoint = random.nextInt(Character.MAX_CODE_POINT + 1);
			if (Character.isValidCodePoint(codePoint) && !Character.isSurrogate((char) codePoint)) {
				text.appendCodePoint(codePoint);
			}
			else {
				text.append((char) random.nextInt(0x10000));
			}
		}
		return text.toString();
	}

	private static String veryLong(Random random) {
		int length = 1_000 + random.nextInt(50_000);
		return switch (random.nextInt(4)) {
			case 0 -> "9".repeat(length) + "/minute";
			case 1 -> "5/" + "9".repeat(length) + "s";
			case 2 -> String.join(";", Collections.nCopies(length / 10, "5/second"));
			default -> randomAscii(random, length);
		};
	}

	@Test
	void generatedInputsAreManyAndMixed() {
		List<String> inputs = generatedInputs().toList();
		assertThat(inputs).hasSizeGreaterThanOrEqualTo(5000);
		long parsed = inputs.stream().filter((text) -> catchThrowable(() -> LimitParser.parse(text)) == null).count();
		assertThat(parsed).as("some generated inputs parse, most do not").isBetween(300L, inputs.size() - 1000L);
	}

	private static Arguments valid(String text, Limit... limits) {
		return Arguments.of(text, List.of(limits));
	}

	private static Limit limit(long count, Duration window) {
		return new Limit(count, window);
	}

}
