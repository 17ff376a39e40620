package dev.gander.internal.contract;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a test {@code main} on the test class path: its stdout lines are collected by
 * a thread, its stderr goes to a file shown in failure messages. For the multi-process tests of
 * every backend.
 */
public final class Jvm implements AutoCloseable {
  /** What {@link #next} returns once the child's stdout has ended. */
  public static final String EOF = "<eof>";

  /** The child's name, for messages and its stderr file. */
  public final String name;

  /** The child process. */
  public final Process process;

  /**
   * Keeps the JVM's own warnings off standard output, where a child's lines are read as its
   * protocol: no hsperfdata file (whose "locked by another process" warning, printed to standard
   * output when a stale file of the same process id is found, once failed a run) and the JVM's log
   * sent to standard error instead.
   */
  public static final List<String> QUIET_JVM =
      List.of("-XX:-UsePerfData", "-Xlog:disable", "-Xlog:all=warning:stderr");

  private final Path stderr;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  /**
   * Starts a child.
   *
   * @param name its name
   * @param dir where its stderr file goes
   * @param main the class whose {@code main} it runs
   * @param args the arguments
   * @throws IOException if it cannot start
   */
  public Jvm(String name, Path dir, Class<?> main, String... args) throws IOException {
    this.name = name;
    this.stderr = dir.resolve(name + ".err");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx128m");
    command.add("-XX:TieredStopAtLevel=1");
    command.addAll(QUIET_JVM);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(List.of(args));
    this.process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("<stdout failed: " + e + ">");
              }
              lines.add(EOF);
            },
            "test-stdout-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** The next stdout line, or {@link #EOF}; fails the test if none comes within the timeout. */
  public String next(long seconds) throws InterruptedException {
    String line = lines.poll(seconds, TimeUnit.SECONDS);
    if (line == null) {
      throw new AssertionError(name + " printed nothing for " + seconds + " s; " + describe());
    }
    seen.add(line);
    return line;
  }

  /** Every line printed so far, without waiting. */
  public List<String> drain() {
    lines.drainTo(seen);
    return seen;
  }

  public void send(String line) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** Closes the child's stdin (the children stop on it) and waits for a clean exit. */
  public int stop(long seconds) throws Exception {
    process.getOutputStream().close();
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " did not exit within " + seconds + " s; " + describe());
    }
    return process.exitValue();
  }

  public String describe() {
    try {
      return name + " stderr:\n" + (Files.exists(stderr) ? Files.readString(stderr) : "");
    } catch (IOException e) {
      return name + " stderr unreadable: " + e;
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
