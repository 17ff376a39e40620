package dev.gander.internal.store;

import dev.gander.GanderClosedException;
import dev.gander.internal.Uninterruptibly;
import dev.gander.store.SqlFunction;
import dev.gander.store.StoreOptions;
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
import org.sqlite.SQLiteConnection;
import org.sqlite.core.DB;

/**
 * A small pool of read-only connections, opened on demand up to {@link
 * StoreOptions#readPoolSize()}. Each read runs inside {@code BEGIN} … {@code COMMIT} so that all of
 * its statements see one snapshot.
 */
final class ReaderPool {
  private static final Logger log = LoggerFactory.getLogger(ReaderPool.class);

  private final Path path;
  private final ReadOnlyAccess access;
  private final String url;
  private final StoreOptions options;
  private final int size;
  private final Semaphore permits;
  private final ArrayDeque<Reader> idle = new ArrayDeque<>();
  private final List<Reader> all = new ArrayList<>();
  private final LazyExecutor executor;
  private volatile boolean closed;

  ReaderPool(Path path, ReadOnlyAccess access, StoreOptions options) {
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

  Reader acquire() throws SQLException {
    permits.acquireUninterruptibly();
    try {
      if (closed) {
        throw new GanderClosedException(
            "The store at " + path + " is closed: open it again to read from it");
      }
      synchronized (this) {
        Reader r = idle.poll();
        if (r != null) {
          return r;
        }
      }
      Reader r = new Reader(openConnection());
      synchronized (this) {
        all.add(r);
      }
      return r;
    } catch (SQLException | RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  void release(Reader r) {
    boolean keep;
    synchronized (this) {
      keep = !closed;
      if (keep) {
        idle.push(r);
      }
    }
    if (!keep) {
      // Returned after close gave up waiting for it: close it here so nothing leaks.
      SqliteStore.closeQuietly(r.connection);
    }
    permits.release();
  }

  Connection openConnection() throws SQLException {
    SQLiteConfig config = SqliteStore.baseConfig(options);
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
      for (Reader r : idle) {
        SqliteStore.closeQuietly(r.connection);
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

  /**
   * One read-only connection. Its {@code BEGIN} and {@code COMMIT} go through sqlite3_exec, not
   * statements prepared once: sqlite-jdbc finalizes a statement whose step fails (a {@code COMMIT}
   * after a function ended the transaction itself), which would break the connection for good.
   */
  static final class Reader {
    final Connection connection;
    private final GuardedConnection guarded;
    private final DB db;

    Reader(Connection connection) throws SQLException {
      this.connection = connection;
      this.guarded = new GuardedConnection(connection);
      this.db = connection.unwrap(SQLiteConnection.class).getDatabase();
    }

    <T extends @Nullable Object> T run(SqlFunction<T> fn) throws SQLException {
      SqliteStore.exec(db, "BEGIN");
      try {
        return fn.apply(guarded.connection());
      } finally {
        guarded.closeOpened();
        try {
          SqliteStore.exec(db, "COMMIT");
        } catch (SQLException e) {
          // Nothing to keep in a read; the next BEGIN fails loudly if the connection is broken.
          log.debug("ending a read transaction failed: {}", e.getMessage());
        }
      }
    }
  }
}
