package dev.gander.internal.sqlite;

import dev.gander.internal.Uninterruptibly;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.Waiters;
import dev.gander.internal.spi.WakeFilter;
import dev.gander.internal.spi.WakeKey;
import dev.gander.sqlite.WakeMode;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices commits made by other processes and wakes the waiters they may concern.
 *
 * <p>One watcher thread per open database, started when someone first waits. While nobody waits it
 * blocks and costs nothing, and no kernel watch is registered (a watch costs every commit of this
 * process a wake-up of the JDK's watch thread). While someone waits, it either takes kernel file
 * events for the database's {@code -wal} file (inotify through {@link WatchService}) with a safety
 * re-check about every 100 ms, or reads {@code PRAGMA data_version} about every millisecond. After
 * a WAL event that has not moved {@code data_version} yet (the writer publishes its commit in the
 * shared-memory index a moment after writing the WAL) it looks again at each further WAL event and
 * within microseconds of the last, backing off, for up to 20 ms. Either way a change of {@code
 * data_version} on its own connection confirms that some other connection committed; then a {@link
 * WakeFilter} says which waited keys to wake.
 *
 * <p>The watcher never opens or closes the database's files itself: it registers the directory with
 * the kernel and reads through a store connection that lives as long as the store, because closing
 * any descriptor of the file would drop every POSIX lock the process holds on it, SQLite's
 * included.
 */
public final class CommitWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CommitWatcher.class);
  private static final long SAFETY_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** After a WAL event with no new data_version: first look again after this, then doubling. */
  private static final long FIRST_RECHECK_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

  /** How long after a WAL event to keep looking for the commit it announced. */
  private static final long EVENT_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final SqliteStore store;
  private final Waiters hub;
  private final WakeMode mode;
  private final WakeFilter checker;
  private final Path walName;
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
  public CommitWatcher(SqliteStore store, Waiters hub, WakeMode mode, WakeFilter checker) {
    this.store = store;
    this.hub = hub;
    this.mode = mode;
    this.checker = checker;
    this.walName = Path.of(store.path().getFileName() + "-wal");
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
      // The filter reads through the watcher's own connection, outside any transaction: each
      // statement sees the latest commit. A SqliteTx, so that the filters' statements come from
      // its cache instead of being prepared again at every commit the watcher looks at.
      Tx snapshot = new SqliteTx(c);
      WatchService ws = mode == WakeMode.POLLING ? null : register();
      usingFileEvents = ws != null;
      long last = read(dataVersion);
      Map<WakeKey, Long> checkedAt = new HashMap<>();
      WatchKey watch = null;
      while (!closed) {
        if (!hub.anyWaiters()) {
          if (watch != null) {
            // Nobody waits: stop the kernel's events, so that commits cost nothing extra.
            watch.cancel();
            watch = null;
            drain(ws);
          }
          hub.awaitWaiters(TimeUnit.SECONDS.toNanos(1));
          continue;
        }
        boolean event = false;
        if (ws != null && watch == null) {
          // Someone waits again: watch the directory, then check every waited key at once
          // rather than wait for an event, for a commit may have landed just before the watch.
          watch = watch(ws);
          if (watch == null) {
            ws = null;
            usingFileEvents = false;
          }
        } else if (ws != null) {
          WatchKey key = ws.poll(SAFETY_RECHECK_NANOS, TimeUnit.NANOSECONDS);
          if (key != null) {
            // Only a WAL write announces a commit. The database file is written by checkpoints,
            // which commit nothing: looking for a commit after one of those would keep the
            // watcher re-reading for the whole window, and a commit landing meanwhile would be
            // noticed only at the window's next, backed-off look.
            event = concernsUs(key) | drain(ws);
          }
        } else {
          LockSupport.parkNanos(POLL_NANOS);
        }
        long version = read(dataVersion);
        if (event && ws != null && version == last) {
          // The kernel reports the WAL write a moment before the committing process publishes
          // the commit in the shared-memory index, and until then data_version has not moved.
          // Look again at the commit's next WAL write, or shortly after its last, backing off
          // while none comes, rather than sleep until the safety re-check.
          version = awaitCommit(ws, dataVersion, last);
        }
        last = version;
        // Check every waited key not yet checked at this version: keys of waiters that began
        // waiting after the last check too, in case a foreign commit landed between their own
        // look at the database and the start of their wait.
        List<WakeKey> stale = new ArrayList<>();
        for (WakeKey k : hub.waitedKeys()) {
          Long at = checkedAt.get(k);
          if (at == null || at != last) {
            stale.add(k);
            checkedAt.put(k, last);
          }
        }
        if (!stale.isEmpty()) {
          for (WakeKey k : checker.keysToWake(snapshot, stale)) {
            hub.signal(k);
          }
        }
        if (checkedAt.size() > 64) {
          // Forget keys nobody waits on: memory per name lasts only while it is waited on.
          List<WakeKey> waited = hub.waitedKeys();
          checkedAt.keySet().retainAll(waited);
          checker.retainOnly(waited);
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

  /**
   * After a WAL event, reads {@code data_version} again until it moves or {@link
   * #EVENT_WINDOW_NANOS} pass: at once on each further event (a commit writes its frames one after
   * another, each an event), else after a pause that starts at {@link #FIRST_RECHECK_NANOS} and
   * doubles up to {@link #POLL_NANOS}. Waiting on the events rather than sleeping the pauses out
   * finds the commit within one short pause of its last write; it halved the measured median of a
   * notification across processes.
   *
   * @return the version read last
   */
  private long awaitCommit(WatchService ws, PreparedStatement dataVersion, long last)
      throws SQLException, InterruptedException {
    long version = last;
    long pause = FIRST_RECHECK_NANOS;
    long deadline = System.nanoTime() + EVENT_WINDOW_NANOS;
    while (version == last && !closed && System.nanoTime() - deadline < 0) {
      WatchKey more = ws.poll(pause, TimeUnit.NANOSECONDS);
      if (more != null) {
        concernsUs(more);
        drain(ws);
        pause = FIRST_RECHECK_NANOS;
      } else {
        pause = Math.min(pause * 2, POLL_NANOS);
      }
      version = read(dataVersion);
    }
    return version;
  }

  /** A watch service with the directory registered once, to learn whether events work here. */
  private @Nullable WatchService register() {
    try {
      WatchService ws = FileSystems.getDefault().newWatchService();
      if (mode == WakeMode.AUTO && ws.getClass().getName().endsWith("PollingWatchService")) {
        // The JDK's fallback (macOS, for one) scans the directory every few seconds: slower
        // than the safety re-check. Reading data_version every millisecond does better.
        ws.close();
        return null;
      }
      watchService = ws;
      if (closed) {
        ws.close();
        return null;
      }
      WatchKey probe = watch(ws);
      if (probe == null) {
        ws.close();
        return null;
      }
      probe.cancel();
      return ws;
    } catch (IOException | UnsupportedOperationException e) {
      fallBack(e);
      return null;
    }
  }

  /** Registers the database's directory; null (after a warning) if that is not possible. */
  private @Nullable WatchKey watch(WatchService ws) {
    try {
      return store
          .path()
          .getParent()
          .register(ws, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
    } catch (IOException | UnsupportedOperationException e) {
      fallBack(e);
      return null;
    }
  }

  private void fallBack(Exception e) {
    if (mode == WakeMode.FILE_EVENTS) {
      log.warn(
          "File events are unavailable for {} ({}); falling back to polling data_version",
          store.path().getParent(),
          e.getMessage());
    }
  }

  /** Takes every pending key; whether any event may announce a commit (see {@link #concernsUs}). */
  private boolean drain(@Nullable WatchService ws) {
    if (ws == null) {
      return false;
    }
    boolean any = false;
    WatchKey k;
    while ((k = ws.poll()) != null) {
      any |= concernsUs(k);
    }
    return any;
  }

  /**
   * Takes a key's events and resets it; whether any was for the database's {@code -wal} (or events
   * were lost), which is where every commit is written first. Events for the database file
   * (checkpoints) and for other files in the same directory, an application's logs say, do not make
   * the watcher look for a commit; it reads {@code data_version} once after any event.
   */
  private boolean concernsUs(WatchKey key) {
    boolean any = false;
    for (WatchEvent<?> e : key.pollEvents()) {
      if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
        any = true;
      } else if (e.context() instanceof Path) {
        Path name = (Path) e.context();
        any |= name.equals(walName);
      }
    }
    key.reset();
    return any;
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
      // Even from an interrupted thread: the watcher's connection belongs to the store.
      Uninterruptibly.join(t, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
    }
  }
}
