package dev.gander.internal;

import dev.gander.Gander;
import dev.gander.store.Store;

/** The SQLite-backed {@link Gander}. */
public final class GanderImpl implements Gander {
  private final Store store;

  /**
   * Wraps an open store; the instance owns it and closes it.
   *
   * @param store the store
   */
  public GanderImpl(Store store) {
    this.store = store;
  }

  @Override
  public Store store() {
    return store;
  }

  @Override
  public void close() {
    store.close();
  }

  @Override
  public String toString() {
    return "Gander[" + store.path() + "]";
  }
}
