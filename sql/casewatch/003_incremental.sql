-- 003_incremental.sql - what the last complete sweep was done under, so a restart resumes from the stored watermark.
--
-- Like every migration it holds no transaction control (docs/schema.md).
-- casewatch.watermark (001) now holds the daemon's change watermark; this
-- table says under which profile, calendar and casewatch version the last
-- complete sweep ran and when, so that a start with the same setup skips
-- the sweep (docs/lifecycle.md, "The daemon's cycle").

CREATE TABLE casewatch.sweep (
	name text PRIMARY KEY,			-- 'records', like casewatch.watermark
	profile text NOT NULL,			-- the profile's name
	profile_digest text NOT NULL,		-- digest of the loaded profile (rules after inheritance)
	calendar_digest text NOT NULL,		-- digest of the bank holidays the calendar holds
	casewatch_version text NOT NULL,	-- casewatchd's version (PACKAGE_VERSION)
	swept_at timestamptz NOT NULL,		-- the database's clock when that sweep began
	persons bigint NOT NULL DEFAULT 0	-- persons it evaluated
);

COMMENT ON TABLE casewatch.sweep IS
	'the last complete sweep: under which setup and when (docs/schema.md)';

INSERT INTO casewatch.schema_version (version) VALUES (3);
