/**
 * Gander on PostgreSQL: the same API and semantics as on one SQLite file, for many machines sharing
 * one database. All of this backend's SQL lives in this module.
 *
 * <p>Nothing is exported: applications open it through {@code Gander.builder().postgres(...)} in
 * {@code dev.gander.core}, which finds {@link dev.gander.postgres.PostgresProvider} with {@link
 * java.util.ServiceLoader}.
 */
module dev.gander.postgres {
  requires dev.gander.core;
  requires java.sql;
  requires org.postgresql.jdbc;
  requires com.zaxxer.hikari;
  requires org.slf4j;
  requires static org.jspecify;

  provides dev.gander.spi.GanderProvider with
      dev.gander.postgres.PostgresProvider;
}
