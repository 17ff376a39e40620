package dev.gander.internal.sqlite;

import dev.gander.GanderClosedException;
import dev.gander.internal.Uninterruptibly;
import dev.gander.sqlite.SqliteOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * A small pool of read-only connections, opened on demand up to {@link
 * SqliteOptions#readPoolSize()}. Each read runs inside {@code BEGIN} … {@code COMMIT} so that all
 * of its statements see one snapshot.
 */
final class ReaderPool {
  private static final Logger log = LoggerFactory.getLogger(ReaderPool.class);

  private final Path path;
  private final ReadOnlyAccess access;
  private final String url;
  private final SqliteOptions options;
  private final int size;
  private final Semaphore permits;
  private final ArrayDeque<SqliteTx> idle = new ArrayDeque<>();
  private final List<SqliteTx> all = new ArrayList<>();
  private final LazyExecutor executor;
  private volatile boolean closed;

  ReaderPool(Path path, ReadOnlyAccess access, SqliteOptions options) {
    this.path = path;
    this.access = access;
    this.url = access.url(path);
    this.options = options;
    this.size = options.readPoolSize();
    this.permits = new Semaphore(size, true);
    this.executor = new LazyExecutor("gander-reader-" + path.getFileName(), size);
  }

  /** How the connections open the file. */
  ReadOnlyAccess access() {
    return access;
  }

  LazyExecutor executor() {
    return executor;
  }

  /**
   * Runs {@code work} in a read transaction on a pooled connection: every statement in it sees one
   * snapshot, and it can never write.
   *
   * @param work the read
   * @param <T> its value's type
   * @return its value
   * @throws GanderClosedException if the pool is closed
   * @throws SQLException if a statement fails
   */
  <T extends @Nullable Object> T read(SqliteTx.Work<T> work) throws SQLException {
    SqliteTx tx = acquire();
    try {
      TxControl control = tx.control();
      control.beginRead();
      try {
        return work.run(tx);
      } finally {
        tx.closeOpened();
        try {
          control.commit();
        } catch (SQLException e) {
          // Nothing to keep in a read; the next BEGIN fails loudly if the connection is broken.
          log.debug("ending a read transaction failed: {}", e.getMessage());
        }
      }
    } finally {
      release(tx);
    }
  }

  /**
   * Runs a read of one statement on a pooled connection in autocommit, where SQLite gives the
   * statement a read transaction of its own: no {@code BEGIN} and {@code COMMIT} around it.
   *
   * @param work the read: one statement, closed before it returns
   * @param <T> its value's type
   * @return its value
   * @throws GanderClosedException if the pool is closed
   * @throws SQLException if the statement fails
   */
  <T extends @Nullable Object> T readOneStatement(SqliteTx.Work<T> work) throws SQLException {
    SqliteTx tx = acquire();
    try {
      return work.run(tx);
    } finally {
      tx.closeOpened();
      release(tx);
    }
  }

  private SqliteTx acquire() throws SQLException {
    permits.acquireUninterruptibly();
    try {
      if (closed) {
        throw new GanderClosedException(
            "The store at " + path + " is closed: open it again to read from it");
      }
      synchronized (this) {
        SqliteTx tx = idle.poll();
        if (tx != null) {
          return tx;
        }
      }
      SqliteTx tx = new SqliteTx(openConnection());
      synchronized (this) {
        all.add(tx);
      }
      return tx;
    } catch (SQLException | RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  private void release(SqliteTx tx) {
    boolean keep;
    synchronized (this) {
      keep = !closed;
      if (keep) {
        idle.push(tx);
      }
    }
    if (!keep) {
      // Returned after close gave up waiting for it: close it here so nothing leaks.
      SqliteOpener.closeQuietly(tx.connection());
    }
    permits.release();
  }

  Connection openConnection() throws SQLException {
    SQLiteConfig config = SqliteOpener.baseConfig(options);
    config.setReadOnly(true);
    return config.createConnection(url);
  }

  /** Stops the async readers, waits for borrowed connections (bounded) and closes them all. */
  void close(long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    closed = true;
    executor.shutdown(timeoutNanos);
    boolean all =
        Uninterruptibly.awaitUntil(
            deadline, nanos -> permits.tryAcquire(size, nanos, TimeUnit.NANOSECONDS));
    if (!all) {
      log.warn("Closing {}: reads still running; closing the idle read connections only", path);
    }
    synchronized (this) {
      for (SqliteTx tx : idle) {
        SqliteOpener.closeQuietly(tx.connection());
      }
      idle.clear();
      this.all.clear();
    }
    // Let every reader blocked in acquire through: each sees the pool closed and throws.
    permits.release(size + 1024);
  }

  /** Closes every connection at once; for a failed open, where none is borrowed. */
  void closeAll() {
    close(0);
  }
}
