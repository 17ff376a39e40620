-- Records of finished jobs, so that a job can be looked up after it succeeded.
-- A job acked with a result keeps it in value (kept for the queue's resultTtl); a job acked
-- without one leaves a row with value NULL (kept for keepSucceeded), which tells "succeeded"
-- from "never existed". queue, attempt and finished_at describe the job's end.
CREATE TABLE gander_results_v3 (
  job_id      INTEGER PRIMARY KEY,
  queue       TEXT,
  value       TEXT,
  attempt     INTEGER,
  finished_at INTEGER,
  expires_at  INTEGER NOT NULL
);

INSERT INTO gander_results_v3 (job_id, value, expires_at)
  SELECT job_id, value, expires_at FROM gander_results;

DROP TABLE gander_results;

ALTER TABLE gander_results_v3 RENAME TO gander_results;

CREATE INDEX gander_results_expires ON gander_results (expires_at);

-- The length of the lease last granted (claim or heartbeat). When the clock steps back past
-- the moment a lease was granted, the sweeper shortens it to one such length from now, so that
-- a lease taken before the step is recovered within one lease, not after the step is undone.
ALTER TABLE gander_jobs ADD COLUMN lease_ms INTEGER;
