package dev.gander.internal.eventlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gander.GanderException;
import dev.gander.eventlog.ConsumerId;
import dev.gander.eventlog.LogEntry;
import dev.gander.eventlog.Topic;
import dev.gander.internal.text.Utf8;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A topic in a file of JSON lines ({@link EventLines}), with an index of where each retained
 * event's line starts, built when the topic is first used and kept as lines are appended, so that a
 * read seeks to its first line instead of scanning the file.
 *
 * <p>Crashes: an append is one write of whole lines; a crash during it may leave a torn last line,
 * which opening cuts off with a warning. Compaction writes the retained lines to a temporary file,
 * syncs it and renames it over the topic's file atomically, so that a crash leaves the old file or
 * the new one; opening the log removes a temporary file left behind. Consumers' cursors are small
 * files of their own, replaced the same way.
 */
final class FileTopic extends LocalTopic {
  private static final Logger LOG = LoggerFactory.getLogger(FileTopic.class);

  /** Bytes read from the file at a time when opening it. */
  private static final int SCAN_CHUNK = 1 << 16;

  /** About the most bytes a read takes from the file at once. */
  private static final long READ_GROUP = 1 << 20;

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private final Path file;
  private final Path cursorDir;

  /** Open once the file exists. */
  private @Nullable FileChannel channel;

  private long compactedThrough;

  /** Where the line of offset {@code compactedThrough + 1 + i} starts, for i below count. */
  private long[] positions = new long[64];

  private int count;

  /** Where the next line goes: the end of the last complete line. */
  private long end;

  /** Whether appends or a repair wait for {@link #flush()} to reach the disk. */
  private boolean unsynced;

  /** Cursors read or written, by consumer; -1 for one with no file. */
  private final Map<String, Long> cursors = new HashMap<>();

  private final Set<Path> unsyncedCursors = new LinkedHashSet<>();

  private FileTopic(Topic topic, Path file, Path cursorDir) {
    super(topic);
    this.file = file;
    this.cursorDir = cursorDir;
  }

