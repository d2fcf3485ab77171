-- Judging options beyond one run (test cases, comparison, checker, callback, what a compatibility
-- API keeps to echo back), and per-test results: JSON, because their shape grows with features
-- that need no query of their own.
ALTER TABLE submissions ADD COLUMN options_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE submissions ADD COLUMN tests_json TEXT;
