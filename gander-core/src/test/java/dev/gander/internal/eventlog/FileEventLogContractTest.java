package dev.gander.internal.eventlog;

import dev.gander.eventlog.EventLog;
import dev.gander.eventlog.EventLogBackend;
import dev.gander.eventlog.EventLogConfig;
import dev.gander.internal.contract.EventLogContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The event log's contract on the file backend, in a directory of each test's own. */
class FileEventLogContractTest extends EventLogContract {
  @TempDir Path dir;

  @Override
  protected EventLog open() {
    return EventLog.open(
        EventLogConfig.builder().backend(EventLogBackend.FILE).fileDir(dir.resolve("log")).build());
  }

  @Override
  protected EventLogBackend backend() {
    return EventLogBackend.FILE;
  }
}