  /**
   * Opens a topic's file, if it has one, and indexes it.
   *
   * @param topics the directory of topics' files
   * @param consumers the directory of consumers' cursors
   * @param topic the topic
   * @return the topic
   */
  static FileTopic open(Path topics, Path consumers, Topic topic) {
    String stem = FileNames.stem(topic.name());
    FileTopic t = new FileTopic(topic, topics.resolve(stem + ".jsonl"), consumers.resolve(stem));
    try {
      t.load();
    } catch (IOException e) {
      t.close();
      throw io("read", t.file, e);
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
    return t;
  }

  // ------------------------------------------------------------------ opening

  private void load() throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      return; // nothing appended yet: the file is made by the first append
    }
    channel = ch;
    long size = ch.size();
    byte[] chunk = new byte[SCAN_CHUNK];
    byte[] line = new byte[256];
    int lineLength = 0;
    long lineStart = 0;
    int lineNumber = 0;
    long pos = 0;
    while (pos < size) {
      ByteBuffer b = ByteBuffer.wrap(chunk, 0, (int) Math.min(chunk.length, size - pos));
      int n = readFully(ch, b, pos);
      int segment = 0;
      for (int i = 0; i < n; i++) {
        if (chunk[i] != '\n') {
          continue;
        }
        int add = i - segment;
        if (lineLength + add > line.length) {
          line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + add));
        }
        System.arraycopy(chunk, segment, line, lineLength, add);
        lineLength += add;
        lineNumber++;
        boolean last = pos + i + 1 == size;
        if (!accept(line, lineLength, lineStart, lineNumber, last)) {
          cutTornTail(lineStart, size, lineNumber);
          return;
        }
        lineStart = pos + i + 1;
        lineLength = 0;
        segment = i + 1;
      }
      int rest = n - segment;
      if (lineLength + rest > line.length) {
        line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + rest));
      }
      System.arraycopy(chunk, segment, line, lineLength, rest);
      lineLength += rest;
      pos += n;
    }
    end = lineStart;
    if (lineLength > 0) {
      cutTornTail(lineStart, size, lineNumber + 1);
    }
  }

  /**
   * Takes one complete line into the index.
   *
   * @return false if it is the file's last line and cannot be read: torn
   * @throws GanderException if a line before the last cannot be read, or offsets do not follow
   */
  private boolean accept(byte[] line, int length, long start, int number, boolean last) {
    EventLines.Line parsed;
    try {
      parsed = EventLines.parse(line, 0, length);
    } catch (IllegalArgumentException e) {
      if (last) {
        return false;
      }
      throw damaged(number, e.getMessage());
    }
    LogEntry entry = parsed.entry();
    if (entry == null) {
      if (count > 0 || number > 1) {
        throw damaged(number, "a compaction marker after the first line");
      }
      compactedThrough = parsed.compactedThrough();
      return true;
    }
    long expected = compactedThrough + count + 1;
    if (count == 0 && number == 1 && entry.offset() > expected) {
      compactedThrough = entry.offset() - 1; // cut by hand without a marker: offsets go on
      expected = entry.offset();
    }
    if (entry.offset() != expected) {
      throw damaged(number, "offset " + entry.offset() + " where " + expected + " should be");
    }
    index(start);
    return true;
  }

  private void index(long start) {
    if (count == positions.length) {
      positions = Arrays.copyOf(positions, positions.length * 2);
    }
    positions[count++] = start;
  }

  private void cutTornTail(long goodEnd, long size, int lineNumber) throws IOException {
    FileChannel ch = channel;
    if (ch == null) {
      return;
    }
    LOG.warn(
        "Topic '{}': the last line of {} (line {}, {} bytes at byte {}) is torn, as a crash during"
            + " an append leaves it; ignored it and cut the file back to its last complete line."
            + " The {} events before it are intact.",
        topic.name(),
        file,
        lineNumber,
        size - goodEnd,
        goodEnd,
        count);
    ch.truncate(goodEnd);
    ch.force(true);
    end = goodEnd;
  }

  private GanderException damaged(int line, @Nullable String why) {
    return new GanderException(
        "The file "
            + file
            + " of topic '"
            + topic.name()
            + "' is damaged at line "
            + line
            + ": "
            + why
            + ". Only its last line can be torn by a crash; this one is not the last. Restore the"
            + " file from a backup, or move it away to start the topic afresh.");
  }

  // ------------------------------------------------------------------ events

  @Override
  long latest() {
    return compactedThrough + count;
  }

  @Override
  long compactedThrough() {
    return compactedThrough;
  }

  private long pos(int i) {
    return i < count ? positions[i] : end;
  }

  @Override
  List<LogEntry> read(long after, int limit) {
    long from = Math.max(after, compactedThrough);
    FileChannel ch = channel;
    if (from >= latest() || ch == null) {
      return List.of();
    }
    int first = (int) (from - compactedThrough);
    int stop = (int) Math.min(count, (long) first + limit);
    List<LogEntry> out = new ArrayList<>(stop - first);
    int k = first;
    while (k < stop) {
      long start = pos(k);
      int j = k + 1;
      while (j < stop && pos(j + 1) - start <= READ_GROUP) {
        j++;
      }
      byte[] bytes = new byte[(int) (pos(j) - start)];
      try {
        readFully(ch, ByteBuffer.wrap(bytes), start);
      } catch (IOException e) {
        throw io("read", file, e);
      }
      for (int m = k; m < j; m++) {
        int off = (int) (pos(m) - start);
        int len = (int) (pos(m + 1) - pos(m)) - 1;
        LogEntry e;
        try {
          e = EventLines.parse(bytes, off, len).entry();
        } catch (IllegalArgumentException ex) {
          e = null;
        }
        if (e == null || e.offset() != compactedThrough + 1 + m) {
          throw new GanderException(
              "The file "
                  + file
                  + " of topic '"
                  + topic.name()
                  + "' changed under the event log: offset "
                  + (compactedThrough + 1 + m)
                  + " is not where it was written. Only the event log may write its files.");
        }
        out.add(e);
      }
      k = j;
    }
    return out;
  }

  @Override
  void append(List<LogEntry> entries) {
    long[] starts = new long[entries.size()];
    StringBuilder text = new StringBuilder();
    long at = end;
    int i = 0;
    for (LogEntry e : entries) {
      String line = EventLines.line(e.offset(), e.event());
      starts[i++] = at;
      at += Utf8.length(line) + 1;
      text.append(line).append('\n');
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    try {
      FileChannel ch = channel;
      if (ch == null) {
        ch =
            FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel = ch;
      }
      try {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        long p = end;
        while (b.hasRemaining()) {
          p += ch.write(b, p);
        }
      } catch (IOException e) {
        try {
          ch.truncate(end); // no part of a failed append stays
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    } catch (IOException e) {
      throw io("append to", file, e);
    }
    for (long s : starts) {
      index(s);
    }
    end += bytes.length;
    unsynced = true;
  }

  @Override
  boolean compact(long through) {
    FileChannel old = channel;
    if (old == null) {
      throw new IllegalStateException("compacting a topic without a file");
    }
    int removed = (int) (through - compactedThrough);
    long keepFrom = pos(removed);
    byte[] marker = (EventLines.marker(through) + "\n").getBytes(StandardCharsets.UTF_8);
    Path temp = file.resolveSibling(file.getFileName() + FileNames.TEMP_SUFFIX);
    try {
      try (FileChannel out =
          FileChannel.open(
              temp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(marker);
        while (b.hasRemaining()) {
          out.write(b);
        }
        long p = keepFrom;
        while (p < end) {
          p += old.transferTo(p, end - p, out);
        }
        out.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw io("compact", file, e);
    }
    syncDirectory(file.getParent());
    FileChannel now;
    try {
      now = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      channel = null;
      closeQuietly(old);
      throw io("reopen after compacting", file, e);
    }
    closeQuietly(old);
    channel = now;
    long shift = keepFrom - marker.length;
    int kept = count - removed;
    long[] moved = new long[Math.max(64, kept)];
    for (int i = 0; i < kept; i++) {
      moved[i] = positions[removed + i] - shift;
    }
    positions = moved;
    count = kept;
    end -= shift;
    compactedThrough = through;
    return true;
  }

  // ------------------------------------------------------------------ cursors

  private Path cursorFile(ConsumerId consumer) {
    return cursorDir.resolve(FileNames.stem(consumer.name()) + ".json");
  }

  @Override
  OptionalLong cursor(ConsumerId consumer) {
    Long known = cursors.get(consumer.name());
    if (known == null) {
      known = readCursor(consumer);
      cursors.put(consumer.name(), known);
    }
    return known < 0 ? OptionalLong.empty() : OptionalLong.of(known);
  }

  private long readCursor(ConsumerId consumer) {
    Path f = cursorFile(consumer);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(f);
    } catch (NoSuchFileException e) {
      return -1;
    } catch (IOException e) {
      throw io("read", f, e);
    }
    try {
      JsonNode c = JSON.readTree(bytes).get("cursor");
      if (c != null && c.canConvertToExactIntegral() && c.asLong() >= 0) {
        return c.asLong();
      }
    } catch (IOException | RuntimeException e) {
      // reported below
    }
    LOG.warn(
        "Topic '{}': the cursor file {} of consumer '{}' cannot be read; the consumer starts with"
            + " no cursor, so it will process its events again.",
        topic.name(),
        f,
        consumer.name());
    return -1;
  }

  @Override
  void storeCursor(ConsumerId consumer, long offset) {
    Path f = cursorFile(consumer);
    Path temp = f.resolveSibling(f.getFileName() + FileNames.TEMP_SUFFIX);
    ObjectNode json = JSON.createObjectNode();
    json.put("topic", topic.name());
    json.put("consumer", consumer.name());
    json.put("cursor", offset);
    json.put("updated_at_ms", System.currentTimeMillis());
    try {
      Files.createDirectories(cursorDir);
      Files.write(temp, JSON.writeValueAsBytes(json));
      Files.move(temp, f, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw io("write", f, e);
    }
    cursors.put(consumer.name(), offset);
    unsyncedCursors.add(f);
  }

  // ------------------------------------------------------------------ durability

  @Override
  void flush() {
    FileChannel ch = channel;
    try {
      if (ch != null && unsynced) {
        ch.force(true);
        unsynced = false;
      }
      for (Path f : unsyncedCursors) {
        try (FileChannel c = FileChannel.open(f, StandardOpenOption.READ)) {
          c.force(true);
        }
      }
    } catch (IOException e) {
      throw io("sync", file, e);
    }
    if (!unsyncedCursors.isEmpty()) {
      syncDirectory(cursorDir);
      unsyncedCursors.clear();
    }
  }

  @Override
  void close() {
    FileChannel ch = channel;
    channel = null;
    if (ch != null) {
      closeQuietly(ch);
    }
  }

  private void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      LOG.warn("Topic '{}': closing {} failed", topic.name(), file, e);
    }
  }

  // ------------------------------------------------------------------ helpers

  static int readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    int total = 0;
    while (b.hasRemaining()) {
      int n = ch.read(b, position + total);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + (position + total));
      }
      total += n;
    }
    return total;
  }

  /**
   * Syncs a directory, so that files made or renamed in it survive a power loss. Some platforms
   * (Windows) cannot open a directory: there is nothing to sync there.
   */
  static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      LOG.debug("Cannot sync directory {}: {}", dir, e.toString());
    }
  }

  static GanderException io(String what, Path file, IOException e) {
    return new GanderException("Cannot " + what + " the event log file " + file + ": " + e, e);
  }

  @Override
  public String toString() {
    return "FileTopic[" + topic.name() + ", " + file + "]";
  }
}
