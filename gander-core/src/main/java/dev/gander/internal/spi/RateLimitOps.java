package dev.gander.internal.spi;

import java.sql.SQLException;

/** A backend's operations on fixed-window rate limits, in domain terms. */
public interface RateLimitOps {
  /**
   * A counted call.
   *
   * @param count the calls counted in its window, this one included
   * @param windowStart the window it was counted in (epoch ms): the key's current one
   */
  record Hit(long count, long windowStart) {}

  /**
   * Counts a call of {@code key} in the window starting at {@code windowStart} (epoch ms) of {@code
   * windowMs}, starting the count again if the key's last window was another one.
   *
   * @return the count, and the window it is in
   */
  Hit hit(Tx tx, String key, long windowStart, long windowMs) throws SQLException;

  /** Deletes the counts of windows that ended before {@code before}; returns how many. */
  int prune(Tx tx, long before) throws SQLException;
}
