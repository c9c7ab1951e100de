package dev.floodgate.store.jdbc;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Deletes a {@link JdbcClientRecords}' expired rows on a thread of its own, periodically, in
 * bounded batches: at most {@code batches} statements of at most {@code batchSize} rows per
 * run, so that a backlog is worked off over several runs and no run holds many locks.
 */
public final class ExpiredRecordsCleaner implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(ExpiredRecordsCleaner.class);

	private final JdbcClientRecords records;

	private final Duration interval;

	private final int batchSize;

	private final int batches;

	private volatile boolean warned;

	private @Nullable ScheduledExecutorService executor;

	/**
	 * Creates a cleaner.
	 * @param records the records whose expired rows it deletes
	 * @param interval the time between two runs
	 * @param batchSize the most rows one statement deletes
	 * @param batches the most statements one run makes
	 */
	public ExpiredRecordsCleaner(JdbcClientRecords records, Duration interval, int batchSize, int batches) {
		this.records = records;
		this.interval = interval;
		this.batchSize = batchSize;
		this.batches = batches;
	}

	/**
	 * Starts the periodic runs, the first one interval from now.
	 */
	public synchronized void start() {
		if (this.executor == null) {
			ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((runnable) -> {
				Thread thread = new Thread(runnable, "floodgate-jdbc-cleaner");
				thread.setDaemon(true);
				return thread;
			});
			long millis = Math.max(1, this.interval.toMillis());
			executor.scheduleWithFixedDelay(this::runOnce, millis, millis, TimeUnit.MILLISECONDS);
			this.executor = executor;
		}
	}

	/**
	 * One run: deletes expired rows until fewer than a batch were left, or the run made its
	 * most statements.
	 * @return how many rows it deleted
	 */
	public int runOnce() {
		int deleted = 0;
		try {
			for (int i = 0; i < this.batches; i++) {
				int batch = this.records.deleteExpired(this.batchSize);
				deleted += batch;
				if (batch < this.batchSize) {
					break;
				}
			}
			this.warned = false;
		}
		catch (RuntimeException ex) {
			if (!this.warned) {
				this.warned = true;
				logger.warn("Floodgate could not delete expired rows of table '" + this.records.table()
						+ "' (it tries again every " + this.interval + "): " + ex.getMessage());
			}
		}
		return deleted;
	}

	@Override
	public synchronized void close() {
		if (this.executor != null) {
			this.executor.shutdownNow();
			this.executor = null;
		}
	}

}
