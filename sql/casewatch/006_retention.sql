-- 006_retention.sql - records officers' half: placed holds, the destruction workflow, the hash-chained destruction register.
--
-- Like every migration it holds no transaction control: the daemon runs it
-- inside one transaction (by hand: psql --single-transaction -f FILE).
-- docs/retention.md explains the workflow for records officers; the
-- functions:
--
--   casewatch.hold_place(scope, category, involved_from, involved_to, person_ids,
--                        reason, reference, actor, starts, ends, now)     -> hold_id
--   casewatch.hold_lift(hold_id, actor, ends, now)                       -> casewatch.hold
--   casewatch.destruction_due(person_id, basis, categories, destroy_on, now)
--   casewatch.destruction_withdraw(person_id, now)
--   casewatch.destruction_review(person_id, actor, decision, reason, extend_to, now)
--   casewatch.destruction_decide(person_id, actor, decision, reason, extend_to, now)
--   casewatch.destruction_approve(person_id, actor, now)
--   casewatch.destruction_confirm(person_id, destroyed_on, destroyed_by, now) -> register row
--   casewatch.register_verify([expect_seq, expect_hash])                 -> ok, rows, first bad row
--   casewatch.register_head()                                             -> seq, hash
--   casewatch.retention_gone(now, no_early_rule)                          -> persons handled
--
-- casewatch never deletes a source record: "destroyed" means the council's
-- own process deleted the person, and casewatch recorded it here.

-- Holds placed by records officers. A hold covers every person in its
-- scope from `starts` to `ends` inclusive (null: no end); lifting a hold
-- sets its end, it is never deleted.
CREATE TABLE casewatch.hold (
	hold_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	scope text NOT NULL CHECK (scope IN ('all', 'category', 'period', 'persons')),
	category text,				-- scope category: an involvement category code
	involved_from date,			-- scope period: an involvement overlapping
	involved_to date,			--   [involved_from, involved_to] (to null: open)
	person_ids bigint[],			-- scope persons
	reason text NOT NULL CHECK (reason ~ '^[a-z][a-z0-9_]*$'),	-- a code: inquiry, litigation, ...
	reference text NOT NULL CHECK (reference <> ''),	-- the inquiry and its legal basis; never broadcast
	placed_by text NOT NULL,
	placed_at timestamptz NOT NULL,
	starts date NOT NULL,
	ends date,				-- last day covered; null: until lifted
	lifted_by text,
	lifted_at timestamptz,
	CONSTRAINT hold_dates CHECK (ends IS NULL OR ends >= starts),
	CONSTRAINT hold_scope_category CHECK ((scope = 'category') = (category IS NOT NULL)),
	CONSTRAINT hold_scope_period CHECK ((scope = 'period') = (involved_from IS NOT NULL)
		AND (involved_to IS NULL OR involved_to >= involved_from)),
	CONSTRAINT hold_scope_persons CHECK ((scope = 'persons') =
		(person_ids IS NOT NULL AND cardinality(person_ids) > 0))
);

-- Every change to a hold, who made it and when.
CREATE TABLE casewatch.hold_audit (
	audit_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	hold_id bigint NOT NULL REFERENCES casewatch.hold,
	action text NOT NULL CHECK (action IN ('placed', 'lifted')),
	actor text NOT NULL,
	at timestamptz NOT NULL,
	ends date				-- the end the action set
);

