package dev.gander.internal.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gander.GanderException;
import dev.gander.internal.postgres.PgErrors.Phase;
import dev.gander.internal.spi.Backend;
import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.LockOps;
import dev.gander.internal.spi.RateLimitOps;
import dev.gander.internal.spi.ScheduleOps;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.spi.Waiters;
import dev.gander.internal.spi.WakeFilter;
import dev.gander.store.Store;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Gander database on PostgreSQL, assembled as the SPI's {@link Backend}: the connections (a
 * HikariCP pool made from a URL, or the application's data source), the schema migrated, the
 * transaction runner, the job operations, the notifier, the server's clock and the store. Opening
 * starts no thread; the notifier's listening thread starts with the first consumer, the store's
 * async threads with its first async call.
 *
 * <p>Thread-safe. {@link #close()} stops the store accepting work and lets its async work finish,
 * closes the notifier, then the runner (and the pool if Gander made it), waiting for transactions
 * in flight up to the close timeout.
 */
public final class PgBackend implements Backend {
  private static final Logger log = LoggerFactory.getLogger(PgBackend.class);

  private final PgSchema schema;
  private final PgTxRunner runner;
  private final PgJobs jobs;
  private final PgStreams streams;
  private final PgLocks locks;
  private final PgSchedules schedules;
  private final PgRateLimits rateLimits;
  private final PgNotifier notifier;
  private final PgServerClock clock;
  private final PgStore store;
  private final Duration closeTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();
  private boolean notifierHandedOut;

  private PgBackend(
      PgSchema schema,
      PgTxRunner runner,
      PgNotifier notifier,
      PgServerClock clock,
      PgConfig config,
      String location) {
    this.schema = schema;
    this.runner = runner;
    this.jobs = new PgJobs(schema);
    this.streams = new PgStreams(schema);
    this.locks = new PgLocks(schema);
    this.schedules = new PgSchedules(schema);
    this.rateLimits = new PgRateLimits(schema);
    this.notifier = notifier;
    this.clock = clock;
    this.closeTimeout = config.closeTimeout();
    this.store = new PgStore(runner, schema, location, config.poolSize(), this::close);
  }

  /**
   * Connects, migrates the schema (creating it if need be) and returns the backend.
   *
   * @param config where and how
   * @return the open backend
   * @throws GanderException if the server cannot be reached, refuses the user, holds a newer or a
   *     foreign schema
   */
  public static PgBackend open(PgConfig config) {
    PgSchema schema = config.schema();
    DataSource dataSource;
    HikariDataSource pool = null;
    PgNotifier.ConnectionSource listening;
    String where;
    String shownUrl;
    if (config.url() != null) {
      String url = config.url();
      shownUrl = withoutCredentials(url);
      where = "PostgreSQL " + shownUrl + ", schema " + schema.name();
      PGSimpleDataSource direct = new PGSimpleDataSource();
      direct.setURL(url);
      if (!url.contains("ApplicationName=")) {
        direct.setApplicationName("gander-" + schema.name());
      }
      pool = pool(direct, config, where);
      dataSource = pool;
      listening = direct::getConnection;
    } else {
      dataSource = config.dataSource();
      shownUrl = "(the application's DataSource)"; // until a connection tells its URL
      where = "PostgreSQL " + shownUrl + ", schema " + schema.name();
      listening = dataSource::getConnection;
    }
    try {
      PgErrors errors = new PgErrors(where);
      PgServerClock clock;
      try (Connection c = connect(dataSource, errors)) {
        if (config.url() == null) {
          shownUrl = withoutCredentials(c.getMetaData().getURL());
          where = "PostgreSQL " + shownUrl + ", schema " + schema.name();
          errors = new PgErrors(where);
        }
        try {
          PgMigrations.migrate(c, schema, where);
          clock = PgServerClock.measure(c);
          if (!c.getAutoCommit()) {
            c.rollback(); // the measurement's reads began a transaction; end it before going back
          }
        } catch (SQLException e) {
          throw errors.translate(e, Phase.RUN);
        }
      } catch (SQLException e) {
        throw errors.translate(e, Phase.CONNECT);
      }
      PgTxRunner runner = new PgTxRunner(dataSource, pool, where, config.closeTimeout(), clock);
      String location = shownUrl + " (schema " + schema.name() + ")";
      return new PgBackend(
          schema,
          runner,
          new PgNotifier(schema, listening, schema.name()),
          clock,
          config,
          location);
    } catch (RuntimeException | Error e) {
      if (pool != null) {
        pool.close();
      }
      throw e;
    }
  }

  private static HikariDataSource pool(PGSimpleDataSource direct, PgConfig config, String where) {
    HikariConfig hc = new HikariConfig();
    hc.setDataSource(direct);
    hc.setPoolName("gander-" + config.schema().name());
    hc.setMaximumPoolSize(config.poolSize());
    // Every transaction of Gander's turns autocommit off anyway; starting there saves a toggle.
    hc.setAutoCommit(false);
    try {
      return new HikariDataSource(hc);
    } catch (RuntimeException e) {
      // HikariCP fails fast when the first connection cannot be made, wrapping the driver's error.
      Throwable cause = e.getCause();
      if (cause instanceof SQLException) {
        throw new PgErrors(where).translate((SQLException) cause, Phase.CONNECT);
      }
      throw e;
    }
  }

  private static Connection connect(DataSource dataSource, PgErrors errors) {
    try {
      return dataSource.getConnection();
    } catch (SQLException e) {
      throw errors.translate(e, Phase.CONNECT);
    }
  }

  /**
   * A URL fit for messages and logs: without its query (which may hold a password) or user info.
   *
   * @param url a JDBC URL
   * @return the URL up to the database name
   */
  static String withoutCredentials(@Nullable String url) {
    if (url == null) {
      return "(unknown URL)";
    }
    int q = url.indexOf('?');
    String s = q < 0 ? url : url.substring(0, q);
    int at = s.indexOf('@');
    int slashes = s.indexOf("//");
    if (at > 0 && slashes >= 0 && at > slashes) {
      s = s.substring(0, slashes + 2) + s.substring(at + 1);
    }
    return s;
  }

  /**
   * The schema holding this database's tables.
   *
   * @return the schema
   */
  public PgSchema schema() {
    return schema;
  }

  /**
   * The transaction runner.
   *
   * @return the runner
   */
  public PgTxRunner runner() {
    return runner;
  }

  @Override
  public TxRunner transactions() {
    return runner;
  }

  /**
   * The job operations.
   *
   * @return the operations
   */
  @Override
  public PgJobs jobs() {
    return jobs;
  }

  /**
   * The stream operations.
   *
   * @return the operations
   */
  @Override
  public PgStreams streams() {
    return streams;
  }

  @Override
  public LockOps locks() {
    return locks;
  }

  @Override
  public ScheduleOps schedules() {
    return schedules;
  }

  @Override
  public RateLimitOps rateLimits() {
    return rateLimits;
  }

  /**
   * The change notifier of the capabilities: {@code pg_notify} in the writing transaction, this
   * process's waiters signalled right after the commit, and keys from other processes delivered by
   * the listening connection once started. One per backend, since the backend listens once.
   *
   * @param waiters this process's waiters
   * @param filter not needed: every notification names its key
   * @return the notifier, not started
   * @throws IllegalStateException if asked twice
   */
  @Override
  public synchronized ChangeNotifier notifier(Waiters waiters, WakeFilter filter) {
    if (notifierHandedOut) {
      throw new IllegalStateException("The notifier of " + name() + " was already handed out");
    }
    notifierHandedOut = true;
    return new PgChangeNotifier(notifier, waiters);
  }

  /**
   * The server's clock: on PostgreSQL every time of the job rules is the server's, whatever clock
   * was configured, so that machines whose clocks disagree agree on leases and run times.
   *
   * @param requested the configured clock, not used
   * @return the server's clock, read without a round trip
   */
  @Override
  public Clock clock(Clock requested) {
    return clock;
  }

  @Override
  public Store store() {
    return store;
  }

  /**
   * A short name for threads and messages.
   *
   * @return {@code postgres:<schema>}
   */
  @Override
  public String name() {
    return "postgres:" + schema.name();
  }

  /**
   * The notifier: sending needs no thread; {@link PgNotifier#listen} starts one.
   *
   * @return the notifier
   */
  public PgNotifier notifier() {
    return notifier;
  }

  /**
   * Stops the store accepting work and lets its async work finish, closes the notifier, then the
   * runner and Gander's pool, each bounded by the close timeout. Idempotent; an interrupt does not
   * cut it short and is kept.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      store.shutdown(closeTimeout.toNanos());
    } finally {
      try {
        notifier.close();
      } finally {
        runner.close();
      }
    }
    log.debug("Closed {}", name());
  }
}
