package dev.gander.lock;

import java.time.Duration;
import java.time.Instant;

/**
 * A held advisory lock; get one with {@link dev.gander.Gander#tryLock} or {@link
 * dev.gander.Gander#lock}. Closing releases it.
 */
public interface Lock extends AutoCloseable {
  /**
   * The lock's name.
   *
   * @return the name
   */
  String name();

  /**
   * Who holds it, as given when acquiring.
   *
   * @return the owner
   */
  String owner();

  /**
   * This acquisition's fencing token: larger than that of every earlier acquisition of the name.
   * Pass it to the systems you write to under the lock, and have them refuse a smaller one than
   * they have seen.
   *
   * @return the token, from 1
   */
  long fencingToken();

  /**
   * When it runs out unless extended, as of the last acquisition or heartbeat.
   *
   * @return the instant
   */
  Instant expiresAt();

  /**
   * Extends the lock to {@code ttl} from now.
   *
   * @param ttl the new time to live, at least a millisecond
   * @throws LockLostException if it ran out, or was released, or someone else holds it now; nothing
   *     changes
   */
  void heartbeat(Duration ttl);

  /**
   * Releases the lock, waking whoever waits for it, in this process at once and in others through
   * the backend's notifier. Releasing twice does nothing the second time.
   *
   * @throws LockLostException if someone else acquired it after it ran out; nothing changes
   */
  void release();

  /**
   * Releases the lock, as {@link #release()}.
   *
   * @throws LockLostException if someone else acquired it after it ran out
   */
  @Override
  void close();
}
