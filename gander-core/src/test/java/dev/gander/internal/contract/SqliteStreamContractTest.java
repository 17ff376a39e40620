package dev.gander.internal.contract;

import dev.gander.Gander;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The stream's contract on one SQLite file; a second instance is a second open of that file. */
class SqliteStreamContractTest extends StreamContract {
  @TempDir static Path dir;
  private static Gander gander;

  @BeforeAll
  static void open() {
    gander = Gander.open(dir.resolve("streams.db"));
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
    return Gander.open(dir.resolve("streams.db"));
  }

  @Override
  protected Gander openWithRetentionPeriod(Duration period) {
    return Gander.builder().path(dir.resolve("streams.db")).retentionPeriod(period).open();
  }
}
