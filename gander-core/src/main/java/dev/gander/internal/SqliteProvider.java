package dev.gander.internal;

import dev.gander.Gander;
import dev.gander.internal.sqlite.SqliteBackend;
import dev.gander.internal.sqlite.SqliteStore;
import dev.gander.spi.GanderProvider;
import dev.gander.spi.OpenRequest;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.store.Store;
import dev.gander.store.StoreOptions;
import java.nio.file.Path;

/** The SQLite backend, as {@link GanderProvider} finds it: one file, opened by path. */
public final class SqliteProvider implements GanderProvider {
  /** For {@link java.util.ServiceLoader}. */
  public SqliteProvider() {}

  @Override
  public String kind() {
    return "sqlite";
  }

  @Override
  public Gander open(OpenRequest request) {
    Path path =
        request
            .path()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no database path: call path(Path.of(\"app.db\")) first"));
    SqliteStore store = SqliteStore.open(path, request.sqlite(), request.storeOptions(), false);
    return new GanderImpl(new SqliteBackend(store, request.sqlite().wakeMode()), request);
  }

  @Override
  public Store openStore(Path path, SqliteOptions sqlite, StoreOptions options, boolean readOnly) {
    return SqliteStore.open(path, sqlite, options, readOnly);
  }
}
