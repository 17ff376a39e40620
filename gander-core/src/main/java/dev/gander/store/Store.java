package dev.gander.store;

import dev.gander.DatabaseBusyException;
import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.NotAGanderDatabaseException;
import dev.gander.ReadOnlyDatabaseException;
import dev.gander.SchemaVersionException;
import dev.gander.spi.GanderProvider;
import dev.gander.sqlite.SqliteOptions;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One SQLite database file, opened for Gander: WAL journal, a busy timeout, foreign keys on, and
 * the Gander schema applied. A Gander opened on PostgreSQL has a store too ({@code
 * gander.store()}), with the differences listed under <em>PostgreSQL</em> below.
 *
 * <h2>Threading</h2>
 *
 * <p>A store is thread-safe and meant to be shared. It owns one writer connection and one writer
 * thread ({@code gander-writer-<file>}). Writes from many threads are <em>group-committed</em>: the
 * writer takes every request that is waiting, runs them one after another inside one {@code BEGIN
 * IMMEDIATE} transaction, each in its own savepoint so that a request that fails rolls back alone,
 * commits once, then returns to every caller. No caller sees success before its data is committed.
 * When the writer is idle a write runs directly on the caller's thread, holding the writer
 * connection, which saves two thread hand-offs.
 *
 * <p>Reads use a small pool of read-only connections and see a consistent snapshot of committed
 * data for the duration of the function.
 *
 * <h2>Nesting</h2>
 *
 * <p>A write function that calls {@link #write}, {@link #writeFlow}, {@link #inTransaction} or
 * {@link #transactionResult} again on the same thread joins the enclosing transaction: the inner
 * work runs at once in a savepoint of its own and commits or rolls back with the outer work. A
 * {@link #read} from inside a write function runs on the writer connection, so it sees the
 * uncommitted writes before it. {@link #writeAsync} and {@link #readAsync} from inside a write
 * function throw {@link IllegalStateException}, because waiting on them there could never finish.
 *
 * <h2>Lifecycle</h2>
 *
 * <p>{@link #close()} stops accepting work, finishes what is queued (bounded by {@link
 * StoreOptions#closeTimeout()}), checkpoints the WAL into the database file, closes every
 * connection and stops every thread the store started. Work not finished by then fails with {@link
 * GanderClosedException}. Once closed, every method but {@link #isClosed()}, {@link #close()} and
 * {@link #path()} throws {@link GanderClosedException}.
 *
 * <h2>PostgreSQL</h2>
 *
 * <p>On a Gander opened with {@code Gander.builder().postgres(...)}, the store runs the
 * application's SQL in PostgreSQL transactions on Gander's connections, with the same methods:
 *
 * <ul>
 *   <li>{@link #write} and {@link #writeFlow} run the function once, in one transaction at the
 *       connection's isolation level (READ COMMITTED unless the pool sets another). A transaction
 *       the server aborts (serialization failure, deadlock: {@link DatabaseBusyException}) or whose
 *       connection breaks is reported, never run again: the function may have done more than write
 *       to the database. (Gander's own writes, pure database work, are rerun.)
 *   <li>{@link #read} runs once in a {@code REPEATABLE READ, READ ONLY} snapshot; a write there
 *       fails with {@link ReadOnlyDatabaseException}.
 *   <li>{@link #writeAsync} and {@link #readAsync} run on the store's own daemon threads ({@code
 *       gander-async-<schema>-N}, started on first use, stopped by {@link #close()}); the future
 *       completes there once the transaction ended and its connection went back to the pool, so a
 *       dependent stage may use the store again. They never throw {@link IllegalStateException}.
 *   <li>Calls do not nest: a call made inside a function runs in a transaction of its own on
 *       another connection. Pass the {@link Transaction} of {@link #inTransaction} to Gander's
 *       operations instead.
 *   <li>There is no file: {@link #path()} throws {@link UnsupportedOperationException}, and {@link
 *       #info()} describes the server and schema, with no {@link StoreInfo#sqlite()}.
 *   <li>{@link #close()} closes the Gander the store belongs to.
 * </ul>
 */
public interface Store extends AutoCloseable {

  /**
   * Opens (creating if needed) the database at {@code path} for reading and writing, and brings its
   * schema up to date.
   *
   * @param path the database file; its directory must exist and be writable
   * @param sqlite how to open and run the file (busy timeout, {@code synchronous}, read pool, the
   *     page size of a new file)
   * @param options how the store runs on every backend (close timeout)
   * @return the open store
   * @throws NotAGanderDatabaseException if the file is not SQLite, or has conflicting tables
   * @throws SchemaVersionException if a newer Gander wrote the file
   * @throws ReadOnlyDatabaseException if the file or its directory cannot be written
   * @throws DatabaseBusyException if another process held the database locked past the timeout
   */
  static Store open(Path path, SqliteOptions sqlite, StoreOptions options) {
    return GanderProvider.find("sqlite").openStore(path, sqlite, options, false);
  }

  /**
   * Opens (creating if needed) the database at {@code path} with SQLite options and the default
   * store options.
   *
   * @param path the database file
   * @param sqlite how to open and run the file
   * @return the open store
   * @see #open(Path, SqliteOptions, StoreOptions)
   */
  static Store open(Path path, SqliteOptions sqlite) {
    return open(path, sqlite, StoreOptions.defaults());
  }

  /**
   * Opens (creating if needed) the database at {@code path} with the default options.
   *
   * @param path the database file
   * @return the open store
   * @see #open(Path, SqliteOptions, StoreOptions)
   */
  static Store open(Path path) {
    return open(path, SqliteOptions.defaults(), StoreOptions.defaults());
  }

  /**
   * Opens an existing Gander database that can never be written through this store: every write
   * method throws {@link ReadOnlyDatabaseException}, and {@link #read} runs on connections opened
   * with SQLite's read-only flag.
   *
   * <p>In a directory this process cannot write, SQLite cannot create the {@code -wal} and {@code
   * -shm} files it reads a WAL database through. The store then opens the file if either both files
   * exist and are readable (a writer has it open, or left them), or the WAL holds nothing (no
   * {@code -wal} file or an empty one, as {@link #close()} leaves it). In the second case the file
   * is read as immutable: nobody can write it while the directory stays read-only, and the store
   * does not see changes made after the directory becomes writable again.
   *
   * @param path an existing Gander database file
   * @return the open store
   * @throws NotAGanderDatabaseException if the file does not exist, is not SQLite, or holds no
   *     Gander schema
   * @throws SchemaVersionException if a newer Gander wrote the file
   * @throws ReadOnlyDatabaseException if the directory is read-only and the {@code -wal} file holds
   *     commits but there is no {@code -shm} file: SQLite cannot read those commits there
   */
  static Store openReadOnly(Path path) {
    return GanderProvider.find("sqlite")
        .openStore(path, SqliteOptions.defaults(), StoreOptions.defaults(), true);
  }

  /**
   * Runs {@code fn} inside a {@code BEGIN IMMEDIATE} transaction on the writer connection and
   * returns its value after the transaction committed.
   *
   * @param fn the work; throwing rolls back only this work
   * @param <T> the value's type
   * @return what {@code fn} returned
   * @throws GanderException the translation of any {@link java.sql.SQLException} thrown by {@code
   *     fn} or by the commit
   * @throws GanderClosedException if the store is closed
   */
  <T extends @Nullable Object> T write(SqlFunction<T> fn);

  /**
   * Like {@link #write}, but {@code fn} decides whether its writes are kept, and returns a value
   * either way.
   *
   * @param fn the work, returning {@link TxOutcome#commit} or {@link TxOutcome#rollback}
   * @param <T> the value's type
   * @return the outcome's value, after the commit or the rollback
   */
  <T extends @Nullable Object> T writeFlow(SqlFunction<TxOutcome<T>> fn);

  /**
   * Runs {@link #write} on the writer thread and completes the future after the commit. The future
   * fails with the same exceptions {@link #write} throws.
   *
   * @param fn the work
   * @param <T> the value's type
   * @return a future of {@code fn}'s value
   * @throws IllegalStateException if called from inside a write function
   */
  <T extends @Nullable Object> CompletableFuture<T> writeAsync(SqlFunction<T> fn);

  /**
   * Runs {@code fn} on a read-only connection inside a read transaction, so every statement in it
   * sees the same committed snapshot.
   *
   * @param fn the work; it cannot write
   * @param <T> the value's type
   * @return what {@code fn} returned
   */
  <T extends @Nullable Object> T read(SqlFunction<T> fn);

  /**
   * Runs {@link #read} on one of the store's reader threads.
   *
   * @param fn the work
   * @param <T> the value's type
   * @return a future of {@code fn}'s value
   * @throws IllegalStateException if called from inside a write function
   */
  <T extends @Nullable Object> CompletableFuture<T> readAsync(SqlFunction<T> fn);

  /**
   * Runs business writes and Gander operations atomically: everything done through {@code tx}
   * commits when {@code work} returns and is rolled back if it throws.
   *
   * @param work the work
   * @throws GanderException if the work or the commit failed; nothing of it was kept
   */
  void inTransaction(TransactionalRunnable work);

  /**
   * Like {@link #inTransaction(TransactionalRunnable)}, returning the work's value after commit.
   *
   * @param work the work
   * @param <T> the value's type
   * @return what {@code work} returned
   */
  <T extends @Nullable Object> T transactionResult(TransactionalCallable<T> work);

  /**
   * Reads what the database looks like now: backend, location, schema version, size on disk, and on
   * SQLite the file's journal mode and page size ({@link StoreInfo#sqlite()}).
   *
   * @return the description
   */
  StoreInfo info();

  /**
   * The database file.
   *
   * @return its absolute, normalised path (the path given to {@code open}, resolved)
   * @throws UnsupportedOperationException on PostgreSQL, which has no file
   */
  Path path();

  /**
   * Whether {@link #close()} has been called.
   *
   * @return {@code true} once closing has begun
   */
  boolean isClosed();

  /**
   * Closes the store: stops accepting work, finishes what is queued, checkpoints the WAL, closes
   * every connection and stops every thread. Idempotent. An interrupt does not cut it short: it
   * still waits (bounded by {@link StoreOptions#closeTimeout()}) and returns with the thread's
   * interrupt flag set.
   */
  @Override
  void close();
}
