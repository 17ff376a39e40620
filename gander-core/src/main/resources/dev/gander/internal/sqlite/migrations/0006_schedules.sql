-- Cron schedules. last_fire is the tick cursor (epoch ms), moved by compare-and-set in the
-- transaction that enqueues the tick's job, so that a tick fires once; last_job is the last tick
-- that enqueued a job (0: none).
CREATE TABLE gander_schedules (
  name          TEXT    PRIMARY KEY,
  queue         TEXT    NOT NULL,
  cron          TEXT    NOT NULL,
  zone          TEXT    NOT NULL,
  payload       TEXT    NOT NULL,
  priority      INTEGER NOT NULL,
  expires_ms    INTEGER NOT NULL,
  jitter_ms     INTEGER NOT NULL,
  missed_policy TEXT    NOT NULL,
  paused        INTEGER NOT NULL,
  last_fire     INTEGER NOT NULL,
  last_job      INTEGER NOT NULL,
  created_at    INTEGER NOT NULL
);
