-- 001: the version table (as the real 001_initial.sql creates it) and a
-- first table, so the tests can see the migration applied.
CREATE TABLE casewatch.schema_version (
	version integer PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE casewatch.test_first (
	id integer PRIMARY KEY
);
