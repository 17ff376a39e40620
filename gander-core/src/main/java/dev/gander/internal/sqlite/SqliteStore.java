package dev.gander.internal.sqlite;

import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.ReadOnlyDatabaseException;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.spi.TxWork;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.store.SqlFunction;
import dev.gander.store.Store;
import dev.gander.store.StoreInfo;
import dev.gander.store.StoreOptions;
import dev.gander.store.Transaction;
import dev.gander.store.TransactionalCallable;
import dev.gander.store.TransactionalRunnable;
import dev.gander.store.TxOutcome;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQLite {@link Store}, and the {@link TxRunner} Gander's own operations run on: a facade over
 * the parts that do the work. {@link SqliteOpener} opens the file, {@link GroupCommitWriter} owns
 * the writer connection and group-commits writes, {@link ReaderPool} runs reads, {@link SqliteTx}
 * is the transaction work is handed. See {@link Store} for the contract and {@code
 * docs/decisions.md} for why it is built this way.
 */
public final class SqliteStore implements Store, TxRunner {
  private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

  /** Commits of this process; written by the committing thread, which holds the writer lock. */
  private volatile long commits;

  private final Path path;
  private final SqliteOptions sqlite;
  private final StoreOptions options;
  private final SqliteErrors errors;
  private final ReaderPool readers;
  private final @Nullable GroupCommitWriter writer;
  private final @Nullable WalCheckpointer checkpointer;
  private final @Nullable ReentrantLock writerLock;
  private final LazyExecutor callbacks;
  private final List<Connection> auxiliary = new ArrayList<>();
  private final Object lifecycle = new Object();
  private volatile boolean closed;

  private SqliteStore(SqliteOpener.Opened opened, SqliteOptions sqlite, StoreOptions options)
      throws SQLException {
    this.path = opened.file();
    this.sqlite = sqlite;
    this.options = options;
    this.errors = new SqliteErrors(path, sqlite.busyTimeout());
    this.readers = opened.readers();
    this.callbacks = new LazyExecutor("gander-callback-" + path.getFileName(), 1);
    Connection w = opened.writer();
    if (w == null) {
      this.checkpointer = null;
      this.writer = null;
      this.writerLock = null;
    } else {
      // Held for every transaction on the writer connection, and by the checkpointer for the
      // moments it must have no write of this process running.
      ReentrantLock writerLock = new ReentrantLock();
      this.writerLock = writerLock;
      WalCheckpointer c =
          new WalCheckpointer(
              path, () -> SqliteOpener.openCheckpointConnection(path, sqlite), writerLock);
      this.checkpointer = c;
      this.writer =
          new GroupCommitWriter(
              path,
              w,
              writerLock,
              errors,
              this::closedException,
              () -> {
                commits++;
                return c.committed();
              });
    }
  }

