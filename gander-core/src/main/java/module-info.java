/**
 * Gander: durable job queues, streams, pub/sub, scheduling, locks and rate limits in one SQLite
 * file.
 *
 * <p>Only {@code dev.gander} and its capability packages are exported; everything under {@code
 * dev.gander.internal} is implementation and may change in any release.
 */
module dev.gander.core {
  requires transitive java.sql;
  requires org.xerial.sqlitejdbc;
  requires transitive com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.datatype.jsr310;
  requires com.fasterxml.jackson.datatype.jdk8;
  requires org.slf4j;
  requires com.cronutils;
  requires static transitive org.jspecify;

  exports dev.gander;
  exports dev.gander.store;
  exports dev.gander.sqlite;
  exports dev.gander.queue;
  exports dev.gander.stream;
  exports dev.gander.pubsub;
  exports dev.gander.lock;
  exports dev.gander.ratelimit;
  exports dev.gander.schedule;
  exports dev.gander.eventlog;
  exports dev.gander.spi;

  uses dev.gander.spi.GanderProvider;

  provides dev.gander.spi.GanderProvider with
      dev.gander.internal.SqliteProvider;

  uses dev.gander.spi.EventLogProvider;

  provides dev.gander.spi.EventLogProvider with
      dev.gander.internal.eventlog.DefaultEventLogProvider;

  // The backend SPI, for the PostgreSQL backend's module only: not API.
  exports dev.gander.internal.spi to
      dev.gander.postgres;
  // The composition root (GanderImpl), so that the PostgreSQL provider can build a Gander on its
  // backend: not API either.
  exports dev.gander.internal to
      dev.gander.postgres;
  // UTF-8 sizes, for the size of a NOTIFY payload.
  exports dev.gander.internal.text to
      dev.gander.postgres;

  uses com.fasterxml.jackson.databind.Module;
}
