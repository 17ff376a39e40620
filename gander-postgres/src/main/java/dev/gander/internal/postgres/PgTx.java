package dev.gander.internal.postgres;

import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.WakeKey;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One PostgreSQL transaction on a connection borrowed from the pool, the wake-up keys to notify
 * when it commits, and the hooks to run once it has. Used by the one thread that runs its work, so
 * it needs no locking.
 */
final class PgTx implements Tx {
  private static final Logger log = LoggerFactory.getLogger(PgTx.class);

  private final Connection connection;
  private final boolean write;
  private final List<Runnable> hooks = new ArrayList<>(2);

  /** Payloads to send at commit, in order: wake-up keys once each, messages every time. */
  private final List<String> notifications = new ArrayList<>(2);

  private @Nullable PgNotifier notifier;

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

  /**
   * Notifies {@code key} on this transaction's channel just before it commits, with every other key
   * of the transaction in one statement: one round trip per transaction, however many keys.
   *
   * @param key what may have changed
   * @param sender the notifier that sends it
   */
  void notifyAtCommit(WakeKey key, PgNotifier sender) {
    String payload = PgNotifier.encode(key);
    if (!notifications.contains(payload)) {
      notifyAtCommit(payload, sender);
    }
  }

  /**
   * Sends {@code payload} on this transaction's channel just before it commits, after the payloads
   * added before it, with all of them in one statement.
   *
   * @param payload the notification's payload, unique within the transaction (the server folds
   *     identical ones into one)
   * @param sender the notifier that sends it
   */
  void notifyAtCommit(String payload, PgNotifier sender) {
    if (!write) {
      throw new IllegalStateException("a notification in a read: nothing commits there");
    }
    notifier = sender;
    notifications.add(payload);
  }

  /**
   * Commits, sending the notifications collected in the same round trip as the commit: a write that
   * wakes anyone costs no round trip more than one that does not.
   *
   * @throws SQLException if sending or committing fails (whether it committed is then unknown)
   */
  void commit() throws SQLException {
    PgNotifier n = notifier;
    if (n != null && !notifications.isEmpty()) {
      n.sendAndCommit(this, notifications);
      notifications.clear();
    }
    // After a COMMIT sent as SQL the driver knows the transaction ended: this sends nothing.
    connection().commit();
  }

  /** Whether notifications were collected (a one-statement write may not send any). */
  boolean notifies() {
    return !notifications.isEmpty();
  }

  /** A mark to drop hooks and notifications back to, taken before a nested write. */
  long hookMark() {
    return ((long) hooks.size() << 32) | notifications.size();
  }

  /** Drops the hooks and notifications of a nested write that rolled back to its savepoint. */
  void dropHooksFrom(long mark) {
    hooks.subList((int) (mark >>> 32), hooks.size()).clear();
    notifications.subList((int) mark, notifications.size()).clear();
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
