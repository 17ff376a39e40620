package dev.gander.sqlite;

/**
 * How a Gander on a SQLite file notices commits made by other processes, to wake its blocked
 * waiters. Set with {@link SqliteOptions.Builder#wakeMode(WakeMode)}.
 *
 * <p>Commits made in this process wake waiters directly in every mode. On PostgreSQL the server
 * notifies ({@code LISTEN/NOTIFY}) and there is no mode to choose.
 */
public enum WakeMode {
  /**
   * Kernel file events where the JDK has them (Linux), else polling; also polling where the JDK's
   * {@code WatchService} is itself a slow directory scan (macOS). The default.
   */
  AUTO,
  /**
   * Kernel file events (inotify on Linux) on the {@code -wal} file, each confirmed by {@code PRAGMA
   * data_version}, with a safety re-check about every 100 ms while someone waits.
   */
  FILE_EVENTS,
  /**
   * {@code PRAGMA data_version} read about every millisecond, only while someone waits. For file
   * systems that deliver no file events (some network and container file systems).
   */
  POLLING
}
