package dev.floodgate.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import dev.floodgate.web.RateLimitInterceptor;
import dev.floodgate.web.RestrictionInterceptor;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.handler.MappedInterceptor;

/**
 * The management context of its own that {@code management.server.port} starts: every path
 * there is the actuator's, so deny-listed, banned and blocked clients are refused on all of
 * them but health (the health endpoint and the health groups' {@code management:} additional
 * paths). Nothing is limited there. The application context's interceptors, registered
 * through a {@code WebMvcConfigurer}, do not reach the actuator's handler mapping; a
 * {@link MappedInterceptor} bean does.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ DispatcherServlet.class, MappedInterceptor.class })
@ConditionalOnBean(RateLimitInterceptor.class)
public final class FloodgateManagementContextConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "floodgateManagementRestrictionInterceptor")
	MappedInterceptor floodgateManagementRestrictionInterceptor(RateLimitInterceptor interceptor,
			Environment environment, ListableBeanFactory beanFactory) {
		List<String> health = new ArrayList<>();
		for (String path : ManagementPaths.managementServerHealthPaths(environment, beanFactory)) {
			health.add(path);
			health.add(path + "/**");
		}
		return new MappedInterceptor(new String[] { "/**" }, health.toArray(new String[0]),
				new RestrictionInterceptor(interceptor));
	}

}
