/**
 * The SQLite store under every Gander capability, usable directly as an escape hatch for raw SQL.
 *
 * <p>A {@link dev.gander.store.Store} owns one writer connection, driven by one writer thread that
 * group-commits concurrent writes, and a small pool of read-only connections. See {@link
 * dev.gander.store.Store} for the threading contract.
 */
@NullMarked
package dev.gander.store;

import org.jspecify.annotations.NullMarked;
