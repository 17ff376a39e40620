/**
 * The event log's backends, behind {@link dev.gander.eventlog.EventLog}.
 *
 * <ul>
 *   <li>{@link dev.gander.internal.eventlog.LocalEventLog}: what the memory and file backends share
 *       (a monitor per topic, offsets, cursors' forward-only rule, compaction's report), with
 *       {@link dev.gander.internal.eventlog.LocalSubscription}, a bounded live buffer per
 *       subscriber that falls back to the events the topic retains.
 *   <li>{@link dev.gander.internal.eventlog.MemoryEventLog} and {@link
 *       dev.gander.internal.eventlog.FileEventLog}: where a topic's events live ({@link
 *       dev.gander.internal.eventlog.MemoryTopic}, {@link dev.gander.internal.eventlog.FileTopic}:
 *       JSON lines, see {@link dev.gander.internal.eventlog.EventLines}).
 *   <li>{@link dev.gander.internal.eventlog.StreamEventLog}: SQLite and PostgreSQL, through the
 *       public {@code Gander} and {@code Stream} API only: a topic is a stream.
 * </ul>
 *
 * Nothing here writes SQL or reaches a database backend: the database backends are reached through
 * the public API, so that the event log runs on every backend Gander has.
 */
@NullMarked
package dev.gander.internal.eventlog;

import org.jspecify.annotations.NullMarked;
