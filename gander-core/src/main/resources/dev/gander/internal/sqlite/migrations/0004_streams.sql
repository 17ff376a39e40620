-- Streams: append-only logs of events with offsets 1, 2, 3 ... per stream.
-- A stream's row: the highest offset compaction removed, and its retention (0: none), kept here so
-- that every process's retention task applies the same rule. An append takes the stream's highest
-- offset plus one in the writing transaction (there is one writer), so offsets are gap-free; after
-- a compaction that removed every event, the highest is compacted_through.
CREATE TABLE gander_streams (
  name              TEXT    PRIMARY KEY,
  compacted_through INTEGER NOT NULL DEFAULT 0,
  keep_ms           INTEGER NOT NULL DEFAULT 0,
  keep_count        INTEGER NOT NULL DEFAULT 0
);

-- seq is the event's offset ("offset" is a word of SQL). headers: a JSON object, sorted keys.
CREATE TABLE gander_events (
  stream      TEXT    NOT NULL,
  seq         INTEGER NOT NULL,
  kind        TEXT    NOT NULL,
  payload     TEXT    NOT NULL,
  headers     TEXT    NOT NULL,
  occurred_at INTEGER NOT NULL,
  PRIMARY KEY (stream, seq)
);

-- Each consumer's committed offset; it only moves forward.
CREATE TABLE gander_stream_consumers (
  stream     TEXT    NOT NULL,
  consumer   TEXT    NOT NULL,
  seq        INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (stream, consumer)
);
