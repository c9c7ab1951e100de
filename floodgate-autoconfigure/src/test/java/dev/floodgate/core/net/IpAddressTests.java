package dev.floodgate.core.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link IpAddress}.
 */
class IpAddressTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			0.0.0.0         | 0.0.0.0
			1.2.3.4         | 1.2.3.4
			255.255.255.255 | 255.255.255.255
			10.0.0.1        | 10.0.0.1
			192.168.100.200 | 192.168.100.200
			203.0.113.7     | 203.0.113.7
			100.0.10.0      | 100.0.10.0
			""")
	void parsesIpv4(String text, String canonical) {
		IpAddress address = IpAddress.parse(text);
		assertThat(address).isNotNull();
		assertThat(address.isIpv4()).isTrue();
		assertThat(address.bitLength()).isEqualTo(32);
		assertThat(address).hasToString(canonical);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", ".", "1", "1.2", "1.2.3", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "256.1.1.1",
			"1.2.3.256", "01.2.3.4", "1.02.3.4", "1.2.3.00", "1.2.3.0004", "1000.2.3.4", "1.2.3.4 ", " 1.2.3.4",
			"1.2.3.4\n", "1.2.3.-4", "+1.2.3.4", "1.2.3.4:80", "1.2.3.4/32", "0x1.2.3.4", "1.2.3.a",
			"\u0661.\u0662.\u0663.\u0664", "1.2.3.\u0664", "\uff11.2.3.4", "1,2,3,4", "1.2.3.4.", "999.999.999.999",
			"4294967295", "localhost", "example.com", "example", "a.b.c.d", "1.2.3.4%eth0", "\u0000",
			"1.2.3.4\u0000" })
	void rejectsInvalidIpv4(String text) {
		assertThat(IpAddress.parse(text)).isNull();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			::                                      | ::
			::1                                     | ::1
			1::                                     | 1::
			0:0:0:0:0:0:0:0                         | ::
			0:0:0:0:0:0:0:1                         | ::1
			2001:db8::1                             | 2001:db8::1
			2001:DB8::1                             | 2001:db8::1
			2001:0db8:0000:0000:0000:0000:0000:0001 | 2001:db8::1
			2001:db8:0:0:1:0:0:1                    | 2001:db8::1:0:0:1
			2001:0:0:1:0:0:0:1                      | 2001:0:0:1::1
			2001:db8:0:1:1:1:1:1                    | 2001:db8:0:1:1:1:1:1
			2001:db8::1:1:1:1:1                     | 2001:db8:0:1:1:1:1:1
			2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff  | 2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff
			FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff
			fe80::1                                 | fe80::1
			1:0:0:2:0:0:0:3                         | 1:0:0:2::3
			1:0:0:0:2:0:0:3                         | 1::2:0:0:3
			0:1:0:1:0:1:0:1                         | 0:1:0:1:0:1:0:1
			1:2:3:4:5:6:7::                         | 1:2:3:4:5:6:7:0
			::2:3:4:5:6:7:8                         | 0:2:3:4:5:6:7:8
			1:2:3:4::5:6:7                          | 1:2:3:4:0:5:6:7
			abcd:ef01:2345:6789:abcd:ef01:2345:6789 | abcd:ef01:2345:6789:abcd:ef01:2345:6789
			64:ff9b::1.2.3.4                        | 64:ff9b::102:304
			64:ff9b::192.0.2.33                     | 64:ff9b::c000:221
			::1.2.3.4                               | ::102:304
			1:2:3:4:5:6:1.2.3.4                     | 1:2:3:4:5:6:102:304
			1::5:6:255.255.255.255                  | 1::5:6:ffff:ffff
			ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255 | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff
			::fffe:1.2.3.4                          | ::fffe:102:304
			::1:ffff:1.2.3.4                        | ::1:ffff:102:304
			""")
	void parsesIpv6(String text, String canonical) {
		IpAddress address = IpAddress.parse(text);
		assertThat(address).isNotNull();
		assertThat(address.isIpv4()).isFalse();
		assertThat(address.bitLength()).isEqualTo(128);
		assertThat(address).hasToString(canonical);
		assertThat(IpAddress.parse(canonical)).isEqualTo(address);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			::ffff:1.2.3.4         | 1.2.3.4
			::FFFF:192.0.2.1       | 192.0.2.1
			::ffff:c000:0201       | 192.0.2.1
			::ffff:c000:201        | 192.0.2.1
			0:0:0:0:0:ffff:a00:1   | 10.0.0.1
			0:0:0:0:0:ffff:10.0.0.1 | 10.0.0.1
			0000::ffff:0.0.0.0     | 0.0.0.0
			::ffff:ffff:ffff       | 255.255.255.255
			""")
	void normalisesIpv4MappedToIpv4(String text, String ipv4) {
		IpAddress address = IpAddress.parse(text);
		assertThat(address).isNotNull();
		assertThat(address.isIpv4()).isTrue();
		assertThat(address).hasToString(ipv4).isEqualTo(IpAddress.parse(ipv4));
		assertThat(address.key(64)).isEqualTo(ipv4);
	}

	@ParameterizedTest
	@ValueSource(strings = { ":", ":::", "::::", "1:::2", ":1", "1:", "1::2::3", "::1::", "1:2:3:4:5:6:7",
			"1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8", "12345::",
			"::12345", "1:2:3:4:5:6:7:8:", ":1:2:3:4:5:6:7:8", "g::1", "2001:db8::g", "[::1]", "[2001:db8::1]",
			"[::1]:80", "::1%eth0", "fe80::1%1", "fe80::1%25eth0", "::1/128", " ::1", "::1 ", ":: 1", "::1\t",
			"1.2.3.4::", "::1.2.3.4:5", "::1.2.3", "::1.2.3.4.5", "::01.2.3.4", "::256.1.1.1",
			"1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:1", "1:2:3:4:5:6:7:8.1.2.3", "::ffff:1.2.3.4/96",
			"0:0:0:0:0:0:0:0:0", "::\u0661", "\u0661::", "::-1", "::+1", "0x1::", "fffff::", "1:2:3:4:5:6:7:8%",
			"0000:0000:0000:0000:0000:0000:0000:0000:", "1::2:", ":1::2", "::ffff:1.2.3.4.", "2001:db8::1::",
			"0000:0000:0000:0000:0000:ffff:255.255.255.255x", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2555" })
	void rejectsInvalidIpv6(String text) {
		assertThat(IpAddress.parse(text)).isNull();
	}

	@Test
	void rejectsNullAndTextLongerThanAnyLiteral() {
		assertThat(IpAddress.parse(null)).isNull();
		assertThat(IpAddress.parse("0000:0000:0000:0000:0000:0000:255.255.255.255")).isNotNull();
		assertThat(IpAddress.parse("00000:0000:0000:0000:0000:0000:255.255.255.255")).isNull();
		assertThat(IpAddress.parse("0".repeat(46))).isNull();
		assertThat(IpAddress.parse("1.2.3.4".repeat(100_000))).isNull();
	}

	@Test
	void parsesRangeOfLargerText() {
		String text = "for=\"[2001:db8::1]:80\", 203.0.113.7";
		assertThat(IpAddress.parse(text, 6, 17)).hasToString("2001:db8::1");
		assertThat(IpAddress.parse(text, 24, text.length())).hasToString("203.0.113.7");
		assertThat(IpAddress.parse(text, 23, text.length())).isNull();
		assertThat(IpAddress.parse(text, 6, 18)).isNull();
	}

	@Test
	void invalidRangeOfTextGivesNull() {
		assertThat(IpAddress.parse("1.2.3.4", -1, 7)).isNull();
		assertThat(IpAddress.parse("1.2.3.4", 0, 8)).isNull();
		assertThat(IpAddress.parse("1.2.3.4", 5, 2)).isNull();
		assertThat(IpAddress.parse("1.2.3.4", 3, 3)).isNull();
		assertThat(IpAddress.parse("1.2.3.4", Integer.MIN_VALUE, Integer.MAX_VALUE)).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "localhost", "example.com", "www.example.com", "example.com.", "ip6-localhost",
			"localhost.localdomain", "broadcasthost", "0", "127.1", "0x7f.0.0.1", "2130706433", "017700000001",
			"127.0.1", "1.1", "xn--nxasmq6b.com", "0177.0.0.1" })
	void neverResolvesNamesOrLegacyNumericForms(String name) {
		// InetAddress.getByName would look these up or accept the legacy forms
		assertThat(IpAddress.parse(name)).isNull();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			203.0.113.7                            | 64  | 203.0.113.7
			203.0.113.7                            | 1   | 203.0.113.7
			::ffff:203.0.113.7                     | 48  | 203.0.113.7
			2001:db8:1:2:aaaa:bbbb:cccc:dddd       | 64  | 2001:db8:1:2::/64
			2001:db8:1:2:aaaa:bbbb:cccc:dddd       | 48  | 2001:db8:1::/48
			2001:db8:1:2:aaaa:bbbb:cccc:dddd       | 128 | 2001:db8:1:2:aaaa:bbbb:cccc:dddd/128
			2001:db8:1:2:aaaa:bbbb:cccc:dddd       | 56  | 2001:db8:1::/56
			2001:db8:1:2ff:aaaa:bbbb:cccc:dddd     | 56  | 2001:db8:1:200::/56
			2001:db8:1:2:aaaa:bbbb:cccc:dddd       | 96  | 2001:db8:1:2:aaaa:bbbb::/96
			2001:db8:1:2:aaaa:bbbb:cccc:dddd       | 1   | ::/1
			ffff:db8:1:2:aaaa:bbbb:cccc:dddd       | 1   | 8000::/1
			::1                                    | 128 | ::1/128
			::1                                    | 64  | ::/64
			fe80::1                                | 64  | fe80::/64
			""")
	void keys(String text, int ipv6PrefixLength, String key) {
		IpAddress address = IpAddress.parse(text);
		assertThat(address).isNotNull();
		assertThat(address.key(ipv6PrefixLength)).isEqualTo(key);
	}

	@Test
	void sameIpv6NetworkHasSameKey() {
		IpAddress first = IpAddress.parse("2001:db8:1:2::1");
		IpAddress second = IpAddress.parse("2001:db8:1:2:ffff:ffff:ffff:ffff");
		IpAddress other = IpAddress.parse("2001:db8:1:3::1");
		assertThat(first.key(64)).isEqualTo(second.key(64)).isNotEqualTo(other.key(64));
		assertThat(first.key(128)).isNotEqualTo(second.key(128));
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, -1, 129, Integer.MIN_VALUE, Integer.MAX_VALUE })
	void keyRejectsInvalidPrefixLength(int prefixLength) {
		assertThatIllegalArgumentException().isThrownBy(() -> IpAddress.parse("::1").key(prefixLength))
			.withMessageContaining("between 1 and 128");
		assertThatIllegalArgumentException().isThrownBy(() -> IpAddress.parse("1.2.3.4").key(prefixLength))
			.withMessageContaining("between 1 and 128");
	}

	@Test
	void maskedTo() {
		assertThat(IpAddress.parse("10.1.2.3").maskedTo(8)).hasToString("10.0.0.0");
		assertThat(IpAddress.parse("10.1.2.3").maskedTo(0)).hasToString("0.0.0.0");
		assertThat(IpAddress.parse("10.1.2.3").maskedTo(31)).hasToString("10.1.2.2");
		assertThat(IpAddress.parse("10.1.2.3").maskedTo(32)).hasToString("10.1.2.3");
		assertThat(IpAddress.parse("2001:db8::ffff:1").maskedTo(112)).hasToString("2001:db8::ffff:0");
		assertThat(IpAddress.parse("2001:db8::ffff:1").maskedTo(0)).hasToString("::");
		assertThat(IpAddress.parse("fc01::1").maskedTo(7)).hasToString("fc00::");
		assertThatIllegalArgumentException().isThrownBy(() -> IpAddress.parse("10.1.2.3").maskedTo(33));
		assertThatIllegalArgumentException().isThrownBy(() -> IpAddress.parse("::1").maskedTo(129));
		assertThatIllegalArgumentException().isThrownBy(() -> IpAddress.parse("::1").maskedTo(-1));
	}

	@Test
	void equalsAndHashCode() {
		IpAddress address = IpAddress.parse("2001:db8::1");
		assertThat(address).isEqualTo(IpAddress.parse("2001:0DB8:0:0::0:1"))
			.hasSameHashCodeAs(IpAddress.parse("2001:0DB8:0:0::0:1"))
			.isNotEqualTo(IpAddress.parse("2001:db8::2"));
		// the same 32 bits as IPv4 and as IPv6 (IPv4-compatible, not mapped) are different
		assertThat(IpAddress.parse("1.2.3.4")).isNotEqualTo(IpAddress.parse("::1.2.3.4"));
		assertThat(IpAddress.parse("1.2.3.4")).isEqualTo(IpAddress.parse("::ffff:1.2.3.4"));
	}

	@Test
	void generatedAddressesInAnyTextFormParseToTheSameBits() {
		Random random = new Random(20240601L);
		for (int n = 0; n < 20_000; n++) {
			long high = randomHalf(random);
			long low = randomHalf(random);
			IpAddress expected = IpAddress.ipv6(high, low);
			String text = randomIpv6Text(random, high, low);
			IpAddress parsed = IpAddress.parse(text);
			assertThat(parsed).as(text).isEqualTo(expected);
			assertThat(parsed.toString()).as(text).isEqualTo(referenceFormat(expected));
			assertThat(IpAddress.parse(parsed.toString())).as(text).isEqualTo(parsed);
			assertThat(parsed.key(64)).as(text).isEqualTo(expectedKey(parsed, 64));
			assertThat(parsed.key(48)).as(text).isEqualTo(expectedKey(parsed, 48));
		}
		for (int n = 0; n < 5_000; n++) {
			long bits = random.nextInt() & 0xFFFF_FFFFL;
			String text = ((bits >>> 24) & 0xFF) + "." + ((bits >>> 16) & 0xFF) + "." + ((bits >>> 8) & 0xFF) + "."
					+ (bits & 0xFF);
			IpAddress parsed = IpAddress.parse(text);
			assertThat(parsed).isEqualTo(IpAddress.ipv4(bits));
			assertThat(parsed).hasToString(text);
			assertThat(IpAddress.parse("::ffff:" + text)).isEqualTo(parsed);
			assertThat(IpAddress.parse("::FFFF:" + Long.toHexString(bits >>> 16) + ":" + Long.toHexString(bits & 0xFFFF)))
				.isEqualTo(parsed);
		}
	}

	@Test
	void generatedHostileTextNeverThrowsAndRoundTrips() {
		Random random = new Random(42L);
		int parsedCount = 0;
		for (int n = 0; n < 50_000; n++) {
			String text = hostileText(random);
			IpAddress address = IpAddress.parse(text);
			if (address != null) {
				parsedCount++;
				assertThat(IpAddress.parse(address.toString())).as(text).isEqualTo(address);
				assertThat(address.toString()).as(text).isEqualTo(referenceFormat(address));
				assertThat(address.key(64)).isNotEmpty();
			}
			// ranges of the text never throw either
			int start = random.nextInt(text.length() + 3) - 1;
			int end = random.nextInt(text.length() + 3) - 1;
			IpAddress part = IpAddress.parse(text, start, end);
			if (part != null) {
				assertThat(IpAddress.parse(text.substring(start, end))).isEqualTo(part);
			}
		}
		// some of the mutations are still valid literals
		assertThat(parsedCount).isGreaterThan(1000);
	}

	private static long randomHalf(Random random) {
		// plenty of zero groups, to exercise the compression
		long half = 0;
		for (int k = 0; k < 4; k++) {
			long group = switch (random.nextInt(4)) {
				case 0, 1 -> 0;
				case 2 -> random.nextInt(0x10);
				default -> random.nextInt(0x10000);
			};
			half = (half << 16) | group;
		}
		return half;
	}

	private static String randomIpv6Text(Random random, long high, long low) {
		int[] groups = new int[8];
		for (int k = 0; k < 8; k++) {
			long half = (k < 4) ? high : low;
			groups[k] = (int) ((half >>> (48 - 16 * (k % 4))) & 0xFFFF);
		}
		boolean embedded = random.nextInt(4) == 0;
		int groupCount = embedded ? 6 : 8;
		List<String> parts = new ArrayList<>();
		for (int k = 0; k < groupCount; k++) {
			String hex = Integer.toHexString(groups[k]);
			if (random.nextBoolean()) {
				hex = "0".repeat(random.nextInt(5 - hex.length())) + hex;
			}
			parts.add(random.nextBoolean() ? hex.toUpperCase() : hex);
		}
		// compress a random run of zero groups, if there is one
		int runStart = -1;
		int runLength = 0;
		int candidateStart = random.nextInt(groupCount);
		if (groups[candidateStart] == 0 && random.nextInt(3) != 0) {
			runStart = candidateStart;
			while (runStart + runLength < groupCount && groups[runStart + runLength] == 0) {
				runLength++;
			}
			runLength = 1 + random.nextInt(runLength);
		}
		StringBuilder text = new StringBuilder();
		for (int k = 0; k < groupCount; k++) {
			if (k == runStart) {
				text.append("::");
				k += runLength - 1;
				continue;
			}
			if (k > 0 && k != runStart + runLength) {
				text.append(':');
			}
			text.append(parts.get(k));
		}
		if (embedded) {
			if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
				text.append(':');
			}
			text.append(groups[6] >>> 8).append('.').append(groups[6] & 0xFF).append('.').append(groups[7] >>> 8)
				.append('.').append(groups[7] & 0xFF);
		}
		return text.toString();
	}

	private static String expectedKey(IpAddress address, int prefixLength) {
		if (address.isIpv4()) {
			return address.toString();
		}
		IpAddress network = IpAddress.ipv6(address.high() & IpAddress.highMask(prefixLength),
				address.low() & IpAddress.lowMask(prefixLength));
		return referenceFormat(network) + "/" + prefixLength;
	}

	/**
	 * A deliberately naive RFC 5952 formatter: try every run and keep the longest, leftmost
	 * one.
	 */
	private static String referenceFormat(IpAddress address) {
		if (address.isIpv4()) {
			long bits = address.low();
			return ((bits >>> 24) & 0xFF) + "." + ((bits >>> 16) & 0xFF) + "." + ((bits >>> 8) & 0xFF) + "."
					+ (bits & 0xFF);
		}
		String[] groups = new String[8];
		for (int k = 0; k < 8; k++) {
			long half = (k < 4) ? address.high() : address.low();
			groups[k] = Long.toHexString((half >>> (48 - 16 * (k % 4))) & 0xFFFF);
		}
		String best = String.join(":", groups);
		int bestLength = 1;
		for (int length = 8; length >= 2 && bestLength == 1; length--) {
			for (int start = 0; start + length <= 8; start++) {
				boolean zeros = true;
				for (int k = start; k < start + length; k++) {
					zeros &= groups[k].equals("0");
				}
				if (zeros) {
					String left = String.join(":", Arrays.copyOfRange(groups, 0, start));
					String right = String.join(":", Arrays.copyOfRange(groups, start + length, 8));
					best = left + "::" + right;
					bestLength = length;
					break;
				}
			}
		}
		return best;
	}

	private static final String[] VALID = { "1.2.3.4", "0.0.0.0", "255.255.255.255", "10.0.0.1", "::", "::1",
			"2001:db8::1", "2001:db8:0:0:1:0:0:1", "::ffff:1.2.3.4", "64:ff9b::1.2.3.4", "::ffff:c000:0201",
			"fe80::1", "1:2:3:4:5:6:7:8", "abcd:EF01:2345:6789:ABCD:ef01:2345:6789", "1::", "1:2:3:4:5:6:7::",
			"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" };

	private static final String[] INSERTS = { "[", "]", "%eth0", "%", ":80", ":", "::", ".", "0", "00", " ", "\t",
			"\u0000", "\u0661", "\uff11", "\u00e9", "\ud83d\ude00", "\ud83d", ",", ";", "\"", "/64", "g", "F", "-",
			"1.2.3.4", "\n", "\u2028", "\u00a0" };

	static String hostileText(Random random) {
		switch (random.nextInt(8)) {
			case 0: {
				// random characters from the whole UTF-16 range, surrogates included
				char[] chars = new char[random.nextInt(50)];
				for (int i = 0; i < chars.length; i++) {
					chars[i] = (char) random.nextInt(0x10000);
				}
				return new String(chars);
			}
			case 1: {
				// random characters that literals are made of
				String alphabet = "0123456789abcdefABCDEF:.";
				char[] chars = new char[random.nextInt(46)];
				for (int i = 0; i < chars.length; i++) {
					chars[i] = alphabet.charAt(random.nextInt(alphabet.length()));
				}
				return new String(chars);
			}
			case 2: {
				// a valid literal with a few characters inserted, deleted or replaced
				StringBuilder text = new StringBuilder(VALID[random.nextInt(VALID.length)]);
				int edits = 1 + random.nextInt(3);
				for (int e = 0; e < edits && text.length() > 0; e++) {
					int at = random.nextInt(text.length() + 1);
					switch (random.nextInt(3)) {
						case 0 -> text.insert(at, INSERTS[random.nextInt(INSERTS.length)]);
						case 1 -> {
							if (at < text.length()) {
								text.deleteCharAt(at);
							}
						}
						default -> {
							if (at < text.length()) {
								text.setCharAt(at, "0123456789abcdef:.[]%"
									.charAt(random.nextInt(21)));
							}
						}
					}
				}
				return text.toString();
			}
			case 3: {
				// wrapped: brackets, zone, port, whitespace
				String valid = VALID[random.nextInt(VALID.length)];
				return switch (random.nextInt(6)) {
					case 0 -> "[" + valid + "]";
					case 1 -> valid + "%eth" + random.nextInt(3);
					case 2 -> valid + ":" + random.nextInt(70000);
					case 3 -> "[" + valid + "]:" + random.nextInt(70000);
					case 4 -> " " + valid;
					default -> valid + "\t";
				};
			}
			case 4: {
				// very long
				String unit = VALID[random.nextInt(VALID.length)];
				return unit.repeat(1 + random.nextInt(2000));
			}
			case 5: {
				// unicode digits in place of ASCII ones
				String valid = VALID[random.nextInt(VALID.length)];
				StringBuilder text = new StringBuilder();
				for (char c : valid.toCharArray()) {
					if (c >= '0' && c <= '9' && random.nextInt(4) == 0) {
						text.append((char) ((random.nextBoolean() ? '\u0660' : '\uff10') + (c - '0')));
					}
					else {
						text.append(c);
					}
				}
				return text.toString();
			}
			case 6: {
				// random groups and dots, mostly near-valid
				StringBuilder text = new StringBuilder();
				int parts = random.nextInt(11);
				for (int p = 0; p < parts; p++) {
					if (p > 0) {
						text.append(random.nextInt(5) == 0 ? "::" : random.nextInt(6) == 0 ? "." : ":");
					}
					text.append(random.nextInt(6) == 0 ? Integer.toString(random.nextInt(300))
							: Integer.toHexString(random.nextInt(random.nextBoolean() ? 0x10 : 0x20000)));
				}
				return text.toString();
			}
			default:
				return VALID[random.nextInt(VALID.length)];
		}
	}

}
