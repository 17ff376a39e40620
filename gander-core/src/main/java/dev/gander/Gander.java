package dev.gander;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.gander.lock.Lock;
import dev.gander.lock.LockInfo;
import dev.gander.pubsub.Listener;
import dev.gander.pubsub.Notification;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.Results;
import dev.gander.ratelimit.RateLimitDecision;
import dev.gander.schedule.Scheduler;
import dev.gander.spi.GanderProvider;
import dev.gander.spi.OpenRequest;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.store.Store;
import dev.gander.store.StoreOptions;
import dev.gander.store.Transaction;
import dev.gander.store.TransactionalCallable;
import dev.gander.store.TransactionalRunnable;
import dev.gander.stream.Stream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * An open Gander database: the entry point to every capability.
 *
 * <pre>{@code
 * try (Gander gander = Gander.open(Path.of("app.db"))) {
 *   gander.inTransaction(tx -> {
 *     tx.connection().prepareStatement("INSERT INTO orders ...").executeUpdate();
 *   });
 * }
 * }</pre>
 *
 * <p>Instances are thread-safe and meant to be shared: open one per database file (or PostgreSQL
 * schema) per process and close it when the application stops. Opening starts the SQLite store's
 * writer thread (on PostgreSQL, the connection pool) and nothing else; workers start only when
 * asked for.
 */
public interface Gander extends AutoCloseable {

  /**
   * Opens (creating if needed) the Gander database at {@code path} with the default options.
   *
   * @param path the database file; its directory must exist
   * @return the open database
   * @throws NotAGanderDatabaseException if the file is not a Gander database
   * @throws SchemaVersionException if a newer Gander wrote the file
   * @throws ReadOnlyDatabaseException if the file or its directory cannot be written
   */
  static Gander open(Path path) {
    return builder().path(path).open();
  }

  /**
   * A builder for a database opened with options.
   *
   * @return a new builder
   */
  static Builder builder() {
    return new Builder();
  }

  /**
   * A handle on the queue {@code name} with default options. The queue exists as soon as a job is
   * enqueued into it; handles are cheap and thread-safe.
   *
   * @param name 1 to 128 letters, digits, {@code . _ - :}
   * @return the queue
   * @throws InvalidNameException if the name is not allowed
   */
  default Queue queue(String name) {
    return queue(name, QueueOptions.defaults());
  }

  /**
   * A handle on the queue {@code name} with options.
   *
   * @param name the queue's name
   * @param options visibility timeout, attempts, backoff, payload limit, result TTL
   * @return the queue
   * @throws InvalidNameException if the name is not allowed
   */
  Queue queue(String name, QueueOptions options);

  /**
   * A durable stream: an append-only log of events with offsets and per-consumer committed offsets.
   * Handles are cheap; two of one name are the same stream.
   *
   * @param name the stream's name: 1 to 128 characters from {@code A-Z a-z 0-9 . _ : -}, starting
   *     with a letter or digit
   * @return the stream
   * @throws InvalidNameException if the name breaks that rule
   */
  Stream stream(String name);

  /**
   * Every stream of the database (that was ever published to or given a retention rule), by name.
   *
   * @return the streams
   */
  List<Stream> streams();

  /**
   * Sends a notification to every listener of {@code channel}, in every process sharing the
   * database, that is listening now; in a transaction of its own. Not durable.
   *
   * @param channel the channel: the queue-name rule applies
   * @param payload any value Jackson can serialise, or {@link dev.gander.queue.RawJson}
   * @throws InvalidNameException if the channel's name breaks the rule
   * @throws PayloadTooLargeException if its JSON is over 1 MiB; nothing is sent
   */
  void notify(String channel, @Nullable Object payload);

  /**
   * Sends a notification in the caller's transaction: it is delivered only if that commits.
   *
   * @param tx the transaction, from {@link #inTransaction}
   * @param channel the channel
   * @param payload the payload
   */
  void notify(Transaction tx, String channel, @Nullable Object payload);

  /**
   * Starts listening to a channel: the listener receives what is sent from now on.
   *
   * @param channel the channel
   * @return the listener; close it when done
   */
  Listener listen(String channel);

