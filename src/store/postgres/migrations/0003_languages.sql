-- The languages the workers found on their hosts, with the versions they probed. API replicas
-- run no toolchain, so this is where they learn what can run and which version answers.
CREATE TABLE languages (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  version    TEXT NOT NULL,
  compiled   BOOLEAN NOT NULL,
  reported_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
