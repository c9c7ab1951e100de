package dev.floodgate.autoconfigure;

import dev.floodgate.core.InvalidFloodgateSettingException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link InvalidFloodgateSettingException} in the console at start-up.
 */
class InvalidFloodgateSettingFailureAnalyzer extends AbstractFailureAnalyzer<InvalidFloodgateSettingException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidFloodgateSettingException cause) {
		if (cause instanceof StoreChosenAtBuildTimeException chosen) {
			return new FailureAnalysis(String.format("Floodgate cannot start: %s is '%s', but the store was chosen when "
					+ "the application was built.%n%nReason: %s", cause.getSource(), cause.getValue(), cause.getReason()),
					chosen.getAction(), cause);
		}
		String description = String.format("Floodgate cannot start: %s has the invalid value '%s'.%n%nReason: %s",
				cause.getSource(), cause.getValue(), cause.getReason());
		String action = cause.getSource().startsWith("@")
				? "Correct the annotation " + cause.getSource() + " (limits look like '5/minute', '10/30s' or '5/second;100/hour')."
				: "Correct '" + cause.getSource() + "' in your configuration (application.yml, application.properties or the environment).";
		return new FailureAnalysis(description, action, cause);
	}

}
