package dev.gander.internal.spi;

import java.sql.SQLException;
import java.util.Collection;
import java.util.List;

/**
 * Decides, after another process committed something unnamed (SQLite's commit watcher sees only
 * that the file changed), which waited keys to wake. Capability logic implements it through its
 * operations; a notifier that names keys (PostgreSQL's NOTIFY) does not need it.
 */
public interface WakeFilter {
  /**
   * The waited keys that the foreign commit may concern.
   *
   * @param snapshot a read of the database after the commit
   * @param waited the keys waited on now and not yet checked at this commit
   * @return the keys to wake
   * @throws SQLException if a read fails
   */
  List<WakeKey> keysToWake(Tx snapshot, List<WakeKey> waited) throws SQLException;

  /**
   * Forgets what it remembers of keys nobody waits on any more, so that memory per name lasts only
   * while the name is waited on.
   *
   * @param waited the keys waited on now
   */
  default void retainOnly(Collection<WakeKey> waited) {}
}