CREATE FUNCTION casewatch.hold_place(p_scope text, p_category text, p_from date, p_to date,
	p_persons bigint[], p_reason text, p_reference text, p_actor text, p_starts date,
	p_ends date, p_now timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	id bigint;
BEGIN
	INSERT INTO casewatch.hold (scope, category, involved_from, involved_to, person_ids, reason,
		reference, placed_by, placed_at, starts, ends)
	VALUES (p_scope, p_category, p_from, p_to, p_persons, p_reason, p_reference, p_actor, p_now,
		coalesce(p_starts, (p_now AT TIME ZONE 'Europe/London')::date), p_ends)
	RETURNING hold_id INTO id;
	INSERT INTO casewatch.hold_audit (hold_id, action, actor, at, ends)
	VALUES (id, 'placed', p_actor, p_now, p_ends);
	RETURN id;
END;
$$;

-- Lifting ends the hold on p_ends (default: today in London; the hold
-- still covers that day). A hold already ended earlier is left alone.
CREATE FUNCTION casewatch.hold_lift(p_hold bigint, p_actor text, p_ends date, p_now timestamptz)
RETURNS casewatch.hold
LANGUAGE plpgsql AS $$
DECLARE
	h casewatch.hold;
	e date := coalesce(p_ends, (p_now AT TIME ZONE 'Europe/London')::date);
BEGIN
	SELECT * INTO h FROM casewatch.hold WHERE hold_id = p_hold FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no hold %', p_hold USING ERRCODE = 'no_data_found';
	END IF;
	IF h.ends IS NOT NULL AND h.ends <= e THEN
		RAISE EXCEPTION 'hold % already ends on %', p_hold, h.ends
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	UPDATE casewatch.hold SET ends = greatest(e, starts), lifted_by = p_actor, lifted_at = p_now
	WHERE hold_id = p_hold RETURNING * INTO h;
	INSERT INTO casewatch.hold_audit (hold_id, action, actor, at, ends)
	VALUES (p_hold, 'lifted', p_actor, p_now, h.ends);
	RETURN h;
END;
$$;

-- The destruction workflow, one row per person whose record fell due:
--   due -> reviewed (decision destroy) -> approved (by another person) -> destroyed
--   due -> extended (reason, new date; due again from extend_to)
--   due -> kept (reason)
--   due, reviewed or approved -> withdrawn (the record reopened or changed)
--   anything but approved or destroyed -> vanished (gone from the records
--   without approval: NO-EARLY-DESTROY)
-- Reasons are typed by staff and never broadcast.
CREATE TABLE casewatch.destruction (
	person_id bigint PRIMARY KEY,
	state text NOT NULL CHECK (state IN ('due', 'reviewed', 'approved', 'destroyed', 'extended',
		'kept', 'withdrawn', 'vanished')),
	basis text NOT NULL,			-- the retention rule that decided destroy_on
	categories text[] NOT NULL,		-- every retention rule that applied
	destroy_on date NOT NULL,		-- first day destruction was allowed
	due_at timestamptz NOT NULL,		-- when casewatch found it due
	decision text CHECK (decision IN ('destroy', 'extend', 'keep')),
	decision_reason text,
	extend_to date,
	reviewed_by text,
	reviewed_at timestamptz,
	approved_by text,
	approved_at timestamptz,
	destroyed_on date,
	destroyed_by text,
	confirmed_at timestamptz,
	changed_at timestamptz NOT NULL,
	CONSTRAINT destruction_four_eyes CHECK (approved_by IS NULL OR approved_by <> reviewed_by),
	CONSTRAINT destruction_reasons CHECK (decision IS NULL OR decision = 'destroy'
		OR (decision_reason IS NOT NULL AND decision_reason <> '')),
	CONSTRAINT destruction_extend CHECK ((decision = 'extend') = (extend_to IS NOT NULL))
);
CREATE INDEX destruction_state_idx ON casewatch.destruction (state);

-- Found due (again): a new row, a withdrawn one back to due, an extension
-- whose date has come back to due. Rows under review keep their state.
CREATE FUNCTION casewatch.destruction_due(p_person bigint, p_basis text, p_categories text[],
	p_destroy_on date, p_now timestamptz) RETURNS casewatch.destruction
LANGUAGE plpgsql AS $$
DECLARE
	d casewatch.destruction;
BEGIN
	INSERT INTO casewatch.destruction (person_id, state, basis, categories, destroy_on, due_at, changed_at)
	VALUES (p_person, 'due', p_basis, p_categories, p_destroy_on, p_now, p_now)
	ON CONFLICT (person_id) DO UPDATE SET
		state = 'due', basis = EXCLUDED.basis, categories = EXCLUDED.categories,
		destroy_on = EXCLUDED.destroy_on, due_at = EXCLUDED.due_at, decision = NULL,
		decision_reason = NULL, extend_to = NULL, reviewed_by = NULL, reviewed_at = NULL,
		approved_by = NULL, approved_at = NULL, changed_at = EXCLUDED.changed_at
	WHERE casewatch.destruction.state = 'withdrawn'
		OR (casewatch.destruction.state = 'extended'
			AND casewatch.destruction.extend_to <= (p_now AT TIME ZONE 'Europe/London')::date);
	SELECT * INTO d FROM casewatch.destruction WHERE person_id = p_person;
	RETURN d;
END;
$$;

-- The record reopened, changed or came under a hold: a decision not yet
-- carried out no longer stands.
CREATE FUNCTION casewatch.destruction_withdraw(p_person bigint, p_now timestamptz)
RETURNS casewatch.destruction
LANGUAGE sql AS $$
	UPDATE casewatch.destruction SET state = 'withdrawn', changed_at = p_now
	WHERE person_id = p_person AND state IN ('due', 'reviewed', 'approved')
	RETURNING *;
$$;

-- A records officer's review of a due record.
CREATE FUNCTION casewatch.destruction_review(p_person bigint, p_actor text, p_decision text,
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
	UPDATE casewatch.destruction SET
		state = CASE p_decision WHEN 'destroy' THEN 'reviewed' WHEN 'extend' THEN 'extended' ELSE 'kept' END,
		decision = p_decision, decision_reason = nullif(p_reason, ''),
		extend_to = CASE WHEN p_decision = 'extend' THEN p_extend_to END,
		reviewed_by = p_actor, reviewed_at = p_now, changed_at = p_now
	WHERE person_id = p_person RETURNING * INTO d;
	RETURN d;
END;
$$;

-- A review through casewatchd's socket: the workflow row is opened from the
-- person's due notice (the records-officer obligation in state overdue)
-- when there is none yet, then reviewed.
CREATE FUNCTION casewatch.destruction_decide(p_person bigint, p_actor text, p_decision text,
	p_reason text, p_extend_to date, p_now timestamptz) RETURNS casewatch.destruction
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM casewatch.destruction_due(a.person_id, a.rule_id, ARRAY[a.rule_id],
		(a.due_at AT TIME ZONE 'Europe/London')::date, p_now)
	FROM casewatch.alert a
	WHERE a.person_id = p_person AND a.audience = 'records_officer' AND a.kind = 'obligation'
		AND a.anchor_kind = 'person' AND a.state = 'overdue';
	RETURN casewatch.destruction_review(p_person, p_actor, p_decision, p_reason, p_extend_to, p_now);
END;
$$;

-- A second person approves a reviewed decision to destroy.
CREATE FUNCTION casewatch.destruction_approve(p_person bigint, p_actor text, p_now timestamptz)
RETURNS casewatch.destruction
LANGUAGE plpgsql AS $$
DECLARE
	d casewatch.destruction;
BEGIN
	SELECT * INTO d FROM casewatch.destruction WHERE person_id = p_person FOR UPDATE;
	IF NOT FOUND OR d.state <> 'reviewed' THEN
		RAISE EXCEPTION 'person %: not reviewed for destruction (state %)', p_person,
			coalesce(d.state, 'none') USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	IF d.reviewed_by = p_actor THEN
		-- SQLSTATE CWF01 (casewatch, four eyes): told apart from a missing privilege.
		RAISE EXCEPTION 'person %: the approver must not be the reviewer (%)', p_person, p_actor
			USING ERRCODE = 'CWF01';
	END IF;
	UPDATE casewatch.destruction SET state = 'approved', approved_by = p_actor, approved_at = p_now,
		changed_at = p_now
	WHERE person_id = p_person RETURNING * INTO d;
	RETURN d;
END;
$$;

-- The destruction register (DESTROY-LIST): append-only, each row chained to
-- the previous one by sha256 over its own contents and the previous hash.
CREATE TABLE casewatch.destruction_register (
	entry_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	seq bigint NOT NULL UNIQUE,		-- 1, 2, 3, ... in order of appending
	person_id bigint NOT NULL,
	categories text[] NOT NULL,
	basis text NOT NULL,
	due_on date NOT NULL,
	reviewed_on date,
	reviewed_by text,
	approved_on date,
	approved_by text,
	destroyed_on date NOT NULL,
	destroyed_by text NOT NULL,
	recorded_at timestamptz NOT NULL,
	prev_hash bytea NOT NULL,
	hash bytea NOT NULL
);

-- The bytes a row's hash covers: its fields as canonical JSON (dates and
-- UTC times in ISO 8601, whatever the session's settings) after the
-- previous row's hash.
CREATE FUNCTION casewatch.register_hash(r casewatch.destruction_register) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
	SELECT sha256(r.prev_hash || convert_to(jsonb_build_array(r.seq, r.person_id, r.categories,
		r.basis, r.due_on, r.reviewed_on, r.reviewed_by, r.approved_on, r.approved_by,
		r.destroyed_on, r.destroyed_by, r.recorded_at AT TIME ZONE 'UTC')::text, 'UTF8'));
$$;

-- Every insert is chained here, whoever writes it: seq and hashes are
-- computed, never taken from the writer.
CREATE FUNCTION casewatch.register_chain() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	tail casewatch.destruction_register;
BEGIN
	-- One appender at a time, so two rows never claim the same predecessor.
	PERFORM pg_advisory_xact_lock(hashtext('casewatch.destruction_register'));
	SELECT * INTO tail FROM casewatch.destruction_register ORDER BY seq DESC LIMIT 1;
	NEW.seq := coalesce(tail.seq, 0) + 1;
	NEW.prev_hash := coalesce(tail.hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
	NEW.hash := casewatch.register_hash(NEW);
	RETURN NEW;
END;
$$;
CREATE TRIGGER destruction_register_chain BEFORE INSERT ON casewatch.destruction_register
	FOR EACH ROW EXECUTE FUNCTION casewatch.register_chain();

-- Append-only: no role may change or remove a row, the daemon's included.
CREATE FUNCTION casewatch.register_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'casewatch.destruction_register is append-only: % refused', TG_OP
		USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER destruction_register_append_only BEFORE UPDATE OR DELETE ON casewatch.destruction_register
	FOR EACH ROW EXECUTE FUNCTION casewatch.register_refuse();
CREATE TRIGGER destruction_register_no_truncate BEFORE TRUNCATE ON casewatch.destruction_register
	FOR EACH STATEMENT EXECUTE FUNCTION casewatch.register_refuse();
REVOKE UPDATE, DELETE, TRUNCATE ON casewatch.destruction_register FROM PUBLIC;

-- The council's process deleted the person: an approved decision becomes
-- destroyed and one register row. Confirming twice writes nothing more.
CREATE FUNCTION casewatch.destruction_confirm(p_person bigint, p_destroyed_on date,
	p_destroyed_by text, p_now timestamptz) RETURNS casewatch.destruction_register
LANGUAGE plpgsql AS $$
DECLARE
	d casewatch.destruction;
	r casewatch.destruction_register;
BEGIN
	SELECT * INTO d FROM casewatch.destruction WHERE person_id = p_person FOR UPDATE;
	IF FOUND AND d.state = 'destroyed' THEN
		SELECT * INTO r FROM casewatch.destruction_register
		WHERE person_id = p_person ORDER BY seq DESC LIMIT 1;
		RETURN r;
	END IF;
	IF NOT FOUND OR d.state <> 'approved' THEN
		RAISE EXCEPTION 'person %: destruction not approved (state %)', p_person,
			coalesce(d.state, 'none') USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	UPDATE casewatch.destruction SET state = 'destroyed', destroyed_on = p_destroyed_on,
		destroyed_by = p_destroyed_by, confirmed_at = p_now, changed_at = p_now
	WHERE person_id = p_person;
	INSERT INTO casewatch.destruction_register (seq, person_id, categories, basis, due_on,
		reviewed_on, reviewed_by, approved_on, approved_by, destroyed_on, destroyed_by,
		recorded_at, prev_hash, hash)
	VALUES (0, p_person, d.categories, d.basis, (d.due_at AT TIME ZONE 'Europe/London')::date,
		(d.reviewed_at AT TIME ZONE 'Europe/London')::date, d.reviewed_by,
		(d.approved_at AT TIME ZONE 'Europe/London')::date, d.approved_by, p_destroyed_on,
		p_destroyed_by, p_now, '\x'::bytea, '\x'::bytea)
	RETURNING * INTO r;
	RETURN r;
END;
$$;

-- The last row's position and hash: what an auditor keeps, so that a
-- deleted last row is caught too (register_verify(seq, hash)).
CREATE FUNCTION casewatch.register_head(OUT seq bigint, OUT hash bytea)
LANGUAGE sql STABLE AS $$
	SELECT coalesce(max(r.seq), 0),
		coalesce((SELECT r2.hash FROM casewatch.destruction_register r2 ORDER BY r2.seq DESC LIMIT 1),
			'\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
	FROM casewatch.destruction_register r;
$$;

-- Walks the chain in the order rows were appended and names the first bad
-- row: edited (its hash no longer matches its contents), deleted (a gap in
-- seq, or the predecessor's hash missing), reordered (seq out of order).
-- With an expected head, a register shorter than it (last rows deleted)
-- or with another last hash is bad too.
CREATE FUNCTION casewatch.register_verify(p_expect_seq bigint DEFAULT NULL,
	p_expect_hash bytea DEFAULT NULL,
	OUT ok boolean, OUT rows_checked bigint, OUT bad_entry bigint, OUT bad_seq bigint, OUT problem text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	r casewatch.destruction_register;
	prev bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
	expect bigint := 1;
BEGIN
	ok := true;
	rows_checked := 0;
	FOR r IN SELECT * FROM casewatch.destruction_register ORDER BY entry_id LOOP
		rows_checked := rows_checked + 1;
		IF r.seq < expect THEN
			problem := format('entry %s has seq %s where %s was expected: rows reordered', r.entry_id, r.seq, expect);
		ELSIF r.seq > expect AND EXISTS (SELECT 1 FROM casewatch.destruction_register x WHERE x.seq = expect) THEN
			problem := format('entry %s has seq %s where %s was expected: rows reordered', r.entry_id, r.seq, expect);
		ELSIF r.seq > expect THEN
			problem := format('entry %s has seq %s where %s was expected: row %s deleted', r.entry_id, r.seq,
				expect, CASE WHEN r.seq = expect + 1 THEN expect::text
					ELSE format('%s to %s', expect, r.seq - 1) END);
		ELSIF r.prev_hash <> prev THEN
			problem := format('entry %s (seq %s) does not follow the previous row''s hash: a row before it was edited, deleted or reordered',
				r.entry_id, r.seq);
		ELSIF casewatch.register_hash(r) <> r.hash THEN
			problem := format('entry %s (seq %s) was edited: its hash does not match its contents', r.entry_id, r.seq);
		END IF;
		IF problem IS NOT NULL THEN
			ok := false;
			bad_entry := r.entry_id;
			bad_seq := r.seq;
			RETURN;
		END IF;
		prev := r.hash;
		expect := expect + 1;
	END LOOP;
	IF p_expect_seq IS NOT NULL AND expect - 1 < p_expect_seq THEN
		ok := false;
		bad_seq := expect;
		problem := format('the register ends at seq %s but the head kept says %s: rows %s to %s deleted',
			expect - 1, p_expect_seq, expect, p_expect_seq);
	ELSIF p_expect_hash IS NOT NULL AND p_expect_seq IS NOT NULL THEN
		IF (SELECT x.hash FROM casewatch.destruction_register x WHERE x.seq = p_expect_seq) IS DISTINCT FROM p_expect_hash THEN
			ok := false;
			bad_seq := p_expect_seq;
			problem := format('row seq %s does not carry the hash the head kept says', p_expect_seq);
		END IF;
	END IF;
END;
$$;

-- Once a pass, for the persons gone from the records (casewatch and the
-- records in one database, as the daemon's passes assume):
--  - an approved destruction is confirmed (the date and who from
--    records.destruction when the council recorded it there, else today and
--    "records"), appending its register row;
--  - when the profile has a NO-EARLY-DESTROY rule (its id in p_rule; null:
--    none), a person deleted since this migration (a person tombstone)
--    without an approved destruction (001 §7.1: "No record should be
--    deleted or destroyed without reference to the retention period") is
--    marked vanished and gets an open finding of that rule for the records
--    officer, once. The daemon keeps the finding open from then on (it
--    reads the vanished persons each pass); it stays until acknowledged.
-- Where retention_gone() last looked at person tombstones (the database's
-- clock): each pass reads the tombstones since then, an hour back for
-- deletions whose transactions committed late.
CREATE TABLE casewatch.retention_gone_mark (
	one boolean PRIMARY KEY DEFAULT true CHECK (one),
	checked_at timestamptz NOT NULL
);

CREATE FUNCTION casewatch.retention_gone(p_now timestamptz, p_rule text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	n integer := 0;
	today date := (p_now AT TIME ZONE 'Europe/London')::date;
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
		ON CONFLICT (person_id) DO UPDATE SET state = 'vanished', changed_at = p_now;
		PERFORM casewatch.reconcile(ARRAY[r.person_id], jsonb_build_array(jsonb_build_object(
			'person_id', r.person_id, 'rule_id', p_rule, 'anchor_kind', 'person',
			'anchor_id', r.person_id, 'team_id', r.team_id, 'audience', 'records_officer',
			'kind', 'finding', 'severity', 'err')), p_now);
		n := n + 1;
	END LOOP;
	RETURN n;
END;
$$;
