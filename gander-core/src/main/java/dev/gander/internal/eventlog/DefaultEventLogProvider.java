package dev.gander.internal.eventlog;

import dev.gander.Gander;
import dev.gander.GanderException;
import dev.gander.eventlog.EventLog;
import dev.gander.eventlog.EventLogConfig;
import dev.gander.spi.EventLogProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** Opens each backend of the event log, as {@link EventLogProvider} finds it. */
public final class DefaultEventLogProvider implements EventLogProvider {
  /** For {@link java.util.ServiceLoader}. */
  public DefaultEventLogProvider() {}

  @Override
  public EventLog open(EventLogConfig config) {
    Objects.requireNonNull(config, "config");
    switch (config.backend()) {
      case MEMORY:
        return new MemoryEventLog(config.queueDepth());
      case FILE:
        return FileEventLog.open(config.fileDir().orElseThrow(), config.queueDepth());
      case SQLITE:
        Path file = config.sqlitePath().orElseThrow().toAbsolutePath();
        Path parent = file.getParent();
        if (parent != null) {
          try {
            Files.createDirectories(parent);
          } catch (IOException e) {
            throw new GanderException(
                "Cannot make the directory " + parent + " of the event log's database: " + e, e);
          }
        }
        return new StreamEventLog(Gander.open(file), true, config.queueDepth());
      case POSTGRES:
        Gander pg =
            Gander.builder()
                .postgres(config.postgresUrl().orElseThrow())
                .schema(config.postgresSchema())
                .open();
        return new StreamEventLog(pg, true, config.queueDepth());
      default:
        throw new IllegalArgumentException("unknown backend " + config.backend());
    }
  }

  @Override
  public EventLog on(Gander gander) {
    return new StreamEventLog(
        Objects.requireNonNull(gander, "gander"), false, EventLogConfig.DEFAULT_QUEUE_DEPTH);
  }
}
