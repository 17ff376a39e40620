package dev.gander.internal.contract;

import dev.gander.Gander;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Locks' and rate limits' contract on one SQLite file; a second instance opens it again. */
class SqliteCoordinationContractTest extends CoordinationContract {
  @TempDir static Path dir;
  private static Gander gander;

  @BeforeAll
  static void open() {
    gander = Gander.open(dir.resolve("coordination.db"));
  }

  @AfterAll
  static void close() {
    if (gander != null) {
      gander.close();
    }
  }

  @Override
  protected Gander gander() {
    return gander;
  }

  @Override
  protected Gander openAnother() {
    return Gander.open(dir.resolve("coordination.db"));
  }
}
