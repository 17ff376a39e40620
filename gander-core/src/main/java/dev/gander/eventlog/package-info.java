/**
 * The event log: named {@link dev.gander.eventlog.Topic topics} of events with offsets 1, 2, 3 …
 * per topic, consumers' forward-only cursors, history-then-live subscriptions and explicit
 * compaction, behind one {@link dev.gander.eventlog.EventLog} interface with four backends: memory,
 * files (JSON lines), SQLite (the default) and PostgreSQL.
 *
 * <p>On SQLite and PostgreSQL an event log is a view of Gander's streams: a topic is a stream and a
 * consumer's cursor is the stream consumer's committed offset, so that a stream published with
 * {@code gander.stream(name)} reads as a topic and the reverse. Open one with {@link
 * dev.gander.eventlog.EventLog#open(EventLogConfig)}, configured in code or from the environment
 * ({@link dev.gander.eventlog.EventLogConfig#fromEnvironment(java.nio.file.Path)}), or over an open
 * Gander with {@link dev.gander.eventlog.EventLog#on(dev.gander.Gander)}.
 */
@NullMarked
package dev.gander.eventlog;

import org.jspecify.annotations.NullMarked;
