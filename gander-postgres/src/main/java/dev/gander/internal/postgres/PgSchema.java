package dev.gander.internal.postgres;

import java.util.regex.Pattern;

/**
 * The PostgreSQL schema that holds one Gander database's tables, and the names derived from it.
 * Gander's statements name their tables with the schema ({@code "gander".gander_jobs}) rather than
 * setting {@code search_path}: a caller's transaction shares the connection, and its own table
 * names must keep resolving as the caller expects.
 *
 * @param name the schema's name, as validated by {@link #of(String)}
 */
public record PgSchema(String name) {
  /** The schema used unless another is configured. */
  public static final String DEFAULT = "gander";

  /**
   * Lower-case, so that quoting never changes what a name means; short enough that {@code "gander:"
   * + name} fits PostgreSQL's 63-byte limit on channel names.
   */
  private static final Pattern VALID = Pattern.compile("[a-z_][a-z0-9_]{0,47}");

  /** The placeholder for the quoted schema name in this module's SQL. */
  private static final String PLACEHOLDER = "{schema}";

  /**
   * Validates a schema name.
   *
   * @param name the name
   * @return the schema
   * @throws IllegalArgumentException if it is not a name Gander accepts
   */
  public static PgSchema of(String name) {
    return new PgSchema(name);
  }

  /**
   * Validates the name.
   *
   * @throws IllegalArgumentException if it is not a name Gander accepts
   */
  public PgSchema {
    if (name == null || !VALID.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "Invalid PostgreSQL schema name "
              + (name == null ? "null" : "'" + name + "'")
              + ": use 1 to 48 lower-case letters, digits or '_', starting with a letter or '_'");
    }
  }

  /**
   * The name as an SQL identifier.
   *
   * @return the quoted name
   */
  public String quoted() {
    return '"' + name + '"';
  }

  /**
   * SQL with every {@code {schema}} replaced by the quoted schema name. Statements are written once
   * with the placeholder and bound to a schema when the backend is built.
   *
   * @param template the SQL
   * @return the SQL for this schema
   */
  public String sql(String template) {
    return template.replace(PLACEHOLDER, quoted());
  }

  /**
   * The NOTIFY channel of this schema: two Gander databases in one PostgreSQL database (two
   * schemas) do not wake each other.
   *
   * @return the channel name
   */
  public String channel() {
    return "gander:" + name;
  }
}
