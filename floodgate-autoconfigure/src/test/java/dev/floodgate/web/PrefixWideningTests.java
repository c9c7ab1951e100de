package dev.floodgate.web;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.floodgate.core.Algorithm;
import dev.floodgate.core.BanPolicy;
import dev.floodgate.core.BlockPolicy;
import dev.floodgate.core.Decision;
import dev.floodgate.core.DecisionRules;
import dev.floodgate.core.EscalationPolicy;
import dev.floodgate.core.Escalation;
import dev.floodgate.core.InvalidFloodgateSettingException;
import dev.floodgate.core.Outcome;
import dev.floodgate.core.WideningPolicy;
import dev.floodgate.core.net.IpAddress;
import dev.floodgate.store.ClientStatus;
import dev.floodgate.store.RuleBookStore;
import dev.floodgate.store.memory.InMemoryClientRecords;
import dev.floodgate.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A client that rotates through the /64s of its /48 (or, when enabled, the addresses of its
 * /24) is restricted as one client once enough of them are.
 */
class PrefixWideningTests {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final DecisionRules rules = new DecisionRules(Algorithm.FIXED_WINDOW,
			new EscalationPolicy(
					new BlockPolicy(true, 3, Duration.ofMinutes(10), Duration.ofMinutes(15), 2, Duration.ofHours(24),
							false),
					new BanPolicy(true, 10, Duration.ofHours(24), null)));

	private final RuleBookStore store = new RuleBookStore(new InMemoryClientRecords(this.rules, this.clock, 1_000),
			this.rules, this.clock);

	private PrefixWidening widening(WideningPolicy policy) {
		return new PrefixWidening(policy, 64, this.store, this.clock, Duration.ofSeconds(5), 1_000);
	}

	@Test
	void eightBlockedSixtyFoursOfOneFortyEightBlockTheFortyEightForAsLongAsTheLongest() {
		PrefixWidening widening = widening(WideningPolicy.DEFAULTS);
		for (int i = 1; i <= 7; i++) {
			assertThat(widening.restricted(client("2001:db8:1:" + i + "::1"), blocked(Duration.ofMinutes(10 + i))))
				.isNull();
		}
		assertThat(widening.restriction(client("2001:db8:1:99::1"))).as("not yet").isNull();
		PrefixWidening.Widening widened = widening.restricted(client("2001:db8:1:8::1"),
				blocked(Duration.ofMinutes(15)));
		assertThat(widened).isNotNull();
		assertThat(widened.prefix()).isEqualTo("2001:db8:1::/48");
		assertThat(widened.escalation().kind()).isEqualTo(Escalation.Kind.BLOCK);
		assertThat(widened.escalation().untilMillis())
			.isEqualTo(this.clock.millis() + Duration.ofMinutes(17).toMillis());
		// a /64 never seen before, in the same /48: refused at once, until the longest block ends
		Decision decision = widening.restriction(client("2001:db8:1:99::1"));
		assertThat(decision).isNotNull();
		assertThat(decision.outcome()).isEqualTo(Outcome.BLOCKED);
		assertThat(decision.retryAfterMillis()).isEqualTo(Duration.ofMinutes(17).toMillis());
		assertThat(widening.restriction(client("2001:db8:2:1::1"))).as("another /48").isNull();
		// the store lists the prefix as a client
		Optional<ClientStatus> status = this.store.status("2001:db8:1::/48");
		assertThat(status).hasValueSatisfying((prefix) -> assertThat(prefix.blocked()).isTrue());
		this.clock.advance(Duration.ofMinutes(17));
		assertThat(widening.restriction(client("2001:db8:1:99::1"))).as("ended with the longest").isNull();
	}

