package dev.gander.internal.postgres;

import dev.gander.GanderClosedException;
import dev.gander.store.SqlFunction;
import dev.gander.store.Store;
import dev.gander.store.StoreInfo;
import dev.gander.store.TransactionalCallable;
import dev.gander.store.TransactionalRunnable;
import dev.gander.store.TxOutcome;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Store} of a Gander on PostgreSQL: the application's own SQL in transactions on
 * Gander's connections.
 *
 * <p>{@link #write} and {@link #writeFlow} run the function once in one transaction at the
 * connection's isolation level (READ COMMITTED unless configured): unlike Gander's own writes,
 * which are pure database work, an application's function may have effects outside the database, so
 * a conflict (serialization failure, deadlock) or a broken connection is reported, never run again.
 * {@link #read} runs once in a {@code REPEATABLE READ, READ ONLY} snapshot. {@link #writeAsync} and
 * {@link #readAsync} run on the store's own threads ({@link PgAsync}). A nested call does not join
 * the enclosing transaction: it runs in a transaction of its own on another connection (pass the
 * {@link dev.gander.store.Transaction} instead, to Gander operations). There is no file: {@link
 * #path()} throws {@link UnsupportedOperationException}; {@link #info()} describes the server and
 * schema.
 *
 * <p>Thread-safe. Owned by its {@link PgBackend}: {@link #close()} closes the backend.
 */
final class PgStore implements Store {
  private final PgTxRunner runner;
  private final PgSchema schema;
  private final String location;
  private final PgAsync async;
  private final Runnable closeBackend;
  private volatile boolean closed;

  /**
   * Creates the store; starts no thread.
   *
   * @param runner the backend's transactions
   * @param schema the schema of Gander's tables, which also names the async threads
   * @param location what {@link #info()} reports as the location: the URL without credentials and
   *     the schema
   * @param asyncThreads the most async threads
   * @param closeBackend closes the backend that owns this store
   */
  PgStore(
      PgTxRunner runner,
      PgSchema schema,
      String location,
      int asyncThreads,
      Runnable closeBackend) {
    this.runner = runner;
    this.schema = schema;
    this.location = location;
    this.async =
        new PgAsync("gander-async-" + schema.name(), asyncThreads, runner::closedException);
    this.closeBackend = closeBackend;
  }

  // ---------------------------------------------------------------- writes

  @Override
  public <T extends @Nullable Object> T write(SqlFunction<T> fn) {
    Objects.requireNonNull(fn, "fn");
    checkOpen();
    return doWrite(fn);
  }

  private <T extends @Nullable Object> T doWrite(SqlFunction<T> fn) {
    return runner.inTransaction(t -> fn.apply(t.connection()));
  }

  @Override
  public <T extends @Nullable Object> T writeFlow(SqlFunction<TxOutcome<T>> fn) {
    Objects.requireNonNull(fn, "fn");
    checkOpen();
    return runner.inTransactionFlow(
        t ->
            Objects.requireNonNull(
                fn.apply(t.connection()),
                "The writeFlow function returned null: return TxOutcome.commit(value) or"
                    + " TxOutcome.rollback(value)"));
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> writeAsync(SqlFunction<T> fn) {
    Objects.requireNonNull(fn, "fn");
    checkOpen();
    return async.submit(() -> doWrite(fn));
  }

  @Override
  public void inTransaction(TransactionalRunnable work) {
    Objects.requireNonNull(work, "work");
    checkOpen();
    runner.inTransaction(
        t -> {
          work.run(t);
          return null;
        });
  }

  @Override
  public <T extends @Nullable Object> T transactionResult(TransactionalCallable<T> work) {
    Objects.requireNonNull(work, "work");
    checkOpen();
    return runner.inTransaction(work);
  }

  // ----------------------------------------------------------------- reads

  @Override
  public <T extends @Nullable Object> T read(SqlFunction<T> fn) {
    Objects.requireNonNull(fn, "fn");
    checkOpen();
    return doRead(fn);
  }

  private <T extends @Nullable Object> T doRead(SqlFunction<T> fn) {
    return runner.readOnce(
        tx -> {
          PgGuardedConnection guarded = PgGuardedConnection.of(tx.connection());
          try {
            return fn.apply(guarded.connection());
          } finally {
            guarded.closeStatements();
          }
        });
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> readAsync(SqlFunction<T> fn) {
    Objects.requireNonNull(fn, "fn");
    checkOpen();
    return async.submit(() -> doRead(fn));
  }

  // ------------------------------------------------------------- the file

  /**
   * Describes the server and schema: backend {@code postgresql}, the URL without credentials and
   * the schema as location, the recorded schema version, and the size of Gander's tables. There are
   * no SQLite facts.
   */
  @Override
  public StoreInfo info() {
    checkOpen();
    return runner.runRead(
        tx -> PgStoreInfo.read(tx.connection(), schema, location, runner.errors().where()));
  }

  @Override
  public Path path() {
    checkOpen();
    throw new UnsupportedOperationException(
        "Gander on PostgreSQL has no database file: Store.path() exists for SQLite only. The"
            + " database is the server and schema Gander was opened with.");
  }

  // ------------------------------------------------------------- lifecycle

  @Override
  public boolean isClosed() {
    return closed || runner.isClosed();
  }

  private void checkOpen() {
    if (isClosed()) {
      throw closedException();
    }
  }

  private GanderClosedException closedException() {
    return runner.closedException();
  }

  /**
   * Stops accepting work and runs the async work already submitted, bounded by {@code
   * timeoutNanos}; called by the backend's close before it closes the runner.
   *
   * @param timeoutNanos the longest wait
   */
  void shutdown(long timeoutNanos) {
    closed = true;
    async.shutdown(timeoutNanos);
  }

  /** Closes the Gander database this store belongs to (the whole backend). Idempotent. */
  @Override
  public void close() {
    closeBackend.run();
  }

  @Override
  public String toString() {
    return "Store[" + runner.errors().where() + "]";
  }
}
