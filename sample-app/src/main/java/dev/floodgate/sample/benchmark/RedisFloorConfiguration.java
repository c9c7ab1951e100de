package dev.floodgate.sample.benchmark;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * A benchmark instrument, off unless {@code sample.benchmark.redis-floor=true}: the floor that
 * any Redis-backed limiter stands on. Each request makes exactly one minimal script call
 * ({@code INCR} of a per-IP key, {@code PEXPIRE} on its first use) through the application's
 * Spring Data Redis connection factory, on its shared Lettuce connection, as Floodgate's Redis
 * store calls Redis, and nothing else. {@code benchmarks/http.sh --mode floor} runs the sample
 * with it (Floodgate off) beside the sample with Floodgate on Redis: no Redis-backed decision can
 * cost less than this.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("sample.benchmark.redis-floor")
public class RedisFloorConfiguration implements WebMvcConfigurer {

	private static final byte[] SCRIPT = ("local n = redis.call('INCR', KEYS[1]) "
			+ "if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n").getBytes(StandardCharsets.UTF_8);

	private static final byte[][] TTL = { "120000".getBytes(StandardCharsets.UTF_8) };

	private final LettuceConnectionFactory connectionFactory;

	public RedisFloorConfiguration(LettuceConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	@Override
	public void addInterceptors(InterceptorRegistry registry) {
		registry.addInterceptor(new FloorInterceptor(new RedisFloor(this.connectionFactory)));
	}

	/** One script call per request, as the store makes it. */
	static final class RedisFloor {

		private final RedisScriptingAsyncCommands<byte[], byte[]> commands;

		private final String sha;

		@SuppressWarnings("unchecked")
		RedisFloor(LettuceConnectionFactory connectionFactory) {
			try (RedisConnection connection = connectionFactory.getConnection()) {
				this.sha = connection.scriptingCommands().scriptLoad(SCRIPT);
				this.commands = (RedisScriptingAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
			}
		}

		long increment(String client) {
			byte[][] key = { ("floor:{" + client + "}").getBytes(StandardCharsets.UTF_8) };
			try {
				return this.commands.<Long>evalsha(this.sha, ScriptOutputType.INTEGER, key, TTL)
					.get(500, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			catch (ExecutionException | TimeoutException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	private record FloorInterceptor(RedisFloor floor) implements HandlerInterceptor {

		@Override
		public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
			return this.floor.increment(request.getRemoteAddr()) > 0;
		}

	}

}