  /**
   * Starts listening to a channel, handing each notification to {@code callback} on a thread of the
   * listener's own, until the listener is closed. A callback that throws is logged, and listening
   * goes on.
   *
   * @param channel the channel
   * @param callback called with each notification, in order
   * @return the listener; close it to stop
   */
  Listener listen(String channel, Consumer<Notification> callback);

  /**
   * Takes an advisory lock if it is free (never taken, released, or run out), for every process
   * (and, on PostgreSQL, every machine) sharing the database.
   *
   * @param name the lock: the queue-name rule applies
   * @param owner who takes it, such as a host name and pid: 1 to 256 characters
   * @param ttl how long it is held unless extended with {@link Lock#heartbeat}; at least 1 ms
   * @return the lock, with a fencing token larger than every earlier one of this name; empty if
   *     someone holds it
   * @throws InvalidNameException if the name breaks the rule
   */
  Optional<Lock> tryLock(String name, String owner, Duration ttl);

  /**
   * Takes an advisory lock, waiting up to {@code wait} for its holder to release it (woken by the
   * release, in this process at once and in others through the backend's notifier) or to run out.
   *
   * @param name the lock
   * @param owner who takes it
   * @param ttl how long it is held unless extended
   * @param wait the longest wait; zero tries once
   * @return the lock, or empty if it did not come free in time
   * @throws GanderClosedException if the database closes while waiting
   */
  Optional<Lock> lock(String name, String owner, Duration ttl, Duration wait);

  /**
   * The locks held now, by name.
   *
   * @return name, owner, expiry and fencing token of each
   */
  List<LockInfo> locks();

  /**
   * Counts a call of {@code key} and says whether it is within {@code limit} calls in the current
   * fixed window of {@code window}, atomically for every process sharing the database.
   *
   * @param key what is limited, such as {@code api:user:123}: the queue-name rule applies
   * @param limit calls allowed per window, at least 1
   * @param window the window's length, at least 1 ms; windows start at multiples of it
   * @return whether the call is allowed (a refused call is counted too)
   */
  boolean tryRateLimit(String key, int limit, Duration window);

  /**
   * Counts a call of {@code key}, as {@link #tryRateLimit}, and tells what is left.
   *
   * @param key what is limited
   * @param limit calls allowed per window
   * @param window the window's length
   * @return whether it is allowed, calls remaining, and when the window ends
   */
  RateLimitDecision rateLimit(String key, int limit, Duration window);

  /**
   * The cron schedules of this database: tasks that enqueue a job at each tick, and the runners
   * that fire them. Tasks are stored in the database; nothing runs until {@link Scheduler#start}.
   *
   * @return the scheduler
   */
  Scheduler scheduler();

  /**
   * Job results stored by {@code job.ack(result)}.
   *
   * @return the results
   */
  Results results();

  /**
   * The store under this database: the escape hatch for raw SQL in Gander's transactions.
   *
   * @return the store, owned by this instance
   */
  Store store();

  /**
   * Runs business writes and Gander operations atomically; see {@link
   * Store#inTransaction(TransactionalRunnable)}.
   *
   * @param work the work; returning commits, throwing rolls back
   */
  default void inTransaction(TransactionalRunnable work) {
    store().inTransaction(work);
  }

  /**
   * Runs work atomically and returns its value after commit; see {@link
   * Store#transactionResult(TransactionalCallable)}.
   *
   * @param work the work
   * @param <T> the value's type
   * @return what the work returned
   */
  default <T extends @Nullable Object> T transactionResult(TransactionalCallable<T> work) {
    return store().transactionResult(work);
  }

  /**
   * Closes the database: stops what it started, finishes queued writes, closes the file.
   * Idempotent.
   */
  @Override
  void close();

  /** Builds a {@link Gander}. Not thread-safe; {@link #open()} may be called more than once. */
  final class Builder {
    /** The most connections {@link #poolSize(int)} accepts. */
    private static final int MAX_POOL_SIZE = 1000;

