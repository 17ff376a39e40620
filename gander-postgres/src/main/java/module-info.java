/**
 * Gander on PostgreSQL: the same API and semantics as on one SQLite file, for many machines sharing
 * one database. All of this backend's SQL lives in this module.
 *
 * <p>Nothing is exported yet: the backend is reached through the SPI of {@code dev.gander.core}.
 */
module dev.gander.postgres {
  requires dev.gander.core;
  requires java.sql;
  requires org.postgresql.jdbc;
  requires com.zaxxer.hikari;
  requires org.slf4j;
  requires static org.jspecify;
}
