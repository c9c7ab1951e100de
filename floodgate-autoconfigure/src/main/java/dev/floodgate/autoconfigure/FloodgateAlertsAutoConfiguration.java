package dev.floodgate.autoconfigure;

import java.time.Clock;
import java.util.List;

import dev.floodgate.alert.WebhookAlerts;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.web.client.RestClient;

/**
 * Auto-configuration for Floodgate's webhook alerts: when
 * {@code floodgate.alerts.webhook-urls} lists at least one URL, a {@link WebhookAlerts}
 * observer POSTs an alert to each of them for every block and ban.
 */
@AutoConfiguration(after = FloodgateAutoConfiguration.class)
@ConditionalOnWebApplication
@ConditionalOnClass(RestClient.class)
@ConditionalOnBooleanProperty(name = "floodgate.enabled", matchIfMissing = true)
@Conditional(FloodgateAlertsAutoConfiguration.WebhookUrlsCondition.class)
public final class FloodgateAlertsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(FloodgateSettings.class)
	WebhookAlerts floodgateWebhookAlerts(FloodgateSettings settings,
			@Qualifier(FloodgateAutoConfiguration.CLOCK_BEAN_NAME) Clock clock, Environment environment) {
		return new WebhookAlerts(settings.webhookUrls(), settings.alertMinInterval(), settings.alertTimeout(),
				environment.getProperty("spring.application.name"), clock);
	}

	/**
	 * Matches when {@code floodgate.alerts.webhook-urls} holds at least one non-blank URL,
	 * whether it is given as a comma-separated value or indexed.
	 */
	static final class WebhookUrlsCondition extends SpringBootCondition {

		private static final String PROPERTY = "floodgate.alerts.webhook-urls";

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			ConditionMessage.Builder message = ConditionMessage.forCondition("Floodgate webhook URLs");
			List<String> urls = Binder.get(context.getEnvironment())
				.bind(PROPERTY, Bindable.listOf(String.class))
				.orElse(List.of());
			if (urls.stream().anyMatch((url) -> url != null && !url.isBlank())) {
				return ConditionOutcome.match(message.found("property").items(PROPERTY));
			}
			return ConditionOutcome.noMatch(message.didNotFind("property").items(PROPERTY));
		}

	}

}
