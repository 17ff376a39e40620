-- Live jobs. state: 0 ready (claimable once run_at has passed), 1 running (leased),
-- 2 scheduled (run_at in the future when written; promoted to ready when due).
-- AUTOINCREMENT: an id is never reused, so results and dead letters never meet a stranger.
CREATE TABLE gander_jobs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  queue        TEXT    NOT NULL,
  payload      TEXT    NOT NULL,
  priority     INTEGER NOT NULL DEFAULT 0,
  run_at       INTEGER NOT NULL,
  state        INTEGER NOT NULL,
  attempt      INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  lease_token  INTEGER NOT NULL DEFAULT 0,
  lease_until  INTEGER,
  worker_id    TEXT,
  unique_key   TEXT,
  expires_at   INTEGER,
  enqueued_at  INTEGER NOT NULL,
  last_error   TEXT
);

-- Claims walk this index in claim order and stop at the first rows they can take.
CREATE INDEX gander_jobs_ready ON gander_jobs (queue, priority DESC, run_at, id) WHERE state = 0;

-- Promotion of due scheduled jobs, and the next run time of a queue.
CREATE INDEX gander_jobs_scheduled ON gander_jobs (queue, run_at) WHERE state = 2;

-- Lease expiry sweeps.
CREATE INDEX gander_jobs_leases ON gander_jobs (lease_until) WHERE state = 1;

-- Expiry of jobs nobody claimed in time.
CREATE INDEX gander_jobs_expiry ON gander_jobs (expires_at) WHERE expires_at IS NOT NULL AND state <> 1;

-- At most one live job per unique key and queue.
CREATE UNIQUE INDEX gander_jobs_unique ON gander_jobs (queue, unique_key) WHERE unique_key IS NOT NULL;

-- Jobs that will not run again unless requeued. reason: failed, expired, lease-expired.
CREATE TABLE gander_dead_jobs (
  id           INTEGER PRIMARY KEY,
  queue        TEXT    NOT NULL,
  payload      TEXT    NOT NULL,
  priority     INTEGER NOT NULL,
  attempt      INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  lease_token  INTEGER NOT NULL,
  unique_key   TEXT,
  enqueued_at  INTEGER NOT NULL,
  last_error   TEXT,
  reason       TEXT    NOT NULL,
  died_at      INTEGER NOT NULL
);

CREATE INDEX gander_dead_jobs_queue ON gander_dead_jobs (queue, died_at, id);

-- Results stored with the ack, purged after expires_at.
CREATE TABLE gander_results (
  job_id     INTEGER PRIMARY KEY,
  value      TEXT    NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE INDEX gander_results_expiry ON gander_results (expires_at);
