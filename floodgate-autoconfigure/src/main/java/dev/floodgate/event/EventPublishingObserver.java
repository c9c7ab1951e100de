package dev.floodgate.event;

import java.time.Instant;

import dev.floodgate.core.Escalation;
import dev.floodgate.core.FloodgateObserver;
import dev.floodgate.core.RatePolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Publishes a {@link ClientBlockedEvent} or {@link ClientBannedEvent} for every block and ban.
 */
public final class EventPublishingObserver implements FloodgateObserver {

	private final ApplicationEventPublisher publisher;

	public EventPublishingObserver(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public void escalated(String client, Escalation escalation, @Nullable RatePolicy policy, boolean dryRun) {
		String policyName = (policy != null) ? policy.name() : null;
		String penalty = (escalation.penalty() != null) ? escalation.penalty().tag() : null;
		if (escalation.kind() == Escalation.Kind.BAN) {
			Instant until = escalation.permanent() ? null : Instant.ofEpochMilli(escalation.untilMillis());
			this.publisher.publishEvent(new ClientBannedEvent(client, until, escalation.violations(), policyName, dryRun,
					penalty));
		}
		else {
			this.publisher.publishEvent(new ClientBlockedEvent(client, Instant.ofEpochMilli(escalation.untilMillis()),
					escalation.number(), escalation.violations(), policyName, dryRun, penalty));
		}
	}

}
