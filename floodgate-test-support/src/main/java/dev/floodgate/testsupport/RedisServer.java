package dev.floodgate.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} process on a free loopback port, started and stopped by a test:
 * Debian's {@code redis-server} when it is on the PATH (or the binary named by
 * {@code FLOODGATE_REDIS_SERVER}), otherwise the Linux binary the embedded-redis artifact
 * ships.
 */
public final class RedisServer implements AutoCloseable {

	private static final String BUNDLED = "redis-server-6.2.6-v5-linux-amd64";

	private static @Nullable Path binary;

	private final int port;

	private final Path directory;

	private final boolean cluster;

	private @Nullable Process process;

	private RedisServer(int port, boolean cluster) {
		this.port = port;
		this.cluster = cluster;
		try {
			this.directory = Files.createTempDirectory("floodgate-redis-" + port);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Starts a standalone server on a free port.
	 * @return the running server
	 */
	public static RedisServer start() {
		return start(freePort(), false);
	}

	/**
	 * Starts a server on a port.
	 * @param port the port
	 * @param cluster whether cluster mode is enabled
	 * @return the running server
	 */
	public static RedisServer start(int port, boolean cluster) {
		RedisServer server = new RedisServer(port, cluster);
		server.startProcess();
		return server;
	}

	/**
	 * The server's port on 127.0.0.1.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Kills the server as a crash would (SIGKILL), keeping its port for {@link #restart()}.
	 */
	public void kill() {
		Process running = this.process;
		if (running != null) {
			running.destroyForcibly();
			try {
				running.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.process = null;
		}
	}

	/**
	 * Starts the server again on the same port, empty.
	 */
	public void restart() {
		kill();
		startProcess();
	}

	/**
	 * Sends one command and returns the raw reply (for INFO, FLUSHALL and cluster set-up).
	 * @param arguments the command and its arguments
	 * @return the reply text
	 */
	public String command(String... arguments) {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			StringBuilder request = new StringBuilder("*").append(arguments.length).append("\r\n");
			for (String argument : arguments) {
				byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
				request.append('$').append(bytes.length).append("\r\n").append(argument).append("\r\n");
			}
			socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
			socket.getOutputStream().flush();
			return readReply(socket.getInputStream());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * How many times a command was called, from {@code INFO commandstats}.
	 * @param command the command, lower case (e.g. {@code evalsha})
	 * @return the number of calls since start (or the last {@code CONFIG RESETSTAT})
	 */
	public long calls(String command) {
		for (String line : command("INFO", "commandstats").split("\r\n")) {
			if (line.startsWith("cmdstat_" + command + ":calls=")) {
				String calls = line.substring(("cmdstat_" + command + ":calls=").length());
				return Long.parseLong(calls.substring(0, calls.indexOf(',')));
			}
		}
		return 0;
	}

	@Override
	public void close() {
		kill();
	}

	private void startProcess() {
		List<String> command = new ArrayList<>(List.of(binary().toString(), "--port", Integer.toString(this.port),
				"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.directory.toString(),
				"--protected-mode", "no"));
		if (this.cluster) {
			command.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file",
					"nodes-" + this.port + "-" + System.nanoTime() + ".conf", "--cluster-node-timeout", "2000"));
		}
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(this.directory.resolve("redis.log").toFile())
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start " + command, ex);
		}
		awaitPort(Duration.ofSeconds(20));
	}

	private void awaitPort(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			Process running = this.process;
			if (running == null || !running.isAlive()) {
				throw new IllegalStateException("redis-server exited: " + log());
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
				if (command("PING").contains("PONG")) {
					return;
				}
			}
			catch (IOException | UncheckedIOException ex) {
				// not yet
			}
			pause(50);
		}
		throw new IllegalStateException("redis-server did not start on port " + this.port + ": " + log());
	}

	private String log() {
		try {
			return Files.readString(this.directory.resolve("redis.log"));
		}
		catch (IOException ex) {
			return "(no log)";
		}
	}

	static synchronized Path binary() {
		if (binary != null) {
			return binary;
		}
		String configured = System.getenv("FLOODGATE_REDIS_SERVER");
		if (configured != null && !configured.isBlank()) {
			return binary = Path.of(configured);
		}
		for (String directory : System.getenv().getOrDefault("PATH", "/usr/bin:/usr/local/bin").split(":")) {
			Path candidate = Path.of(directory, "redis-server");
			if (Files.isExecutable(candidate)) {
				return binary = candidate;
			}
		}
		try (InputStream in = RedisServer.class.getClassLoader().getResourceAsStream(BUNDLED)) {
			if (in == null) {
				throw new IllegalStateException("No redis-server on the PATH and no bundled " + BUNDLED);
			}
			Path extracted = Files.createTempFile("floodgate-redis-server", "");
			Files.copy(in, extracted, StandardCopyOption.REPLACE_EXISTING);
			extracted.toFile().setExecutable(true);
			extracted.toFile().deleteOnExit();
			return binary = extracted;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A free TCP port on loopback.
	 * @return the port
	 */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	static void pause(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String readReply(InputStream in) throws IOException {
		String line = readLine(in);
		char type = line.charAt(0);
		switch (type) {
			case '+', '-', ':' -> {
				return line.substring(1);
			}
			case '$' -> {
				int length = Integer.parseInt(line.substring(1));
				if (length < 0) {
					return "";
				}
				byte[] bytes = in.readNBytes(length + 2);
				return new String(bytes, 0, length, StandardCharsets.UTF_8);
			}
			case '*' -> {
				int count = Integer.parseInt(line.substring(1));
				StringBuilder all = new StringBuilder();
				for (int i = 0; i < count; i++) {
					all.append(readReply(in)).append('\n');
				}
				return all.toString();
			}
			default -> throw new IOException("Unexpected reply " + line);
		}
	}

	private static String readLine(InputStream in) throws IOException {
		StringBuilder line = new StringBuilder();
		int c;
		while ((c = in.read()) != -1) {
			if (c == '\r') {
				in.read();
				break;
			}
			line.append((char) c);
		}
		return line.toString();
	}

}
