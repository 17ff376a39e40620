-- Streams, as on SQLite. The head row holds the last offset given and the highest offset
-- compaction removed; an append updates it in the publishing transaction and so holds its row
-- lock until commit: a second publisher of the stream waits, and offsets become visible in
-- order, gap-free (a sequence alone would give neither).
-- Retention (0: none) is kept here so that every process's retention task applies the same rule.
CREATE TABLE gander_streams (
  name              text   PRIMARY KEY,
  last_offset       bigint NOT NULL,
  compacted_through bigint NOT NULL DEFAULT 0,
  keep_ms           bigint NOT NULL DEFAULT 0,
  keep_count        bigint NOT NULL DEFAULT 0
);

-- seq is the event's offset ("offset" is a word of SQL). headers: a JSON object, sorted keys.
CREATE TABLE gander_events (
  stream      text   NOT NULL,
  seq         bigint NOT NULL,
  kind        text   NOT NULL,
  payload     text   NOT NULL,
  headers     text   NOT NULL,
  occurred_at bigint NOT NULL,
  PRIMARY KEY (stream, seq)
);

-- Each consumer's committed offset; it only moves forward.
CREATE TABLE gander_stream_consumers (
  stream     text   NOT NULL,
  consumer   text   NOT NULL,
  seq        bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (stream, consumer)
);
