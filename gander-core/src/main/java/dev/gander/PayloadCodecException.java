package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * A payload or result could not be turned into JSON that can be stored, or JSON could not be turned
 * back into the requested type. Nothing was written.
 *
 * <p>Check that the value is serialisable by the database's Jackson {@code ObjectMapper}, that its
 * text holds no lone UTF-16 surrogate (half of a character without its other half, which UTF-8
 * cannot store), or that the class given to {@code payloadAs} matches what was enqueued.
 */
public class PayloadCodecException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public PayloadCodecException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public PayloadCodecException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
