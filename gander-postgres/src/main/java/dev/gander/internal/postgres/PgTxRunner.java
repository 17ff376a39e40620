package dev.gander.internal.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.gander.GanderClosedException;
import dev.gander.internal.postgres.PgErrors.Phase;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.spi.TxWork;
import dev.gander.store.Transaction;
import dev.gander.store.TransactionalCallable;
import dev.gander.store.TxOutcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work in PostgreSQL transactions on connections from a {@link DataSource}: the pool Gander
 * made from a URL (closed with this runner), or the application's own (left open).
 *
 * <p>Writes run at the connection's isolation level (PostgreSQL's default, READ COMMITTED: claims
 * rely on {@code FOR UPDATE SKIP LOCKED}, and fenced updates re-check their row when it changed
 * under them). Gander's own writes are rerunnable, so a transaction the server rolled back because
 * it conflicted with another (serialization failure, deadlock) or because its connection broke
 * before the commit runs again, up to {@value #MAX_ATTEMPTS} times. Reads run in one {@code
 * REPEATABLE READ, READ ONLY} snapshot. After-commit hooks run on the calling thread once the
 * commit returned, after the connection went back to the pool.
 *
 * <p>Connections are borrowed and put back by {@link PgConnections}. Thread-safe. {@link #close()}
 * stops new work, waits up to the close timeout for work in flight, and closes the pool if Gander
 * made it.
 */
public final class PgTxRunner implements TxRunner, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PgTxRunner.class);

  /** Runs of one rerunnable write before its failure is reported. */
  static final int MAX_ATTEMPTS = 5;

  private final PgErrors errors;
  private final PgConnections connections;
  private final Duration closeTimeout;
  private final @Nullable PgServerClock clock;
  private final Object lock = new Object();
  private int inFlight;
  private volatile boolean closed;

  /**
   * Creates a runner.
   *
   * @param dataSource where connections come from
   * @param ownedPool the pool to close with this runner (and to clear of connections that may be
   *     dead after one was found broken), when Gander made it; {@code null} when the data source is
   *     the application's
   * @param where the database, for messages, without credentials
   * @param closeTimeout how long {@link #close()} waits for work in flight
   * @param clock the server's clock, measured again now and then on a connection a transaction has
   *     just borrowed; {@code null} for none
   */
  public PgTxRunner(
      DataSource dataSource,
      @Nullable HikariDataSource ownedPool,
      String where,
      Duration closeTimeout,
      @Nullable PgServerClock clock) {
    this.errors = new PgErrors(where);
    this.connections =
        new PgConnections(Objects.requireNonNull(dataSource, "dataSource"), ownedPool, errors);
    this.closeTimeout = closeTimeout;
    this.clock = clock;
  }

  /**
   * The server's clock, in epoch milliseconds, read with a round trip: what {@link PgServerClock}
   * estimates without one (on PostgreSQL, leases, delays and sweeps use the server's time).
   *
   * @param tx a transaction of this backend
   * @return the server's current time ({@code clock_timestamp()}, not the transaction's start)
   * @throws SQLException if the query fails
   */
  public static long serverNowMillis(Tx tx) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(PgServerClock.SERVER_NOW);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  // ------------------------------------------------------------------ writes

  @Override
  public <T extends @Nullable Object> T runWrite(TxWork<T> work) {
    enter();
    try {
      for (int attempt = 1; ; attempt++) {
        Connection c = connections.borrow();
        boolean restore = false;
        Phase phase = Phase.RUN;
        PgTx tx = new PgTx(c, true);
        T value;
        try {
          restore = PgConnections.begin(c);
          resyncClockIfDue(c);
          value = work.run(tx);
          phase = Phase.COMMIT;
          tx.commit();
        } catch (SQLException e) {
          PgConnections.rollbackQuietly(c);
          connections.evictIfLost(e);
          if (attempt < MAX_ATTEMPTS && rerunnable(e, phase)) {
            log.debug("Running a write again (attempt {}) after: {}", attempt + 1, e.toString());
            pause(attempt, e, phase);
            continue;
          }
          throw errors.translate(e, phase);
        } catch (RuntimeException | Error e) {
          PgConnections.rollbackQuietly(c);
          throw e;
        } finally {
          connections.giveBack(c, restore);
        }
        tx.runHooks();
        return value;
      }
    } finally {
      exit();
    }
  }

  /**
   * Runs the work's one execution in autocommit: PostgreSQL runs the statements of one execution as
   * one implicit transaction and commits it in the same round trip. Not run again after a failure:
   * it may have committed (for a claim, the jobs it leased then come back after their lease).
   */
  @Override
  public <T extends @Nullable Object> T runOneStatementWrite(TxWork<T> work) {
    enter();
    try {
      Connection c = connections.borrow();
      PgTx tx = new PgTx(c, true);
      T value;
      try {
        if (!c.getAutoCommit()) {
          c.setAutoCommit(true);
        }
        resyncClockIfDue(c);
        value = work.run(tx);
        if (tx.notifies()) {
          throw new IllegalStateException("a one-statement write may not wake anyone");
        }
      } catch (SQLException e) {
        connections.evictIfLost(e);
        throw errors.translate(e, Phase.COMMIT);
      } finally {
        connections.giveBack(c, false);
      }
      tx.runHooks();
      return value;
    } finally {
      exit();
    }
  }

  @Override
  public <T extends @Nullable Object> T runWrite(Transaction caller, TxWork<T> work) {
    Objects.requireNonNull(caller, "caller");
    if (!(caller instanceof PgTransaction) || ((PgTransaction) caller).runner() != this) {
      throw new IllegalArgumentException(
          "The transaction belongs to another database: use it only with the Gander whose"
              + " inTransaction gave it");
    }
    PgTx tx = ((PgTransaction) caller).tx();
    Connection c = tx.connection();
    long mark = tx.hookMark();
    Savepoint savepoint;
    try {
      savepoint = c.setSavepoint();
    } catch (SQLException e) {
      throw errors.translate(e, Phase.RUN);
    }
    // A savepoint, as on SQLite: Gander's work failing leaves the caller's transaction usable
    // (PostgreSQL would otherwise refuse every later statement in it) and drops its hooks.
    try {
      T value = work.run(tx);
      c.releaseSavepoint(savepoint);
      return value;
    } catch (SQLException e) {
      PgConnections.rollbackTo(c, savepoint);
      tx.dropHooksFrom(mark);
      throw errors.translate(e, Phase.RUN);
    } catch (RuntimeException | Error e) {
      PgConnections.rollbackTo(c, savepoint);
      tx.dropHooksFrom(mark);
      throw e;
    }
  }

  /**
   * Runs the caller's work ({@code inTransaction}) in one transaction: its own statements and the
   * Gander operations given its {@link Transaction} commit together when it returns, or roll back
   * together when it throws. Not rerunnable, so never run twice: a conflict is reported.
   *
   * @param work the caller's work
   * @param <T> its value's type
   * @return its value, after the commit
   * @throws GanderClosedException if the runner is closed
   */
  public <T extends @Nullable Object> T inTransaction(TransactionalCallable<T> work) {
    return inTransactionFlow(t -> TxOutcome.commit(work.call(t)));
  }

  /**
   * Like {@link #inTransaction}, but the work decides whether its writes are kept: the transaction
   * commits for {@link TxOutcome#commit} and rolls back for {@link TxOutcome#rollback}, and the
   * outcome's value is returned either way. After-commit hooks run only on commit.
   *
   * @param work the caller's work
   * @param <T> its value's type
   * @return the outcome's value, after the commit or the rollback
   * @throws GanderClosedException if the runner is closed
   */
  public <T extends @Nullable Object> T inTransactionFlow(
      TransactionalCallable<TxOutcome<T>> work) {
    enter();
    try {
      Connection c = connections.borrow();
      boolean restore = false;
      Phase phase = Phase.RUN;
      PgTx tx = new PgTx(c, true);
      PgTransaction transaction = null;
      TxOutcome<T> outcome;
      try {
        restore = PgConnections.begin(c);
        // No clock measurement here: the caller's first statement may be SET TRANSACTION, which
        // must come before any query. Gander's own writes and reads measure often enough.
        transaction = new PgTransaction(this, tx);
        outcome = work.call(transaction);
        transaction.end();
        if (outcome.commit()) {
          phase = Phase.COMMIT;
          tx.commit();
        } else {
          c.rollback();
        }
      } catch (SQLException e) {
        PgConnections.rollbackQuietly(c);
        throw errors.translate(e, phase);
      } catch (RuntimeException | Error e) {
        PgConnections.rollbackQuietly(c);
        throw e;
      } finally {
        if (transaction != null) {
          transaction.end();
        }
        connections.giveBack(c, restore);
      }
      if (outcome.commit()) {
        tx.runHooks();
      }
      return outcome.value();
    } finally {
      exit();
    }
  }

  // ------------------------------------------------------------------- reads

  @Override
  public <T extends @Nullable Object> T runRead(TxWork<T> work) {
    return read(work, MAX_ATTEMPTS, false);
  }

  /**
   * Runs the statement in autocommit, one round trip instead of three ({@code BEGIN} with the
   * isolation level, the statement, {@code COMMIT}): a single statement sees one snapshot of its
   * own. Run again, as reads are, after a conflict or a broken connection.
   */
  @Override
  public <T extends @Nullable Object> T runOneStatementRead(TxWork<T> work) {
    return read(work, MAX_ATTEMPTS, true);
  }

  /**
   * Runs the application's read ({@code Store.read}) in one read-only snapshot, once: its function
   * may do more than read the database, so it is never run again after a conflict or a broken
   * connection.
   *
   * @param work the work
   * @param <T> its value's type
   * @return its value
   * @throws dev.gander.ReadOnlyDatabaseException if the work tried to write
   */
  public <T extends @Nullable Object> T readOnce(TxWork<T> work) {
    return read(work, 1, false);
  }

  /**
   * Runs a read, again after a conflict or a broken connection up to {@code maxAttempts}: in one
   * read-only snapshot, or with {@code oneStatement} in autocommit, where the statement has a
   * snapshot of its own and the round trip carries no {@code BEGIN} or {@code COMMIT}.
   */
  private <T extends @Nullable Object> T read(
      TxWork<T> work, int maxAttempts, boolean oneStatement) {
    enter();
    try {
      for (int attempt = 1; ; attempt++) {
        Connection c = connections.borrow();
        boolean restore = false;
        try {
          if (oneStatement) {
            if (!c.getAutoCommit()) {
              c.setAutoCommit(true);
            }
          } else {
            restore = PgConnections.begin(c);
            try (Statement st = c.createStatement()) {
              st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
          }
          resyncClockIfDue(c);
          T value = work.run(new PgTx(c, false));
          if (!oneStatement) {
            c.commit();
          }
          return value;
        } catch (SQLException e) {
          if (!oneStatement) {
            PgConnections.rollbackQuietly(c);
          }
          connections.evictIfLost(e);
          // A read changes nothing: whenever its connection broke, it can run again.
          if (attempt < maxAttempts && (PgErrors.isConflict(e) || PgConnections.isLost(e))) {
            pause(attempt, e, Phase.RUN);
            continue;
          }
          throw errors.translateRead(e);
        } catch (RuntimeException | Error e) {
          if (!oneStatement) {
            PgConnections.rollbackQuietly(c);
          }
          throw e;
        } finally {
          connections.giveBack(c, restore);
        }
      }
    } finally {
      exit();
    }
  }

  /**
   * Measures the server's clock again when due, on a connection just borrowed for a transaction:
   * one more statement every few seconds, on a connection that is held anyway.
   */
  private void resyncClockIfDue(Connection c) throws SQLException {
    PgServerClock sc = clock;
    if (sc != null && sc.due()) {
      sc.resync(c);
    }
  }

  // --------------------------------------------------------------- lifecycle

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public GanderClosedException closedException() {
    return new GanderClosedException(
        "The Gander database on " + errors.where() + " is closed: open it again to use it");
  }

  /**
   * The translator of this runner's failures, for code that talks to the database outside a
   * transaction (migrations, the listener).
   */
  PgErrors errors() {
    return errors;
  }

  /**
   * Stops new work, waits for work in flight (at most the close timeout; an interrupt does not cut
   * the wait short, and is kept), then closes the pool if Gander made it. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      long deadline = System.nanoTime() + closeTimeout.toNanos();
      boolean interrupted = false;
      while (inFlight > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          log.warn(
              "Closing {} with {} transaction(s) still running after {}",
              errors.where(),
              inFlight,
              closeTimeout);
          break;
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    connections.closeOwnedPool();
  }

  // ----------------------------------------------------------------- helpers

  private void enter() {
    synchronized (lock) {
      if (closed) {
        throw closedException();
      }
      inFlight++;
    }
  }

  private void exit() {
    synchronized (lock) {
      if (--inFlight == 0) {
        lock.notifyAll();
      }
    }
  }

  /**
   * Whether a failed rerunnable write may run again: the server rolled it back (a conflict), or its
   * connection broke before the commit (the server rolls back a transaction whose session ends). A
   * connection that broke while committing leaves the outcome unknown: not rerun.
   */
  private static boolean rerunnable(SQLException e, Phase phase) {
    return PgErrors.isConflict(e) || (phase == Phase.RUN && PgConnections.isLost(e));
  }

  /** A short random pause before running again, so that conflicting writers drift apart. */
  private void pause(int attempt, SQLException cause, Phase phase) {
    long maxMs = 1L << Math.min(attempt + 1, 6);
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, maxMs + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw errors.translate(cause, phase);
    }
  }
}