  /**
   * Copies the WAL into the database file and empties it now, between two writes of this process,
   * on a connection of its own (after a compaction, to give the space back).
   *
   * @return whether it finished; false if readers or another process kept it from it, or the store
   *     is read-only or closed
   */
  public boolean checkpointNow() {
    ReentrantLock lock = writerLock;
    if (lock == null || closed) {
      return false;
    }
    lock.lock();
    try (Connection c = SqliteOpener.openCheckpointConnection(path, sqlite);
        Statement st = c.createStatement()) {
      // A reader's snapshot of a moment may hold it up: wait a little for it, no more.
      st.execute("PRAGMA busy_timeout=200");
      try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        return rs.next() && rs.getInt(1) == 0;
      }
    } catch (SQLException e) {
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Opens a store; see {@link Store#open(Path, SqliteOptions, StoreOptions)} and {@link
   * Store#openReadOnly}.
   *
   * @param path the database file
   * @param sqlite the file's options
   * @param options the options of every backend
   * @param readOnly whether to open without a writer
   * @return the open store
   */
  public static SqliteStore open(
      Path path, SqliteOptions sqlite, StoreOptions options, boolean readOnly) {
    SqliteOpener.Opened opened = SqliteOpener.open(path, sqlite, readOnly);
    try {
      return new SqliteStore(opened, sqlite, options);
    } catch (SQLException | RuntimeException e) {
      SqliteOpener.closeQuietly(opened.writer());
      opened.readers().closeAll();
      throw e instanceof SQLException
          ? new SqliteErrors(opened.file(), sqlite.busyTimeout()).translate((SQLException) e)
          : (RuntimeException) e;
    }
  }

  // ---------------------------------------------------------------- writes

  @Override
  public <T extends @Nullable Object> T write(SqlFunction<T> fn) {
    return writeFlow(c -> TxOutcome.commit(fn.apply(c)));
  }

  @Override
  public <T extends @Nullable Object> T writeFlow(SqlFunction<TxOutcome<T>> fn) {
    return write(tx -> fn.apply(tx.guarded()), WriteRequest.Kind.APPLICATION);
  }

  /**
   * A write of Gander's own: pure database work that always commits and may safely run again.
   * Grouped with other such writes without savepoints. Joins the enclosing transaction when called
   * inside a write function, like {@link #write}.
   *
   * @param fn the work
   * @param <T> the value's type
   * @return the value, after commit
   */
  public <T extends @Nullable Object> T writeRerunnable(SqlFunction<T> fn) {
    return write(tx -> TxOutcome.commit(fn.apply(tx.guarded())), WriteRequest.Kind.RERUNNABLE);
  }

  private <T extends @Nullable Object> T write(
      SqliteTx.Work<TxOutcome<T>> work, WriteRequest.Kind kind) {
    SqliteTx joined = joinable();
    if (joined != null) {
      return nested(joined, work);
    }
    return writable().execute(new WriteRequest<>(work, kind));
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> writeAsync(SqlFunction<T> fn) {
    refuseInsideWrite("writeAsync");
    GroupCommitWriter w = writable();
    WriteRequest<T> req =
        new WriteRequest<>(
            tx -> TxOutcome.commit(fn.apply(tx.guarded())), WriteRequest.Kind.APPLICATION);
    CompletableFuture<T> result = new CompletableFuture<>();
    // Complete the caller's future on the callback thread, never on the writer thread: a
    // dependent stage that writes would otherwise wait for the very thread running it.
    req.onDone = () -> callbacks.execute(() -> req.completeInto(result));
    w.submit(req);
    return result;
  }

  @Override
  public void inTransaction(TransactionalRunnable work) {
    transactionResult(
        t -> {
          work.run(t);
          return null;
        });
  }

  @Override
  public <T extends @Nullable Object> T transactionResult(TransactionalCallable<T> work) {
    return write(
        tx -> {
          TransactionImpl t = new TransactionImpl(this, tx);
          try {
            return TxOutcome.commit(work.call(t));
          } finally {
            t.end();
          }
        },
        WriteRequest.Kind.APPLICATION);
  }

  /** The write transaction of this store running on this thread, which a write must join. */
  private @Nullable SqliteTx joinable() {
    SqliteTx running = SqliteTx.running();
    GroupCommitWriter w = writer;
    return running != null && w != null && running == w.tx() ? running : null;
  }

  private <T extends @Nullable Object> T nested(SqliteTx tx, SqliteTx.Work<TxOutcome<T>> work) {
    try {
      return tx.nested(work);
    } catch (SQLException e) {
      throw errors.translate(e);
    }
  }

  // ------------------------------------------------------------- TxRunner

  @Override
  public <T extends @Nullable Object> T runWrite(TxWork<T> work) {
    return write(tx -> TxOutcome.commit(work.run(tx)), WriteRequest.Kind.RERUNNABLE);
  }

  @Override
  public <T extends @Nullable Object> T runWrite(Transaction caller, TxWork<T> work) {
    Objects.requireNonNull(caller, "caller");
    if (!(caller instanceof TransactionImpl) || ((TransactionImpl) caller).store() != this) {
      throw new IllegalArgumentException(
          "The transaction belongs to another database: use it only with the Gander whose"
              + " inTransaction gave it");
    }
    return nested(((TransactionImpl) caller).tx(), tx -> TxOutcome.commit(work.run(tx)));
  }

  @Override
  public boolean insideWrite() {
    return joinable() != null;
  }

  @Override
  public <T extends @Nullable Object> T runRead(TxWork<T> work) {
    return readIn(work::run);
  }

  @Override
  public <T extends @Nullable Object> T runOneStatementRead(TxWork<T> work) {
    try {
      SqliteTx joined = joinable();
      if (joined != null) {
        return work.run(joined);
      }
      checkOpen();
      return readers.readOneStatement(work::run);
    } catch (SQLException e) {
      throw errors.translate(e);
    }
  }

  /**
   * The transaction of the write function running on this thread, for queue code that does not yet
   * get it handed.
   *
   * @return the transaction
   * @throws IllegalStateException if no write function of this store runs on this thread
   */
  public SqliteTx context() {
    SqliteTx tx = joinable();
    if (tx == null) {
      throw new IllegalStateException("not inside a write function of " + this);
    }
    return tx;
  }

  // ----------------------------------------------------------------- reads

  @Override
  public <T extends @Nullable Object> T read(SqlFunction<T> fn) {
    return readIn(tx -> fn.apply(tx.guarded()));
  }

  /** A read in a snapshot; inside a write of this store, on its connection, seeing its writes. */
  private <T extends @Nullable Object> T readIn(SqliteTx.Work<T> work) {
    try {
      SqliteTx joined = joinable();
      if (joined != null) {
        return work.run(joined);
      }
      checkOpen();
      return readers.read(work);
    } catch (SQLException e) {
      throw errors.translate(e);
    }
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> readAsync(SqlFunction<T> fn) {
    refuseInsideWrite("readAsync");
    checkOpen();
    CompletableFuture<T> result = new CompletableFuture<>();
    readers
        .executor()
        .execute(
            () -> {
              try {
                result.complete(read(fn));
              } catch (Throwable t) {
                result.completeExceptionally(t);
              }
            });
    return result;
  }

  /**
   * How many commits this process has made on the store so far: the commit watcher tells by it
   * whether a wake-up may have come from this process.
   *
   * @return the count, which only grows
   */
  public long localCommits() {
    return commits;
  }

  /**
   * Opens an extra read-only connection that the store closes when it closes, for a component that
   * needs its own (the commit watcher). Never opened or closed by anyone else, so it cannot drop
   * SQLite's POSIX locks by closing a descriptor of the file.
   *
   * @return the connection
   */
  public Connection openAuxiliaryReader() {
    checkOpen();
    try {
      Connection c = readers.openConnection();
      synchronized (auxiliary) {
        auxiliary.add(c);
      }
      return c;
    } catch (SQLException e) {
      throw errors.translate(e);
    }
  }

  /**
   * Translates a driver exception the way every store operation does.
   *
   * @param e the exception
   * @return the Gander exception
   */
  public GanderException translate(SQLException e) {
    return errors.translate(e);
  }

  // ------------------------------------------------------------ lifecycle

  @Override
  public StoreInfo info() {
    return read(
        c ->
            SqliteOpener.describe(c, path, readers.access(), sqlite.synchronous(), writer == null));
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  /**
   * Stops accepting work, lets the writer finish what is queued (bounded by the close timeout),
   * stops the checkpoint thread, closes the readers and auxiliary connections, checkpoints the WAL
   * (TRUNCATE) and closes the writer, the last connection, so that SQLite removes the WAL. Every
   * wait runs to its deadline even if this thread is interrupted (the flag is kept for the caller):
   * giving up early would leak the writer connection and leave the WAL behind.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
    }
    GroupCommitWriter w = writer;
    if (w != null) {
      w.stopAccepting();
    }
    long deadline = System.nanoTime() + options.closeTimeout().toNanos();
    if (w != null) {
      w.drain(deadline, options.closeTimeout());
    }
    WalCheckpointer c = checkpointer;
    if (c != null) {
      c.close(deadline);
    }
    readers.close(Math.max(0, deadline - System.nanoTime()));
    synchronized (auxiliary) {
      auxiliary.forEach(SqliteOpener::closeQuietly);
      auxiliary.clear();
    }
    callbacks.shutdown(Math.max(0, deadline - System.nanoTime()));
    if (w != null) {
      w.close(deadline, options.closeTimeout(), sqlite.busyTimeout());
    }
    log.debug("Closed {}", path);
  }

  // --------------------------------------------------------------- helpers

  private void checkOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private GroupCommitWriter writable() {
    GroupCommitWriter w = writer;
    if (w == null) {
      throw new ReadOnlyDatabaseException(
          "The store for "
              + path
              + " was opened read-only (Store.openReadOnly): open it with Store.open to write.");
    }
    checkOpen();
    return w;
  }

  private void refuseInsideWrite(String method) {
    if (joinable() != null) {
      throw new IllegalStateException(
          method
              + " was called inside a write function of the same store; its future could only"
              + " complete after this transaction, so waiting on it would never end. Call the"
              + " synchronous method instead: it joins the enclosing transaction.");
    }
  }

  /**
   * The exception for use after close.
   *
   * @return a new exception naming the file
   */
  @Override
  public GanderClosedException closedException() {
    return new GanderClosedException(
        "The Gander store for " + path + " is closed: open a new one to continue.");
  }

  @Override
  public String toString() {
    return "SqliteStore[" + path + (writer == null ? ", read-only" : "") + "]";
  }
}
