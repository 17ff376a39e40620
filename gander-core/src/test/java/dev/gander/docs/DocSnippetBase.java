package dev.gander.docs;

import dev.gander.Gander;
import dev.gander.queue.JobId;
import dev.gander.queue.Queue;
import dev.gander.store.Store;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/**
 * What a code block of the README or {@code docs/} may use without declaring it, as a reader would
 * assume from the text around it: an open {@code gander} with its {@code store}, a queue {@code
 * emails} holding a few jobs, an {@code email} to send, a finished job {@code id}, and the
 * application's own {@code send} and {@code reserveStock}. {@code Path.of("…")} in a block is
 * resolved in a temporary directory. See {@link DocSnippetsTest}.
 */
public abstract class DocSnippetBase {
  /** An email, as the examples send. */
  public record Email(String to) {}

  protected Path dir;
  protected Gander gander;
  protected Store store;
  protected Queue emails;
  protected Email email = new Email("bob@example.com");
  protected JobId id;

  /** What the block's {@code send} calls sent. */
  public final List<Object> sent = new ArrayList<>();

  /** Runs the block. */
  public abstract void run() throws Exception;

  void open(Path dir) {
    this.dir = dir;
    gander = Gander.open(dir.resolve("fixture.db"));
    store = gander.store();
    emails = gander.queue("emails");
    id = emails.enqueue(new Email("carol@example.com"));
    emails.claim("fixture").orElseThrow().ack("sent to carol@example.com");
    for (int i = 0; i < 3; i++) {
      emails.enqueue(new Email("user" + i + "@example.com"));
    }
  }

  void close() {
    gander.close();
  }

  /** Resolves a file name of a block in the temporary directory. */
  protected Path path(String name) {
    return dir.resolve(name);
  }

  /** The application's mailer. */
  protected void send(Object message) {
    synchronized (sent) {
      sent.add(message);
    }
  }

  /** The application's stock reservation: always succeeds here. */
  protected boolean reserveStock(Connection c) {
    return c != null;
  }
}
