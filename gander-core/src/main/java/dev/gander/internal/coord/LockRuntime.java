package dev.gander.internal.coord;

import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.internal.Names;
import dev.gander.internal.Times;
import dev.gander.internal.spi.Backend;
import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.LockOps;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.spi.WakeKey;
import dev.gander.internal.wake.WakeHub;
import dev.gander.lock.Lock;
import dev.gander.lock.LockInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Advisory locks on any backend: validation, waiting, and the holder's handle; the SQL is the
 * backend's. A waiter is woken by the release (in this process at once, in others through the
 * backend's notifier) or, if the holder dies, at the holder's expiry: never by polling the table.
 */
public final class LockRuntime {
  final TxRunner tx;
  final LockOps ops;
  final Clock clock;
  final WakeHub hub;
  final ChangeNotifier notifier;

  /**
   * Creates the runtime; starts nothing.
   *
   * @param backend the open database
   * @param clock time of expiries (the server's, on PostgreSQL)
   * @param hub in-process waiters
   * @param notifier carries releases to waiters here and in other processes
   */
  public LockRuntime(Backend backend, Clock clock, WakeHub hub, ChangeNotifier notifier) {
    this.tx = backend.transactions();
    this.ops = backend.locks();
    this.clock = clock;
    this.hub = hub;
    this.notifier = notifier;
  }

  /**
   * Takes a lock if it is free or ran out.
   *
   * @param name the lock
   * @param owner who takes it
   * @param ttl how long it is held unless extended
   * @return the lock, or empty if someone holds it
   */
  public Optional<Lock> tryLock(String name, String owner, Duration ttl) {
    checkOpen();
    Names.check("lock", name);
    checkOwner(owner);
    long ttlMs = ttlMillis(ttl);
    long[] until = new long[1];
    OptionalLong token =
        tx.runWrite(
            t -> {
              long now = clock.millis();
              until[0] = Times.plus(now, ttlMs);
              return ops.acquire(t, name, owner, now, until[0]);
            });
    if (token.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new LockImpl(this, name, owner, token.getAsLong(), until[0]));
  }

  /**
   * Takes a lock, waiting up to {@code wait} for its holder to release it or run out.
   *
   * @param name the lock
   * @param owner who takes it
   * @param ttl how long it is held unless extended
   * @param wait the longest wait
   * @return the lock, or empty if it was not free in time
   */
  public Optional<Lock> lock(String name, String owner, Duration ttl, Duration wait) {
    Times.notNegative(wait, "wait");
    Names.check("lock", name);
    checkOwner(owner);
    ttlMillis(ttl);
    notifier.start();
    long deadline = Times.deadline(Times.nanos(wait));
    try (WakeHub.Interest wake = hub.interest(new WakeKey.LockReleased(name))) {
      while (true) {
        long seen = wake.seq();
        Optional<Lock> lock = tryLock(name, owner, ttl);
        if (lock.isPresent()) {
          return lock;
        }
        if (hub.isClosed()) {
          throw new GanderClosedException(
              "The database closed while waiting for lock '" + name + "'");
        }
        long left = Times.nanosLeft(deadline);
        if (left <= 0) {
          return Optional.empty();
        }
        // The holder may die without releasing: wake at its expiry at the latest.
        long expiresAt =
            tx.runRead(t -> ops.holder(t, name)).map(LockOps.Holder::expiresAt).orElse(0L);
        long untilFree = TimeUnit.MILLISECONDS.toNanos(Math.max(1, expiresAt - clock.millis()));
        try {
          wake.await(seen, Math.min(left, untilFree));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new GanderException("Interrupted while waiting for lock '" + name + "'", e);
        }
      }
    }
  }

  /**
   * The locks held now.
   *
   * @return them, by name
   */
  public List<LockInfo> locks() {
    checkOpen();
    List<LockOps.Holder> held = tx.runRead(t -> ops.held(t, clock.millis()));
    List<LockInfo> out = new ArrayList<>(held.size());
    for (LockOps.Holder h : held) {
      out.add(
          new LockInfo(
              h.name(),
              Objects.requireNonNullElse(h.owner(), ""),
              Instant.ofEpochMilli(h.expiresAt()),
              h.token()));
    }
    return out;
  }

  static long ttlMillis(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException("ttl must be at least 1 ms, was " + ttl);
    }
    return Times.millis(ttl);
  }

  private static void checkOwner(String owner) {
    Objects.requireNonNull(owner, "owner");
    if (owner.isBlank() || owner.length() > 256) {
      throw new IllegalArgumentException(
          "owner must be 1 to 256 characters, not blank, such as a host name and pid; was '"
              + owner
              + "'");
    }
  }

  void checkOpen() {
    if (tx.isClosed()) {
      throw tx.closedException();
    }
  }
}
