package dev.gander.store;

import java.sql.Connection;

/**
 * A write transaction opened by {@link Store#inTransaction}: business writes made through {@link
 * #connection()} and Gander operations given this transaction (such as {@code queue.enqueue(tx,
 * payload)}) commit together or not at all.
 *
 * <p>Valid only while the function that received it runs, and only on that thread.
 */
public interface Transaction {
  /**
   * The connection of this transaction, inside {@code BEGIN IMMEDIATE} on SQLite, or a PostgreSQL
   * transaction at the connection's isolation level.
   *
   * <p>{@code commit()}, {@code rollback()}, {@code setAutoCommit} and {@code close()} on it throw
   * {@link java.sql.SQLException}: the transaction ends when the function returns (commit) or
   * throws (rollback).
   *
   * @return the connection
   */
  Connection connection();
}
