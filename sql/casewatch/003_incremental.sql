-- 003_incremental.sql - the last complete sweep's setup (a restart resumes from the stored watermark) and kept open-alert counts.
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

-- Open-alert counts kept as alerts change, so that `casewatchctl status`
-- reads a handful of rows instead of scanning casewatch.alert. One row per
-- announced state: how many alerts are open in it and how many of those are
-- acknowledged. Statement-level triggers with transition tables add what
-- each statement's new rows bring and take away what its old rows had.
CREATE TABLE casewatch.open_count (
	announced_state text PRIMARY KEY,
	alerts bigint NOT NULL DEFAULT 0,
	acked bigint NOT NULL DEFAULT 0
);

COMMENT ON TABLE casewatch.open_count IS
	'open alerts per announced state, kept by triggers on casewatch.alert (docs/schema.md)';

INSERT INTO casewatch.open_count (announced_state, alerts, acked)
	SELECT announced_state, count(*), count(*) FILTER (WHERE acked_at IS NOT NULL)
	FROM casewatch.alert WHERE announced_state IS NOT NULL GROUP BY 1;

-- (One function for every operation: PL/pgSQL plans a query when it first
-- runs, so the branch not taken may name a transition table its trigger
-- does not have.)
CREATE FUNCTION casewatch.open_count_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		DELETE FROM casewatch.open_count;
		RETURN NULL;
	END IF;
	IF TG_OP = 'INSERT' THEN
		INSERT INTO casewatch.open_count AS c (announced_state, alerts, acked)
		SELECT announced_state, count(*), count(*) FILTER (WHERE acked_at IS NOT NULL)
		FROM new_rows WHERE announced_state IS NOT NULL GROUP BY 1
		ON CONFLICT (announced_state) DO UPDATE
			SET alerts = c.alerts + excluded.alerts, acked = c.acked + excluded.acked;
	ELSIF TG_OP = 'DELETE' THEN
		UPDATE casewatch.open_count c SET alerts = c.alerts - d.alerts, acked = c.acked - d.acked
		FROM (SELECT announced_state, count(*) AS alerts,
				count(*) FILTER (WHERE acked_at IS NOT NULL) AS acked
			FROM old_rows WHERE announced_state IS NOT NULL GROUP BY 1) d
		WHERE c.announced_state = d.announced_state;
	ELSE
		INSERT INTO casewatch.open_count AS c (announced_state, alerts, acked)
		SELECT announced_state, sum(n), sum(a) FROM (
			SELECT announced_state, 1 AS n, (acked_at IS NOT NULL)::integer AS a
			FROM new_rows WHERE announced_state IS NOT NULL
			UNION ALL
			SELECT announced_state, -1, -(acked_at IS NOT NULL)::integer
			FROM old_rows WHERE announced_state IS NOT NULL) x
		GROUP BY 1
		HAVING sum(n) <> 0 OR sum(a) <> 0
		ON CONFLICT (announced_state) DO UPDATE
			SET alerts = c.alerts + excluded.alerts, acked = c.acked + excluded.acked;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER open_count_insert AFTER INSERT ON casewatch.alert
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION casewatch.open_count_apply();
CREATE TRIGGER open_count_update AFTER UPDATE ON casewatch.alert
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION casewatch.open_count_apply();
CREATE TRIGGER open_count_delete AFTER DELETE ON casewatch.alert
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION casewatch.open_count_apply();
CREATE TRIGGER open_count_truncate AFTER TRUNCATE ON casewatch.alert
	FOR EACH STATEMENT EXECUTE FUNCTION casewatch.open_count_apply();

-- Snoozed alerts are counted at a time (snoozed_until > now), so they are
-- not kept; this index holds only the open snoozed ones, a few.
CREATE INDEX alert_snoozed_idx ON casewatch.alert (snoozed_until, announced_state)
	WHERE announced_state IS NOT NULL AND snoozed_until IS NOT NULL;

INSERT INTO casewatch.schema_version (version) VALUES (3);
