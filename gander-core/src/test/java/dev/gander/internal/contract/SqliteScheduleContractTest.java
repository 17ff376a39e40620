package dev.gander.internal.contract;

import dev.gander.Gander;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler's contract on one SQLite file; a second instance opens it again. */
class SqliteScheduleContractTest extends ScheduleContract {
  @TempDir static Path dir;
  private static Gander gander;

  @BeforeAll
  static void open() {
    gander = Gander.open(dir.resolve("schedule.db"));
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
    return Gander.open(dir.resolve("schedule.db"));
  }

  @Override
  protected String table(String table) {
    return table;
  }
}
