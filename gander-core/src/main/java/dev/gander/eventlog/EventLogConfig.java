package dev.gander.eventlog;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which backend an {@link EventLog} uses and where it keeps its events: built in code with {@link
 * #builder()}, or read from the environment for a base directory with {@link
 * #fromEnvironment(Path)}. Immutable.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>variable</th><th>meaning</th><th>when unset</th></tr>
 *   <tr><td>{@value #BACKEND_ENV}</td><td>{@code memory}, {@code file}, {@code sqlite} or {@code
 *       postgres}, in any case</td><td>{@code sqlite}</td></tr>
 *   <tr><td>{@value #DIR_ENV}</td><td>the file backend's directory</td><td>{@code
 *       <base>/event_log}</td></tr>
 *   <tr><td>{@value #SQLITE_PATH_ENV}</td><td>the SQLite file</td><td>{@code
 *       <base>/event_log.sqlite}</td></tr>
 *   <tr><td>{@value #POSTGRES_URL_ENV}</td><td>a {@code jdbc:postgresql:} URL</td><td>needed for
 *       {@code postgres}</td></tr>
 *   <tr><td>{@value #QUEUE_DEPTH_ENV}</td><td>a subscriber's live buffer, at least 1</td><td>{@value
 *       #DEFAULT_QUEUE_DEPTH}</td></tr>
 * </table>
 *
 * <p>Relative paths are resolved against the base directory. A path or URL variable set to an empty
 * or blank value counts as unset; the backend and the queue depth set to one are errors, as any
 * other value they cannot take (an empty backend names none of the four, an empty depth is not a
 * number). Any value the event log cannot use is an {@link EventLogConfigException} naming the
 * variable, the value and what is allowed.
 */
public final class EventLogConfig {
  /** The backend: {@code memory}, {@code file}, {@code sqlite} or {@code postgres}. */
  public static final String BACKEND_ENV = "GANDER_EVENT_LOG_BACKEND";

  /** The file backend's directory. */
  public static final String DIR_ENV = "GANDER_EVENT_LOG_DIR";

  /** The SQLite backend's database file. */
  public static final String SQLITE_PATH_ENV = "GANDER_EVENT_LOG_SQLITE_PATH";

  /** The PostgreSQL backend's JDBC URL. */
  public static final String POSTGRES_URL_ENV = "GANDER_EVENT_LOG_POSTGRES_URL";

  /** The live buffer of each subscriber of the memory and file backends. */
  public static final String QUEUE_DEPTH_ENV = "GANDER_EVENT_LOG_QUEUE_DEPTH";

  /** The live buffer of a subscriber unless configured. */
  public static final int DEFAULT_QUEUE_DEPTH = 128;

  /** The file backend's directory under the base directory unless configured. */
  public static final String DEFAULT_DIR_NAME = "event_log";

  /** The SQLite file under the base directory unless configured. */
  public static final String DEFAULT_SQLITE_NAME = "event_log.sqlite";

  /** The PostgreSQL schema unless configured, as for {@code Gander.builder()}. */
  public static final String DEFAULT_POSTGRES_SCHEMA = "gander";

  private static final String BACKENDS = "memory, file, sqlite or postgres (in any case)";

  private final EventLogBackend backend;
  private final @Nullable Path fileDir;
  private final @Nullable Path sqlitePath;
  private final @Nullable String postgresUrl;
  private final String postgresSchema;
  private final int queueDepth;

  private EventLogConfig(Builder b) {
    this.backend = b.backend;
    this.fileDir = b.fileDir;
    this.sqlitePath = b.sqlitePath;
    this.postgresUrl = b.postgresUrl;
    this.postgresSchema = b.postgresSchema;
    this.queueDepth = b.queueDepth;
  }

  /**
   * A builder, with the SQLite backend and a queue depth of {@value #DEFAULT_QUEUE_DEPTH}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads the configuration from this process's environment ({@link System#getenv()}).
   *
   * @param baseDir the directory that holds the defaults and against which relative paths resolve
   * @return the configuration
   * @throws EventLogConfigException if a variable has a value the event log cannot use
   */
  public static EventLogConfig fromEnvironment(Path baseDir) {
    return fromEnvironment(System.getenv(), baseDir);
  }

  /**
   * Reads the configuration from the given variables, as {@link #fromEnvironment(Path)} reads the
   * process's environment.
   *
   * @param env the variables
   * @param baseDir the directory that holds the defaults and against which relative paths resolve
   * @return the configuration
   * @throws EventLogConfigException if a variable has a value the event log cannot use
   */
  public static EventLogConfig fromEnvironment(Map<String, String> env, Path baseDir) {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(baseDir, "baseDir");
    Builder b = builder();

    String backend = env.get(BACKEND_ENV);
    if (backend != null) {
      b.backend(parseBackend(backend));
    }

    String dir = value(env, DIR_ENV);
    b.fileDir(dir == null ? baseDir.resolve(DEFAULT_DIR_NAME) : resolve(baseDir, DIR_ENV, dir));
    String sqlite = value(env, SQLITE_PATH_ENV);
    b.sqlitePath(
        sqlite == null
            ? baseDir.resolve(DEFAULT_SQLITE_NAME)
            : resolve(baseDir, SQLITE_PATH_ENV, sqlite));

    String url = value(env, POSTGRES_URL_ENV);
    if (url != null) {
      if (!isPostgresUrl(url.trim())) {
        throw new EventLogConfigException(
            POSTGRES_URL_ENV,
            withoutCredentials(url),
            "a JDBC URL starting with jdbc:postgresql:, such as"
                + " jdbc:postgresql://db:5432/app?user=app");
      }
      b.postgresUrl(url.trim());
    } else if (b.backend == EventLogBackend.POSTGRES) {
      throw new EventLogConfigException(
          POSTGRES_URL_ENV,
          "",
          "a JDBC URL starting with jdbc:postgresql:, such as"
              + " jdbc:postgresql://db:5432/app?user=app, which "
              + BACKEND_ENV
              + "="
              + backend
              + " needs");
    }

    String depth = env.get(QUEUE_DEPTH_ENV);
    if (depth != null) {
      b.queueDepth(parseQueueDepth(depth));
    }
    return b.build();
  }

  private static @Nullable String value(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isBlank() ? null : v;
  }

  private static EventLogBackend parseBackend(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (EventLogBackend b : EventLogBackend.values()) {
      if (b.configName().equals(v)) {
        return b;
      }
    }
    throw new EventLogConfigException(BACKEND_ENV, value, BACKENDS);
  }

  private static int parseQueueDepth(String value) {
    int depth;
    try {
      depth = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      depth = 0;
    }
    if (depth < 1) {
      throw new EventLogConfigException(
          QUEUE_DEPTH_ENV,
          value,
          "a whole number from 1 to "
              + Integer.MAX_VALUE
              + " (unset means "
              + DEFAULT_QUEUE_DEPTH
              + ")");
    }
    return depth;
  }

  private static Path resolve(Path baseDir, String variable, String value) {
    try {
      return baseDir.resolve(value.trim());
    } catch (InvalidPathException e) {
      throw new EventLogConfigException(
          variable,
          value,
          "a path this file system accepts, absolute or relative to "
              + baseDir
              + " ("
              + e.getReason()
              + ")");
    }
  }

  private static boolean isPostgresUrl(String url) {
    return url.startsWith("jdbc:postgresql:");
  }

  /** A URL without its user information and query string, which may hold a password. */
  static String withoutCredentials(String url) {
    String u = url;
    int q = u.indexOf('?');
    if (q >= 0) {
      u = u.substring(0, q);
    }
    int scheme = u.indexOf("//");
    int at = u.lastIndexOf('@');
    if (scheme >= 0 && at > scheme) {
      u = u.substring(0, scheme + 2) + u.substring(at + 1);
    }
    return u;
  }

  /**
   * The backend.
   *
   * @return the backend
   */
  public EventLogBackend backend() {
    return backend;
  }

  /**
   * The file backend's directory.
   *
   * @return the directory, or empty if none was set
   */
  public Optional<Path> fileDir() {
    return Optional.ofNullable(fileDir);
  }

  /**
   * The SQLite backend's database file.
   *
   * @return the file, or empty if none was set
   */
  public Optional<Path> sqlitePath() {
    return Optional.ofNullable(sqlitePath);
  }

  /**
   * The PostgreSQL backend's JDBC URL.
   *
   * @return the URL, or empty if none was set
   */
  public Optional<String> postgresUrl() {
    return Optional.ofNullable(postgresUrl);
  }

  /**
   * The PostgreSQL schema that holds Gander's tables.
   *
   * @return the schema, {@value #DEFAULT_POSTGRES_SCHEMA} unless set
   */
  public String postgresSchema() {
    return postgresSchema;
  }

  /**
   * How many appended events each subscriber of the memory and file backends buffers before it
   * falls back to reading what the log retains.
   *
   * @return the depth, at least 1
   */
  public int queueDepth() {
    return queueDepth;
  }

  @Override
  public String toString() {
    return "EventLogConfig[backend="
        + backend.configName()
        + (fileDir == null ? "" : ", fileDir=" + fileDir)
        + (sqlitePath == null ? "" : ", sqlitePath=" + sqlitePath)
        + (postgresUrl == null
            ? ""
            : ", postgresUrl=" + withoutCredentials(postgresUrl) + ", schema=" + postgresSchema)
        + ", queueDepth="
        + queueDepth
        + "]";
  }

  /**
   * Builds an {@link EventLogConfig}. Not thread-safe; {@link #build()} may be called more than
   * once.
   */
  public static final class Builder {
    private EventLogBackend backend = EventLogBackend.SQLITE;
    private @Nullable Path fileDir;
    private @Nullable Path sqlitePath;
    private @Nullable String postgresUrl;
    private String postgresSchema = DEFAULT_POSTGRES_SCHEMA;
    private int queueDepth = DEFAULT_QUEUE_DEPTH;

    private Builder() {}

    /**
     * Sets the backend (default {@link EventLogBackend#SQLITE}).
     *
     * @param backend the backend
     * @return this builder
     */
    public Builder backend(EventLogBackend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * Sets the file backend's directory, created if missing.
     *
     * @param dir the directory
     * @return this builder
     */
    public Builder fileDir(Path dir) {
      this.fileDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /**
     * Sets the SQLite backend's database file, created (with its directory) if missing.
     *
     * @param file the file
     * @return this builder
     */
    public Builder sqlitePath(Path file) {
      this.sqlitePath = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * Sets the PostgreSQL backend's JDBC URL.
     *
     * @param jdbcUrl such as {@code jdbc:postgresql://db:5432/app?user=app}
     * @return this builder
     * @throws IllegalArgumentException if it does not start with {@code jdbc:postgresql:}
     */
    public Builder postgresUrl(String jdbcUrl) {
      Objects.requireNonNull(jdbcUrl, "jdbcUrl");
      if (!isPostgresUrl(jdbcUrl)) {
        throw new IllegalArgumentException(
            "A PostgreSQL JDBC URL starts with jdbc:postgresql:, such as"
                + " jdbc:postgresql://db:5432/app?user=app; was "
                + withoutCredentials(jdbcUrl));
      }
      this.postgresUrl = jdbcUrl;
      return this;
    }

    /**
     * Sets the PostgreSQL schema that holds Gander's tables (default {@value
     * #DEFAULT_POSTGRES_SCHEMA}); created if missing.
     *
     * @param schema the schema
     * @return this builder
     */
    public Builder postgresSchema(String schema) {
      this.postgresSchema = Objects.requireNonNull(schema, "schema");
      return this;
    }

    /**
     * Sets how many appended events each subscriber of the memory and file backends buffers before
     * it falls back to reading what the log retains (default {@value #DEFAULT_QUEUE_DEPTH}).
     *
     * @param depth at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder queueDepth(int depth) {
      if (depth < 1) {
        throw new IllegalArgumentException("queueDepth must be at least 1, was " + depth);
      }
      this.queueDepth = depth;
      return this;
    }

    /**
     * Builds the configuration.
     *
     * @return the configuration
     * @throws IllegalStateException if the backend's location was not set (the message says which
     *     method sets it)
     */
    public EventLogConfig build() {
      switch (backend) {
        case FILE:
          if (fileDir == null) {
            throw new IllegalStateException(
                "The file backend needs a directory: call fileDir(Path.of(\"events\")).");
          }
          break;
        case SQLITE:
          if (sqlitePath == null) {
            throw new IllegalStateException(
                "The SQLite backend needs a database file: call"
                    + " sqlitePath(Path.of(\"events.db\")).");
          }
          break;
        case POSTGRES:
          if (postgresUrl == null) {
            throw new IllegalStateException(
                "The PostgreSQL backend needs a URL: call"
                    + " postgresUrl(\"jdbc:postgresql://db:5432/app?user=app\").");
          }
          break;
        case MEMORY:
        default:
          break;
      }
      return new EventLogConfig(this);
    }
  }
}
