package dev.gander.internal.eventlog;

import dev.gander.eventlog.EventLog;
import dev.gander.eventlog.EventLogBackend;
import dev.gander.eventlog.EventLogConfig;
import dev.gander.internal.contract.EventLogContract;

/**
 * The event log's contract in memory, with the default live buffer of 128 events per subscriber:
 * the slow subscriber's 100,000 events overflow it, and it reads what it missed from the log.
 */
class MemoryEventLogContractTest extends EventLogContract {
  @Override
  protected EventLog open() {
    EventLog log = EventLog.open(EventLogConfig.builder().backend(EventLogBackend.MEMORY).build());
    if (log.describe().queueDepth() != 128) {
      throw new AssertionError("the contract runs with the default queue depth of 128");
    }
    return log;
  }

  @Override
  protected EventLogBackend backend() {
    return EventLogBackend.MEMORY;
  }
}
