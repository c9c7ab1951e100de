/**
 * The MongoDB store: one document per client, one atomic update per admitted request.
 */
@NullMarked
package dev.floodgate.store.mongo;

import org.jspecify.annotations.NullMarked;
