package dev.gander.internal.postgres;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.gander.internal.postgres.PgErrors.Phase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of a {@link PgTxRunner}: borrowed from its {@link DataSource} (the pool Gander
 * made from a URL, or the application's own), set up for a transaction and put back as they came,
 * rolled back quietly after a failure; the pool Gander made is cleared of idle connections after
 * one broke in use, and closed with the runner. An application's pool is left to its own policy.
 *
 * <p>Thread-safe: it holds no state of a transaction.
 */
final class PgConnections {
  /** Logs as the runner: everything about its transactions is under one name. */
  private static final Logger log = LoggerFactory.getLogger(PgTxRunner.class);

  private final DataSource dataSource;
  private final @Nullable HikariDataSource ownedPool;
  private final PgErrors errors;

  PgConnections(DataSource dataSource, @Nullable HikariDataSource ownedPool, PgErrors errors) {
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.errors = errors;
  }

  Connection borrow() {
    try {
      return dataSource.getConnection();
    } catch (SQLException e) {
      throw errors.translate(e, Phase.CONNECT);
    }
  }

  /**
   * Turns autocommit off (pgjdbc then sends {@code BEGIN} with the first statement, no extra round
   * trip).
   *
   * @return whether it was on, to be turned on again before the connection goes back
   */
  static boolean begin(Connection c) throws SQLException {
    if (c.getAutoCommit()) {
      c.setAutoCommit(false);
      return true;
    }
    return false;
  }

  void giveBack(Connection c, boolean restoreAutoCommit) {
    try {
      if (restoreAutoCommit && !c.isClosed()) {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      log.debug("Could not restore autocommit on a connection going back", e);
    }
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("Closing a connection failed", e);
    }
  }

  static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // The connection broke, or the server already ended the transaction.
    }
  }

  static void rollbackTo(Connection c, Savepoint savepoint) {
    try {
      c.rollback(savepoint);
      c.releaseSavepoint(savepoint);
    } catch (SQLException e) {
      log.debug("Rolling back to a savepoint failed; the caller's transaction fails with it", e);
    }
  }

  /**
   * After a connection broke in use, the pool's idle connections may be just as dead (the server
   * restarted, or killed every session): HikariCP checks a connection on borrow only after it has
   * been idle for half a second, so a burst of retries could be handed one dead connection after
   * another. Gander's own pool is told to replace its idle connections (soft eviction: those in use
   * are replaced when they come back). An application's pool is left to its own policy.
   */
  void evictIfLost(SQLException e) {
    HikariDataSource pool = ownedPool;
    if (pool != null && isLost(e)) {
      HikariPoolMXBean bean = pool.getHikariPoolMXBean();
      if (bean != null) {
        bean.softEvictConnections();
      }
    }
  }

  /** A connection that broke in use, not one that could not be made. */
  static boolean isLost(SQLException e) {
    return PgErrors.isConnectionFailure(e) && !"08001".equals(PgErrors.state(e));
  }

  /** Closes the pool if Gander made it. */
  void closeOwnedPool() {
    if (ownedPool != null) {
      try {
        ownedPool.close();
      } catch (RuntimeException e) {
        log.warn("Closing the connection pool of {} failed", errors.where(), e);
      }
    }
  }
}
