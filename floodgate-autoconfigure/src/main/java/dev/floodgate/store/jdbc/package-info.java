/**
 * The JDBC store (PostgreSQL): one row per client, one {@code INSERT … ON CONFLICT … DO UPDATE}
 * per admitted request.
 */
@NullMarked
package dev.floodgate.store.jdbc;

import org.jspecify.annotations.NullMarked;
