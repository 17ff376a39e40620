package dev.gander.internal.eventlog;

import dev.gander.GanderException;
import dev.gander.eventlog.EventLogBackend;
import dev.gander.eventlog.EventLogDescription;
import dev.gander.eventlog.Topic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file backend: a directory with {@code topics/}, one JSON-lines file per topic ({@link
 * FileTopic}), and {@code consumers/}, a directory per topic holding a small file per consumer's
 * cursor. One event log at a time opens a directory: it holds a lock on {@code .lock} while open.
 */
final class FileEventLog extends LocalEventLog {
  private static final Logger LOG = LoggerFactory.getLogger(FileEventLog.class);

  private final Path dir;
  private final Path topics;
  private final Path consumers;
  private final FileChannel lockFile;
  private final FileLock lock;

  private FileEventLog(
      Path dir, Path topics, Path consumers, FileChannel lockFile, FileLock lock, int depth) {
    super(depth);
    this.dir = dir;
    this.topics = topics;
    this.consumers = consumers;
    this.lockFile = lockFile;
    this.lock = lock;
  }

  /**
   * Opens (creating if needed) an event log in a directory, removing temporary files a crash left.
   *
   * @param directory the directory
   * @param queueDepth the live buffer of each subscriber
   * @return the open log
   * @throws GanderException if the directory cannot be made or is open in another event log
   */
  static FileEventLog open(Path directory, int queueDepth) {
    Path dir = directory.toAbsolutePath().normalize();
    Path topics = dir.resolve("topics");
    Path consumers = dir.resolve("consumers");
    FileChannel lockFile;
    try {
      Files.createDirectories(topics);
      Files.createDirectories(consumers);
      lockFile =
          FileChannel.open(
              dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new GanderException("Cannot open the event log directory " + dir + ": " + e, e);
    }
    FileLock lock = null;
    try {
      lock = lockFile.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      closeQuietly(lockFile);
      throw new GanderException("Cannot lock the event log directory " + dir + ": " + e, e);
    }
    if (lock == null) {
      closeQuietly(lockFile);
      throw new GanderException(
          "The event log directory "
              + dir
              + " is open in another event log, in this process or another: the file backend"
              + " has one writer. Close the other one first, or give this one a directory of its"
              + " own.");
    }
    try {
      removeLeftovers(topics);
      try (Stream<Path> perTopic = Files.list(consumers)) {
        for (Path p : (Iterable<Path>) perTopic::iterator) {
          if (Files.isDirectory(p)) {
            removeLeftovers(p);
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      closeQuietly(lockFile);
      throw new GanderException("Cannot read the event log directory " + dir + ": " + e, e);
    }
    return new FileEventLog(dir, topics, consumers, lockFile, lock, queueDepth);
  }

  /** Removes what a compaction or a cursor's write left when a crash cut it short. */
  private static void removeLeftovers(Path in) throws IOException {
    List<Path> leftovers = new ArrayList<>();
    try (Stream<Path> files = Files.list(in)) {
      files
          .filter(p -> p.getFileName().toString().endsWith(FileNames.TEMP_SUFFIX))
          .forEach(leftovers::add);
    }
    for (Path p : leftovers) {
      Files.deleteIfExists(p);
      LOG.warn(
          "Removed {}, a temporary file left by a crash during a compaction or a cursor's write;"
              + " the file it was to replace is intact.",
          p);
    }
  }

  @Override
  LocalTopic openTopic(Topic topic) {
    return FileTopic.open(topics, consumers, topic);
  }

  @Override
  void flushLog() {
    FileTopic.syncDirectory(topics);
    FileTopic.syncDirectory(consumers);
    FileTopic.syncDirectory(dir);
  }

  @Override
  void closeLog() {
    try {
      lock.release();
    } catch (IOException e) {
      LOG.warn("Releasing the lock of the event log directory {} failed", dir, e);
    }
    closeQuietly(lockFile);
  }

  @Override
  public EventLogDescription describe() {
    checkOpen();
    return new EventLogDescription(
        EventLogBackend.FILE,
        Optional.of(dir.toString()),
        OptionalLong.of(sizeOf(dir)),
        queueDepth());
  }

  private static long sizeOf(Path dir) {
    long[] total = new long[1];
    try (Stream<Path> files = Files.walk(dir)) {
      files.forEach(
          p -> {
            BasicFileAttributes a = attributes(p);
            if (a != null && a.isRegularFile()) {
              total[0] += a.size();
            }
          });
    } catch (IOException | UncheckedIOException e) {
      throw new GanderException("Cannot measure the event log directory " + dir + ": " + e, e);
    }
    return total[0];
  }

  private static @Nullable BasicFileAttributes attributes(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return null; // removed while walking: a temporary file
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      LOG.warn("Closing an event log file failed", e);
    }
  }

  @Override
  public String toString() {
    return "EventLog[file " + dir + "]";
  }
}
