-- Every accepted submission, from queued to finished. The request is stored whole so a
-- restarted service can run it; the result columns stay NULL until it finishes.
CREATE TABLE submissions (
  id               TEXT PRIMARY KEY,
  status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished')),
  language         TEXT NOT NULL,
  files_json       TEXT NOT NULL,
  stdin            BLOB NOT NULL,
  args_json        TEXT NOT NULL,
  compile_options_json TEXT NOT NULL,
  expected_output  BLOB,
  limits_json      TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  attempts         INTEGER NOT NULL DEFAULT 0,
  claimed_by       TEXT,
  lease_until      INTEGER,
  verdict          TEXT,
  verdict_detail   TEXT,
  exit_code        INTEGER,
  signal           TEXT,
  cpu_time_ms      INTEGER,
  wall_time_ms     INTEGER,
  memory_kb        INTEGER,
  stdout           BLOB,
  stderr           BLOB,
  compile_output   BLOB,
  message          TEXT
);

CREATE INDEX submissions_unfinished ON submissions (status, created_at) WHERE status <> 'finished';
