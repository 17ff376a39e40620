/**
 * The SQLite backend, in parts with one job each.
 *
 * <ul>
 *   <li>{@link dev.gander.internal.sqlite.SqliteStore}: the facade, the public {@code Store} and
 *       the SPI's transaction runner over the parts below.
 *   <li>{@link dev.gander.internal.sqlite.SqliteOpener}: file checks, read-only access, connection
 *       settings, the switch to WAL, migrations ({@link dev.gander.internal.sqlite.Migrations},
 *       scripts in {@code migrations/}).
 *   <li>{@link dev.gander.internal.sqlite.GroupCommitWriter}: the writer connection and thread,
 *       group commit and its fast path, one {@link dev.gander.internal.sqlite.WriteRequest} per
 *       caller.
 *   <li>{@link dev.gander.internal.sqlite.ReaderPool}: the read connections.
 *   <li>{@link dev.gander.internal.sqlite.SqliteTx}: one connection's transaction (statements
 *       prepared once, after-commit hooks, nested savepoints), and {@link
 *       dev.gander.internal.sqlite.TransactionImpl}, the caller's view of it.
 *   <li>{@link dev.gander.internal.sqlite.CommitWatcher}: notices other processes' commits; never
 *       opens or closes the database's files.
 *   <li>{@link dev.gander.internal.sqlite.WalCheckpointer}: checkpoints the WAL on a thread of its
 *       own, so that no commit runs one.
 * </ul>
 *
 * Nothing here depends on the queue code; capability logic reaches it through {@code
 * dev.gander.internal.spi}.
 */
@NullMarked
package dev.gander.internal.sqlite;

import org.jspecify.annotations.NullMarked;
