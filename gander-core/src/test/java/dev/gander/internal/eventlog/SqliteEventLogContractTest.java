package dev.gander.internal.eventlog;

import dev.gander.Gander;
import dev.gander.eventlog.EventLog;
import dev.gander.eventlog.EventLogBackend;
import dev.gander.eventlog.EventLogConfig;
import dev.gander.internal.contract.EventLogContract;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event log's contract on SQLite, the default backend: a database file of each test's own,
 * opened by the event log; {@link #openGander()} opens it a second time, as another part of the
 * application would.
 */
class SqliteEventLogContractTest extends EventLogContract {
  @TempDir Path dir;

  @Override
  protected EventLog open() {
    return EventLog.open(
        EventLogConfig.builder().sqlitePath(dir.resolve("data").resolve("events.db")).build());
  }

  @Override
  protected EventLogBackend backend() {
    return EventLogBackend.SQLITE;
  }

  @Override
  protected Optional<Gander> openGander() {
    open().close(); // makes the directory and the file
    return Optional.of(Gander.open(dir.resolve("data").resolve("events.db")));
  }
}
