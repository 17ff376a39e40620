package dev.gander.internal.coord;

import dev.gander.internal.Times;
import dev.gander.internal.spi.WakeKey;
import dev.gander.lock.Lock;
import dev.gander.lock.LockLostException;
import java.time.Duration;
import java.time.Instant;

/** A held lock: extends and releases it by its fencing token. */
final class LockImpl implements Lock {
  private final LockRuntime rt;
  private final String name;
  private final String owner;
  private final long token;
  private volatile long expiresAt;
  private volatile boolean released;

  LockImpl(LockRuntime rt, String name, String owner, long token, long expiresAt) {
    this.rt = rt;
    this.name = name;
    this.owner = owner;
    this.token = token;
    this.expiresAt = expiresAt;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String owner() {
    return owner;
  }

  @Override
  public long fencingToken() {
    return token;
  }

  @Override
  public Instant expiresAt() {
    return Instant.ofEpochMilli(expiresAt);
  }

  @Override
  public synchronized void heartbeat(Duration ttl) {
    long ttlMs = LockRuntime.ttlMillis(ttl);
    rt.checkOpen();
    if (released) {
      throw new LockLostException(
          "Lock '" + name + "' (token " + token + ") was released: acquire it again");
    }
    long[] until = new long[1];
    boolean extended =
        rt.tx.runWrite(
            t -> {
              long now = rt.clock.millis();
              until[0] = Times.plus(now, ttlMs);
              return rt.ops.heartbeat(t, name, token, now, until[0]);
            });
    if (!extended) {
      throw new LockLostException(
          "Lock '"
              + name
              + "' (token "
              + token
              + ", owner "
              + owner
              + ") ran out before this heartbeat"
              + " and is no longer held by it; nothing changed. Heartbeat more often than the"
              + " time to live, and check the fencing token where the lock protects writes.");
    }
    expiresAt = until[0];
  }

  @Override
  public synchronized void release() {
    if (released) {
      return;
    }
    rt.checkOpen();
    boolean freed =
        rt.tx.runWrite(
            t -> {
              boolean f = rt.ops.release(t, name, token);
              if (f) {
                rt.notifier.changed(t, new WakeKey.LockReleased(name));
              }
              return f;
            });
    released = true;
    if (!freed) {
      throw new LockLostException(
          "Lock '"
              + name
              + "' (token "
              + token
              + ", owner "
              + owner
              + ") ran out and was taken by another holder before this release; nothing"
              + " changed.");
    }
  }

  @Override
  public void close() {
    release();
  }

  @Override
  public String toString() {
    return "Lock[" + name + ", owner " + owner + ", token " + token + "]";
  }
}
