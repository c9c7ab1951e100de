package dev.floodgate.web;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.floodgate.core.net.IpAddress;
import dev.floodgate.core.net.IpRanges;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ClientAddressResolver}.
 */
class ClientAddressResolverTests {

	private static final IpRanges TRUSTED = IpRanges
		.parse(List.of("10.0.0.0/8", "192.168.0.0/16", "127.0.0.1", "::1", "fc00::/7"));

	private static final String PROXY = "10.0.0.1";

	private static final String REAL_CLIENT = "198.51.100.23";

	private static final String XFF = "X-Forwarded-For";

	private static final String FORWARDED = "Forwarded";

	private static final String REAL_IP = "X-Real-IP";

	private final ClientAddressResolver xffResolver = resolver(ForwardedHeader.X_FORWARDED_FOR);

	private final ClientAddressResolver forwardedResolver = resolver(ForwardedHeader.FORWARDED);

	private final ClientAddressResolver autoResolver = resolver(ForwardedHeader.AUTO);

	private final ClientAddressResolver realIpResolver = new ClientAddressResolver(true, TRUSTED, REAL_IP,
			ForwardedHeader.X_FORWARDED_FOR, 64);

	// ---- the peer

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			203.0.113.7                   | 203.0.113.7
			::ffff:203.0.113.7            | 203.0.113.7
			2001:db8:1:2:3:4:5:6          | 2001:db8:1:2::/64
			[2001:db8:1:2:3:4:5:6]        | 2001:db8:1:2::/64
			fe80::1%eth0                  | fe80::/64
			[fe80::1%25eth0]              | fe80::/64
			::1                           | ::/64
			10.0.0.1                      | 10.0.0.1
			""")
	void clientIsThePeerWhenNotBehindAProxy(String peer, String key) {
		ClientAddressResolver resolver = new ClientAddressResolver(false, TRUSTED, REAL_IP, ForwardedHeader.AUTO, 64);
		MockHttpServletRequest request = request(peer);
		request.addHeader(XFF, "198.51.100.1");
		request.addHeader(FORWARDED, "for=198.51.100.2");
		request.addHeader(REAL_IP, "198.51.100.3");
		assertThat(key(resolver, request)).isEqualTo(key);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "garbage", "unix:/tmp/app.sock", "localhost", "1.2.3.4:80", "1.2.3.4%eth0", "[]",
			"[1.2.3.4", "01.2.3.4" })
	void unparseablePeerIsNoClient(String peer) {
		MockHttpServletRequest request = request(peer);
		request.addHeader(XFF, REAL_CLIENT);
		assertThat(this.autoResolver.resolve(request)).isNull();
	}

	@Test
	void nullPeerIsNoClient() {
		MockHttpServletRequest request = request("1.2.3.4");
		request.setRemoteAddr(null);
		assertThat(this.autoResolver.resolve(request)).isNull();
	}

	@Test
	void untrustedPeerIgnoresHeaders() {
		MockHttpServletRequest request = request("203.0.113.50");
		request.addHeader(XFF, "198.51.100.1");
		request.addHeader(FORWARDED, "for=198.51.100.2");
		request.addHeader(REAL_IP, "198.51.100.3");
		assertThat(key(this.realIpResolver, request)).isEqualTo("203.0.113.50");
		assertThat(key(this.autoResolver, request)).isEqualTo("203.0.113.50");
		assertThat(key(this.forwardedResolver, request)).isEqualTo("203.0.113.50");
	}

	@Test
	void noTrustedProxiesIgnoresHeaders() {
		ClientAddressResolver resolver = new ClientAddressResolver(true, IpRanges.none(), REAL_IP,
				ForwardedHeader.AUTO, 64);
		MockHttpServletRequest request = request("127.0.0.1");
		request.addHeader(XFF, "198.51.100.1");
		request.addHeader(REAL_IP, "198.51.100.3");
		assertThat(key(resolver, request)).isEqualTo("127.0.0.1");
	}

	@Test
	void trustedPeerWithoutHeadersIsTheClient() {
		assertThat(key(this.autoResolver, request(PROXY))).isEqualTo(PROXY);
		assertThat(key(this.realIpResolver, request(PROXY))).isEqualTo(PROXY);
	}

	@Test
	void result() {
		MockHttpServletRequest request = request(PROXY);
		request.addHeader(XFF, "2001:db8:1:2:aaaa:bbbb:cccc:dddd");
		ClientAddress client = this.xffResolver.resolve(request);
		assertThat(client).isNotNull();
		assertThat(client.address()).isEqualTo(IpAddress.parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
		assertThat(client.key()).isEqualTo("2001:db8:1:2::/64");
		assertThat(client).isEqualTo(ClientAddress.of(IpAddress.parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), 64))
			.hasSameHashCodeAs(ClientAddress.of(IpAddress.parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), 64));
		assertThat(client.toString()).contains("2001:db8:1:2::/64");
		ClientAddressResolver by48 = new ClientAddressResolver(true, TRUSTED, null, ForwardedHeader.AUTO, 48);
		assertThat(key(by48, request)).isEqualTo("2001:db8:1::/48");
		ClientAddressResolver by128 = new ClientAddressResolver(true, TRUSTED, null, ForwardedHeader.AUTO, 128);
		assertThat(key(by128, request)).isEqualTo("2001:db8:1:2:aaaa:bbbb:cccc:dddd/128");
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, -1, 129 })
	void rejectsInvalidIpv6PrefixLength(int prefixLength) {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ClientAddressResolver(true, TRUSTED, null, ForwardedHeader.AUTO, prefixLength))
			.withMessageContaining("between 1 and 128");
	}

	// ---- X-Forwarded-For

	@ParameterizedTest(name = "{0} with X-Forwarded-For: {1}")
	@CsvSource(delimiter = '|', nullValues = "NULL", textBlock = """
			10.0.0.1           | 203.0.113.7                               | 203.0.113.7
			10.0.0.1           | 198.51.100.1, 203.0.113.7                 | 203.0.113.7
			10.0.0.1           | 198.51.100.1,203.0.113.7                  | 203.0.113.7
			10.0.0.1           | '  198.51.100.1 ,	203.0.113.7  '          | 203.0.113.7
			10.0.0.1           | 203.0.113.7, 10.0.0.2                     | 203.0.113.7
			10.0.0.1           | 198.51.100.1, 203.0.113.7, 10.0.0.2, 192.168.1.1 | 203.0.113.7
			10.0.0.1           | 10.0.0.3, 10.0.0.2                        | 10.0.0.3
			10.0.0.1           | 10.0.0.4, 192.168.0.9, ::1, fd00::5       | 10.0.0.4
			10.0.0.1           | 198.51.100.1, garbage, 10.0.0.2           | 10.0.0.2
			10.0.0.1           | 198.51.100.1, unknown, 10.0.0.2           | 10.0.0.2
			10.0.0.1           | 198.51.100.1, _hidden, 10.0.0.2           | 10.0.0.2
			10.0.0.1           | 198.51.100.1, example.com, 10.0.0.2       | 10.0.0.2
			10.0.0.1           | 198.51.100.1, 1.2.3.4:80, 10.0.0.2        | 10.0.0.2
			10.0.0.1           | 198.51.100.1, [2001:db8::1], 10.0.0.2     | 10.0.0.2
			10.0.0.1           | 198.51.100.1, '"203.0.113.7"', 10.0.0.2   | 10.0.0.2
			10.0.0.1           | 198.51.100.1, 2001:db8::1%eth0, 10.0.0.2  | 10.0.0.2
			10.0.0.1           | 198.51.100.1, 01.2.3.4, 10.0.0.2          | 10.0.0.2
			10.0.0.1           | 198.51.100.1, , 10.0.0.2                  | 10.0.0.2
			10.0.0.1           | 203.0.113.7, unknown                      | 10.0.0.1
			10.0.0.1           | 203.0.113.7,                              | 10.0.0.1
			10.0.0.1           | ''                                        | 10.0.0.1
			10.0.0.1           | unknown                                   | 10.0.0.1
			10.0.0.1           | 1.2.3.4:80                                | 10.0.0.1
			10.0.0.1           | [::1]                                     | 10.0.0.1
			10.0.0.1           | 203.0.113.7 198.51.100.1                  | 10.0.0.1
			10.0.0.1           | 203.0.113.7;198.51.100.1                  | 10.0.0.1
			10.0.0.1           | for=203.0.113.7                           | 10.0.0.1
			10.0.0.1           | 2001:db8:1:2::99                          | 2001:db8:1:2::/64
			10.0.0.1           | 2001:DB8:1:2:0:0:0:99, 10.0.0.2           | 2001:db8:1:2::/64
			10.0.0.1           | ::ffff:203.0.113.7                        | 203.0.113.7
			10.0.0.1           | ::ffff:10.0.0.9                           | 10.0.0.9
			::1                | 203.0.113.7                               | 203.0.113.7
			::ffff:10.0.0.1    | 203.0.113.7                               | 203.0.113.7
			[::1]              | 203.0.113.7                               | 203.0.113.7
			fd00::1%eth0       | 203.0.113.7                               | 203.0.113.7
			fd00::1            | 10.0.0.3                                  | 10.0.0.3
			fd00::1            | garbage                                   | fd00::/64
			203.0.113.50       | 198.51.100.1                              | 203.0.113.50
			2001:db8::50       | 198.51.100.1                              | 2001:db8::/64
			::ffff:203.0.113.50 | 198.51.100.1                             | 203.0.113.50
			""")
	void xForwardedFor(String peer, String header, String key) {
		MockHttpServletRequest request = request(peer);
		request.addHeader(XFF, header);
		assertThat(key(this.xffResolver, request)).isEqualTo(key);
		assertThat(key(this.autoResolver, request)).isEqualTo(key);
	}

	@Test
	void multipleXForwardedForHeadersFormOneList() {
		assertThat(key(this.xffResolver, request(PROXY, XFF, "198.51.100.1, 203.0.113.7", XFF, "10.0.0.2")))
			.isEqualTo("203.0.113.7");
		assertThat(key(this.xffResolver, request(PROXY, XFF, "198.51.100.1", XFF, "203.0.113.7, 10.0.0.2")))
			.isEqualTo("203.0.113.7");
		assertThat(key(this.xffResolver, request(PROXY, XFF, "203.0.113.7", XFF, "10.0.0.2", XFF, "10.0.0.3")))
			.isEqualTo("203.0.113.7");
		assertThat(key(this.xffResolver, request(PROXY, XFF, "10.0.0.3", XFF, "10.0.0.2"))).isEqualTo("10.0.0.3");
		assertThat(key(this.xffResolver, request(PROXY, XFF, "198.51.100.1, garbage", XFF, "10.0.0.2")))
			.isEqualTo("10.0.0.2");
		assertThat(key(this.xffResolver, request(PROXY, XFF, "198.51.100.1", XFF, "garbage, 10.0.0.2")))
			.isEqualTo("10.0.0.2");
		assertThat(key(this.xffResolver, request(PROXY, XFF, "198.51.100.1", XFF, ""))).isEqualTo(PROXY);
		assertThat(key(this.xffResolver, request(PROXY, XFF, "198.51.100.1", XFF, REAL_CLIENT)))
			.isEqualTo(REAL_CLIENT);
	}

	@Test
	void walksAtMost32Elements() {
		// 31 trusted proxies and the client: the client is the 32nd element from the right
		String trusted31 = IntStream.rangeClosed(1, 31).mapToObj((i) -> "10.0.1." + i).collect(Collectors.joining(", "));
		assertThat(key(this.xffResolver, request(PROXY, XFF, REAL_CLIENT + ", " + trusted31))).isEqualTo(REAL_CLIENT);
		// 32 trusted proxies: the walk stops at the leftmost of them
		String trusted32 = IntStream.rangeClosed(1, 32).mapToObj((i) -> "10.0.1." + i).collect(Collectors.joining(", "));
		assertThat(key(this.xffResolver, request(PROXY, XFF, REAL_CLIENT + ", " + trusted32))).isEqualTo("10.0.1.1");
		String trusted40 = IntStream.rangeClosed(1, 40).mapToObj((i) -> "10.0.1." + i).collect(Collectors.joining(", "));
		assertThat(key(this.xffResolver, request(PROXY, XFF, REAL_CLIENT + ", " + trusted40))).isEqualTo("10.0.1.9");
		// the same across header instances
		MockHttpServletRequest request = request(PROXY);
		request.addHeader(XFF, REAL_CLIENT);
		IntStream.rangeClosed(1, 40).forEach((i) -> request.addHeader(XFF, "10.0.1." + i));
		assertThat(key(this.xffResolver, request)).isEqualTo("10.0.1.9");
	}

	@Test
	void elementLongerThan64CharactersIsInvalid() {
		String padded = " ".repeat(64 - REAL_CLIENT.length()) + REAL_CLIENT;
		assertThat(key(this.xffResolver, request(PROXY, XFF, "10.0.0.2," + padded))).isEqualTo(REAL_CLIENT);
		assertThat(key(this.xffResolver, request(PROXY, XFF, "10.0.0.2, " + padded))).isEqualTo("10.0.0.1");
	}

	@Test
	void overlongXForwardedForHeaderStillResolvesTheRealClient() {
		int megabyte = 1 << 20;
		assertThat(key(this.xffResolver, request(PROXY, XFF, "x".repeat(megabyte) + ", " + REAL_CLIENT)))
			.isEqualTo(REAL_CLIENT);
		assertThat(key(this.xffResolver,
				request(PROXY, XFF, "203.0.113.1, ".repeat(megabyte / 13) + REAL_CLIENT + ", 10.0.0.2")))
			.isEqualTo(REAL_CLIENT);
		assertThat(key(this.xffResolver, request(PROXY, XFF, ",".repeat(megabyte) + REAL_CLIENT)))
			.isEqualTo(REAL_CLIENT);
		assertThat(key(this.xffResolver, request(PROXY, XFF, "10.0.0.2, ".repeat(megabyte / 10) + "10.0.0.3")))
			.isEqualTo("10.0.0.2");
		assertThat(key(this.xffResolver, request(PROXY, XFF, "1".repeat(megabyte)))).isEqualTo(PROXY);
		assertThat(key(this.forwardedResolver,
				request(PROXY, FORWARDED, "for=\"".repeat(megabyte / 5) + ", for=" + REAL_CLIENT)))
			.isEqualTo(REAL_CLIENT);
		assertThat(key(this.forwardedResolver, request(PROXY, FORWARDED, "\"".repeat(megabyte)))).isEqualTo(PROXY);
		assertThat(key(this.forwardedResolver, request(PROXY, FORWARDED, "\\".repeat(megabyte) + "\"")))
			.isEqualTo(PROXY);
		assertThat(key(this.realIpResolver, request(PROXY, REAL_IP, " ".repeat(megabyte), XFF, REAL_CLIENT)))
			.isEqualTo(REAL_CLIENT);
	}

	// ---- Forwarded

	@ParameterizedTest(name = "Forwarded: {0}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			for=203.0.113.7                                         | 203.0.113.7
			For=203.0.113.7                                         | 203.0.113.7
			FOR=203.0.113.7;proto=https;by=10.0.0.1                 | 203.0.113.7
			proto=https;for=203.0.113.7;host=example.com            | 203.0.113.7
			for="203.0.113.7"                                       | 203.0.113.7
			for="203.0.113.7:4711"                                  | 203.0.113.7
			for="203.0.113.7:1"                                     | 203.0.113.7
			for="203.0.113.7:99999"                                 | 203.0.113.7
			for="[2001:db8:cafe::17]"                               | 2001:db8:cafe::/64
			for="[2001:db8:cafe::17]:4711"                          | 2001:db8:cafe::/64
			for="[2001:DB8:CAFE:0:0:0:0:17]:4711"                   | 2001:db8:cafe::/64
			for="[::ffff:203.0.113.7]"                              | 203.0.113.7
			for=198.51.100.1, for=203.0.113.7                       | 203.0.113.7
			for=198.51.100.1,for=203.0.113.7                        | 203.0.113.7
			for=203.0.113.7, for=10.0.0.2                           | 203.0.113.7
			for=203.0.113.7;by=a, for="[fc00::2]";proto=http        | 203.0.113.7
			for=10.0.0.3, for="[fc00::2]:80"                        | 10.0.0.3
			for=198.51.100.1, for=unknown, for=10.0.0.2             | 10.0.0.2
			for=198.51.100.1, for=_hidden, for=10.0.0.2             | 10.0.0.2
			for=198.51.100.1, proto=https, for=10.0.0.2             | 10.0.0.2
			for=198.51.100.1, for=203.0.113.7:80, for=10.0.0.2      | 10.0.0.2
			for=198.51.100.1, for=[2001:db8::1], for=10.0.0.2       | 10.0.0.2
			for=198.51.100.1, for="2001:db8::1", for=10.0.0.2       | 10.0.0.2
			for=198.51.100.1, for=2001:db8::1, for=10.0.0.2         | 10.0.0.2
			for=198.51.100.1, for="[203.0.113.7]", for=10.0.0.2     | 10.0.0.2
			for=198.51.100.1, for="[2001:db8::1]:http", for=10.0.0.2 | 10.0.0.2
			for=198.51.100.1, for="203.0.113.7:123456", for=10.0.0.2 | 10.0.0.2
			for=198.51.100.1, for="203.0.113.7:_abc", for=10.0.0.2  | 10.0.0.2
			for=198.51.100.1, for="[2001:db8::1%eth0]", for=10.0.0.2 | 10.0.0.2
			for=198.51.100.1, for="\\203.0.113.7", for=10.0.0.2     | 10.0.0.2
			for=198.51.100.1, for=203.0.113.7;for=198.51.100.2, for=10.0.0.2 | 10.0.0.2
			for=198.51.100.1, for=203.0.113.7 proto=http, for=10.0.0.2 | 10.0.0.2
			for=198.51.100.1, for="203.0.113.7, for=10.0.0.2        | 10.0.0.2
			for=198.51.100.1, for=203.0.113.7", for=10.0.0.2        | 10.0.0.2
			for=198.51.100.1;host="a,b", for=10.0.0.2               | 198.51.100.1
			for=198.51.100.1;host="a,\\",b", for=10.0.0.2           | 198.51.100.1
			for=198.51.100.1;host="a\\\\", for=10.0.0.2             | 198.51.100.1
			host="x, for=198.51.100.1", for=10.0.0.2                | 10.0.0.2
			for=203.0.113.7 ; proto=http                            | 203.0.113.7
			for=203.0.113.7;;proto=http;                            | 203.0.113.7
			for=203.0.113.7,                                        | 10.0.0.1
			for=                                                    | 10.0.0.1
			for=""                                                  | 10.0.0.1
			for                                                     | 10.0.0.1
			=203.0.113.7                                            | 10.0.0.1
			203.0.113.7                                             | 10.0.0.1
			for=unknown                                             | 10.0.0.1
			for="unknown"                                           | 10.0.0.1
			for=example.com                                         | 10.0.0.1
			proto=https                                             | 10.0.0.1
			for = 203.0.113.7                                       | 10.0.0.1
			for=203.0.113.7:80                                      | 10.0.0.1
			for="203.0.113.7                                        | 10.0.0.1
			``                                                      | 10.0.0.1
			""")
	void forwarded(String header, String key) {
		MockHttpServletRequest request = request(PROXY);
		request.addHeader(FORWARDED, header);
		assertThat(key(this.forwardedResolver, request)).isEqualTo(key);
		assertThat(key(this.autoResolver, request)).isEqualTo(key);
	}

	@Test
	void multipleForwardedHeadersFormOneList() {
		assertThat(key(this.forwardedResolver,
				request(PROXY, FORWARDED, "for=198.51.100.1, for=203.0.113.7", FORWARDED, "for=10.0.0.2")))
			.isEqualTo("203.0.113.7");
		assertThat(key(this.forwardedResolver,
				request(PROXY, FORWARDED, "for=203.0.113.7", FORWARDED, "for=10.0.0.2, for=\"[fc00::1]:80\"")))
			.isEqualTo("203.0.113.7");
		assertThat(key(this.forwardedResolver, request(PROXY, FORWARDED, "for=\"x", FORWARDED, "for=10.0.0.2")))
			.isEqualTo("10.0.0.2");
		assertThat(key(this.forwardedResolver, request(PROXY, FORWARDED, "for=\"x", FORWARDED, "for=" + REAL_CLIENT)))
			.isEqualTo(REAL_CLIENT);
	}

	// ---- which header

	@Test
	void autoPrefersXForwardedFor() {
		MockHttpServletRequest request = request(PROXY, XFF, "203.0.113.7", FORWARDED, "for=198.51.100.1");
		assertThat(key(this.autoResolver, request)).isEqualTo("203.0.113.7");
		assertThat(key(this.xffResolver, request)).isEqualTo("203.0.113.7");
		assertThat(key(this.forwardedResolver, request)).isEqualTo("198.51.100.1");
	}

	@Test
	void autoUsesForwardedWithoutXForwardedFor() {
		MockHttpServletRequest request = request(PROXY, FORWARDED, "for=198.51.100.1");
		assertThat(key(this.autoResolver, request)).isEqualTo("198.51.100.1");
	}

	@Test
	void xForwardedForModeIgnoresForwarded() {
		assertThat(key(this.xffResolver, request(PROXY, FORWARDED, "for=198.51.100.1"))).isEqualTo(PROXY);
	}

	@Test
	void forwardedModeIgnoresXForwardedFor() {
		assertThat(key(this.forwardedResolver, request(PROXY, XFF, "198.51.100.1"))).isEqualTo(PROXY);
	}

	// ---- client IP header

	@ParameterizedTest(name = "X-Real-IP: [{0}]")
	@CsvSource(delimiter = '|', textBlock = """
			203.0.113.9                      | 203.0.113.9
			'  203.0.113.9	'                | 203.0.113.9
			2001:db8:1:2::9                  | 2001:db8:1:2::/64
			::ffff:203.0.113.9               | 203.0.113.9
			10.0.0.5                         | 10.0.0.5
			203.0.113.9, 198.51.100.2        | 198.51.100.1
			203.0.113.9:80                   | 198.51.100.1
			[2001:db8::9]                    | 198.51.100.1
			garbage                          | 198.51.100.1
			unknown                          | 198.51.100.1
			''                               | 198.51.100.1
			for=203.0.113.9                  | 198.51.100.1
			"203.0.113.9"                    | 198.51.100.1
			""")
	void clientIpHeaderFromTrustedPeer(String value, String key) {
		MockHttpServletRequest request = request(PROXY, REAL_IP, value, XFF, "203.0.113.1, 198.51.100.1");
		assertThat(key(this.realIpResolver, request)).isEqualTo(key);
	}

	@Test
	void clientIpHeaderFromUntrustedPeerIsIgnored() {
		MockHttpServletRequest request = request("203.0.113.50", REAL_IP, "203.0.113.9");
		assertThat(key(this.realIpResolver, request)).isEqualTo("203.0.113.50");
	}

	@Test
	void repeatedClientIpHeaderIsIgnored() {
		MockHttpServletRequest request = request(PROXY, REAL_IP, "203.0.113.9", REAL_IP, "203.0.113.8", XFF,
				REAL_CLIENT);
		assertThat(key(this.realIpResolver, request)).isEqualTo(REAL_CLIENT);
	}

	@Test
	void missingClientIpHeaderFallsBackToTheWalk() {
		assertThat(key(this.realIpResolver, request(PROXY, XFF, REAL_CLIENT))).isEqualTo(REAL_CLIENT);
		assertThat(key(this.realIpResolver, request(PROXY))).isEqualTo(PROXY);
	}

	@Test
	void blankClientIpHeaderNameMeansNone() {
		ClientAddressResolver resolver = new ClientAddressResolver(true, TRUSTED, " ", ForwardedHeader.AUTO, 64);
		assertThat(key(resolver, request(PROXY, XFF, REAL_CLIENT))).isEqualTo(REAL_CLIENT);
	}

	// ---- generated hostile headers

	@ParameterizedTest(name = "[{index}]")
	@MethodSource("hostileValues")
	void hostileXForwardedForCannotChooseTheKey(String hostile) {
		// the trusted proxy appended the real client
		assertThat(key(this.xffResolver, request(PROXY, XFF, hostile + ", " + REAL_CLIENT))).isEqualTo(REAL_CLIENT);
		assertThat(key(this.autoResolver, request(PROXY, XFF, hostile + "," + REAL_CLIENT))).isEqualTo(REAL_CLIENT);
		assertThat(key(this.xffResolver, request(PROXY, XFF, hostile, XFF, REAL_CLIENT))).isEqualTo(REAL_CLIENT);
		assertThat(key(this.xffResolver, request(PROXY, XFF, hostile + ", " + REAL_CLIENT + ", 10.0.0.2")))
			.isEqualTo(REAL_CLIENT);
		// not from a trusted proxy: ignored
		assertThat(key(this.xffResolver, request("203.0.113.50", XFF, hostile))).isEqualTo("203.0.113.50");
		// alone: the peer or an address that is literally in the header
		ClientAddress client = this.xffResolver.resolve(request(PROXY, XFF, hostile));
		assertThat(client).isNotNull();
		assertPeerOrFrom(client.address(), hostile);
	}

	@ParameterizedTest(name = "[{index}]")
	@MethodSource("hostileValues")
	void hostileForwardedCannotChooseTheKey(String hostile) {
		assertThat(key(this.forwardedResolver, request(PROXY, FORWARDED, hostile + ", for=" + REAL_CLIENT)))
			.isEqualTo(REAL_CLIENT);
		assertThat(key(this.autoResolver, request(PROXY, FORWARDED, hostile + ",for=\"" + REAL_CLIENT + ":4711\"")))
			.isEqualTo(REAL_CLIENT);
		assertThat(key(this.forwardedResolver, request(PROXY, FORWARDED, hostile, FORWARDED, "for=" + REAL_CLIENT)))
			.isEqualTo(REAL_CLIENT);
		assertThat(key(this.forwardedResolver, request(PROXY, FORWARDED,
				hostile + ", for=" + REAL_CLIENT + ";proto=https, for=\"[fc00::2]:80\";by=\"[fc00::3]\"")))
			.isEqualTo(REAL_CLIENT);
		assertThat(key(this.forwardedResolver, request("203.0.113.50", FORWARDED, hostile))).isEqualTo("203.0.113.50");
		ClientAddress client = this.forwardedResolver.resolve(request(PROXY, FORWARDED, hostile));
		assertThat(client).isNotNull();
		assertPeerOrFrom(client.address(), hostile);
	}

	@ParameterizedTest(name = "[{index}]")
	@MethodSource("hostileValues")
	void hostileClientIpHeaderFallsBack(String hostile) {
		MockHttpServletRequest request = request(PROXY, REAL_IP, hostile, XFF, hostile + ", " + REAL_CLIENT);
		String trimmed = trimSpacesAndTabs(hostile);
		IpAddress literal = (hostile.length() <= 64) ? IpAddress.parse(trimmed) : null;
		String expected = (literal != null) ? literal.key(64) : REAL_CLIENT;
		assertThat(key(this.realIpResolver, request)).isEqualTo(expected);
		assertThat(key(this.realIpResolver, request("203.0.113.50", REAL_IP, hostile))).isEqualTo("203.0.113.50");
	}

	static Stream<String> hostileValues() {
		Random random = new Random(0xF100D6A7EL);
		return Stream.generate(() -> HostileHeaders.next(random)).limit(6_000);
	}

	/**
	 * Assert that the address is the peer, or literally one of the addresses of the header:
	 * the text between delimiters, or before a port.
	 */
	private static void assertPeerOrFrom(IpAddress address, String header) {
		if (address.equals(IpAddress.parse(PROXY))) {
			return;
		}
		Set<IpAddress> candidates = new HashSet<>();
		for (String token : header.split("[,;\"\\[\\]= \t]")) {
			IpAddress candidate = IpAddress.parse(token);
			if (candidate == null && token.indexOf(':') >= 0 && token.indexOf(':') == token.lastIndexOf(':')) {
				candidate = IpAddress.parse(token.substring(0, token.indexOf(':')));
			}
			if (candidate != null) {
				candidates.add(candidate);
			}
		}
		assertThat(candidates).as("addresses in %s", abbreviate(header)).contains(address);
	}

	private static String abbreviate(String text) {
		return (text.length() > 200) ? text.substring(0, 100) + "..." + text.substring(text.length() - 100) : text;
	}

	private static String trimSpacesAndTabs(String text) {
		int start = 0;
		int end = text.length();
		while (start < end && (text.charAt(start) == ' ' || text.charAt(start) == '\t')) {
			start++;
		}
		while (end > start && (text.charAt(end - 1) == ' ' || text.charAt(end - 1) == '\t')) {
			end--;
		}
		return text.substring(start, end);
	}

	private static ClientAddressResolver resolver(ForwardedHeader forwardedHeader) {
		return new ClientAddressResolver(true, TRUSTED, null, forwardedHeader, 64);
	}

	private static @Nullable String key(ClientAddressResolver resolver, MockHttpServletRequest request) {
		ClientAddress client = resolver.resolve(request);
		return (client != null) ? client.key() : null;
	}

	private static MockHttpServletRequest request(String remoteAddr, String... headers) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
		request.setRemoteAddr(remoteAddr);
		for (int i = 0; i < headers.length; i += 2) {
			request.addHeader(headers[i], headers[i + 1]);
		}
		return request;
	}

	/**
	 * Generates header values that a client could send.
	 */
	static final class HostileHeaders {

		private static final String[] ENTRIES = { "203.0.113.7", "198.51.100.1", "10.0.0.2", "10.255.255.255",
				"192.168.1.1", "127.0.0.1", "::1", "fc00::1", "fd12::34", "2001:db8::1", "2001:DB8:0:0:1::1",
				"::ffff:10.0.0.1", "::ffff:203.0.113.9", "::ffff:c000:201", "0.0.0.0", "255.255.255.255", "unknown",
				"_hidden", "_", "example.com", "localhost", "1.2.3.4:80", "[::1]", "[::1]:80", "[2001:db8::1]:443",
				"fe80::1%eth0", "10.0.0.2%1", "01.2.3.4", "1.2.3", "256.0.0.1", "\u0661.\u0662.\u0663.\u0664", "",
				" ", "\t", "\"", "\"\"", "\"10.0.0.2\"", "\"10.0.0.2", "10.0.0.2\"", "'10.0.0.2'", "\\", "\\\"",
				"for=10.0.0.2", "for=203.0.113.7", "For=\"[fc00::1]:80\"", "for=\"[2001:db8::1]\"",
				"for=\"203.0.113.7:4711\"", "for=unknown", "for=_x", "for=\"", "for=\"a,b\"", "for=\"a\\\"b\"",
				"proto=https", "by=10.0.0.1", "host=\"x,y\"", "for=10.0.0.2;proto=http", "for=10.0.0.2;for=1.1.1.1",
				";", ";;", "=", "==", "for==1.2.3.4", ",", ",,", "%", "%25", ":", "::", ":::", "[", "]", "[]",
				"1.2.3.4.5", "0x7f.0.0.1", "2130706433", "\u0000", "\r\n", "\u00ff", "\u00e9", "\u2028",
				"\ud83d\ude00", "\ud800", "\uff11.2.3.4", "a".repeat(70), "1".repeat(65), " 10.0.0.2 ",
				"10.0.0.2 10.0.0.3", "10.0.0.2\t,\t10.0.0.3" };

		private static final String[] VALID_ENTRIES = { "203.0.113.7", "198.51.100.1", "10.0.0.2", "10.1.2.3",
				"192.168.1.1", "127.0.0.1", "::1", "fc00::1", "fd12::34", "2001:db8::1", "2001:db8:1:2::99",
				"::ffff:10.0.0.1", "::ffff:203.0.113.9" };

		private static final String[] SEPARATORS = { ",", ", ", " ,", ",,", ", ,", ";", " ", "\t,", "" };

		private static final String SPECIALS = "\",;=[]:%_\\ \t.0123456789abcdefforFOR";

		private HostileHeaders() {
		}

		static String next(Random random) {
			return switch (random.nextInt(12)) {
				case 0 -> randomChars(random, random.nextInt(300), 0x100);
				case 1 -> randomAscii(random, random.nextInt(300));
				case 2 -> randomChars(random, random.nextInt(100), 0x10000);
				case 3 -> list(random);
				case 4 -> mostlyValidList(random);
				case 5, 9, 10 -> forwardedList(random);
				case 6 -> specials(random, random.nextInt(200));
				case 7 -> mutate(random, (random.nextBoolean() ? list(random) : forwardedList(random)));
				case 8 -> longValue(random);
				default -> ENTRIES[random.nextInt(ENTRIES.length)];
			};
		}

		private static String randomChars(Random random, int length, int bound) {
			char[] chars = new char[length];
			for (int i = 0; i < length; i++) {
				chars[i] = (char) random.nextInt(bound);
			}
			return new String(chars);
		}

		private static String randomAscii(Random random, int length) {
			char[] chars = new char[length];
			for (int i = 0; i < length; i++) {
				chars[i] = (char) (0x20 + random.nextInt(0x5F));
			}
			return new String(chars);
		}

		private static String specials(Random random, int length) {
			char[] chars = new char[length];
			for (int i = 0; i < length; i++) {
				chars[i] = SPECIALS.charAt(random.nextInt(SPECIALS.length()));
			}
			return new String(chars);
		}

		private static String list(Random random) {
			StringBuilder builder = new StringBuilder();
			int entries = 1 + random.nextInt(40);
			for (int i = 0; i < entries; i++) {
				if (i > 0) {
					builder.append(SEPARATORS[random.nextInt(SEPARATORS.length)]);
				}
				builder.append(ENTRIES[random.nextInt(ENTRIES.length)]);
			}
			return builder.toString();
		}

		private static String mostlyValidList(Random random) {
			StringBuilder builder = new StringBuilder();
			int entries = 1 + random.nextInt(40);
			for (int i = 0; i < entries; i++) {
				if (i > 0) {
					builder.append((random.nextInt(10) == 0) ? SEPARATORS[random.nextInt(SEPARATORS.length)] : ", ");
				}
				builder.append((random.nextInt(10) == 0) ? ENTRIES[random.nextInt(ENTRIES.length)]
						: (random.nextInt(3) == 0) ? VALID_ENTRIES[random.nextInt(VALID_ENTRIES.length)]
								: "10.0." + random.nextInt(3) + "." + random.nextInt(256));
			}
			return builder.toString();
		}

		private static String forwardedList(Random random) {
			StringBuilder builder = new StringBuilder();
			int elements = 1 + random.nextInt(20);
			for (int i = 0; i < elements; i++) {
				if (i > 0) {
					builder.append(random.nextInt(8) == 0 ? SEPARATORS[random.nextInt(SEPARATORS.length)] : ", ");
				}
				int pairs = (random.nextInt(10) == 0) ? 0 : 1 + random.nextInt(3);
				for (int p = 0; p < pairs; p++) {
					if (p > 0) {
						builder.append(random.nextInt(8) == 0 ? " ; " : ";");
					}
					String name = switch ((p == 0) ? random.nextInt(5) : 2 + random.nextInt(8)) {
						case 0, 1, 2 -> "for";
						case 3 -> "FOR";
						case 4 -> "by";
						default -> random.nextBoolean() ? "host" : "proto";
					};
					String value = (random.nextInt(3) == 0) ? ENTRIES[random.nextInt(ENTRIES.length)]
							: VALID_ENTRIES[random.nextInt(VALID_ENTRIES.length)];
					builder.append(name).append('=');
					if (random.nextInt(3) != 0) {
						// well formed
						if (value.indexOf(':') >= 0) {
							builder.append("\"[").append(value).append(']');
							builder.append(random.nextBoolean() ? ":" + random.nextInt(65536) : "").append('"');
						}
						else if (random.nextBoolean()) {
							builder.append(value);
						}
						else {
							builder.append('"').append(value).append(':').append(random.nextInt(65536)).append('"');
						}
						continue;
					}
					switch (random.nextInt(4)) {
						case 0 -> builder.append('"').append(value).append('"');
						case 1 -> builder.append("\"[").append(value).append("]:").append(random.nextInt(100000))
							.append('"');
						case 2 -> builder.append('"').append(value);
						default -> builder.append(value);
					}
				}
			}
			return builder.toString();
		}

		private static String mutate(Random random, String text) {
			StringBuilder builder = new StringBuilder(text);
			int edits = 1 + random.nextInt(5);
			for (int e = 0; e < edits; e++) {
				int at = random.nextInt(builder.length() + 1);
				if (random.nextBoolean() || at == builder.length()) {
					builder.insert(at, SPECIALS.charAt(random.nextInt(SPECIALS.length())));
				}
				else {
					builder.deleteCharAt(at);
				}
			}
			return builder.toString();
		}

		private static String longValue(Random random) {
			int length = (random.nextInt(100) == 0) ? (1 << 20) : 1_000 + random.nextInt(50_000);
			String unit = switch (random.nextInt(6)) {
				case 0 -> ENTRIES[random.nextInt(ENTRIES.length)] + ", ";
				case 1 -> "10.0.0.2, ";
				case 2 -> "for=\"";
				case 3 -> list(random) + ",";
				case 4 -> "\\";
				default -> randomAscii(random, 1 + random.nextInt(20));
			};
			StringBuilder builder = new StringBuilder(length + unit.length());
			while (builder.length() < length) {
				builder.append(unit);
			}
			return builder.toString();
		}

	}

}
