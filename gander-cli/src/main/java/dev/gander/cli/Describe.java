package dev.gander.cli;

import dev.gander.store.StoreInfo;
import java.io.PrintWriter;
import java.util.Locale;

/** Prints a {@link StoreInfo} the same way for every command. */
final class Describe {
  private Describe() {}

  static void print(PrintWriter out, StoreInfo info) {
    out.printf("  path            %s%n", info.path());
    out.printf("  schema version  %d%n", info.schemaVersion());
    out.printf("  journal mode    %s%n", info.journalMode());
    out.printf("  synchronous     %s%n", info.synchronous().name().toLowerCase(Locale.ROOT));
    out.printf("  page size       %d bytes%n", info.pageSize());
    out.printf("  size on disk    %s%n", bytes(info.sizeOnDisk()));
    out.printf("  opened          %s%n", info.readOnly() ? "read-only" : "read-write");
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