	@Test
	void aBanAmongTheClientsBansThePrefixForAsLongAsTheBan() {
		PrefixWidening widening = widening(WideningPolicy.DEFAULTS);
		widening.restricted(client("2001:db8:5:1::1"), Decision.of(Outcome.BANNED, -1, null));
		for (int i = 2; i <= 8; i++) {
			widening.restricted(client("2001:db8:5:" + i + "::1"), blocked(Duration.ofMinutes(15)));
		}
		this.clock.advance(Duration.ofDays(30));
		Decision decision = widening.restriction(client("2001:db8:5:abcd::1"));
		assertThat(decision).isNotNull();
		assertThat(decision.outcome()).isEqualTo(Outcome.BANNED);
		assertThat(decision.retryAfterMillis()).as("permanent").isEqualTo(-1);
		assertThat(this.store.status("2001:db8:5::/48")).hasValueSatisfying(
				(prefix) -> assertThat(prefix.permanentlyBanned()).isTrue());
	}

	@Test
	void onlyClientsRestrictedAtTheSameTimeCount() {
		PrefixWidening widening = widening(WideningPolicy.DEFAULTS);
		for (int i = 1; i <= 20; i++) {
			// each block ends before the next client is blocked
			assertThat(widening.restricted(client("2001:db8:6:" + i + "::1"), blocked(Duration.ofMinutes(1))))
				.isNull();
			this.clock.advance(Duration.ofMinutes(2));
		}
	}

	@Test
	void ipv4IsWidenedOnlyWhenEnabled() {
		PrefixWidening byDefault = widening(WideningPolicy.DEFAULTS);
		PrefixWidening enabled = widening(new WideningPolicy(true, 8, 48, true, 24));
		for (int i = 1; i <= 8; i++) {
			assertThat(byDefault.restricted(client("198.51.100." + i), blocked(Duration.ofMinutes(15)))).isNull();
			enabled.restricted(client("198.51.100." + i), blocked(Duration.ofMinutes(15)));
		}
		assertThat(byDefault.restriction(client("198.51.100.200"))).isNull();
		assertThat(enabled.restriction(client("198.51.100.200"))).isNotNull();
		assertThat(this.store.status("198.51.100.0/24")).isPresent();
		assertThat(enabled.restriction(client("198.51.101.1"))).isNull();
	}

	@Test
	void aPrefixLiftedInTheStoreIsLiftedWithinTheRecheckInterval() {
		PrefixWidening widening = widening(WideningPolicy.DEFAULTS);
		for (int i = 1; i <= 8; i++) {
			widening.restricted(client("2001:db8:7:" + i + "::1"), blocked(Duration.ofMinutes(15)));
		}
		assertThat(this.store.forget("2001:db8:7::/48")).isTrue();
		this.clock.advance(Duration.ofMillis(4_999));
		assertThat(widening.restriction(client("2001:db8:7:99::1"))).as("not read again yet").isNotNull();
		this.clock.advance(Duration.ofMillis(1));
		assertThat(widening.restriction(client("2001:db8:7:99::1"))).isNull();
	}

	@Test
	void anOperatorsLiftOfAnAddressLiftsItsPrefixHereAtOnce() {
		PrefixWidening widening = widening(WideningPolicy.DEFAULTS);
		for (int i = 1; i <= 8; i++) {
			widening.restricted(client("2001:db8:8:" + i + "::1"), blocked(Duration.ofMinutes(15)));
		}
		assertThat(widening.forget(IpAddress.parse("2001:db8:8:1234::5"))).isEqualTo("2001:db8:8::/48");
		assertThat(widening.restriction(client("2001:db8:8:99::1"))).isNull();
	}

	@Test
	void invalidSettingsNameTheirProperty() {
		assertThatExceptionOfType(InvalidFloodgateSettingException.class)
			.isThrownBy(() -> new WideningPolicy(true, 1, 48, false, 24))
			.satisfies((ex) -> assertThat(ex.getSource()).isEqualTo("floodgate.widen.after-clients"));
		assertThatExceptionOfType(InvalidFloodgateSettingException.class)
			.isThrownBy(() -> new WideningPolicy(true, 8, 130, false, 24))
			.satisfies((ex) -> assertThat(ex.getSource()).isEqualTo("floodgate.widen.ipv6-prefix-length"));
	}

	private static ClientAddress client(String address) {
		return ClientAddress.of(IpAddress.parse(address), 64);
	}

	private static Decision blocked(Duration duration) {
		return Decision.of(Outcome.BLOCKED, duration.toMillis(), null);
	}

}
