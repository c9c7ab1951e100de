package dev.floodgate.testsupport;

import java.util.ArrayList;
import java.util.List;

/**
 * A Redis Cluster of three masters on free loopback ports, started and stopped by a test.
 */
public final class RedisCluster implements AutoCloseable {

	private static final int SLOTS = 16384;

	private final List<RedisServer> nodes = new ArrayList<>();

	private RedisCluster() {
	}

	/**
	 * Starts three masters, assigns each a third of the slots and waits for the cluster.
	 * @return the running cluster
	 */
	public static RedisCluster start() {
		RedisCluster cluster = new RedisCluster();
		try {
			for (int i = 0; i < 3; i++) {
				cluster.nodes.add(RedisServer.start(RedisServer.freePort(), true));
			}
			for (int i = 0; i < 3; i++) {
				List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
				for (int slot = i * SLOTS / 3; slot < (i + 1) * SLOTS / 3; slot++) {
					command.add(Integer.toString(slot));
				}
				cluster.nodes.get(i).command(command.toArray(new String[0]));
			}
			RedisServer first = cluster.nodes.get(0);
			for (int i = 1; i < 3; i++) {
				first.command("CLUSTER", "MEET", "127.0.0.1", Integer.toString(cluster.nodes.get(i).port()));
			}
			cluster.awaitOk();
			return cluster;
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
	}

	/**
	 * The nodes.
	 * @return the three masters
	 */
	public List<RedisServer> nodes() {
		return List.copyOf(this.nodes);
	}

	/**
	 * The nodes as {@code host:port}, for {@code spring.data.redis.cluster.nodes}.
	 * @return the node addresses
	 */
	public List<String> addresses() {
		return this.nodes.stream().map((node) -> "127.0.0.1:" + node.port()).toList();
	}

	/**
	 * The total calls of a command over every node.
	 * @param command the command, lower case
	 * @return the calls
	 */
	public long calls(String command) {
		return this.nodes.stream().mapToLong((node) -> node.calls(command)).sum();
	}

	private void awaitOk() {
		long deadline = System.nanoTime() + 30_000_000_000L;
		while (System.nanoTime() < deadline) {
			boolean ok = true;
			for (RedisServer node : this.nodes) {
				String info = node.command("CLUSTER", "INFO");
				ok &= info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3");
			}
			if (ok) {
				return;
			}
			RedisServer.pause(100);
		}
		throw new IllegalStateException("The cluster did not become ready");
	}

	@Override
	public void close() {
		this.nodes.forEach(RedisServer::close);
	}

}
