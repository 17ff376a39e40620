/**
 * Settings and facts that exist only for a Gander database kept in one SQLite file: {@link
 * dev.gander.sqlite.SqliteOptions} (busy timeout, {@code PRAGMA synchronous}, read pool, wake mode,
 * page size), {@link dev.gander.sqlite.SqliteInfo} (journal mode, page size), and the enums they
 * use. A Gander on PostgreSQL has none of them: {@code Gander.builder()} refuses {@code
 * sqlite(...)} together with {@code postgres(...)}, and {@code StoreInfo.sqlite()} is empty there.
 */
@NullMarked
package dev.gander.sqlite;

import org.jspecify.annotations.NullMarked;
