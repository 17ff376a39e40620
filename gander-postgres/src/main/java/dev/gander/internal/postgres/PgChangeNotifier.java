package dev.gander.internal.postgres;

import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.Waiters;
import dev.gander.internal.spi.WakeKey;
import java.sql.SQLException;

/**
 * PostgreSQL's {@link ChangeNotifier}: a change is sent with {@code pg_notify} inside the writing
 * transaction (delivered to every process listening on the schema when it commits, never on
 * rollback) and signalled to this process's waiters right after the commit, without waiting for the
 * server to echo it back. Started by the first consumer: one listening connection per Gander, whose
 * keys go to the waiters they name; after it reconnected, every waiter re-checks.
 */
final class PgChangeNotifier implements ChangeNotifier {
  private final PgNotifier notifier;
  private final Waiters waiters;
  private volatile boolean started;

  PgChangeNotifier(PgNotifier notifier, Waiters waiters) {
    this.notifier = notifier;
    this.waiters = waiters;
  }

  @Override
  public void changed(Tx tx, WakeKey key) throws SQLException {
    if (tx instanceof PgTx) {
      // Sent with the transaction's other keys, in one statement right before its commit.
      ((PgTx) tx).notifyAtCommit(key, notifier);
    } else {
      notifier.send(tx, key);
    }
    tx.afterCommit(() -> waiters.signal(key));
  }

  @Override
  public void start() {
    if (started) {
      return; // every claim asks: the common case takes no lock
    }
    synchronized (this) {
      if (started || notifier.isClosed()) {
        return;
      }
      started = true;
      notifier.listen(waiters::signal, waiters::signalAll);
    }
  }

  @Override
  public void close() {
    notifier.close();
  }
}
