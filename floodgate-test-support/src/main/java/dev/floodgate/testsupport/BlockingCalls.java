package dev.floodgate.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Every blocking call BlockHound finds on a non-blocking thread, recorded as well as thrown:
 * thrown, it surfaces as the request's 500 (or nowhere, when a library swallows it); recorded,
 * it fails the test that caused it. Loaded by BlockHound ({@code META-INF/services}) when it
 * installs; as a JUnit extension ({@code @ExtendWith(BlockingCalls.class)}), it fails a test
 * after which any blocking call was found.
 */
public final class BlockingCalls implements BlockHoundIntegration, BeforeEachCallback, AfterEachCallback {

	private static final List<String> found = new CopyOnWriteArrayList<>();

	@Override
	public void applyTo(BlockHound.Builder builder) {
		builder.blockingMethodCallback((method) -> {
			BlockingOperationError error = new BlockingOperationError(method);
			StringBuilder where = new StringBuilder(method.toString()).append(" on ")
				.append(Thread.currentThread().getName());
			StackTraceElement[] stack = new Throwable().getStackTrace();
			for (int i = 0; i < Math.min(stack.length, 40); i++) {
				where.append("\n\tat ").append(stack[i]);
			}
			found.add(where.toString());
			throw error;
		});
	}

	/**
	 * The canary: a blocking call on a non-blocking thread must be refused and recorded, or
	 * "BlockHound found nothing" proves nothing.
	 * @throws AssertionError when BlockHound is not installed or this integration not loaded
	 */
	public static void assertInstalled() {
		clear();
		Throwable refused = null;
		try {
			Mono.fromCallable(() -> {
				Thread.sleep(1);
				return "slept";
			}).subscribeOn(Schedulers.parallel()).block(Duration.ofSeconds(5));
		}
		catch (RuntimeException ex) {
			refused = Exceptions.unwrap(ex);
		}
		List<String> calls = found();
		clear();
		if (!(refused instanceof BlockingOperationError)) {
			throw new AssertionError("BlockHound let Thread.sleep run on a parallel() thread: it is not installed",
					refused);
		}
		if (calls.size() != 1 || !calls.get(0).contains("Thread.sleep")) {
			throw new AssertionError("BlockHound refused Thread.sleep, but BlockingCalls recorded " + calls);
		}
	}

	/**
	 * The blocking calls found since the last {@link #clear()}.
	 * @return what was found, with where
	 */
	public static List<String> found() {
		return List.copyOf(found);
	}

	/** Forgets the calls found so far. */
	public static void clear() {
		found.clear();
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		clear();
	}

	@Override
	public void afterEach(ExtensionContext context) {
		List<String> calls = found();
		clear();
		if (!calls.isEmpty()) {
			throw new AssertionError("BlockHound found " + calls.size() + " blocking call(s) on non-blocking threads:\n"
					+ String.join("\n", calls));
		}
	}

}
