package dev.gander.lock;

import dev.gander.GanderException;

/**
 * A lock's holder tried to extend or release it after losing it: its time to live ran out (and, for
 * a release, someone else acquired it since). Nothing was changed. Whatever the holder was doing
 * under the lock may have overlapped with the next holder; the fencing token lets the systems it
 * wrote to tell.
 */
public class LockLostException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what to do
   */
  public LockLostException(String message) {
    super(message);
  }
}
