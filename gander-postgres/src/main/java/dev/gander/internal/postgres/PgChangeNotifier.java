package dev.gander.internal.postgres;

import dev.gander.GanderException;
import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.MessageBus;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.Waiters;
import dev.gander.internal.spi.WakeKey;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * PostgreSQL's {@link ChangeNotifier}: a change is sent with {@code pg_notify} inside the writing
 * transaction (delivered to every process listening on the schema when it commits, never on
 * rollback) and signalled to this process's waiters right after the commit, without waiting for the
 * server to echo it back. Started by the first consumer: one listening connection per Gander, whose
 * keys go to the waiters they name; after it reconnected, every waiter re-checks.
 *
 * <p>Also the {@link MessageBus} of pub/sub: messages ride on the same channel and connection (see
 * {@link PgMessages}), each sent with its transaction's other notifications in one round trip.
 */
final class PgChangeNotifier implements ChangeNotifier, MessageBus {
  /** How long {@link #subscribe} waits for the listening connection. */
  private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(30);

  private final PgNotifier notifier;
  private final Waiters waiters;
  private final PgMessages messages = new PgMessages();
  private volatile @Nullable Consumer<Message> sink;
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
      notifier.listen(waiters::signal, this::received, waiters::signalAll);
    }
  }

  private void received(String payload) {
    Consumer<Message> s = sink;
    if (s == null) {
      return; // nobody here listens to any channel
    }
    Optional<Message> m = messages.decode(payload);
    m.ifPresent(s);
  }

  @Override
  public MessageBus messages() {
    return this;
  }

  @Override
  public boolean fits(String channel, String json) {
    return messages.fits(channel, json);
  }

  @Override
  public void send(Tx tx, Message message) throws SQLException {
    String payload = messages.encode(message);
    if (tx instanceof PgTx) {
      ((PgTx) tx).notifyAtCommit(payload, notifier);
    } else {
      notifier.send(tx, payload);
    }
  }

  @Override
  public void subscribe(Consumer<Message> sink) {
    this.sink = sink;
    start();
    boolean listening;
    try {
      listening = notifier.awaitListening(LISTEN_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GanderException("Interrupted while starting to listen on PostgreSQL", e);
    }
    if (!listening) {
      throw new GanderException(
          notifier.isClosed()
              ? "The database is closed: open it again to listen"
              : "Could not start listening on PostgreSQL within "
                  + LISTEN_TIMEOUT.toSeconds()
                  + " s: check that the server is reachable and accepts one more connection"
                  + " (the log of the listening thread says why it failed)");
    }
  }

  @Override
  public void close() {
    notifier.close();
  }
}
