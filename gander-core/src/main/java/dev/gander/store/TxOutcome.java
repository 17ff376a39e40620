package dev.gander.store;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link Store#writeFlow} function decided: commit its writes or roll them back, with a
 * value to hand back to the caller either way.
 *
 * @param commit {@code true} to commit the function's writes, {@code false} to roll them back
 * @param value the value the caller receives
 * @param <T> the value's type
 */
public record TxOutcome<T extends @Nullable Object>(boolean commit, T value) {
  /**
   * Keep the function's writes.
   *
   * @param value the value the caller receives
   * @param <T> the value's type
   * @return an outcome that commits
   */
  public static <T extends @Nullable Object> TxOutcome<T> commit(T value) {
    return new TxOutcome<>(true, value);
  }

  /**
   * Discard the function's writes; the caller still receives {@code value}.
   *
   * @param value the value the caller receives
   * @param <T> the value's type
   * @return an outcome that rolls back
   */
  public static <T extends @Nullable Object> TxOutcome<T> rollback(T value) {
    return new TxOutcome<>(false, value);
  }
}
