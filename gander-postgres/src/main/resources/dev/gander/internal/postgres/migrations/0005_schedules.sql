-- Cron schedules. last_fire is the tick cursor (epoch ms), moved by compare-and-set in the
-- transaction that enqueues the tick's job, so that a tick fires once; last_job is the last tick
-- that enqueued a job (0: none).
CREATE TABLE gander_schedules (
  name          text    PRIMARY KEY,
  queue         text    NOT NULL,
  cron          text    NOT NULL,
  zone          text    NOT NULL,
  payload       text    NOT NULL,
  priority      integer NOT NULL,
  expires_ms    bigint  NOT NULL,
  jitter_ms     bigint  NOT NULL,
  missed_policy text    NOT NULL,
  paused        boolean NOT NULL,
  last_fire     bigint  NOT NULL,
  last_job      bigint  NOT NULL,
  created_at    bigint  NOT NULL
);
