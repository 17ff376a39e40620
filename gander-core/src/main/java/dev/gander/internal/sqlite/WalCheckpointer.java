package dev.gander.internal.sqlite;

import dev.gander.internal.Uninterruptibly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints the WAL on a thread of its own ({@code gander-checkpoint-<file>}), so that no commit
 * does the work of a checkpoint. SQLite's automatic checkpoint runs inside the commit that takes
 * the WAL past 1,000 pages, and that commit's caller (and every write queued behind it) waits while
 * it copies them and syncs; the connections that may write therefore run with {@code
 * wal_autocheckpoint=0}, and this thread checkpoints instead, on a connection of its own that lives
 * as long as the store.
 *
 * <ul>
 *   <li>PASSIVE checkpoints, which never wait for and never block a writer or a reader: once the
 *       writer has been quiet for {@link #IDLE_NANOS}, and while it is not, paced so that each
 *       copies about {@link #TARGET_FRAMES} new pages (learnt from what the last one found), or at
 *       once if the WAL file grows by that much first.
 *   <li>SQLite starts the WAL over (writes it from the beginning again) only at a write that begins
 *       after a checkpoint that copied every frame, which needs a pause in the writes as long as
 *       the checkpoint's last copy and its two syncs. A quiet writer gives one; so may the gap
 *       between two commits, so a checkpoint that commits overtook is followed at once by a second,
 *       short one that copies the frames they added.
 *   <li>Only when the WAL has grown to {@link #BOUND_FACTOR} times the target without such a pause
 *       (writes that never stop) is that last copy made holding the writer lock, between two of the
 *       writer's transactions: a write arriving then waits for it. It is a RESTART checkpoint,
 *       which also waits until no reader uses the WAL, so that the next write can start it over; if
 *       readers keep it from finishing, or the WAL grew on anyway, a TRUNCATE. Either waits for
 *       those readers, looking again every {@link #RETRY_NANOS} (SQLite's busy handler would sleep
 *       a millisecond and more at a time), for at most {@link #HOLD_OFF_NANOS}, and after a vain
 *       try not again for {@link #HOLD_OFF_RETRY_NANOS} unless the WAL grows by another bound
 *       first. Without this the WAL would grow for as long as writes go on. (Several processes that
 *       all write without pause can still keep it from starting over, as they could SQLite's own
 *       checkpoints.)
 *   <li>A WAL file left over that bound (by a burst, or one big transaction) is truncated, holding
 *       the writer lock the same way, once the writer has been quiet for {@link #IDLE_NANOS}.
 *   <li>The store's close runs the last TRUNCATE checkpoint on the writer, as before.
 * </ul>
 *
 * The thread starts at the first commit (a store that never writes has none) and parks while
 * nothing is written. See "No commit pays for a checkpoint" in {@code docs/decisions.md}.
 */
final class WalCheckpointer {
  private static final Logger log = LoggerFactory.getLogger(WalCheckpointer.class);

  /** New pages per checkpoint: SQLite's automatic checkpoint's threshold. */
  static final int TARGET_FRAMES = 1000;

  /** How often the thread looks at the commit count and the WAL's size while commits go on. */
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /** The writer quiet this long: checkpoint now. */
  static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /** Bounds on the paced wait from the first commit not yet checkpointed to the checkpoint. */
  static final long MIN_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  static final long MAX_DELAY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** The WAL may hold this many times the target before the writer is held off to restart it. */
  static final int BOUND_FACTOR = 8;

  /**
   * The WAL may grow to this many times the bound only: past it, the writer checkpoints it itself
   * before its next write ({@link #committed()} says so), because this thread cannot keep up.
   */
  static final int HARD_FACTOR = 2;

  /** Commits between two looks at the WAL's size on the committing thread; a power of two. */
  static final int OVER_BOUND_CHECK_EVERY = 64;

  /** The longest the checkpointer holds off writes, waiting for readers of older snapshots. */
  static final long HOLD_OFF_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /** While holding off writes, how long between looks at whether older readers are done. */
  static final long RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

  /**
   * After holding off writes in vain (readers, or another process writing, kept the WAL from
   * starting over), the least time before doing so again.
   */
  static final long HOLD_OFF_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Opens the connection the checkpoints run on; called once, on the checkpoint thread. */
  @FunctionalInterface
  interface Opener {
    Connection open() throws SQLException;
  }

  private final Path path;
  private final Path wal;
  private final Opener opener;
  private final Lock writerLock;

  /** Commits so far; written only by the thread that holds the writer lock. */
  private volatile long commits;

  /** Whether the thread is parked until the next commit, and so must be unparked by it. */
  private volatile boolean waitingForCommit;

  private volatile boolean closed;
  private @Nullable Thread thread;
  private @Nullable Connection connection;

  // Touched by the checkpoint thread only.
  private long delayNanos = TimeUnit.MILLISECONDS.toNanos(100);
  private long targetBytes;
  private long boundBytes = Long.MAX_VALUE;

  /** The hard bound, once known (0 before): read on the committing thread. */
  private volatile long hardBoundBytes;

  private long walBytesAfterLast;
  private long nextHoldOffNanos = System.nanoTime();
  private long walBytesAtVainHoldOff = Long.MAX_VALUE;
  private long framesAtLast;

  /**
   * Creates a checkpointer; its thread starts at the first {@link #committed}.
   *
   * @param path the database file
   * @param opener opens the connection checkpoints run on
   * @param writerLock held for every transaction of the store's writer
   */
  WalCheckpointer(Path path, Opener opener, Lock writerLock) {
    this.path = path;
    this.wal = Path.of(path + "-wal");
    this.opener = opener;
    this.writerLock = writerLock;
  }

  /**
   * Told by the committing thread, holding the writer lock, after each commit: counts it, and
   * starts or wakes the checkpoint thread. Never checkpoints itself.
   */
  @SuppressWarnings("NonAtomicVolatileUpdate") // one committer at a time: the writer lock's holder
  boolean committed() {
    long n = ++commits;
    Thread t = thread;
    if (t == null) {
      start();
    } else if (waitingForCommit) {
      LockSupport.unpark(t);
    }
    long hard = hardBoundBytes;
    return hard > 0 && (n & (OVER_BOUND_CHECK_EVERY - 1)) == 0 && walBytes() > hard;
  }

  private synchronized void start() {
    if (thread != null || closed) {
      return;
    }
    Thread t = new Thread(this::run, "gander-checkpoint-" + path.getFileName());
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  private void run() {
    Connection c;
    try {
      c = opener.open();
    } catch (SQLException | RuntimeException e) {
      log.error("The WAL checkpoints of {} cannot run: {}", path, e.toString());
      return;
    }
    synchronized (this) {
      connection = c;
    }
    try (Statement st = c.createStatement()) {
      targetBytes = (long) TARGET_FRAMES * (pageSize(st) + 24);
      boundBytes = BOUND_FACTOR * targetBytes;
      hardBoundBytes = HARD_FACTOR * boundBytes;
      long done = 0;
      while (!closed) {
        // While the WAL file is over the bound, wake when the writer has been quiet a while
        // and give the disk back; otherwise sleep until the next commit.
        long quietFor =
            walBytesAfterLast > boundBytes
                ? Math.max(IDLE_NANOS, nextHoldOffNanos - System.nanoTime())
                : 0;
        boolean committed = awaitCommitsAfter(done, quietFor);
        if (closed) {
          break;
        }
        try {
          if (!committed) {
            truncateWhileQuiet(st);
            continue;
          }
          long since = System.nanoTime();
          done = awaitCheckpointDue(since);
          if (!closed) {
            checkpoint(st, since);
          }
        } catch (SQLException e) {
          // Try again after the next commits; the close-time checkpoint is still to come.
          log.warn("WAL checkpoint of {} failed: {}", path, e.getMessage());
          LockSupport.parkNanos(MAX_DELAY_NANOS);
        }
      }
    } catch (SQLException | RuntimeException e) {
      if (!closed) {
        log.error("The WAL checkpoints of {} stopped: {}", path, e.toString());
      }
    }
  }

  /**
   * Parks until there is a commit after the first {@code done}, or for at most {@code timeoutNanos}
   * when that is positive; whether a commit came.
   */
  private boolean awaitCommitsAfter(long done, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (commits == done && !closed) {
      long left = deadline - System.nanoTime();
      if (timeoutNanos > 0 && left <= 0) {
        return false;
      }
      waitingForCommit = true;
      if (commits == done && !closed) {
        if (timeoutNanos > 0) {
          LockSupport.parkNanos(this, left);
        } else {
          LockSupport.park(this);
        }
      }
      waitingForCommit = false;
    }
    return true;
  }

  /**
   * Waits until a checkpoint is due: the writer quiet for {@link #IDLE_NANOS}, {@link #delayNanos}
   * passed since {@code since}, or the WAL file grown by the target since the last checkpoint.
   * Returns the commits seen by then.
   */
  private long awaitCheckpointDue(long since) {
    long seen = commits;
    long lastChange = since;
    while (!closed) {
      LockSupport.parkNanos(TICK_NANOS);
      long now = System.nanoTime();
      long count = commits;
      if (count != seen) {
        seen = count;
        lastChange = now;
      } else if (now - lastChange >= IDLE_NANOS) {
        break;
      }
      if (now - since >= delayNanos || walBytes() > walBytesAfterLast + targetBytes) {
        break;
      }
    }
    return seen;
  }

  private void checkpoint(Statement st, long since) throws SQLException {
    long before = commits;
    long frames = checkpointOnce(st, "PASSIVE")[1];
    boolean overtaken = commits != before;
    if (overtaken && !closed) {
      // Commits landed while it copied, so the WAL cannot start over yet. Copy those few frames
      // too: in a pause between commits as long as this, it can.
      before = commits;
      checkpointOnce(st, "PASSIVE");
      overtaken = commits != before;
    }
    long ended = System.nanoTime();
    if (frames >= 0) {
      // Pace the next one so that it finds about TARGET_FRAMES new pages. Fewer frames than
      // last time means the WAL started over in between.
      long added = frames >= framesAtLast ? frames - framesAtLast : frames;
      if (added > 0) {
        long paced = (long) ((double) (ended - since) * TARGET_FRAMES / added);
        delayNanos = Math.max(MIN_DELAY_NANOS, Math.min(MAX_DELAY_NANOS, paced));
      }
      framesAtLast = frames;
    }
    if (overtaken
        && frames > (long) BOUND_FACTOR * TARGET_FRAMES
        && (System.nanoTime() - nextHoldOffNanos >= 0
            || walBytes() - walBytesAtVainHoldOff > boundBytes)) {
      // The writes never paused long enough for the WAL to start over: hold them off for the
      // last copy. With no write of this process running, RESTART copies every frame and
      // waits until no reader uses the WAL, so the next write starts it over. If readers kept
      // it from finishing, or the WAL went on growing anyway, empty the WAL file.
      writerLock.lock();
      long locked = System.nanoTime();
      try {
        boolean done = holdingOffWrites(st, "RESTART");
        if (!done || frames > 2L * BOUND_FACTOR * TARGET_FRAMES) {
          done = holdingOffWrites(st, "TRUNCATE");
        }
        vainHoldOff(done);
      } finally {
        writerLock.unlock();
      }
      framesAtLast = 0;
      log.debug(
          "Checkpoint of {} held off writes {} µs to start over a WAL of {} frames",
          path,
          (System.nanoTime() - locked) / 1000,
          frames);
    }
    walBytesAfterLast = walBytes();
  }

  /**
   * Runs one checkpoint: whether it was blocked, frames in the WAL, frames copied (-1 each when
   * another connection was checkpointing).
   */
  private static long[] checkpointOnce(Statement st, String mode) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
    } catch (SQLException e) {
      if (!SqliteErrors.isBusy(e)) {
        throw e;
      }
      return new long[] {1, -1, -1};
    }
  }

  /** Empties a WAL file over the bound while the writer is quiet, to give the disk back. */
  private void truncateWhileQuiet(Statement st) throws SQLException {
    boolean done;
    writerLock.lock();
    try {
      done = holdingOffWrites(st, "TRUNCATE");
    } finally {
      writerLock.unlock();
    }
    vainHoldOff(done);
    walBytesAfterLast = walBytes();
    log.debug("TRUNCATE checkpoint of {} while quiet: {}", path, done ? "done" : "tried later");
  }

  /**
   * After holding off writes in vain, tries again in {@link #HOLD_OFF_RETRY_NANOS}, or sooner if
   * the WAL grows by another bound first (writes so fast that a second would let it grow far).
   */
  private void vainHoldOff(boolean done) {
    if (done) {
      walBytesAtVainHoldOff = Long.MAX_VALUE;
    } else {
      nextHoldOffNanos = System.nanoTime() + HOLD_OFF_RETRY_NANOS;
      walBytesAtVainHoldOff = walBytes();
    }
  }

  /**
   * Runs a checkpoint in {@code mode} until it copies every frame, looking again every {@link
   * #RETRY_NANOS} while readers of older snapshots hold it up, for at most {@link #HOLD_OFF_NANOS}.
   * Called holding the writer lock. The connection's busy timeout is 0: a wait in SQLite's busy
   * handler sleeps a millisecond and more at a time, while writes are held off.
   *
   * @return whether it finished
   */
  private boolean holdingOffWrites(Statement st, String mode) throws SQLException {
    long deadline = System.nanoTime() + HOLD_OFF_NANOS;
    while (true) {
      long[] result = checkpointOnce(st, mode);
      if (result[0] == 0 && result[1] == result[2]) {
        return true;
      }
      if (System.nanoTime() - deadline >= 0 || closed) {
        return false;
      }
      LockSupport.parkNanos(RETRY_NANOS);
    }
  }

  private long walBytes() {
    try {
      return Files.size(wal);
    } catch (IOException e) {
      // No WAL file (yet, or any more): nothing to checkpoint.
      return 0;
    }
  }

  private static int pageSize(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA page_size")) {
      return rs.next() ? rs.getInt(1) : 4096;
    }
  }

  /**
   * Stops the thread and closes its connection, before the writer's close-time checkpoint. An
   * interrupt of the caller does not cut the wait short (the flag is kept); a checkpoint still
   * running after {@code deadline} keeps its connection, logged, rather than have it closed under
   * it.
   */
  void close(long deadline) {
    Thread t;
    synchronized (this) {
      closed = true;
      t = thread;
    }
    if (t != null) {
      LockSupport.unpark(t);
      if (!Uninterruptibly.join(t, deadline)) {
        log.error(
            "Closing {}: a WAL checkpoint is still running; leaving its connection open", path);
        return;
      }
    }
    Connection c;
    synchronized (this) {
      c = connection;
      connection = null;
    }
    SqliteOpener.closeQuietly(c);
  }
}
