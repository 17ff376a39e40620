package dev.gander.internal.sqlite;

import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.internal.Uninterruptibly;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of a store: the one writer connection, driven by one writer thread ({@code
 * gander-writer-<file>}) that runs every waiting request in as few {@code BEGIN IMMEDIATE}
 * transactions as it can (group commit), and the fast path that runs a lone writer's request on its
 * own thread instead. Either way the connection is used only under {@link #lock}, and a caller
 * returns only after its commit. See "Group commit", "The fast path" and "Rerunnable writes" in
 * {@code docs/decisions.md}.
 */
final class GroupCommitWriter {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

  /** The most requests one group commit takes; bounds the latency of the first in the batch. */
  private static final int MAX_BATCH = 1024;

  private static final String BATCH_SAVEPOINT = "gander_req";

  private final Path path;
  private final Connection connection;
  private final SqliteTx tx;
  private final TxControl control;
  private final SqliteErrors errors;
  private final Supplier<GanderClosedException> closedException;
  private final BooleanSupplier onCommit;
  private final ReentrantLock lock;

  /** Callers inside {@link #execute} right now; the fast path is for a lone writer only. */
  private final AtomicInteger activeWriters = new AtomicInteger();

  private final LinkedBlockingQueue<WriteRequest<?>> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean stopped;

  /**
   * Takes over {@code connection} and starts the writer thread.
   *
   * @param path the file, for names and messages
   * @param connection the open writer connection, in auto-commit mode
   * @param lock held for every transaction on the connection; whoever else holds it (the WAL
   *     checkpointer) holds off writes meanwhile
   * @param errors how to translate driver exceptions
   * @param closedException the exception for writes after close
   * @param onCommit told after each commit, on the committing thread holding the lock; must be
   *     quick; returns true when the WAL has outgrown its hard bound and must be checkpointed now
   */
  GroupCommitWriter(
      Path path,
      Connection connection,
      ReentrantLock lock,
      SqliteErrors errors,
      Supplier<GanderClosedException> closedException,
      BooleanSupplier onCommit)
      throws SQLException {
    this.path = path;
    this.connection = connection;
    this.lock = lock;
    this.tx = new SqliteTx(connection);
    this.control = tx.control();
    this.errors = errors;
    this.closedException = closedException;
    this.onCommit = onCommit;
    this.thread = new Thread(this::loop, "gander-writer-" + path.getFileName());
    thread.setDaemon(true);
    thread.start();
  }

  /** The transaction of the writer connection; handed to every write's work. */
  SqliteTx tx() {
    return tx;
  }

  /** Runs {@code req}, on this thread if nobody else is writing, and waits for its commit. */
  <T extends @Nullable Object> T execute(WriteRequest<T> req) {
    if (Thread.currentThread() == thread) {
      throw new IllegalStateException(
          "Store.write called on the writer thread outside a write function: this would wait"
              + " for itself");
    }
    int writers = activeWriters.incrementAndGet();
    try {
      if (writers == 1 && queue.isEmpty() && lock.tryLock()) {
        // Fast path: nobody else is writing, so run on this thread and skip two hand-offs.
        // With other writers about, queue instead so that the writer thread can batch.
        try {
          if (stopped) {
            throw closedException.get();
          }
          runBatch(List.of(req));
        } finally {
          lock.unlock();
        }
      } else {
        submit(req);
      }
      return req.await();
    } finally {
      activeWriters.decrementAndGet();
    }
  }

  /** Queues {@code req} for the writer thread; it completes once its batch commits. */
  void submit(WriteRequest<?> req) {
    synchronized (queue) {
      if (stopped) {
        throw closedException.get();
      }
      queue.add(req);
    }
  }

  private void loop() {
    List<WriteRequest<?>> batch = new ArrayList<>();
    boolean stopping = false;
    while (!stopping) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        // Only close interrupts, and only after the queue was drained or timed out.
        break;
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      stopping = batch.remove(WriteRequest.STOP);
      if (!batch.isEmpty()) {
        lock.lock();
        try {
          runBatch(batch);
        } finally {
          lock.unlock();
        }
      }
      batch.clear();
    }
  }

  /**
   * Runs requests one after another in as few {@code BEGIN IMMEDIATE} transactions as possible,
   * then completes each. Called with {@link #lock} held.
   */
  private void runBatch(List<WriteRequest<?>> batch) {
    int i = 0;
    while (i < batch.size()) {
      try {
        control.beginWrite();
      } catch (SQLException e) {
        GanderException failure = errors.translate(e);
        for (int j = i; j < batch.size(); j++) {
          batch.get(j).fail(failure);
        }
        return;
      }
      if (batch.size() - i > 1 && allRerunnable(batch, i)) {
        List<WriteRequest<?>> group = batch.subList(i, batch.size());
        i = batch.size();
        runOptimistically(group);
        continue;
      }
      boolean savepoints = batch.size() - i > 1;
      List<WriteRequest<?>> done = new ArrayList<>(batch.size() - i);
      GanderException lost = null;
      while (i < batch.size()) {
        WriteRequest<?> req = batch.get(i++);
        if (savepoints) {
          lost = runInSavepoint(req);
        } else {
          // Alone in its transaction: a failure is undone by rolling the transaction back.
          runWork(req);
        }
        if (lost != null) {
          // SQLite rolled the whole transaction back (SQLITE_FULL, an I/O error, or a function
          // that ended it itself): nothing of it is kept, so nobody in it may see success.
          req.complete();
          for (WriteRequest<?> earlier : done) {
            earlier.fail(lost);
          }
          control.rollbackQuietly();
          break;
        }
        done.add(req);
      }
      if (lost != null) {
        continue;
      }
      finish(done);
    }
  }

  private static boolean allRerunnable(List<WriteRequest<?>> batch, int from) {
    for (int j = from; j < batch.size(); j++) {
      if (!batch.get(j).rerunnable()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs a group of Gander's own writes without savepoints, in an open transaction. They are
   * rerunnable (pure database work that always commits), so when one fails the transaction is
   * rolled back, that one fails alone, and the others run again in a new transaction. This saves
   * the two savepoint statements per request that make up most of a group commit's overhead.
   */
  private void runOptimistically(List<WriteRequest<?>> group) {
    List<WriteRequest<?>> ran = new ArrayList<>(group.size());
    for (int j = 0; j < group.size(); j++) {
      WriteRequest<?> req = group.get(j);
      runWork(req);
      if (req.failure() != null) {
        control.rollbackQuietly();
        req.complete();
        List<WriteRequest<?>> again = new ArrayList<>(ran);
        again.addAll(group.subList(j + 1, group.size()));
        again.forEach(WriteRequest::reset);
        runBatch(again);
        return;
      }
      ran.add(req);
    }
    finish(ran);
  }

  /** Commits (or rolls back, if no request wants its work) and completes every request. */
  private void finish(List<WriteRequest<?>> done) {
    boolean anyCommit = false;
    for (WriteRequest<?> req : done) {
      anyCommit |= req.wantsCommit();
    }
    try {
      if (anyCommit) {
        control.commit();
        if (onCommit.getAsBoolean()) {
          checkpointOverBound();
        }
      } else {
        control.rollback();
      }
      for (WriteRequest<?> req : done) {
        req.runHooks();
      }
      done.forEach(WriteRequest::complete);
    } catch (SQLException e) {
      control.rollbackQuietly();
      GanderException failure = errors.translate(e);
      for (WriteRequest<?> req : done) {
        if (req.failure() == null) {
          req.fail(failure);
        } else {
          req.complete();
        }
      }
    }
  }

  /**
   * The WAL has outgrown what the checkpoint thread keeps up with (writes faster than it copies, on
   * a starved or slow machine): copy it here, between two transactions, holding off this process's
   * writes, waiting at most {@link #OVER_BOUND_WAIT_MS} for readers of older snapshots. The one
   * case where a commit pays for a checkpoint; without it the WAL would grow as long as such writes
   * go on. See "No commit pays for a checkpoint" in {@code docs/decisions.md}.
   */
  private void checkpointOverBound() {
    try (Statement st = connection.createStatement()) {
      int busy;
      try (ResultSet rs = st.executeQuery("PRAGMA busy_timeout")) {
        busy = rs.next() ? rs.getInt(1) : 0;
      }
      st.execute("PRAGMA busy_timeout=" + OVER_BOUND_WAIT_MS);
      try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(RESTART)")) {
        if (rs.next() && rs.getInt(1) != 0) {
          log.debug("{}: WAL over its bound; readers kept the checkpoint from finishing", path);
        }
      } finally {
        st.execute("PRAGMA busy_timeout=" + busy);
      }
    } catch (SQLException e) {
      log.debug("{}: checkpoint of a WAL over its bound failed: {}", path, e.getMessage());
    }
  }

  /** The longest the writer waits for readers when it checkpoints a WAL over its bound. */
  private static final int OVER_BOUND_WAIT_MS = 100;

  /** Runs one request of a group in its own savepoint so that its failure rolls back alone. */
  private @Nullable GanderException runInSavepoint(WriteRequest<?> req) {
    try {
      control.exec("SAVEPOINT " + BATCH_SAVEPOINT);
    } catch (SQLException e) {
      GanderException failure = errors.translate(e);
      req.recordFailure(failure);
      return failure;
    }
    runWork(req);
    try {
      if (req.failure() != null || !req.wantsCommit()) {
        control.exec("ROLLBACK TO " + BATCH_SAVEPOINT);
      }
      control.exec("RELEASE " + BATCH_SAVEPOINT);
      return null;
    } catch (SQLException e) {
      Throwable earlier = req.failure();
      GanderException failure =
          new GanderException(
              "The transaction on "
                  + path
                  + " was rolled back by SQLite while a write ran: retry the write",
              earlier != null ? earlier : e);
      if (earlier == null) {
        req.recordFailure(failure);
      }
      return failure;
    }
  }

  /** Runs a request's work with its transaction marked running; records outcome or failure. */
  private void runWork(WriteRequest<?> req) {
    tx.enter(req);
    try {
      req.run(tx);
    } catch (SQLException e) {
      req.recordFailure(errors.translate(e));
    } catch (RuntimeException | Error e) {
      req.recordFailure(e);
    } finally {
      tx.exit();
    }
  }

  // --------------------------------------------------------------------------------- close

  /** Refuses new writes; what was queued before still runs. */
  void stopAccepting() {
    synchronized (queue) {
      stopped = true;
      queue.add(WriteRequest.STOP);
    }
  }

  /**
   * Waits, up to {@code deadline}, for the writer thread to run what was queued; then fails what is
   * left with {@link GanderClosedException} and gives the thread {@code closeTimeout} more to end.
   * An interrupt of the calling thread does not cut the wait short (the flag is kept).
   */
  void drain(long deadline, Duration closeTimeout) {
    if (!Uninterruptibly.join(thread, deadline)) {
      log.warn(
          "Closing {}: queued writes did not finish within {}; failing the rest",
          path,
          closeTimeout);
      failQueued();
      thread.interrupt();
      Uninterruptibly.join(thread, System.nanoTime() + closeTimeout.toNanos());
    }
    failQueued();
  }

  private void failQueued() {
    List<WriteRequest<?>> left = new ArrayList<>();
    queue.drainTo(left);
    for (WriteRequest<?> req : left) {
      if (req != WriteRequest.STOP) {
        req.fail(closedException.get());
      }
    }
  }

  /**
   * Checkpoints the WAL (TRUNCATE, so that the file is left with no WAL to replay) and closes the
   * connection, once no write runs on it (waiting up to {@code deadline}). The checkpoint waits at
   * most a second for other processes' readers: they checkpoint later themselves. If a write is
   * still running at the deadline, the connection is deliberately left open, logged as an error,
   * rather than closed under a running statement.
   */
  void close(long deadline, Duration closeTimeout, Duration busyTimeout) {
    boolean locked =
        Uninterruptibly.awaitUntil(deadline, nanos -> lock.tryLock(nanos, TimeUnit.NANOSECONDS));
    if (!locked || thread.isAlive()) {
      log.error(
          "Closing {}: a write is still running after {}; leaving the writer connection open",
          path,
          closeTimeout);
      if (locked) {
        lock.unlock();
      }
      return;
    }
    try (Statement st = connection.createStatement()) {
      st.execute("PRAGMA busy_timeout=" + Math.min(busyTimeout.toMillis(), 1000));
      try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        if (rs.next() && rs.getInt(1) != 0) {
          log.debug("Closing {}: WAL checkpoint was blocked by another connection", path);
        }
      }
    } catch (SQLException e) {
      log.warn("Closing {}: WAL checkpoint failed: {}", path, e.getMessage());
    } finally {
      SqliteOpener.closeQuietly(connection);
      lock.unlock();
    }
  }
}
