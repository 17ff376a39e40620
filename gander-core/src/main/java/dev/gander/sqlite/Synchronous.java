package dev.gander.sqlite;

/**
 * SQLite's {@code PRAGMA synchronous} setting for the writer connection. Set with {@link
 * SqliteOptions.Builder#synchronous(Synchronous)}.
 *
 * <p>With the WAL journal, {@code NORMAL} never corrupts the database; a power loss (not a process
 * crash) may lose the last transactions committed before it. {@code FULL} syncs the WAL on every
 * commit, so nothing acknowledged is ever lost, at a cost in commit rate.
 */
public enum Synchronous {
  /** Sync at checkpoints only: durable across process crashes, fast. The default. */
  NORMAL,
  /** Sync the WAL on every commit: durable across power loss. */
  FULL
}
