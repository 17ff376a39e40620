package dev.gander.cli;

import dev.gander.sqlite.SqliteInfo;
import dev.gander.store.Store;
import dev.gander.store.StoreInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

/** Prints a {@link StoreInfo} the same way for every command. */
final class Describe {
  private Describe() {}

  /**
   * Reads what {@code gander info} reports about a database, opening it read-only so that nothing
   * is written. Every command that reports on a file uses this, so they agree.
   */
  static StoreInfo read(Path file) {
    try (Store store = Store.openReadOnly(file)) {
      return store.info();
    }
  }

  /**
   * Prints what every backend reports, then the facts only a SQLite file has, when there are some.
   */
  static void print(PrintWriter out, StoreInfo info) {
    out.printf("  backend         %s%n", info.backend());
    out.printf("  location        %s%n", info.location());
    out.printf("  schema version  %d%n", info.schemaVersion());
    info.sqlite().ifPresent(sqlite -> printSqlite(out, sqlite));
    out.printf("  size on disk    %s%n", size(info));
    out.printf("  opened          %s%n", info.readOnly() ? "read-only" : "read-write");
  }

  private static void printSqlite(PrintWriter out, SqliteInfo sqlite) {
    out.printf("  journal mode    %s%n", sqlite.journalMode());
    out.printf("  synchronous     %s%n", sqlite.synchronous().name().toLowerCase(Locale.ROOT));
    out.printf("  page size       %d bytes%n", sqlite.pageSize());
  }

  /**
   * The database's size on disk (on SQLite the file and its {@code -wal}), formatted as every
   * command shows it.
   */
  static String size(StoreInfo info) {
    return bytes(info.sizeOnDisk());
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024.0));
  }
}
