package dev.floodgate.benchmarks;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.memory.InMemoryClientRecords;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.util.Multiset;
import org.openjdk.jol.vm.VM;

/**
 * Measures the heap the in-memory store retains per tracked client, and that
 * {@code floodgate.store.memory.max-clients} bounds it:
 * <ol>
 * <li>fills a store bounded at 1,000,000 clients with 1,000,000 distinct IPv4 clients, one
 * request each under the default limit policy ({@code 50/minute}), and reports the store's
 * retained size per client two ways: JOL's walk of the object graph
 * ({@code GraphLayout.parseInstance(store).totalSize()}, the store's own objects and nothing
 * else) and the used-heap delta after {@code System.gc()};</li>
 * <li>fills a store bounded at 100,000 ({@code max-clients}' default) with the same
 * 1,000,000 clients and reports how many it tracks after {@code cleanUp()} and what it
 * retains.</li>
 * </ol>
 * Time stands still (a fixed clock), so nothing expires while it measures.
 * <p>
 * Run: {@code java -Xmx4g -cp benchmarks/target/benchmarks.jar dev.floodgate.benchmarks.MemoryPerClient}
 * (JOL's walk of a million clients' graph needs about 2 GB besides the store; arguments:
 * the number of clients, then the bound, defaults {@code 1000000 100000}).
 */
public final class MemoryPerClient {

	private static final String DEFAULT_LIMIT = "50/minute";

	private MemoryPerClient() {
	}

	public static void main(String[] args) {
		// Caffeine holds lambdas (hidden classes), whose field offsets JOL finds only this way
		if (System.getProperty("jol.magicFieldOffset") == null) {
			System.setProperty("jol.magicFieldOffset", "true");
		}
		int clients = (args.length > 0) ? Integer.parseInt(args[0]) : 1_000_000;
		int bound = (args.length > 1) ? Integer.parseInt(args[1]) : 100_000;
		PrintStream out = System.out;
		out.println("# Floodgate in-memory store: heap per tracked client");
		out.println("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
				+ ", max heap " + mib(Runtime.getRuntime().maxMemory()));
		out.println(VM.current().details().lines().filter((line) -> !line.startsWith("#")).reduce((a, b) -> a + "\n" + b)
			.orElse(""));
		out.println("Default limit policy: " + DEFAULT_LIMIT + "; clients: " + clients + " distinct IPv4 keys");
		out.println();

		Clock clock = Clock.fixed(Instant.now(), ZoneOffset.UTC);
		RatePolicy policy = Baselines.floodgatePolicy(DEFAULT_LIMIT);

		out.println("## 1. max-clients " + clients + ", " + clients + " clients");
		long before = usedHeapAfterGc();
		InMemoryClientRecords storeRecords = new InMemoryClientRecords(Baselines.floodgateRules(), clock, clients);
		ViolationStore store = storeRecords.asStore();
		fill(store, clients, policy);
		storeRecords.cleanUp();
		long after = usedHeapAfterGc();
		long tracked = storeRecords.trackedClients();
		out.println("tracked clients:            " + tracked);
		out.printf("used-heap delta:            %s = %.1f bytes per client%n", mib(after - before),
				(after - before) / (double) tracked);
		GraphLayout layout = GraphLayout.parseInstance(store);
		long retained = layout.totalSize();
		out.printf("JOL retained size of store: %s = %.1f bytes per client%n", mib(retained),
				retained / (double) tracked);
		out.println();
		out.println("Where it goes (JOL footprint, classes above 1% of the total):");
		printFootprint(out, layout, retained, tracked);
		layout = null;
		store = null;
		out.println();

		out.println("## 2. max-clients " + bound + ", " + clients + " clients");
		before = usedHeapAfterGc();
		InMemoryClientRecords boundedRecords = new InMemoryClientRecords(Baselines.floodgateRules(), clock, bound);
		ViolationStore bounded = boundedRecords.asStore();
		fill(bounded, clients, policy);
		boundedRecords.cleanUp();
		after = usedHeapAfterGc();
		long boundedTracked = boundedRecords.trackedClients();
		long boundedRetained = GraphLayout.parseInstance(bounded).totalSize();
		out.println("tracked clients after cleanUp(): " + boundedTracked + " (bound " + bound + ")");
		out.printf("used-heap delta:                  %s%n", mib(after - before));
		out.printf("JOL retained size of store:       %s = %.1f bytes per tracked client%n", mib(boundedRetained),
				boundedRetained / (double) boundedTracked);
		out.println((boundedTracked <= bound) ? "max-clients bounds the store: yes" : "max-clients bounds the store: NO");
	}

	private static void fill(ViolationStore store, int clients, RatePolicy policy) {
		for (int i = 0; i < clients; i++) {
			if (store.decide(ClientKeys.ipv4At(i), policy).outcome() != Outcome.ALLOWED) {
				throw new IllegalStateException("The first request of a client was rejected");
			}
		}
	}

	private static void printFootprint(PrintStream out, GraphLayout layout, long total, long clients) {
		Multiset<Class<?>> sizes = layout.getClassSizes();
		Multiset<Class<?>> counts = layout.getClassCounts();
		List<Class<?>> types = new ArrayList<>(layout.getClasses());
		types.sort(Comparator.comparingLong((Class<?> type) -> sizes.count(type)).reversed());
		for (Class<?> type : types) {
			long size = sizes.count(type);
			if (size * 100 >= total) {
				out.printf("  %,14d bytes %,10d objects %7.1f bytes/client  %s%n", size, counts.count(type),
						size / (double) clients, type.getName());
			}
		}
	}

	/** The heap in use after a few full collections (the least seen). */
	static long usedHeapAfterGc() {
		Runtime runtime = Runtime.getRuntime();
		long used = Long.MAX_VALUE;
		for (int i = 0; i < 5; i++) {
			System.gc();
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
		}
		return used;
	}

	static String mib(long bytes) {
		return String.format("%,.1f MiB", bytes / (1024.0 * 1024.0));
	}

}
