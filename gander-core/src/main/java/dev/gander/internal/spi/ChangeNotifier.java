package dev.gander.internal.spi;

/**
 * How a commit reaches the waiters it concerns: in this process right after the commit, in other
 * processes (or machines) through the backend's own means (SQLite's commit watcher, PostgreSQL's
 * {@code LISTEN/NOTIFY}).
 */
public interface ChangeNotifier extends AutoCloseable {
  /**
   * Announces, inside {@code tx}, that what {@code key} names may have changed. Waiters in this
   * process are signalled after the commit, never on rollback; other processes when they see the
   * commit.
   *
   * @param tx the writing transaction
   * @param key what changed
   * @throws java.sql.SQLException if the backend's announcement fails
   */
  void changed(Tx tx, WakeKey key) throws java.sql.SQLException;

  /**
   * The backend's own carrier of pub/sub messages, if it has one.
   *
   * @return the carrier, or {@code null} where pub/sub must keep notifications in a table
   */
  default @org.jspecify.annotations.Nullable MessageBus messages() {
    return null;
  }

  /** Starts noticing other processes' commits, if not started yet. Idempotent. */
  void start();

  /** Stops noticing; waiters are not woken by other processes any more. Idempotent. */
  @Override
  void close();
}
