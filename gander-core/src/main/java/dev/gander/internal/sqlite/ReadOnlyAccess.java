package dev.gander.internal.sqlite;

import dev.gander.ReadOnlyDatabaseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How a read-only store can open an existing database file. In a directory this process may write,
 * SQLite creates the {@code -wal} and {@code -shm} files a WAL database is read through, so the
 * file opens as usual. In a directory it may not write, SQLite (3.22 and later) reads a WAL
 * database only:
 *
 * <ul>
 *   <li>through {@code -wal} and {@code -shm} files that already exist and are readable (a writer
 *       has the database open, or left them behind), or
 *   <li>as an immutable file ({@code immutable=1}), which ignores the WAL, takes no locks and never
 *       looks for changes: correct only when the WAL holds nothing, i.e. there is no {@code -wal}
 *       file or an empty one. Nobody can write such a file through SQLite while the directory stays
 *       read-only, since a writer would need to create the {@code -wal} file.
 * </ul>
 *
 * A {@code -wal} file with commits but no {@code -shm} file (a copy taken without it) cannot be
 * read there at all: reading the file alone would silently miss those commits.
 */
enum ReadOnlyAccess {
  /** SQLite opens the file as usual, with the read-only flag. */
  NORMAL,
  /** Opened with {@code immutable=1}: a WAL database closed cleanly, in a read-only directory. */
  IMMUTABLE,
  /** Not readable here: a WAL with commits and no {@code -shm} file, in a read-only directory. */
  IMPOSSIBLE;

  /**
   * How {@code file}, which exists, can be read by a read-only store now.
   *
   * @param file the database file, absolute
   * @return the way to open it
   */
  static ReadOnlyAccess of(Path file) {
    Path dir = file.getParent();
    if (dir == null || Files.isWritable(dir) || !isWalDatabase(file)) {
      // SQLite creates what it needs, or (not a WAL file) needs nothing; it reports the rest.
      return NORMAL;
    }
    Path wal = sibling(file, "-wal");
    Path shm = sibling(file, "-shm");
    if (Files.isReadable(wal) && Files.isReadable(shm)) {
      return NORMAL;
    }
    return walIsEmpty(wal) ? IMMUTABLE : IMPOSSIBLE;
  }

  /**
   * The JDBC URL for read-only connections opened this way.
   *
   * @param file the database file, absolute
   * @return the URL
   */
  String url(Path file) {
    if (this == IMMUTABLE) {
      // A URI filename; toUri() percent-encodes what SQLite would otherwise read as syntax.
      return "jdbc:sqlite:" + file.toUri() + "?immutable=1";
    }
    return "jdbc:sqlite:" + file;
  }

  /**
   * Why a read-only store cannot open {@code file}, with what to do; for {@link #IMPOSSIBLE}.
   *
   * @param file the database file
   * @return the exception to throw
   */
  static ReadOnlyDatabaseException impossible(Path file) {
    return new ReadOnlyDatabaseException(
        "Cannot read the database "
            + file
            + " in the read-only directory "
            + file.getParent()
            + ": "
            + whyImpossible(file)
            + ". Make the directory writable, or open the database once with Store.open where"
            + " its directory is writable and close it (closing copies the WAL into the"
            + " database file).");
  }

  /**
   * The reason, without advice, why {@code file} cannot be read in its read-only directory.
   *
   * @param file the database file
   * @return the reason
   */
  static String whyImpossible(Path file) {
    String name = file.getFileName().toString();
    return "its "
        + name
        + "-wal file holds commits not yet in the database file, and SQLite can read them only"
        + " through the file "
        + name
        + "-shm, which is missing and cannot be created there";
  }

  /** Whether the header says WAL mode (file format versions 2), as every Gander database is. */
  private static boolean isWalDatabase(Path file) {
    byte[] header = new byte[20];
    try (InputStream in = Files.newInputStream(file)) {
      if (in.readNBytes(header, 0, header.length) < header.length) {
        return false;
      }
    } catch (IOException e) {
      return false;
    }
    byte[] magic = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    return Arrays.equals(header, 0, magic.length, magic, 0, magic.length)
        && header[18] == 2
        && header[19] == 2;
  }

  private static boolean walIsEmpty(Path wal) {
    try {
      return !Files.exists(wal) || Files.size(wal) == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }
}
