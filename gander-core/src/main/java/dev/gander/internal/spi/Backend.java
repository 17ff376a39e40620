package dev.gander.internal.spi;

import dev.gander.store.Store;

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
   * A short description for thread names and messages, such as the file name.
   *
   * @return the name
   */
  String name();

  /** Closes the database. */
  @Override
  void close();
}
