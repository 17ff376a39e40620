package dev.gander.internal.sqlite;

import dev.gander.internal.Uninterruptibly;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.WaiterWatch;
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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices commits made by other processes and wakes the waiters they may concern.
 *
 * <p>One watcher thread per open database, started when someone first waits. While nobody waits it
 * blocks and costs nothing, and from a second after the last wait no kernel watch is registered (a
 * watch costs every commit of this process a wake-up of the JDK's watch thread). While someone
 * waits, the watch (run by a waiter or by the watcher thread, see below) either takes kernel file
 * events for the database's {@code -wal} file (inotify through {@link WatchService}) with a safety
 * re-check about every 100 ms, or reads {@code PRAGMA data_version} about every millisecond. After
 * a WAL event that has not moved {@code data_version} yet (the writer publishes its commit in the
 * shared-memory index a moment after writing the WAL) it looks again at each further WAL event and
 * within microseconds of the last, backing off, for up to 20 ms. Either way a change of {@code
 * data_version} on its own connection confirms that some other connection committed; then a {@link
 * WakeFilter} says which waited keys to wake.
 *
 * <p>With file events, a waiting thread runs the watch itself while nobody else does ({@link
 * WaiterWatch}): the kernel's event then wakes the waiter through the JDK's watch thread alone, one
 * thread hand-off fewer than through the watcher thread. The watcher thread watches for the waiters
 * that find the watch taken. One thread at a time holds the watch ({@link #token}), so the watch's
 * connection, statements and state are used by one thread at a time.
 *
 * <p>The watcher never opens or closes the database's files itself: it registers the directory with
 * the kernel and reads through a store connection that lives as long as the store, because closing
 * any descriptor of the file would drop every POSIX lock the process holds on it, SQLite's
 * included.
 */
public final class CommitWatcher implements AutoCloseable, WaiterWatch {
  private static final Logger log = LoggerFactory.getLogger(CommitWatcher.class);
  private static final long SAFETY_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /** After a WAL event with no new data_version: first look again after this, then doubling. */
  private static final long FIRST_RECHECK_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

  /** How long after a WAL event to keep looking for the commit it announced. */
  private static final long EVENT_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /**
   * How long the kernel watch stays registered after the last wait ended. Registering it again
   * costs a round trip through the JDK's watch thread and a look at every waited key; a watch kept
   * while nobody waits costs each commit of this process a wake-up of that thread.
   */
  private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final SqliteStore store;
  private final Waiters hub;
  private final WakeMode mode;
  private final WakeFilter checker;
  private final Path walName;
  private @Nullable Thread thread;
  private volatile @Nullable WatchService watchService;
  private volatile boolean closed;
  private volatile boolean usingFileEvents;

  /** Held by the one thread that runs the watch: the watcher thread or a waiter. */
  private final ReentrantLock token = new ReentrantLock();

  /** Set once the state below is ready and file events work: waiters may watch. */
  private volatile boolean waitersMayWatch;

  /**
   * How long waiters wait on their keys instead of watching after a watching waiter was woken while
   * this process committed. Such a waiter is woken by the kernel's event for the commit's write
   * first and by the commit's signal after it (or signals itself, if its look sees the commit
   * first): two wake-ups and a read where waiting on its key takes one wake-up. A process whose
   * waiters are woken by its own commits keeps that one; one woken by other processes watches.
   */
  private static final long LOCAL_WAKE_BACK_OFF_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** When a watching waiter was last woken from this process; valid once {@link #wokenFromHere}. */
  private volatile long wokenFromHereAt;

  private volatile boolean wokenFromHere;

  /** When the last waiter that watched stopped, in {@link System#nanoTime()} terms. */
  private volatile long lastWatchEnded = System.nanoTime();

  // The watch's state: guarded by the token.
  private @Nullable PreparedStatement dataVersion;
  private @Nullable Tx snapshot;
  private @Nullable WatchService ws;
  private @Nullable WatchKey watch;
  private long last;
  private final Map<WakeKey, Long> checkedAt = new HashMap<>();

  /** Whether the watching waiter still waits; null while the watcher thread watches. */
  private @Nullable BooleanSupplier waiting;

  /** The key of the watching waiter; null while the watcher thread watches. */
  private @Nullable WakeKey waitingKey;

  /**
   * A kernel event was taken but not followed up, because the waiter that took it had what it
   * waited for (a commit of this process, handed over at once): the next holder looks first.
   */
  private boolean lookOwed;

  /** Wakes a watching waiter out of the watch service's poll. */
  private final PollWaker waker = new PollWaker();

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
    token.lock();
    try {
      dataVersion = c.prepareStatement("PRAGMA data_version");
      // The filter reads through the watcher's own connection, outside any transaction: each
      // statement sees the latest commit. A SqliteTx, so that the filters' statements come from
      // its cache instead of being prepared again at every commit the watcher looks at.
      snapshot = new SqliteTx(c);
      ws = mode == WakeMode.POLLING ? null : register();
      usingFileEvents = ws != null;
      last = read();
      if (ws != null) {
        hub.watchOnWaitingThreads(this);
        waitersMayWatch = true;
      }
    } catch (SQLException | RuntimeException e) {
      log.error("The commit watcher of {} could not start: {}", store.path(), e.toString());
      closeStatement();
      return;
    } finally {
      token.unlock();
    }
    try {
      while (!closed) {
        // Watch here only for waiters that do not watch themselves: those that found the watch
        // taken, or all of them when polling.
        if (!hub.awaitWaiters(LINGER_NANOS)) {
          cancelIdleWatch();
          continue;
        }
        token.lockInterruptibly();
        try {
          if (!closed && hub.awaitWaiters(0)) {
            if (lookOwed) {
              look(true);
            }
            step(SAFETY_RECHECK_NANOS);
          }
        } finally {
          token.unlock();
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // Closing.
    } catch (SQLException | RuntimeException e) {
      waitersMayWatch = false;
      if (!closed) {
        log.error("The commit watcher of {} stopped: {}", store.path(), e.toString());
      }
    } finally {
      closeStatement();
    }
  }

  /**
   * Nobody waits: once nobody has for {@link #LINGER_NANOS}, stop the kernel's events, so that this
   * process's commits cost nothing extra.
   */
  private void cancelIdleWatch() {
    if (watch == null || hub.anyWaiters() || !token.tryLock()) {
      return;
    }
    try {
      if (watch != null
          && !hub.anyWaiters()
          && System.nanoTime() - lastWatchEnded >= LINGER_NANOS) {
        watch.cancel();
        watch = null;
        drain();
      }
    } finally {
      token.unlock();
    }
  }

  @Override
  public boolean watchWhile(WakeKey key, BooleanSupplier waiting, long deadlineNanos)
      throws InterruptedException {
    if (!waitersMayWatch
        || closed
        || (wokenFromHere && System.nanoTime() - wokenFromHereAt < LOCAL_WAKE_BACK_OFF_NANOS)
        || !token.tryLock()) {
      return false;
    }
    try {
      if (!waitersMayWatch || closed || ws == null) {
        return false;
      }
      waker.begin();
      this.waiting = waiting;
      this.waitingKey = key;
      long commitsBefore = store.localCommits();
      try {
        // Look first: a commit may have landed between the waiter's own look at the database and
        // now, after this watch's last look.
        look(lookOwed);
        while (waiting.getAsBoolean() && !closed) {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            break;
          }
          step(Math.min(left, SAFETY_RECHECK_NANOS));
        }
        if (!waiting.getAsBoolean() && store.localCommits() != commitsBefore) {
          wokenFromHereAt = System.nanoTime();
          wokenFromHere = true;
        }
      } finally {
        this.waiting = null;
        this.waitingKey = null;
        waker.end();
        lastWatchEnded = System.nanoTime();
      }
      return true;
    } catch (ClosedWatchServiceException e) {
      return true;
    } catch (SQLException | RuntimeException e) {
      waitersMayWatch = false;
      if (!closed) {
        log.error("The commit watcher of {} stopped: {}", store.path(), e.toString());
      }
      return true;
    } finally {
      token.unlock();
    }
  }

  @Override
  public void wake() {
    waker.wake();
  }

  /**
   * One turn of the watch, holding the token: waits up to {@code timeoutNanos} for a kernel event
   * (or a millisecond, polling), confirms a commit by {@code data_version}, and wakes the waited
   * keys it may concern.
   */
  private void step(long timeoutNanos) throws SQLException, InterruptedException {
    boolean event = false;
    if (ws != null && watch == null) {
      // Someone waits again: watch the directory, then check every waited key at once rather
      // than wait for an event, for a commit may have landed just before the watch.
      watch = watch(ws);
      if (watch == null) {
        ws = null;
        usingFileEvents = false;
        waitersMayWatch = false;
      }
    } else if (ws != null) {
      WatchKey key = waker.poll(ws, timeoutNanos);
      if (key != null) {
        // Only a WAL write announces a commit. The database file is written by checkpoints,
        // which commit nothing: looking for a commit after one of those would keep the watch
        // re-reading for the whole window, and a commit landing meanwhile would be noticed only
        // at the window's next, backed-off look.
        event = concernsUs(key) | drain();
      }
    } else {
      LockSupport.parkNanos(POLL_NANOS);
    }
    if (event && !stillWaiting()) {
      // A waiter that has what it waited for (a commit of this process signalled it while the
      // kernel reported that commit's write) returns now; the next holder of the watch looks.
      lookOwed = true;
      return;
    }
    look(event);
  }

  /** False once a watching waiter no longer waits; always true on the watcher thread. */
  private boolean stillWaiting() {
    BooleanSupplier w = waiting;
    return w == null || w.getAsBoolean();
  }

  /**
   * Reads {@code data_version} (after a WAL event, until the commit shows, see {@link
   * #awaitCommit}) and checks every waited key not yet checked at it: keys of waiters that began
   * waiting after the last check too, in case a foreign commit landed between their own look at the
   * database and the start of their wait.
   */
  private void look(boolean event) throws SQLException, InterruptedException {
    long version = read();
    if (event && ws != null && version == last) {
      // The kernel reports the WAL write a moment before the committing process publishes the
      // commit in the shared-memory index, and until then data_version has not moved.
      version = awaitCommit(version);
    }
    if ((event || version != last) && !stillWaiting()) {
      // Signalled from this process meanwhile: leave the commit's follow-up (its filter reads,
      // or the look for a commit not yet shown) to the next holder of the watch.
      lookOwed = true;
      return;
    }
    lookOwed = false;
    last = version;
    List<WakeKey> stale = new ArrayList<>();
    WakeKey own = waitingKey;
    for (WakeKey k : hub.waitedKeys()) {
      Long at = checkedAt.get(k);
      if (at == null || at != last) {
        checkedAt.put(k, last);
        if (at != null && k.equals(own) && k instanceof WakeKey.StreamAppended) {
          // The watching subscriber (or listener) reads the stream itself once woken: the
          // filter's read of its head would only come before that read, on the same thread.
          hub.signal(k);
        } else {
          stale.add(k);
        }
      }
    }
    if (!stale.isEmpty()) {
      for (WakeKey k : checker.keysToWake(snapshot(), stale)) {
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
  private long awaitCommit(long last) throws SQLException, InterruptedException {
    WatchService service = ws;
    long version = last;
    long pause = FIRST_RECHECK_NANOS;
    long deadline = System.nanoTime() + EVENT_WINDOW_NANOS;
    while (service != null
        && version == last
        && !closed
        && System.nanoTime() - deadline < 0
        && stillWaiting()) {
      // A waiter signalled meanwhile leaves at once (wake() cuts the pause short), owing the look
      // to the next holder of the watch.
      WatchKey more = waker.poll(service, pause);
      if (more != null) {
        concernsUs(more);
        drain();
        pause = FIRST_RECHECK_NANOS;
      } else {
        pause = Math.min(pause * 2, POLL_NANOS);
      }
      version = read();
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
  private boolean drain() {
    WatchService service = ws;
    if (service == null) {
      return false;
    }
    boolean any = false;
    WatchKey k;
    while ((k = service.poll()) != null) {
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

  private long read() throws SQLException {
    PreparedStatement st = dataVersion;
    if (st == null) {
      throw new IllegalStateException("the watch is not ready");
    }
    try (ResultSet rs = st.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  private Tx snapshot() {
    Tx tx = snapshot;
    if (tx == null) {
      throw new IllegalStateException("the watch is not ready");
    }
    return tx;
  }

  /**
   * Closes the watch's statement once no waiter runs the watch (they stop at once: the watch
   * service is closed). The connection belongs to the store.
   */
  private void closeStatement() {
    waitersMayWatch = false;
    boolean locked =
        Uninterruptibly.awaitUntil(
            System.nanoTime() + TimeUnit.SECONDS.toNanos(5),
            nanos -> token.tryLock(nanos, TimeUnit.NANOSECONDS));
    try {
      PreparedStatement st = dataVersion;
      dataVersion = null;
      if (locked && st != null) {
        st.close();
      }
    } catch (SQLException e) {
      log.debug("closing the watcher's statement failed", e);
    } finally {
      if (locked) {
        token.unlock();
      }
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
