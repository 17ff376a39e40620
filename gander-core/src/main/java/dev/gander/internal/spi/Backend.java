package dev.gander.internal.spi;

import dev.gander.store.Store;
import java.time.Clock;

/**
 * One open database as the capability logic uses it: transactions, operations per capability, and a
 * notifier. A backend module (SQLite in gander-core, PostgreSQL in gander-postgres) opens one;
 * {@code GanderImpl} builds every capability on it and closes it last.
 */
public interface Backend extends AutoCloseable {
  /**
   * Runs transactions.
   *
   * @return the runner
   */
  TxRunner transactions();

  /**
   * The job operations.
   *
   * @return the operations
   */
  JobOps jobs();

  /**
   * The stream operations.
   *
   * @return the operations
   */
  StreamOps streams();

  /**
   * The advisory lock operations.
   *
   * @return the operations
   */
  LockOps locks();

  /**
   * The rate limit operations.
   *
   * @return the operations
   */
  RateLimitOps rateLimits();

  /**
   * The cron schedule operations.
   *
   * @return the operations
   */
  ScheduleOps schedules();

  /**
   * Gives storage freed by deletions back where the backend can, after a compaction: SQLite copies
   * its WAL into the database file and empties it.
   *
   * @return whether it did (false where the backend has nothing of the kind)
   */
  default boolean checkpoint() {
    return false;
  }

  /**
   * Creates the notifier that carries commits to {@code waiters} (in this process at once, and from
   * other processes), using {@code filter} where the backend cannot name what changed.
   *
   * @param waiters this process's waiters
   * @param filter which waited keys an unnamed foreign commit may concern
   * @return the notifier, not started
   */
  ChangeNotifier notifier(Waiters waiters, WakeFilter filter);

  /**
   * The store under the capabilities: the escape hatch for the application's own SQL.
   *
   * @return the store
   */
  Store store();

  /**
   * The clock the capabilities read "now" from for run times, leases, expiry and sweeps. SQLite
   * uses the clock the application configured (the system clock unless a test injects one); a
   * server backend returns the server's time, so that processes on machines whose clocks disagree
   * agree on when a lease runs out or a delayed job comes due.
   *
   * @param requested the clock given to {@code Gander.builder().clock(...)}
   * @return the clock to use; reading it must not cost a round trip to the database
   */
  default Clock clock(Clock requested) {
    return requested;
  }

  /**
   * A short description for thread names and messages, such as the file name.
   *
   * @return the name
   */
  String name();

  /** Closes the database. */
  @Override
  void close();
}
