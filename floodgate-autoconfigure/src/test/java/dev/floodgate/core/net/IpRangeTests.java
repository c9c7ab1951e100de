package dev.floodgate.core.net;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link IpRange} and {@link IpRanges}.
 */
class IpRangeTests {

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			10.0.0.0/8              | 10.0.0.0/8
			10.1.2.3/8              | 10.0.0.0/8
			' 192.168.0.0/16 '      | 192.168.0.0/16
			'\t172.16.0.0/12\t'     | 172.16.0.0/12
			203.0.113.7             | 203.0.113.7/32
			203.0.113.7/32          | 203.0.113.7/32
			0.0.0.0/0               | 0.0.0.0/0
			255.255.255.255/0       | 0.0.0.0/0
			::1                     | ::1/128
			::1/128                 | ::1/128
			fc00::/7                | fc00::/7
			fdff:1:2::3/7           | fc00::/7
			2001:DB8:0:0:1::/64     | 2001:db8::/64
			::/0                    | ::/0
			::ffff:10.0.0.0/104     | 10.0.0.0/8
			::ffff:10.1.2.3         | 10.1.2.3/32
			::ffff:0:0/96           | 0.0.0.0/0
			""")
	void parse(String text, String canonical) {
		IpRange range = IpRange.parse(text);
		assertThat(range).hasToString(canonical);
		assertThat(IpRange.parse(canonical)).isEqualTo(range).hasSameHashCodeAs(range);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			10.0.0.0/8     | 10.0.0.0           | true
			10.0.0.0/8     | 10.255.255.255     | true
			10.0.0.0/8     | 11.0.0.0           | false
			10.0.0.0/8     | 9.255.255.255      | false
			10.0.0.0/8     | ::ffff:10.1.2.3    | true
			10.0.0.0/8     | ::a01:203          | false
			172.16.0.0/12  | 172.31.255.255     | true
			172.16.0.0/12  | 172.32.0.0         | false
			203.0.113.7    | 203.0.113.7        | true
			203.0.113.7    | 203.0.113.8        | false
			203.0.113.6/31 | 203.0.113.7        | true
			0.0.0.0/0      | 1.2.3.4            | true
			0.0.0.0/0      | ::1                | false
			0.0.0.0/0      | ::ffff:1.2.3.4     | true
			::/0           | ::1                | true
			::/0           | 1.2.3.4            | false
			::/0           | ::ffff:1.2.3.4     | false
			::1/128        | ::1                | true
			::1/128        | ::2                | false
			::1/128        | 0.0.0.1            | false
			fc00::/7       | fd12:3456::1       | true
			fc00::/7       | fbff:ffff::1       | false
			fc00::/7       | fe00::             | false
			2001:db8::/32  | 2001:db8:ffff::1   | true
			2001:db8::/32  | 2001:db9::1        | false
			2001:db8:1:2::/64 | 2001:db8:1:2:ffff:ffff:ffff:ffff | true
			2001:db8:1:2::/64 | 2001:db8:1:3::   | false
			2001:db8::ff00/120 | 2001:db8::ffff  | true
			2001:db8::ff00/120 | 2001:db8::1:ff00 | false
			2001:db8::/65  | 2001:db8::7fff:ffff:ffff:ffff | true
			2001:db8::/65  | 2001:db8::8000:0:0:0 | false
			""")
	void contains(String range, String address, boolean contained) {
		assertThat(IpRange.parse(range).contains(IpAddress.parse(address))).isEqualTo(contained);
		assertThat(IpRanges.of(List.of(IpRange.parse(range))).contains(IpAddress.parse(address))).isEqualTo(contained);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			``                  | it is empty
			`   `               | it is empty
			10.0.0.0/33         | prefix length '33' is not a number between 0 and 32
			10.0.0.0/-1         | prefix length '-1' is not a number between 0 and 32
			::/129              | prefix length '129' is not a number between 0 and 128
			::/                 | prefix length '' is not a number between 0 and 128
			10.0.0.0/           | prefix length '' is not a number between 0 and 32
			10.0.0.0/8/8        | prefix length '8/8' is not a number between 0 and 32
			10.0.0.0/ 8         | prefix length ' 8' is not a number between 0 and 32
			10.0.0.0/1000       | prefix length '1000' is not a number between 0 and 32
			10.0.0.0/x          | prefix length 'x' is not a number between 0 and 32
			10.0.0/8            | '10.0.0' is not an IPv4 or IPv6 address literal
			010.0.0.0/8         | '010.0.0.0' is not an IPv4 or IPv6 address literal
			10.0.0.256          | '10.0.0.256' is not an IPv4 or IPv6 address literal
			/8                  | '' is not an IPv4 or IPv6 address literal
			localhost           | 'localhost' is not an IPv4 or IPv6 address literal
			[::1]/128           | '[::1]' is not an IPv4 or IPv6 address literal
			fe80::1%eth0/64     | 'fe80::1%eth0' is not an IPv4 or IPv6 address literal
			`10.0.0.0 /8`       | '10.0.0.0 ' is not an IPv4 or IPv6 address literal
			::ffff:10.0.0.0/64  | an IPv4-mapped range needs a prefix length between 96 and 128
			""")
	void rejectsInvalidRange(String text, String problem) {
		assertThatIllegalArgumentException().isThrownBy(() -> IpRange.parse(text))
			.withMessage("Invalid IP range '" + text + "': " + problem);
	}

	@Test
	void rejectsNull() {
		assertThatIllegalArgumentException().isThrownBy(() -> IpRange.parse(null)).withMessageContaining("null");
	}

	@Test
	void of() {
		assertThat(IpRange.of(IpAddress.parse("10.1.2.3"), 16)).hasToString("10.1.0.0/16");
		assertThat(IpRange.of(IpAddress.parse("10.1.2.3"), 16).network()).hasToString("10.1.0.0");
		assertThat(IpRange.of(IpAddress.parse("10.1.2.3"), 16).prefixLength()).isEqualTo(16);
		assertThat(IpRange.of(IpAddress.parse("10.1.2.3"), 16).isIpv4()).isTrue();
		assertThat(IpRange.of(IpAddress.parse("fc00::1"), 7).isIpv4()).isFalse();
		assertThatIllegalArgumentException().isThrownBy(() -> IpRange.of(IpAddress.parse("10.1.2.3"), 33))
			.withMessageContaining("'10.1.2.3/33'");
		assertThatIllegalArgumentException().isThrownBy(() -> IpRange.of(IpAddress.parse("::1"), 129))
			.withMessageContaining("'::1/129'");
	}

	@Test
	void ranges() {
		IpRanges ranges = IpRanges.parse(List.of("10.0.0.0/8", "127.0.0.1", "::1", "fc00::/7", "10.1.0.0/8"));
		assertThat(ranges.isEmpty()).isFalse();
		assertThat(ranges.ranges()).extracting(IpRange::toString)
			.containsExactly("10.0.0.0/8", "127.0.0.1/32", "::1/128", "fc00::/7");
		assertThat(ranges.contains(IpAddress.parse("10.9.9.9"))).isTrue();
		assertThat(ranges.contains(IpAddress.parse("127.0.0.1"))).isTrue();
		assertThat(ranges.contains(IpAddress.parse("127.0.0.2"))).isFalse();
		assertThat(ranges.contains(IpAddress.parse("::1"))).isTrue();
		assertThat(ranges.contains(IpAddress.parse("::ffff:127.0.0.1"))).isTrue();
		assertThat(ranges.contains(IpAddress.parse("fd00::1"))).isTrue();
		assertThat(ranges.contains(IpAddress.parse("2001:db8::1"))).isFalse();
		assertThat(ranges).isEqualTo(IpRanges.of(IpRange.parse("10.0.0.0/8"), IpRange.parse("127.0.0.1"),
				IpRange.parse("::1"), IpRange.parse("fc00::/7")));
		List<IpRange> mutable = new ArrayList<>(ranges.ranges());
		mutable.clear();
		assertThat(ranges.ranges()).hasSize(4);
	}

	@Test
	void none() {
		assertThat(IpRanges.none().isEmpty()).isTrue();
		assertThat(IpRanges.none().ranges()).isEmpty();
		assertThat(IpRanges.none().contains(IpAddress.parse("10.0.0.1"))).isFalse();
		assertThat(IpRanges.of(List.of())).isSameAs(IpRanges.none());
		assertThat(IpRanges.parse(null)).isSameAs(IpRanges.none());
		assertThat(IpRanges.parse(List.of())).isSameAs(IpRanges.none());
	}

	@Test
	void parseOfManyReportsTheBadOne() {
		assertThatIllegalArgumentException().isThrownBy(() -> IpRanges.parse(List.of("10.0.0.0/8", "10.0.0.0/80")))
			.withMessageContaining("'10.0.0.0/80'");
	}

}
