-- Every accepted submission, from queued to finished (the same shape as the SQLite store's).
CREATE TABLE submissions (
  id                   TEXT PRIMARY KEY,
  status               TEXT NOT NULL CHECK (status IN ('queued', 'running', 'finished')),
  language             TEXT NOT NULL,
  files_json           TEXT NOT NULL,
  stdin                BYTEA NOT NULL,
  args_json            TEXT NOT NULL,
  compile_options_json TEXT NOT NULL,
  expected_output      BYTEA,
  limits_json          TEXT NOT NULL,
  created_at           BIGINT NOT NULL,
  started_at           BIGINT,
  finished_at          BIGINT,
  attempts             INTEGER NOT NULL DEFAULT 0,
  claimed_by           TEXT,
  lease_until          BIGINT,
  verdict              TEXT,
  verdict_detail       TEXT,
  exit_code            INTEGER,
  signal               TEXT,
  cpu_time_ms          INTEGER,
  wall_time_ms         INTEGER,
  memory_kb            INTEGER,
  stdout               BYTEA,
  stderr               BYTEA,
  compile_output       BYTEA,
  message              TEXT
);

CREATE INDEX submissions_unfinished ON submissions (status, created_at) WHERE status <> 'finished';
