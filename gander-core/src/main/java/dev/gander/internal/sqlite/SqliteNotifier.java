package dev.gander.internal.sqlite;

import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.Waiters;
import dev.gander.internal.spi.WakeKey;

/**
 * SQLite's notifier: waiters in this process are signalled right after the commit; commits of other
 * processes are noticed by the {@link CommitWatcher}, which cannot tell what changed and asks the
 * capability's filter which waited keys to wake.
 */
final class SqliteNotifier implements ChangeNotifier {
  private final Waiters waiters;
  private final CommitWatcher watcher;

  SqliteNotifier(Waiters waiters, CommitWatcher watcher) {
    this.waiters = waiters;
    this.watcher = watcher;
  }

  @Override
  public void changed(Tx tx, WakeKey key) {
    tx.afterCommit(() -> waiters.signal(key));
  }

  @Override
  public void start() {
    watcher.ensureStarted();
  }

  @Override
  public void close() {
    watcher.close();
  }
}
