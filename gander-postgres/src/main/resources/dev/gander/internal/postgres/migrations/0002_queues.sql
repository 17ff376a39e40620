-- Live jobs, as on SQLite (the job operations are the same on both). Times are epoch
-- milliseconds in bigint, not timestamptz, so that both backends compute with the same numbers.
-- state: 0 ready (claimable), 1 running (leased), 2 scheduled (run_at in the future when written;
-- promoted to ready when due).
-- bigserial: a sequence never hands out an id twice, so results and dead letters never meet a
-- stranger. A requeued dead letter is inserted with its own id.
CREATE TABLE gander_jobs (
  id           bigserial PRIMARY KEY,
  queue        text    NOT NULL,
  payload      text    NOT NULL,
  priority     integer NOT NULL DEFAULT 0,
  run_at       bigint  NOT NULL,
  state        integer NOT NULL,
  attempt      integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  lease_token  bigint  NOT NULL DEFAULT 0,
  lease_until  bigint,
  lease_ms     bigint,
  worker_id    text,
  unique_key   text,
  expires_at   bigint,
  enqueued_at  bigint  NOT NULL,
  last_error   text
);

-- Claims walk this index in claim order and lock the first rows nobody else holds.
CREATE INDEX gander_jobs_ready ON gander_jobs (queue, priority DESC, run_at, id) WHERE state = 0;

-- Promotion of due scheduled jobs, and the next run time of a queue.
CREATE INDEX gander_jobs_scheduled ON gander_jobs (queue, run_at) WHERE state = 2;

-- Lease expiry sweeps.
CREATE INDEX gander_jobs_leases ON gander_jobs (lease_until) WHERE state = 1;

-- Expiry of jobs nobody claimed in time.
CREATE INDEX gander_jobs_expiry ON gander_jobs (expires_at)
  WHERE expires_at IS NOT NULL AND state <> 1;

-- At most one live job per unique key and queue; inserts use ON CONFLICT ... DO NOTHING on it.
CREATE UNIQUE INDEX gander_jobs_unique ON gander_jobs (queue, unique_key)
  WHERE unique_key IS NOT NULL;

-- Jobs that will not run again unless requeued. reason: failed, expired, expired-while-retrying,
-- lease-expired. A dead job keeps its id, attempts, lease token and unique key.
CREATE TABLE gander_dead_jobs (
  id           bigint  PRIMARY KEY,
  queue        text    NOT NULL,
  payload      text    NOT NULL,
  priority     integer NOT NULL,
  attempt      integer NOT NULL,
  max_attempts integer NOT NULL,
  lease_token  bigint  NOT NULL,
  unique_key   text,
  enqueued_at  bigint  NOT NULL,
  last_error   text,
  reason       text    NOT NULL,
  died_at      bigint  NOT NULL
);

CREATE INDEX gander_dead_jobs_queue ON gander_dead_jobs (queue, died_at, id);

-- Requeueing all of a queue's dead jobs keeps only the newest of those sharing a unique key.
CREATE INDEX gander_dead_jobs_unique ON gander_dead_jobs (queue, unique_key)
  WHERE unique_key IS NOT NULL;

-- Records of jobs that succeeded: value holds the result (kept for the queue's resultTtl), or is
-- NULL for a job acked without one (kept for keepSucceeded), which tells "succeeded" from "never
-- existed". Purged after expires_at.
CREATE TABLE gander_results (
  job_id      bigint  PRIMARY KEY,
  queue       text,
  value       text,
  attempt     integer,
  finished_at bigint,
  expires_at  bigint  NOT NULL
);

CREATE INDEX gander_results_expires ON gander_results (expires_at);
