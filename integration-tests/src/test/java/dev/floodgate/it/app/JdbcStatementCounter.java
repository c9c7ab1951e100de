package dev.floodgate.it.app;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Counts the statements the application prepares on its {@link DataSource}'s connections,
 * but for the cleaner's deletes of expired rows, which run on a timer of their own.
 */
@Configuration(proxyBeanMethods = false)
public class JdbcStatementCounter {

	/** Statements prepared by every application in this JVM since it started. */
	public static final AtomicLong STATEMENTS = new AtomicLong();

	@Bean
	static BeanPostProcessor floodgateTestStatementCounter() {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (bean instanceof DataSource dataSource) {
					return proxy(DataSource.class, dataSource, (target, method, arguments) -> {
						Object result = method.invoke(target, arguments);
						return (result instanceof Connection connection)
								? proxy(Connection.class, connection, JdbcStatementCounter::countStatements) : result;
					});
				}
				return bean;
			}
		};
	}

	private static Object countStatements(Object connection, Method method, Object[] arguments) throws Throwable {
		String name = method.getName();
		if ((name.equals("prepareStatement") || name.equals("prepareCall") || name.equals("createStatement"))
				&& !(arguments != null && arguments.length > 0 && arguments[0] instanceof String sql
						&& sql.stripLeading().startsWith("DELETE"))) {
			STATEMENTS.incrementAndGet();
		}
		return method.invoke(connection, arguments);
	}

	@SuppressWarnings("unchecked")
	private static <T> T proxy(Class<T> type, T target, Handler handler) {
		InvocationHandler invocation = (proxy, method, arguments) -> {
			try {
				return handler.handle(target, method, arguments);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
		};
		return (T) Proxy.newProxyInstance(JdbcStatementCounter.class.getClassLoader(), new Class<?>[] { type },
				invocation);
	}

	private interface Handler {

		Object handle(Object target, Method method, Object[] arguments) throws Throwable;

	}

}