    private @Nullable Path path;
    private @Nullable SqliteOptions sqlite;
    private StoreOptions storeOptions = StoreOptions.defaults();
    private Clock clock = Clock.systemUTC();
    private @Nullable ObjectMapper mapper;
    private @Nullable String postgresUrl;
    private @Nullable DataSource dataSource;
    private String schema = "gander";
    private @Nullable Integer poolSize;
    private Duration notificationRetention = Duration.ofSeconds(60);
    private Duration retentionPeriod = Duration.ofSeconds(30);

    private Builder() {}

    /**
     * Opens the database on a PostgreSQL server instead of a file, for many machines sharing the
     * work. Gander pools connections to it (HikariCP, 10 connections unless {@link #poolSize(int)}
     * says otherwise) and closes the pool on close. Needs the {@code dev.gander:gander-postgres}
     * module on the class path. Every method after opening behaves as on SQLite; times come from
     * the server's clock, and {@link #clock} is not used. Cannot be combined with {@link
     * #path(Path)} or {@link #sqlite(SqliteOptions)}.
     *
     * @param jdbcUrl such as {@code jdbc:postgresql://db.example.com:5432/app?user=app}
     * @return this builder
     */
    public Builder postgres(String jdbcUrl) {
      this.postgresUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      this.dataSource = null;
      return this;
    }

    /**
     * Opens the database on PostgreSQL through the application's own data source (its pool), which
     * Gander uses but does not close. Needs {@code dev.gander:gander-postgres}. Cannot be combined
     * with {@link #path(Path)}, {@link #sqlite(SqliteOptions)} or {@link #poolSize(int)}: size the
     * application's pool instead.
     *
     * @param dataSource the data source
     * @return this builder
     */
    public Builder postgres(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      this.postgresUrl = null;
      return this;
    }

    /**
     * Sets the PostgreSQL schema that holds Gander's tables (default {@code gander}); created if
     * missing. Ignored for SQLite.
     *
     * @param schema a schema name
     * @return this builder
     */
    public Builder schema(String schema) {
      this.schema = Objects.requireNonNull(schema, "schema");
      return this;
    }

    /**
     * Sets the most connections of the pool Gander makes for {@link #postgres(String)} (default
     * 10). Each process holds this many connections at most, plus one for listening: keep the sum
     * over all processes under the server's {@code max_connections}. The store's async calls use as
     * many threads. Only for a URL: {@link #open()} refuses it with a {@link DataSource} (whose own
     * pool decides) and on SQLite (see {@link SqliteOptions#readPoolSize()}).
     *
     * @param poolSize from 1 to 1000
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder poolSize(int poolSize) {
      if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
        throw new IllegalArgumentException(
            "poolSize must be between 1 and " + MAX_POOL_SIZE + ", was " + poolSize);
      }
      this.poolSize = poolSize;
      return this;
    }

    /**
     * Sets the database file.
     *
     * @param path the file, created if missing
     * @return this builder
     */
    public Builder path(Path path) {
      this.path = Objects.requireNonNull(path, "path");
      return this;
    }

