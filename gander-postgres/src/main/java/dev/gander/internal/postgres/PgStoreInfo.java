package dev.gander.internal.postgres;

import dev.gander.store.StoreInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * What {@code store().info()} reports on PostgreSQL: the schema version recorded in Gander's
 * schema, and the space Gander's tables take there. The application's own tables in the same schema
 * are not counted: only the tables Gander's migrations create.
 */
final class PgStoreInfo {
  /**
   * The total size of Gander's tables in the schema, with their indexes and TOAST data: {@code
   * pg_total_relation_size} summed over the ordinary and partitioned tables the migrations create.
   */
  private static final String SIZE =
      "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint"
          + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND c.relname = ANY (?)";

  private static final List<String> CREATED = PgMigrations.createdNames();

  private PgStoreInfo() {}

  /**
   * Reads the facts on {@code c}, in one snapshot.
   *
   * @param c a connection in a read transaction
   * @param schema Gander's schema
   * @param location the server's URL without credentials, and the schema
   * @param where the database, for messages
   * @return the facts
   * @throws SQLException if the server refuses a query
   */
  static StoreInfo read(Connection c, PgSchema schema, String location, String where)
      throws SQLException {
    int version = PgMigrations.currentVersion(c, schema, where);
    long size;
    try (PreparedStatement ps = c.prepareStatement(SIZE)) {
      ps.setString(1, schema.name());
      ps.setArray(2, c.createArrayOf("text", CREATED.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        size = rs.getLong(1);
      }
    }
    return new StoreInfo(StoreInfo.POSTGRESQL, location, version, size, false, Optional.empty());
  }
}
