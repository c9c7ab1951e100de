package dev.floodgate.benchmarks;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import dev.floodgate.core.Outcome;
import dev.floodgate.core.RatePolicy;
import dev.floodgate.core.net.IpAddress;
import dev.floodgate.store.ViolationStore;
import dev.floodgate.store.memory.InMemoryClientRecords;

/**
 * The heap the in-memory store holds after 1,000,000 distinct clients, half IPv4 and half IPv6
 * (each in its own /64, keyed as the interceptor keys them), with some of them restricted: every
 * 100th client sends 53 requests under {@code 50/minute} (3 violations: blocked, as the default
 * {@code floodgate.block.*} rules say), every 1000th is banned permanently (as
 * {@code POST /actuator/floodgate/{client}} does); the others send one request each. Reports the
 * used heap after {@code System.gc()} (the least of five), with the store bounded at 100,000
 * clients ({@code floodgate.store.memory.max-clients}' default) and at 1,000,000. Time stands
 * still (a fixed clock), so nothing expires while it measures.
 * <p>
 * Run (RELIABILITY.md):
 * {@code java -Xmx1g -cp benchmarks/target/benchmarks.jar dev.floodgate.benchmarks.MemoryWithRestrictedClients}
 * (arguments: the number of clients, then the bounds, defaults {@code 1000000 100000 1000000}).
 */
public final class MemoryWithRestrictedClients {

	private static final String DEFAULT_LIMIT = "50/minute";

	private MemoryWithRestrictedClients() {
	}

	public static void main(String[] args) {
		int clients = (args.length > 0) ? Integer.parseInt(args[0]) : 1_000_000;
		long[] bounds = { 100_000, 1_000_000 };
		if (args.length > 1) {
			bounds = new long[args.length - 1];
			for (int i = 1; i < args.length; i++) {
				bounds[i - 1] = Long.parseLong(args[i]);
			}
		}
		PrintStream out = System.out;
		out.println("# Floodgate in-memory store: heap after " + clients + " distinct clients, some restricted");
		out.println("JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
				+ ", max heap " + MemoryPerClient.mib(Runtime.getRuntime().maxMemory()));
		out.println("Default limit policy " + DEFAULT_LIMIT + "; even clients IPv4 (10.a.b.c), odd ones IPv6"
				+ " (2001:db8:x:y::1, key 2001:db8:x:y::/64); every 100th blocked by 53 requests, every 1000th banned");
		Clock clock = Clock.fixed(Instant.now(), ZoneOffset.UTC);
		RatePolicy policy = Baselines.floodgatePolicy(DEFAULT_LIMIT);
		for (long bound : bounds) {
			long before = MemoryPerClient.usedHeapAfterGc();
			InMemoryClientRecords storeRecords = new InMemoryClientRecords(Baselines.floodgateRules(), clock, bound);
		ViolationStore store = storeRecords.asStore();
			long blocked = 0;
			long banned = 0;
			for (int i = 0; i < clients; i++) {
				String client = client(i);
				if (i % 1000 == 999) {
					store.ban(client, null);
					banned++;
				}
				else if (i % 100 == 99) {
					Outcome last = null;
					for (int r = 0; r < 53; r++) {
						last = store.decide(client, policy).outcome();
					}
					if (last == Outcome.BLOCKED) {
						blocked++;
					}
				}
				else {
					store.decide(client, policy);
				}
			}
			storeRecords.cleanUp();
			long after = MemoryPerClient.usedHeapAfterGc();
			out.println();
			out.println("## max-clients " + bound);
			out.println("clients sent: " + clients + " (" + blocked + " blocked by their own requests, " + banned
					+ " banned)");
			out.println("tracked clients after cleanUp(): " + storeRecords.trackedClients());
			out.println("restricted clients listed by the store: " + store.restrictedCount());
			out.printf("used heap after GC, store minus empty heap: %s (%.1f bytes per tracked client)%n",
					MemoryPerClient.mib(after - before), (after - before) / (double) storeRecords.trackedClients());
			store = null;
		}
	}

	private static String client(int i) {
		if (i % 2 == 0) {
			return ClientKeys.ipv4At(i >>> 1);
		}
		int n = i >>> 1;
		IpAddress address = IpAddress.parse("2001:db8:" + Integer.toHexString(n >>> 16) + ":"
				+ Integer.toHexString(n & 0xFFFF) + "::1");
		return address.key(64);
	}

}
