package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * The connection to the database server broke while an operation ran: the server restarted, an
 * administrator ended the session, or the network dropped.
 *
 * <p>Unlike a server that could not be reached at all, the operation may have been under way, and
 * if the connection broke while it committed, whether it committed is unknown. Nothing is lost
 * either way: a job whose claim or ack met a lost connection stays leased until its lease runs out
 * and is then delivered again. Retry the operation once the server answers; make handlers
 * idempotent, as at-least-once delivery asks anyway.
 */
public class ConnectionLostException extends DatabaseUnavailableException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public ConnectionLostException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public ConnectionLostException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
