-- Advisory locks. A row outlives its holders (released: owner NULL, expires_at 0) so that the
-- fencing token of a name only grows.
CREATE TABLE gander_locks (
  name        text    PRIMARY KEY,
  owner       text,
  token       bigint NOT NULL,
  expires_at  bigint NOT NULL,
  acquired_at bigint NOT NULL
);

-- Fixed-window rate limits: one row per key, for its current window.
CREATE TABLE gander_rate_limits (
  key          text    PRIMARY KEY,
  window_start bigint NOT NULL,
  window_ms    bigint NOT NULL,
  count        bigint NOT NULL
);

CREATE INDEX gander_rate_limits_window ON gander_rate_limits (window_start);
