package dev.gander.internal.postgres;

import dev.gander.internal.spi.Tx;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL transaction on a connection borrowed from the pool, and the hooks to run once it
 * commits. Used by the one thread that runs its work, so it needs no locking.
 */
final class PgTx implements Tx {
  private static final Logger log = LoggerFactory.getLogger(PgTx.class);

  private final Connection connection;
  private final boolean write;
  private final List<Runnable> hooks = new ArrayList<>(2);

  /**
   * Creates the transaction's view.
   *
   * @param connection the raw connection, autocommit off
   * @param write {@code false} for a read-only snapshot, where nothing commits
   */
  PgTx(Connection connection, boolean write) {
    this.connection = connection;
    this.write = write;
  }

  @Override
  public Connection connection() {
    return connection;
  }

  /**
   * Whether this is a write: operations that lock rows ({@code FOR UPDATE}) may do so only then.
   *
   * @return {@code true} for a write transaction
   */
  boolean isWrite() {
    return write;
  }

  @Override
  public void afterCommit(Runnable hook) {
    if (!write) {
      throw new IllegalStateException("afterCommit in a read: nothing commits there");
    }
    hooks.add(hook);
  }

  /** A mark to drop hooks back to, taken before a nested write. */
  int hookMark() {
    return hooks.size();
  }

  /** Drops the hooks a nested write registered before it rolled back to its savepoint. */
  void dropHooksFrom(int mark) {
    hooks.subList(mark, hooks.size()).clear();
  }

  /** Runs the hooks, after the commit. One that throws is logged and the others still run. */
  void runHooks() {
    for (Runnable hook : hooks) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        log.error("An after-commit hook failed; the transaction itself committed", e);
      }
    }
    hooks.clear();
  }
}
