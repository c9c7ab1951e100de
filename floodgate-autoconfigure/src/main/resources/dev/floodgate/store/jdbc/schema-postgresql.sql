-- Floodgate's JDBC store on PostgreSQL: one row per client. Times are epoch milliseconds.
-- The table name floodgate_clients is replaced by floodgate.store.jdbc.table when this script runs.
CREATE TABLE IF NOT EXISTS floodgate_clients (
	client VARCHAR(512) NOT NULL PRIMARY KEY,
	-- per limit, "policy|window" -> [window index, previous window's count, current window's count]
	counters JSONB NOT NULL DEFAULT '{}',
	counters_until BIGINT NOT NULL DEFAULT 0,
	violation_times BIGINT[] NOT NULL DEFAULT '{}',
	ban_violation_times BIGINT[] NOT NULL DEFAULT '{}',
	block_number INTEGER NOT NULL DEFAULT 0,
	blocked_at BIGINT NOT NULL DEFAULT 0,
	blocked_until BIGINT NOT NULL DEFAULT 0,
	block_length BIGINT NOT NULL DEFAULT 0,
	banned_at BIGINT NOT NULL DEFAULT 0,
	-- 9223372036854775807 for a permanent ban
	banned_until BIGINT NOT NULL DEFAULT 0,
	ver BIGINT NOT NULL DEFAULT 0,
	-- when nothing in the row matters any more: read as absent from then, deleted in batches
	expires_at BIGINT NOT NULL
) WITH (fillfactor = 80);
CREATE INDEX IF NOT EXISTS floodgate_clients_blocked_until ON floodgate_clients (blocked_until) WHERE blocked_until > 0;
CREATE INDEX IF NOT EXISTS floodgate_clients_banned_until ON floodgate_clients (banned_until) WHERE banned_until > 0;
CREATE INDEX IF NOT EXISTS floodgate_clients_expires_at ON floodgate_clients (expires_at);
