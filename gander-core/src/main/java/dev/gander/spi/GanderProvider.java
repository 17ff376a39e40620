package dev.gander.spi;

import dev.gander.Gander;
import dev.gander.GanderException;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.store.Store;
import dev.gander.store.StoreOptions;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * Opens one kind of database for Gander. Implemented by Gander's backend modules and found with
 * {@link ServiceLoader}, so that the API never names a backend class and gander-core never depends
 * on PostgreSQL. Not for applications.
 */
public interface GanderProvider {
  /**
   * The kind of database: {@code sqlite} or {@code postgres}.
   *
   * @return the kind
   */
  String kind();

  /**
   * Opens a Gander.
   *
   * @param request what the builder was told
   * @return the open instance
   */
  Gander open(OpenRequest request);

  /**
   * Opens a bare store on a file, for backends that have files.
   *
   * @param path the file
   * @param sqlite the file's options
   * @param options the options of every backend
   * @param readOnly whether it can never write
   * @return the store
   * @throws UnsupportedOperationException for a backend without files
   */
  default Store openStore(Path path, SqliteOptions sqlite, StoreOptions options, boolean readOnly) {
    throw new UnsupportedOperationException("The " + kind() + " backend has no file store");
  }

  /**
   * Finds the provider of a kind on the class path or module path.
   *
   * @param kind {@code sqlite} or {@code postgres}
   * @return the provider
   * @throws GanderException if no module provides it, saying which dependency to add
   */
  static GanderProvider find(String kind) {
    for (GanderProvider p :
        ServiceLoader.load(GanderProvider.class, GanderProvider.class.getClassLoader())) {
      if (p.kind().equals(kind)) {
        return p;
      }
    }
    throw new GanderException(
        "No Gander backend for '"
            + kind
            + "' is on the class path: add the dependency dev.gander:gander-"
            + kind
            + " (the same version as gander-core).");
  }
}
