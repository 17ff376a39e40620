package dev.gander;

/**
 * How a database notices commits made by other processes, to wake its blocked waiters.
 *
 * <p>Commits made in this process wake waiters directly in every mode.
 */
public enum WakeMode {
  /** File events where the file system delivers them, else polling. The default. */
  AUTO,
  /**
   * Kernel file events (inotify on Linux) on the {@code -wal} file, each confirmed by {@code
   * PRAGMA data_version}, with a safety re-check about every 100 ms while someone waits.
   */
  FILE_EVENTS,
  /**
   * {@code PRAGMA data_version} read about every millisecond, only while someone waits. For file
   * systems that deliver no file events (some network and container file systems).
   */
  POLLING
}
