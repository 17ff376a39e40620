-- Advisory locks. A row outlives its holders (released: owner NULL, expires_at 0) so that the
-- fencing token of a name only grows.
CREATE TABLE gander_locks (
  name        TEXT    PRIMARY KEY,
  owner       TEXT,
  token       INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL,
  acquired_at INTEGER NOT NULL
);

-- Fixed-window rate limits: one row per key, for its current window.
CREATE TABLE gander_rate_limits (
  key          TEXT    PRIMARY KEY,
  window_start INTEGER NOT NULL,
  window_ms    INTEGER NOT NULL,
  count        INTEGER NOT NULL
);

CREATE INDEX gander_rate_limits_window ON gander_rate_limits (window_start);
