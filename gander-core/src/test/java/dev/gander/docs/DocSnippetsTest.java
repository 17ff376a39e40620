package dev.gander.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles and runs every {@code java} code block of the README and of {@code docs/}, so that no
 * example can drift from the API. Each block becomes the body of a method of a subclass of {@link
 * DocSnippetBase}, which supplies what a reader would assume (an open {@code gander}, a queue
 * {@code emails}, {@code send}); {@code Path.of("…")} is resolved in a temporary directory.
 */
class DocSnippetsTest {
  private static final Pattern BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```");
  private static final String IMPORTS =
      String.join(
          "\n",
          "import dev.gander.*;",
          "import dev.gander.queue.*;",
          "import dev.gander.queue.Queue;",
          "import dev.gander.sqlite.*;",
          "import dev.gander.store.*;",
          "import dev.gander.stream.*;",
          "import dev.gander.pubsub.*;",
          "import dev.gander.lock.*;",
          "import dev.gander.ratelimit.*;",
          "import dev.gander.schedule.*;",
          "import dev.gander.stream.Stream;",
          "import dev.gander.eventlog.*;",
          // Both packages have one; the stream's came first in these docs.
          "import dev.gander.stream.CompactReport;",
          "import java.nio.file.*;",
          "import java.sql.*;",
          "import java.time.*;",
          "import java.util.*;",
          "import java.util.List;",
          "import java.util.concurrent.*;",
          "import java.util.concurrent.CopyOnWriteArrayList;",
          "import com.fasterxml.jackson.core.type.TypeReference;",
          "");

  @TempDir Path work;

  record Snippet(Path file, int index, int line, String code) {
    String className() {
      String base = file.getFileName().toString().replaceAll("[^A-Za-z0-9]", "_");
      return "Snippet_" + base + "_" + index;
    }

    String describe() {
      return file.getFileName() + " block " + index + " (line " + line + ")";
    }
  }

  static List<Snippet> snippets() throws IOException {
    Path root = Path.of("").toAbsolutePath();
    if (!Files.exists(root.resolve("README.md"))) {
      root = root.getParent(); // surefire runs in the module's directory
    }
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("README.md"));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    List<Snippet> out = new ArrayList<>();
    for (Path f : files) {
      String text = Files.readString(f, StandardCharsets.UTF_8);
      Matcher m = BLOCK.matcher(text);
      int n = 0;
      while (m.find()) {
        int line = text.substring(0, m.start()).split("\n", -1).length;
        out.add(new Snippet(f, ++n, line, m.group(1)));
      }
    }
    return out;
  }

  @TestFactory
  List<DynamicTest> everyJavaBlockOfTheDocsCompilesAndRuns() throws IOException {
    List<Snippet> all = snippets();
    assertThat(all).as("java blocks in README.md and docs/").hasSizeGreaterThan(5);
    List<DynamicTest> tests = new ArrayList<>();
    for (Snippet s : all) {
      tests.add(DynamicTest.dynamicTest(s.describe(), () -> compileAndRun(s)));
    }
    return tests;
  }

  private void compileAndRun(Snippet s) throws Exception {
    Path src = work.resolve(s.className()).resolve("src");
    Path out = work.resolve(s.className()).resolve("classes");
    Files.createDirectories(src.resolve("snippets"));
    Files.createDirectories(out);
    String body = s.code().replace("Path.of(\"", "path(\"");
    String source =
        "package snippets;\n"
            + IMPORTS
            + "public class "
            + s.className()
            + " extends dev.gander.docs.DocSnippetBase {\n"
            + "  @Override\n  public void run() throws Exception {\n"
            + body
            + "\n  }\n}\n";
    Path file = src.resolve("snippets").resolve(s.className() + ".java");
    Files.writeString(file, source);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    boolean ok;
    try (StandardJavaFileManager files =
        javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      ok =
          javac
              .getTask(
                  null,
                  files,
                  diagnostics,
                  List.of(
                      "-classpath",
                      System.getProperty("java.class.path"),
                      "-d",
                      out.toString(),
                      "-proc:none",
                      "-Xlint:none"),
                  null,
                  files.getJavaFileObjects(file))
              .call();
    }
    StringBuilder errors = new StringBuilder();
    diagnostics
        .getDiagnostics()
        .forEach(
            d ->
                errors
                    .append("\n  line ")
                    .append(d.getLineNumber() - IMPORTS.split("\n").length - 4 + s.line())
                    .append(" of ")
                    .append(s.file().getFileName())
                    .append(": ")
                    .append(d.getMessage(Locale.ROOT)));
    assertThat(ok).as("%s compiles:%s", s.describe(), errors).isTrue();

    Path runDir = work.resolve(s.className()).resolve("run");
    Files.createDirectories(runDir);
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader())) {
      DocSnippetBase snippet =
          (DocSnippetBase)
              loader.loadClass("snippets." + s.className()).getDeclaredConstructor().newInstance();
      snippet.open(runDir);
      ExecutorService runner = Executors.newSingleThreadExecutor();
      try {
        Future<?> done =
            runner.submit(
                () -> {
                  snippet.run();
                  return null;
                });
        try {
          done.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          throw new AssertionError(
              s.describe() + " failed when run: " + e.getCause(), e.getCause());
        }
      } finally {
        runner.shutdownNow();
        snippet.close();
      }
    }
  }
}
