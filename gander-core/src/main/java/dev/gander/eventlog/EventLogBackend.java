package dev.gander.eventlog;

import java.util.Locale;

/** Where an {@link EventLog} keeps its events. */
public enum EventLogBackend {
  /** In this process's memory: for tests and ephemeral use; nothing survives {@code close()}. */
  MEMORY,
  /** A directory of JSON-lines files, one per topic, with consumers' cursors in small files. */
  FILE,
  /** A Gander database on a SQLite file, as streams: the default. */
  SQLITE,
  /** A Gander database on PostgreSQL, as streams; needs {@code dev.gander:gander-postgres}. */
  POSTGRES;

  /**
   * The backend's name in configuration, as {@code GANDER_EVENT_LOG_BACKEND} takes it.
   *
   * @return {@code memory}, {@code file}, {@code sqlite} or {@code postgres}
   */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
