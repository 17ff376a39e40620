package dev.gander.internal.postgres;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;

/**
 * A child process for {@link PgMigrationsTest}: connects to {@code args[0]}, prints {@code ready},
 * waits for {@code go} on stdin, migrates schema {@code args[1]} and prints {@code applied <n>}.
 * Exits 1 with the stack trace on stderr on any failure.
 */
public final class MigrateMain {
  private MigrateMain() {}

  /**
   * Runs the child.
   *
   * @param args the URL and the schema
   */
  public static void main(String[] args) {
    try (Connection c = DriverManager.getConnection(args[0])) {
      PgSchema schema = PgSchema.of(args[1]);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      System.out.println("ready");
      System.out.flush();
      String line = in.readLine();
      if (!"go".equals(line)) {
        throw new IllegalStateException("expected 'go' on stdin, got " + line);
      }
      int applied = PgMigrations.migrate(c, schema, "child");
      System.out.println("applied " + applied);
      System.out.flush();
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }
}
