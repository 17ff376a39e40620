-- Gander's own bookkeeping: the schema version and the history of applied migrations.
-- Every statement runs with search_path set to Gander's schema, inside one transaction that holds
-- the migration advisory lock.
CREATE TABLE gander_meta (
  key   text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE gander_migrations (
  version    integer PRIMARY KEY,
  name       text    NOT NULL,
  applied_at bigint  NOT NULL
);