    /**
     * Sets the options of the SQLite file: busy timeout, {@code synchronous}, read pool, wake mode,
     * the page size of a new file (default {@link SqliteOptions#defaults()}). Not for PostgreSQL:
     * {@link #open()} refuses them together with {@code postgres(...)}.
     *
     * @param options the options
     * @return this builder
     */
    public Builder sqlite(SqliteOptions options) {
      this.sqlite = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Sets the options of every backend (close timeout; default {@link StoreOptions#defaults()}).
     *
     * @param options the options
     * @return this builder
     */
    public Builder storeOptions(StoreOptions options) {
      this.storeOptions = Objects.requireNonNull(options, "options");
      return this;
    }

    /**
     * Sets the clock for run times, leases, retries and TTLs (default the system clock). Tests use
     * a settable clock to move time without sleeping. Not used on PostgreSQL, where every time is
     * the server's clock so that machines whose clocks disagree agree on leases and run times.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the Jackson mapper for payloads and results (default: an {@code ObjectMapper} with
     * {@code java.time} and {@code Optional} support, dates and durations written as ISO-8601
     * strings, and the modules found on the class path).
     *
     * @param mapper the mapper; not modified by Gander
     * @return this builder
     */
    public Builder objectMapper(ObjectMapper mapper) {
      this.mapper = Objects.requireNonNull(mapper, "mapper");
      return this;
    }

    /**
     * The mapper a database uses when the application gives none: Jackson's defaults, plus the
     * modules found on the class path, plus java.time ({@code Instant}, {@code LocalDate}, {@code
     * Duration}, ...) and {@code Optional}, registered explicitly so they work on the module path
     * and in shaded jars too. Dates and times are written as ISO-8601 strings ({@code
     * "2024-02-29T12:00:00Z"}), not numbers, so that the stored JSON reads the same to people, SQL
     * and other languages.
     *
     * @return a new mapper
     */
    private static ObjectMapper defaultMapper() {
      return JsonMapper.builder()
          .findAndAddModules()
          .addModule(new JavaTimeModule())
          .addModule(new Jdk8Module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
          .build();
    }

    /**
     * Sets how long pub/sub notifications are kept for listeners that read slowly (default 60 s);
     * older ones are deleted now and then, so a listener further behind than this misses them.
     *
     * @param retention from 1 ms
     * @return this builder
     * @throws IllegalArgumentException if shorter than a millisecond
     */
    public Builder notificationRetention(Duration retention) {
      Objects.requireNonNull(retention, "retention");
      if (retention.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException(
            "notificationRetention must be at least 1 ms, was " + retention);
      }
      this.notificationRetention = retention;
      return this;
    }

    /**
     * Sets how often a process that subscribes to streams (or sets a retention rule) applies every
     * stream's {@link dev.gander.stream.StreamRetention} in the background (default 30 s).
     *
     * @param period from 1 ms
     * @return this builder
     * @throws IllegalArgumentException if shorter than a millisecond
     */
    public Builder retentionPeriod(Duration period) {
      Objects.requireNonNull(period, "period");
      if (period.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException("retentionPeriod must be at least 1 ms, was " + period);
      }
      this.retentionPeriod = period;
      return this;
    }

    /**
     * Opens the database.
     *
     * @return the open database
     * @throws IllegalStateException if no path was set, or settings of one backend were given for
     *     the other (the message says which to remove)
     */
    public Gander open() {
      boolean postgres = postgresUrl != null || dataSource != null;
      if (postgres) {
        refusePostgresMisuse();
      } else {
        if (path == null) {
          throw new IllegalStateException("no database path: call path(Path.of(\"app.db\")) first");
        }
        if (poolSize != null) {
          throw new IllegalStateException(
              "poolSize(...) sizes Gander's PostgreSQL connection pool; a SQLite file has none."
                  + " Remove it, and use SqliteOptions.builder().readPoolSize(n) to size the"
                  + " store's read connections.");
        }
      }
      OpenRequest request =
          new OpenRequest(
              Optional.ofNullable(path),
              sqlite != null ? sqlite : SqliteOptions.defaults(),
              storeOptions,
              clock,
              mapper != null ? mapper : defaultMapper(),
              Optional.ofNullable(postgresUrl),
              Optional.ofNullable(dataSource),
              schema,
              poolSize != null ? OptionalInt.of(poolSize) : OptionalInt.empty(),
              notificationRetention,
              retentionPeriod);
      return GanderProvider.find(postgres ? "postgres" : "sqlite").open(request);
    }

    /** Refuses what {@code postgres(...)} cannot be combined with, saying what to remove. */
    private void refusePostgresMisuse() {
      if (path != null) {
        throw new IllegalStateException(
            "Both path(...) and postgres(...) were given: a Gander opens either a SQLite file or a"
                + " PostgreSQL database. Remove one of them.");
      }
      if (sqlite != null) {
        throw new IllegalStateException(
            "sqlite(...) was given with postgres(...): SqliteOptions (busy timeout, synchronous,"
                + " read pool, wake mode, page size) apply to a SQLite file only. Remove"
                + " sqlite(...), or open a file with path(...) instead of postgres(...).");
      }
      if (poolSize != null && dataSource != null) {
        throw new IllegalStateException(
            "poolSize(...) was given with postgres(DataSource): your DataSource has its own pool;"
                + " size it there, and remove poolSize(...). poolSize sizes the pool Gander makes"
                + " for postgres(jdbcUrl).");
      }
    }
  }
}
