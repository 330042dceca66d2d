-- 010_hold_withdraws.sql - a placed hold withdraws the open destruction decisions it covers at once; a gone person under a hold is never confirmed.
--
-- Like every migration it holds no transaction control: the daemon runs it
-- inside one transaction (by hand: psql --single-transaction -f FILE).
--
-- Before it, a hold placed with casewatch.hold_place() stopped a
-- destruction only when casewatchd next computed the person; a person
-- deleted in between was still confirmed by the approval it had. Now:
--  - a review records with the decision what a hold's scope needs (the
--    person's involvement categories and the span of its involvements,
--    from records.involvement); a row found due afresh forgets them;
--  - casewatch.hold_covers(hold, decision, day): does the hold cover the
--    decision's person on that day, from what is stored with the decision
--    alone (the person may be gone from the records)? A category or period
--    scope and a decision with nothing recorded: covered (conservative);
--    the span is the first start to the last end, so a period scope is
--    tested against more than the involvements themselves, never less;
--  - casewatch.hold_place() withdraws, in its own transaction, every open
--    decision (due, reviewed, approved) the hold covers on the day it is
--    placed (the scope facts recorded afresh first for persons still in
--    the records), each withdrawal a 'withdrew' row of casewatch.hold_audit
--    naming the person;
--  - casewatch.hold_withdrawn(hold): the persons it withdrew, for the reply;
--  - casewatch.retention_gone() withdraws an approved person gone from the
--    records whom a hold in force covers, instead of confirming it (audited
--    the same way, the actor casewatchd), so that person is vanished and
--    NO-EARLY-DESTROY like any deletion without approval.

ALTER TABLE casewatch.destruction
	ADD COLUMN involvement_categories text[],	-- at review: the person's involvement categories (null: not recorded)
	ADD COLUMN involved_from date,			-- at review: the first involvement's start (null: none)
	ADD COLUMN involved_to date;			-- at review: the last involvement's end (null: one open, or none)

ALTER TABLE casewatch.hold_audit
	ADD COLUMN person_id bigint,			-- 'withdrew': whose destruction decision
	DROP CONSTRAINT hold_audit_action_check,
	ADD CONSTRAINT hold_audit_action_check CHECK (action IN ('placed', 'lifted', 'withdrew')),
	ADD CONSTRAINT hold_audit_withdrew CHECK ((action = 'withdrew') = (person_id IS NOT NULL));

-- Records with the person's decision what a hold's scope is decided on,
-- from the records beside the store. Nothing when they are not there or
-- no longer have the person: what was recorded stays, never an empty
-- list that a category hold would pass over.
CREATE FUNCTION casewatch.destruction_record_scope(p_person bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	-- Two tests: the second must not be planned without the records.
	IF pg_catalog.to_regclass('records.involvement') IS NULL THEN
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM records.person p WHERE p.person_id = p_person) THEN
		RETURN;
	END IF;
	UPDATE casewatch.destruction d SET
		involvement_categories = coalesce(s.cats, '{}'),
		involved_from = s.first_start, involved_to = s.last_end
	FROM (SELECT array_agg(DISTINCT i.category ORDER BY i.category) AS cats,
			min(i.started_on) AS first_start,
			CASE WHEN bool_or(i.ended_on IS NULL) THEN NULL ELSE max(i.ended_on) END AS last_end
		FROM records.involvement i WHERE i.person_id = p_person) s
	WHERE d.person_id = p_person;
END;
$$;

-- A row found due afresh (destruction_due) is a new decision: what the
-- last review recorded no longer describes it.
CREATE FUNCTION casewatch.destruction_scope_reset() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.state = 'due' AND OLD.state <> 'due' THEN
		NEW.involvement_categories := NULL;
		NEW.involved_from := NULL;
		NEW.involved_to := NULL;
	END IF;
	RETURN NEW;
END;
$$;
CREATE TRIGGER destruction_scope_reset BEFORE UPDATE ON casewatch.destruction
	FOR EACH ROW EXECUTE FUNCTION casewatch.destruction_scope_reset();

-- Does hold h cover decision d's person on p_day? Decided from what is
-- stored with the decision; what cannot be decided is covered.
CREATE FUNCTION casewatch.hold_covers(h casewatch.hold, d casewatch.destruction, p_day date)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT h.starts <= p_day AND (h.ends IS NULL OR h.ends >= p_day) AND CASE h.scope
		WHEN 'all' THEN true
		WHEN 'persons' THEN d.person_id = ANY (h.person_ids)
		WHEN 'category' THEN d.involvement_categories IS NULL
			OR h.category = ANY (d.involvement_categories)
		WHEN 'period' THEN d.involvement_categories IS NULL
			OR (d.involved_from IS NOT NULL
				AND d.involved_from <= coalesce(h.involved_to, 'infinity'::date)
				AND coalesce(d.involved_to, 'infinity'::date) >= h.involved_from)
		ELSE true END;
$$;

-- 006's review, recording the scope facts with the decision.
CREATE OR REPLACE FUNCTION casewatch.destruction_review(p_person bigint, p_actor text, p_decision text,
	p_reason text, p_extend_to date, p_now timestamptz) RETURNS casewatch.destruction
LANGUAGE plpgsql AS $$
DECLARE
	d casewatch.destruction;
