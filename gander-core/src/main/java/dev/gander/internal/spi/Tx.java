package dev.gander.internal.spi;

import java.sql.Connection;

/**
 * One database transaction, as capability logic hands it to a backend's operations: the connection
 * the backend runs its statements on, and work to do once it commits. Valid only while the work it
 * was given to runs, on that work's thread.
 */
public interface Tx {
  /**
   * The connection of this transaction. Only backend code runs statements on it.
   *
   * @return the connection
   */
  Connection connection();

  /**
   * Runs {@code hook} after this transaction commits; never if it rolls back (the whole
   * transaction, or the nested write the hook was registered in). Hooks must be quick and must not
   * throw: they mark handles settled and wake waiters.
   *
   * @param hook what to run
   */
  void afterCommit(Runnable hook);
}
