package dev.gander.internal.wake;

import dev.gander.WakeMode;
import dev.gander.internal.store.SqliteStore;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices commits made by other processes and wakes the waiters they may concern.
 *
 * <p>One watcher thread per open database, started when someone first waits. While nobody waits
 * it blocks and costs nothing. While someone waits, it either takes kernel file events for the
 * database's {@code -wal} file (inotify through {@link WatchService}) with a safety re-check about
 * every 100 ms, or reads {@code PRAGMA data_version} about every millisecond. Either way a change
 * of {@code data_version} on its own connection confirms that some other connection committed;
 * then {@link Checker} says which waited keys to wake.
 *
 * <p>The watcher never opens or closes the database's files itself: it registers the directory
 * with the kernel and reads through a store connection that lives as long as the store, because
 * closing any descriptor of the file would drop every POSIX lock the process holds on it,
 * SQLite's included.
 */
public final class CommitWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CommitWatcher.class);
  private static final long SAFETY_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** Decides which waited keys a foreign commit may concern. */
  @FunctionalInterface
  public interface Checker {
    /**
     * Returns the keys to wake after a foreign commit.
     *
     * @param connection the watcher's read-only connection
     * @param waitedKeys the keys someone waits on now
     * @return the keys to signal
     * @throws SQLException on a database failure
     */
    List<String> keysToWake(Connection connection, List<String> waitedKeys) throws SQLException;
  }

  private final SqliteStore store;
  private final WakeHub hub;
  private final WakeMode mode;
  private final Checker checker;
  private @Nullable Thread thread;
  private volatile @Nullable WatchService watchService;
  private volatile boolean closed;
  private volatile boolean usingFileEvents;

  /**
   * Creates a watcher; it starts on {@link #ensureStarted()}.
   *
   * @param store the store whose file to watch
   * @param hub where to signal
   * @param mode file events, polling, or automatic
   * @param checker which keys to wake
   */
  public CommitWatcher(SqliteStore store, WakeHub hub, WakeMode mode, Checker checker) {
    this.store = store;
    this.hub = hub;
    this.mode = mode;
    this.checker = checker;
  }

  /** Starts the watcher thread if it is not running. Cheap after the first call. */
  public void ensureStarted() {
    if (thread != null || closed) {
      return;
    }
    synchronized (this) {
      if (thread != null || closed) {
        return;
      }
      Thread t = new Thread(this::run, "gander-watcher-" + store.path().getFileName());
      t.setDaemon(true);
      thread = t;
      t.start();
    }
  }

  /**
   * Whether the watcher uses kernel file events (as opposed to polling).
   *
   * @return {@code true} when file events are in use
   */
  public boolean usingFileEvents() {
    return usingFileEvents;
  }

  private void run() {
    Connection c;
    try {
      c = store.openAuxiliaryReader();
    } catch (RuntimeException e) {
      log.warn("The commit watcher of {} could not start: {}", store.path(), e.getMessage());
      return;
    }
    try (PreparedStatement dataVersion = c.prepareStatement("PRAGMA data_version")) {
      WatchService ws = mode == WakeMode.POLLING ? null : register();
      usingFileEvents = ws != null;
      long last = read(dataVersion);
      while (!closed) {
        if (!hub.anyWaiters()) {
          hub.awaitWaiters(TimeUnit.SECONDS.toNanos(1));
          drain(ws);
          last = read(dataVersion);
          continue;
        }
        if (ws != null) {
          WatchKey key = ws.poll(SAFETY_RECHECK_NANOS, TimeUnit.NANOSECONDS);
          if (key != null) {
            key.pollEvents();
            key.reset();
            drain(ws);
          }
        } else {
          LockSupport.parkNanos(POLL_NANOS);
        }
        long now = read(dataVersion);
        if (now != last) {
          last = now;
          List<String> waited = hub.waitedKeys();
          if (!waited.isEmpty()) {
            for (String k : checker.keysToWake(c, waited)) {
              hub.signal(k);
            }
          }
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // Closing.
    } catch (SQLException | RuntimeException e) {
      if (!closed) {
        log.error("The commit watcher of {} stopped: {}", store.path(), e.toString());
      }
    }
  }

  private @Nullable WatchService register() {
    Path dir = store.path().getParent();
    try {
      WatchService ws = FileSystems.getDefault().newWatchService();
      dir.register(ws, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
      watchService = ws;
      if (closed) {
        ws.close();
        return null;
      }
      return ws;
    } catch (IOException | UnsupportedOperationException e) {
      if (mode == WakeMode.FILE_EVENTS) {
        log.warn(
            "File events are unavailable for {} ({}); falling back to polling data_version",
            dir,
            e.getMessage());
      }
      return null;
    }
  }

  private static void drain(@Nullable WatchService ws) {
    if (ws == null) {
      return;
    }
    WatchKey k;
    while ((k = ws.poll()) != null) {
      List<WatchEvent<?>> ignored = k.pollEvents();
      if (ignored.isEmpty()) {
        log.trace("empty watch key");
      }
      k.reset();
    }
  }

  private static long read(PreparedStatement dataVersion) throws SQLException {
    try (ResultSet rs = dataVersion.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Stops the watcher thread and waits for it. */
  @Override
  public void close() {
    closed = true;
    WatchService ws = watchService;
    if (ws != null) {
      try {
        ws.close();
      } catch (IOException e) {
        log.debug("closing the watch service failed", e);
      }
    }
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