BEGIN
	SELECT * INTO d FROM casewatch.destruction WHERE person_id = p_person FOR UPDATE;
	IF NOT FOUND OR d.state <> 'due' THEN
		RAISE EXCEPTION 'person %: not due for review (state %)', p_person, coalesce(d.state, 'none')
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF p_decision NOT IN ('destroy', 'extend', 'keep') THEN
		RAISE EXCEPTION 'decision must be destroy, extend or keep' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_decision <> 'destroy' AND coalesce(p_reason, '') = '' THEN
		RAISE EXCEPTION 'person %: % needs a reason', p_person, p_decision
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_decision = 'extend' AND (p_extend_to IS NULL
			OR p_extend_to <= (p_now AT TIME ZONE 'Europe/London')::date) THEN
		RAISE EXCEPTION 'person %: extend needs a new date after today', p_person
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM casewatch.destruction_record_scope(p_person);
	UPDATE casewatch.destruction SET
		state = CASE p_decision WHEN 'destroy' THEN 'reviewed' WHEN 'extend' THEN 'extended' ELSE 'kept' END,
		decision = p_decision, decision_reason = nullif(p_reason, ''),
		extend_to = CASE WHEN p_decision = 'extend' THEN p_extend_to END,
		reviewed_by = p_actor, reviewed_at = p_now, changed_at = p_now
	WHERE person_id = p_person RETURNING * INTO d;
	RETURN d;
END;
$$;

-- 006's placement, withdrawing the open decisions the hold covers today.
CREATE OR REPLACE FUNCTION casewatch.hold_place(p_scope text, p_category text, p_from date, p_to date,
	p_persons bigint[], p_reason text, p_reference text, p_actor text, p_starts date,
	p_ends date, p_now timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	h casewatch.hold;
	d casewatch.destruction;
BEGIN
	INSERT INTO casewatch.hold (scope, category, involved_from, involved_to, person_ids, reason,
		reference, placed_by, placed_at, starts, ends)
	VALUES (p_scope, p_category, p_from, p_to, p_persons, p_reason, p_reference, p_actor, p_now,
		coalesce(p_starts, (p_now AT TIME ZONE 'Europe/London')::date), p_ends)
	RETURNING * INTO h;
	INSERT INTO casewatch.hold_audit (hold_id, action, actor, at, ends)
	VALUES (h.hold_id, 'placed', p_actor, p_now, p_ends);
	FOR d IN SELECT * FROM casewatch.destruction WHERE state IN ('due', 'reviewed', 'approved')
			ORDER BY person_id FOR UPDATE LOOP
		-- As the records have the person now (an involvement added since
		-- the review), while they still do.
		PERFORM casewatch.destruction_record_scope(d.person_id);
		SELECT * INTO d FROM casewatch.destruction x WHERE x.person_id = d.person_id;
		CONTINUE WHEN NOT casewatch.hold_covers(h, d, (p_now AT TIME ZONE 'Europe/London')::date);
		PERFORM casewatch.destruction_withdraw(d.person_id, p_now);
		INSERT INTO casewatch.hold_audit (hold_id, action, actor, at, ends, person_id)
		VALUES (h.hold_id, 'withdrew', p_actor, p_now, p_ends, d.person_id);
	END LOOP;
	RETURN h.hold_id;
END;
$$;

-- The persons whose decisions a hold withdrew, "8,11" (null: none).
-- Volatile, so that called beside hold_place() in one statement it sees
-- what the placement wrote.
CREATE FUNCTION casewatch.hold_withdrawn(p_hold bigint) RETURNS text
LANGUAGE sql VOLATILE AS $$
	SELECT string_agg(a.person_id::text, ',' ORDER BY a.person_id) FROM casewatch.hold_audit a
	WHERE a.hold_id = p_hold AND a.action = 'withdrew';
$$;

-- 007's retention_gone(), re-checking the holds in force before confirming.
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
	-- An approval a hold overtook before casewatchd computed the person
	-- (a hold placed otherwise than by hold_place(), or one whose start
	-- has come) is withdrawn, not confirmed: the deletion is then seen
	-- below as one without approval.
	FOR r IN
		SELECT d.person_id, h.hold_id
		FROM casewatch.destruction d
		CROSS JOIN LATERAL (SELECT h.hold_id FROM casewatch.hold h
			WHERE casewatch.hold_covers(h, d, today) ORDER BY h.hold_id LIMIT 1) h
		WHERE d.state = 'approved'
			AND NOT EXISTS (SELECT 1 FROM records.person p WHERE p.person_id = d.person_id)
		ORDER BY d.person_id
	LOOP
		PERFORM casewatch.destruction_withdraw(r.person_id, p_now);
		INSERT INTO casewatch.hold_audit (hold_id, action, actor, at, person_id)
		VALUES (r.hold_id, 'withdrew', 'casewatchd', p_now, r.person_id);
	END LOOP;
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

-- The decisions open now: what a hold's scope needs, from the records
-- beside the store (none in a store without them: covered, conservatively).
DO $$
BEGIN
	PERFORM casewatch.destruction_record_scope(person_id) FROM casewatch.destruction
	WHERE state IN ('due', 'reviewed', 'approved');
END;
$$;
