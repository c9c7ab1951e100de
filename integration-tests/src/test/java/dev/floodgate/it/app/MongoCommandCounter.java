package dev.floodgate.it.app;

import java.util.concurrent.atomic.AtomicLong;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;

import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Counts the commands the application's MongoDB driver sends, as a driver
 * {@link CommandListener} sees them.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(MongoClientSettingsBuilderCustomizer.class)
public class MongoCommandCounter {

	/** Commands sent by every application in this JVM since it started. */
	public static final AtomicLong COMMANDS = new AtomicLong();

	@Bean
	MongoClientSettingsBuilderCustomizer floodgateTestCommandCounter() {
		return (settings) -> settings.addCommandListener(new CommandListener() {
			@Override
			public void commandStarted(CommandStartedEvent event) {
				COMMANDS.incrementAndGet();
			}
		});
	}

}
