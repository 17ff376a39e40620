package dev.gander.internal.contract;

import dev.gander.Gander;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Pub/sub's contract on one SQLite file; a second instance is a second open of that file. */
class SqlitePubSubContractTest extends PubSubContract {
  @TempDir static Path dir;
  private static Gander gander;

  @BeforeAll
  static void open() {
    gander = Gander.open(dir.resolve("pubsub.db"));
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
  protected Gander openAnother(Duration notificationRetention) {
    return Gander.builder()
        .path(dir.resolve("pubsub.db"))
        .notificationRetention(notificationRetention)
        .open();
  }

  @Override
  protected String eventsTable() {
    return "gander_events";
  }
}
