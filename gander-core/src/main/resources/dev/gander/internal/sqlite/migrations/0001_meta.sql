-- Gander's own bookkeeping: the schema version and the history of applied migrations.
CREATE TABLE gander_meta (
  key   TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE gander_migrations (
  version    INTEGER PRIMARY KEY NOT NULL,
  name       TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);
