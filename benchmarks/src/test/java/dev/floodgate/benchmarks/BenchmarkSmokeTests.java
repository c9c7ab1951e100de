package dev.floodgate.benchmarks;

import java.util.Collection;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves that every benchmark compiles and runs: one measurement iteration of 100 ms per
 * benchmark and parameter, in this JVM, without warm-up. The figures mean nothing; the
 * benchmarks themselves are run by hand (see benchmarks/README.md).
 */
class BenchmarkSmokeTests {

	@Test
	void inMemoryDecisionBenchmarkRuns() throws RunnerException {
		assertRuns(InMemoryDecisionBenchmark.class, 3);
	}

	@Test
	void redisDecisionBenchmarkRuns() throws RunnerException {
		assertRuns(RedisDecisionBenchmark.class, 3);
	}

	private static void assertRuns(Class<?> benchmark, int methods) throws RunnerException {
		Options options = new OptionsBuilder().include(benchmark.getName() + "\\.")
			.forks(0)
			.warmupIterations(0)
			.measurementIterations(1)
			.measurementTime(TimeValue.milliseconds(100))
			.threads(1)
			// one hot client and many; fewer than the real run's 100000, to stay quick
			.param("clients", "1", "1000")
			.shouldFailOnError(true)
			.verbosity(VerboseMode.SILENT)
			.build();
		Collection<RunResult> results = new Runner(options).run();
		assertThat(results).hasSize(methods * 2);
		for (RunResult result : results) {
			assertThat(result.getPrimaryResult().getScore()).as(result.getParams().id()).isPositive();
		}
	}

}
