-- 007_destruction_alerts.sql - NO-EARLY-DESTROY told to the service manager as well as the records officer.
--
-- Like every migration it holds no transaction control: the daemon runs it
-- inside one transaction (by hand: psql --single-transaction -f FILE).
--
-- casewatch.retention_gone(now, no_early_rule) (006) again, with two
-- changes; everything else it does is as 006 describes:
--  - a person deleted without an approved destruction gets, besides the
--    records officer's NO-EARLY-DESTROY finding on the person, the service
--    manager's NO-EARLY-DESTROY alert: an obligation on the deletion of the
--    person (anchor kind 'deletion', anchor id the person id; an alert's key
--    is its rule and anchor, so the second audience needs its own anchor),
--    overdue since the person was found gone (the vanished row's
--    changed_at, to the second, as casewatchd sends it on every pass;
--    daemon/retention_pass.c); persons already vanished, whose finding
--    is still open, get theirs from this migration (at the end);
--  - the basis of a vanished row is never DESTROY-LIST, the alert of an
--    approval not carried out in time (destruction_grace), which is not a
--    retention rule.

CREATE OR REPLACE FUNCTION casewatch.retention_gone(p_now timestamptz, p_rule text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	n integer := 0;
	today date := (p_now AT TIME ZONE 'Europe/London')::date;
	found_at timestamptz;
	since timestamptz := greatest(
		(SELECT applied_at FROM casewatch.schema_version WHERE version = 6),
		(SELECT checked_at - interval '1 hour' FROM casewatch.retention_gone_mark));
BEGIN
	INSERT INTO casewatch.retention_gone_mark (checked_at) VALUES (pg_catalog.now())
	ON CONFLICT (one) DO UPDATE SET checked_at = EXCLUDED.checked_at;
	FOR r IN
		SELECT d.person_id, x.destroyed_on, x.destroyed_by
		FROM casewatch.destruction d
		LEFT JOIN LATERAL (SELECT rd.destroyed_on, rd.destroyed_by FROM records.destruction rd
			WHERE rd.person_id = d.person_id ORDER BY rd.destroyed_on DESC LIMIT 1) x ON true
		WHERE d.state = 'approved'
			AND NOT EXISTS (SELECT 1 FROM records.person p WHERE p.person_id = d.person_id)
		ORDER BY d.person_id
	LOOP
		PERFORM casewatch.destruction_confirm(r.person_id, coalesce(r.destroyed_on, today),
			coalesce(r.destroyed_by::text, 'records'), p_now);
		n := n + 1;
	END LOOP;
	IF p_rule IS NULL THEN
		RETURN n;
	END IF;
	FOR r IN
		SELECT t.row_id AS person_id,
			(SELECT a.team_id FROM casewatch.alert a WHERE a.person_id = t.row_id
				ORDER BY a.alert_id DESC LIMIT 1) AS team_id,
			coalesce((SELECT a.rule_id FROM casewatch.alert a WHERE a.person_id = t.row_id
				AND a.audience = 'records_officer' AND a.kind = 'obligation' AND a.anchor_kind = 'person'
				AND a.rule_id <> 'DESTROY-LIST'
				ORDER BY a.alert_id DESC LIMIT 1), p_rule) AS basis
		FROM (SELECT DISTINCT row_id FROM records.tombstone
			WHERE relation = 'person' AND (since IS NULL OR changed_at >= since)) t
		WHERE NOT EXISTS (SELECT 1 FROM records.person p WHERE p.person_id = t.row_id)
			AND NOT EXISTS (SELECT 1 FROM casewatch.destruction d WHERE d.person_id = t.row_id
				AND d.state IN ('approved', 'destroyed', 'vanished'))
		ORDER BY t.row_id
	LOOP
		INSERT INTO casewatch.destruction AS d (person_id, state, basis, categories, destroy_on, due_at, changed_at)
		VALUES (r.person_id, 'vanished', r.basis, ARRAY[r.basis], today, p_now, p_now)
		ON CONFLICT (person_id) DO UPDATE SET state = 'vanished', changed_at = p_now
		RETURNING d.changed_at INTO found_at;
		PERFORM casewatch.reconcile(ARRAY[r.person_id], jsonb_build_array(jsonb_build_object(
			'person_id', r.person_id, 'rule_id', p_rule, 'anchor_kind', 'person',
			'anchor_id', r.person_id, 'team_id', r.team_id, 'audience', 'records_officer',
			'kind', 'finding', 'severity', 'err'), jsonb_build_object(
			'person_id', r.person_id, 'rule_id', p_rule, 'anchor_kind', 'deletion',
			'anchor_id', r.person_id, 'team_id', r.team_id, 'audience', 'service_manager',
			'kind', 'obligation', 'due_at', to_char(date_trunc('second', found_at) AT TIME ZONE 'UTC',
				'YYYY-MM-DD"T"HH24:MI:SS"Z"'))), p_now);
		n := n + 1;
	END LOOP;
	RETURN n;
END;
$$;

-- The persons vanished before this migration, their finding still open:
-- the service manager's alert too, as retention_gone() now raises it.
DO $$
DECLARE
	r record;
BEGIN
	IF pg_catalog.to_regclass('records.person') IS NULL THEN
		RETURN; -- a store without the records beside it (tests): nobody vanished
	END IF;
	FOR r IN
		SELECT a.person_id, a.rule_id, a.team_id, d.changed_at
		FROM casewatch.alert a JOIN casewatch.destruction d ON d.person_id = a.person_id
		WHERE d.state = 'vanished' AND a.kind = 'finding' AND a.anchor_kind = 'person'
			AND a.audience = 'records_officer' AND a.state NOT IN ('resolved', 'withdrawn')
			AND NOT EXISTS (SELECT 1 FROM records.person p WHERE p.person_id = a.person_id)
			AND NOT EXISTS (SELECT 1 FROM casewatch.alert s WHERE s.person_id = a.person_id
				AND s.rule_id = a.rule_id AND s.anchor_kind = 'deletion')
		ORDER BY a.person_id
	LOOP
		PERFORM casewatch.reconcile(ARRAY[r.person_id], jsonb_build_array(jsonb_build_object(
			'person_id', r.person_id, 'rule_id', r.rule_id, 'anchor_kind', 'person',
			'anchor_id', r.person_id, 'team_id', r.team_id, 'audience', 'records_officer',
			'kind', 'finding', 'severity', 'err'), jsonb_build_object(
			'person_id', r.person_id, 'rule_id', r.rule_id, 'anchor_kind', 'deletion',
			'anchor_id', r.person_id, 'team_id', r.team_id, 'audience', 'service_manager',
			'kind', 'obligation', 'due_at', to_char(date_trunc('second', r.changed_at) AT TIME ZONE 'UTC',
				'YYYY-MM-DD"T"HH24:MI:SS"Z"'))), pg_catalog.now());
	END LOOP;
END;
$$;
