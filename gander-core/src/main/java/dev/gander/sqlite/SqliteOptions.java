package dev.gander.sqlite;

import java.time.Duration;
import java.util.Objects;

/**
 * How Gander opens and runs a SQLite database file: settings that mean nothing on PostgreSQL.
 * Immutable; build with {@link #builder()}. Give them to {@code Gander.builder().sqlite(options)}
 * or {@code Store.open(path, options)}.
 *
 * @param busyTimeout how long a write waits for another process's write lock before failing with
 *     {@link dev.gander.DatabaseBusyException} (default 15 s)
 * @param synchronous the writer's {@code PRAGMA synchronous} (default {@link Synchronous#NORMAL})
 * @param readPoolSize how many read-only connections {@code Store.read} may use at once (default 4)
 * @param wakeMode how a Gander notices commits of other processes (default {@link WakeMode#AUTO});
 *     a bare {@code Store} has no waiters and does not use it
 * @param pageSize SQLite's {@code PRAGMA page_size} in bytes for a database Gander creates (default
 *     4096). A file that already holds a database keeps the page size it was created with: SQLite
 *     cannot change it in WAL mode, so this setting is then ignored
 */
public record SqliteOptions(
    Duration busyTimeout,
    Synchronous synchronous,
    int readPoolSize,
    WakeMode wakeMode,
    int pageSize) {

  /** SQLite takes the busy timeout as an {@code int} of milliseconds. */
  private static final Duration MAX_BUSY_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);

  /** The smallest page size SQLite allows. */
  private static final int MIN_PAGE_SIZE = 512;

  /** The largest page size SQLite allows. */
  private static final int MAX_PAGE_SIZE = 65536;

  /** The most read-only connections a store opens. */
  private static final int MAX_READ_POOL_SIZE = 64;

  /**
   * Validates the options; use {@link #builder()} rather than calling this directly.
   *
   * @param busyTimeout how long a write waits for another process's lock
   * @param synchronous the writer's {@code PRAGMA synchronous}
   * @param readPoolSize how many read-only connections
   * @param wakeMode how commits of other processes are noticed
   * @param pageSize the page size of a new database file
   * @throws IllegalArgumentException if an option is out of range, naming the allowed range
   */
  public SqliteOptions {
    Objects.requireNonNull(busyTimeout, "busyTimeout");
    Objects.requireNonNull(synchronous, "synchronous");
    Objects.requireNonNull(wakeMode, "wakeMode");
    // Compared as Durations: toMillis() of a huge one throws ArithmeticException.
    if (busyTimeout.isNegative() || busyTimeout.compareTo(MAX_BUSY_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "busyTimeout must be between 0 and " + Integer.MAX_VALUE + " ms, was " + busyTimeout);
    }
    if (readPoolSize < 1 || readPoolSize > MAX_READ_POOL_SIZE) {
      throw new IllegalArgumentException(
          "readPoolSize must be between 1 and " + MAX_READ_POOL_SIZE + ", was " + readPoolSize);
    }
    if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || Integer.bitCount(pageSize) != 1) {
      throw new IllegalArgumentException(
          "pageSize must be a power of two between "
              + MIN_PAGE_SIZE
              + " and "
              + MAX_PAGE_SIZE
              + " bytes, was "
              + pageSize);
    }
  }

  /**
   * The defaults: busy timeout 15 s, {@code synchronous=NORMAL}, 4 readers, {@link WakeMode#AUTO},
   * pages of 4096 bytes.
   *
   * @return the default options
   */
  public static SqliteOptions defaults() {
    return builder().build();
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from these options.
   *
   * @return a new builder with this record's values
   */
  public Builder toBuilder() {
    return new Builder()
        .busyTimeout(busyTimeout)
        .synchronous(synchronous)
        .readPoolSize(readPoolSize)
        .wakeMode(wakeMode)
        .pageSize(pageSize);
  }

  /** Builds {@link SqliteOptions}. Not thread-safe. */
  public static final class Builder {
    private Duration busyTimeout = Duration.ofSeconds(15);
    private Synchronous synchronous = Synchronous.NORMAL;
    private int readPoolSize = 4;
    private WakeMode wakeMode = WakeMode.AUTO;
    private int pageSize = 4096;

    private Builder() {}

    /**
     * Sets how long a write waits for another connection's lock.
     *
     * @param busyTimeout the wait, 0 to fail at once, at most {@link Integer#MAX_VALUE} ms
     * @return this builder
     */
    public Builder busyTimeout(Duration busyTimeout) {
      this.busyTimeout = Objects.requireNonNull(busyTimeout, "busyTimeout");
      return this;
    }

    /**
     * Sets the writer's {@code PRAGMA synchronous}.
     *
     * @param synchronous {@code NORMAL} or {@code FULL}
     * @return this builder
     */
    public Builder synchronous(Synchronous synchronous) {
      this.synchronous = Objects.requireNonNull(synchronous, "synchronous");
      return this;
    }

    /**
     * Sets the number of read-only connections.
     *
     * @param readPoolSize between 1 and 64
     * @return this builder
     */
    public Builder readPoolSize(int readPoolSize) {
      this.readPoolSize = readPoolSize;
      return this;
    }

    /**
     * Sets how commits of other processes are noticed.
     *
     * @param wakeMode the mode
     * @return this builder
     */
    public Builder wakeMode(WakeMode wakeMode) {
      this.wakeMode = Objects.requireNonNull(wakeMode, "wakeMode");
      return this;
    }

    /**
     * Sets the page size of a database file Gander creates; an existing database keeps its own.
     *
     * @param pageSize a power of two from 512 to 65536 bytes
     * @return this builder
     */
    public Builder pageSize(int pageSize) {
      this.pageSize = pageSize;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws IllegalArgumentException if a value is out of range, with the allowed range
     */
    public SqliteOptions build() {
      return new SqliteOptions(busyTimeout, synchronous, readPoolSize, wakeMode, pageSize);
    }
  }
}
