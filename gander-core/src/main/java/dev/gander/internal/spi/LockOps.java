package dev.gander.internal.spi;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A backend's operations on advisory locks, in domain terms. A lock's row outlives its holders
 * (released: no owner, expiry 0), so that its fencing token only grows.
 */
public interface LockOps {
  /**
   * A lock's row.
   *
   * @param name the lock
   * @param owner its holder, or null when released
   * @param token the fencing token of the last acquisition
   * @param expiresAt when the holder's time runs out (epoch ms; 0 when released)
   */
  record Holder(
      String name, @org.jspecify.annotations.Nullable String owner, long token, long expiresAt) {}

  /**
   * Takes the lock if it is free (released, never taken, or run out at {@code now}), with the next
   * fencing token.
   *
   * @return the token, or empty if someone holds it
   */
  OptionalLong acquire(Tx tx, String name, String owner, long now, long expiresAt)
      throws SQLException;

  /** Extends the holder of {@code token}'s time, if it still holds it at {@code now}. */
  boolean heartbeat(Tx tx, String name, long token, long now, long expiresAt) throws SQLException;

  /** Releases the lock if {@code token} is still its last acquisition; false otherwise. */
  boolean release(Tx tx, String name, long token) throws SQLException;

  /** The lock's row, if it was ever taken. */
  Optional<Holder> holder(Tx tx, String name) throws SQLException;

  /** Locks held at {@code now}, by name. */
  List<Holder> held(Tx tx, long now) throws SQLException;
}
