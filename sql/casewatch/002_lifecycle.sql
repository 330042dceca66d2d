-- 002_lifecycle.sql - the alert lifecycle: stored obligations, their states, and the transitions written.
--
-- Like every migration it holds no transaction control: the daemon runs it
-- inside one transaction (by hand: psql --single-transaction -f FILE).
-- docs/lifecycle.md explains the states, when each transition is written and
-- the functions the daemon calls:
--
--   casewatch.obligation_state(warn_at, due_at, escalate_at[], met_at, suspended, now)
--   casewatch.reconcile(person_ids bigint[], obligations jsonb, now)  -> SETOF transition
--   casewatch.advance(now, limit)                                     -> SETOF transition
--   casewatch.next_due()                                              -> timestamptz
--   casewatch.acknowledge(filter jsonb, actor, reason, now)           -> SETOF transition
--   casewatch.snooze(filter jsonb, actor, reason, until, now)         -> SETOF transition
--   casewatch.transitions_after(after_id, limit)                      -> SETOF transition
--   casewatch.sink_delivered(sink, last_id); view casewatch.sink_cursor
--
-- casewatch.alert (001) becomes the obligation table: it now also holds
-- obligations nobody has been told about yet (state pending, or met before
-- anyone needed telling), so that time alone can raise them.

-- The obligation key gains the recurrence cycle and the person; 001's key
-- (rule, anchor, occurrence) could not tell two cycles of a recurring rule
-- apart. occurrence stays, unused by the lifecycle (always 0).
ALTER TABLE casewatch.alert DROP CONSTRAINT alert_obligation_key;
ALTER TABLE casewatch.alert DROP CONSTRAINT alert_state_check;

ALTER TABLE casewatch.alert
	ADD COLUMN cycle_start timestamptz,	-- recurring rules: start of this cycle; else null
	ADD COLUMN kind text NOT NULL DEFAULT 'obligation'
		CHECK (kind IN ('obligation', 'finding')),
	ADD COLUMN finding_severity text	-- a finding's severity when raised (default warning)
		CHECK (finding_severity IN ('info', 'notice', 'warning', 'err')),
	ADD COLUMN escalate_at timestamptz[] NOT NULL DEFAULT '{}',	-- ascending, >= due_at
	ADD COLUMN escalate_to text[] NOT NULL DEFAULT '{}',		-- audience of each step
	ADD COLUMN met_at timestamptz,		-- when the answering record was finalised
	ADD COLUMN met_by bigint,		-- the record that met it
	ADD COLUMN suspended boolean NOT NULL DEFAULT false,
	ADD COLUMN announced_state text		-- the state the sinks were last told; null: none open
		CHECK (announced_state IN ('due_soon', 'overdue')
			OR announced_state ~ '^escalated_[1-9][0-9]?$'),
	ADD COLUMN ack_reason text;		-- typed by staff; never logged or broadcast

ALTER TABLE casewatch.alert
	ADD CONSTRAINT alert_state_check CHECK (state IN ('pending', 'due_soon', 'overdue',
		'met_on_time', 'met_late', 'suspended', 'resolved', 'withdrawn')
		OR state ~ '^escalated_[1-9][0-9]?$'),
	ADD CONSTRAINT alert_escalation_steps CHECK (
		cardinality(escalate_at) = cardinality(escalate_to)
		AND escalate_to <@ ARRAY['worker', 'team_manager', 'service_manager',
			'records_officer', 'operations']
		AND array_position(escalate_at, NULL) IS NULL);

CREATE UNIQUE INDEX alert_obligation_key ON casewatch.alert
	(person_id, rule_id, anchor_kind, anchor_id, coalesce(cycle_start, '-infinity'));
CREATE INDEX alert_announced_idx ON casewatch.alert (team_id, audience)
	WHERE announced_state IS NOT NULL;

COMMENT ON COLUMN casewatch.alert.state IS
	'lifecycle state at the last evaluation: casewatch.obligation_state(), or resolved/withdrawn';
COMMENT ON COLUMN casewatch.alert.announced_state IS
	'state last announced by a transition; null when no raised alert is open';

-- Transitions: syslog severities, the obligation's anchor and lateness.
ALTER TABLE casewatch.transition DROP CONSTRAINT transition_severity_check;
ALTER TABLE casewatch.transition
	ADD CONSTRAINT transition_severity_check
		CHECK (severity IN ('info', 'notice', 'warning', 'err')),
	ADD COLUMN anchor_kind text,
	ADD COLUMN anchor_id bigint,
	ADD COLUMN cycle_start timestamptz,
	ADD COLUMN late_by interval;		-- resolved late: by how much

-- The cursor a sink keeps in casewatch.transition, under the name the
-- daemon uses; rows live in casewatch.sink_position (001).
CREATE VIEW casewatch.sink_cursor (sink, last_id) AS
	SELECT sink, transition_id FROM casewatch.sink_position;

-- Rank of an announced state: 0 not announced, 1 due soon, 2 overdue,
-- 2 + n escalation step n.
CREATE FUNCTION casewatch.state_rank(s text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
		WHEN s = 'due_soon' THEN 1
		WHEN s = 'overdue' THEN 2
		WHEN s LIKE 'escalated\_%' THEN 2 + substr(s, 11)::integer
		ELSE 0 END
$$;

-- The syslog severity of reaching a state: due soon is info, overdue a
-- warning, any escalation an error.
CREATE FUNCTION casewatch.state_severity(s text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE casewatch.state_rank(s) WHEN 0 THEN 'info' WHEN 1 THEN 'info'
		WHEN 2 THEN 'warning' ELSE 'err' END
$$;

-- Who is told in a state: escalation step n goes to its own audience,
-- everything else to the obligation's first audience.
CREATE FUNCTION casewatch.state_audience(s text, audience text, escalate_to text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN casewatch.state_rank(s) > 2
		THEN coalesce(escalate_to[casewatch.state_rank(s) - 2], audience)
		ELSE audience END
$$;

-- THE state function (lib/obligation.c has the same one; the names map one
-- to one onto its enum). In order: met (on time when met_at <= due_at),
-- suspended, pending (no due time, or before warn_at, or warn_at null and
-- before due_at), due_soon (warn_at <= now < due_at), overdue (due_at <=
-- now, no escalation time reached), escalated_<n> (n escalation times <=
-- now). Every boundary belongs to the later state.
CREATE FUNCTION casewatch.obligation_state(warn_at timestamptz, due_at timestamptz,
	escalate_at timestamptz[], met_at timestamptz, suspended boolean, now timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
		WHEN met_at IS NOT NULL THEN
			CASE WHEN due_at IS NULL OR met_at <= due_at THEN 'met_on_time' ELSE 'met_late' END
		WHEN suspended THEN 'suspended'
		WHEN due_at IS NULL OR now IS NULL THEN 'pending'
		WHEN now < due_at THEN
			CASE WHEN warn_at <= now THEN 'due_soon' ELSE 'pending' END
		ELSE coalesce('escalated_' || nullif((SELECT count(*) FROM unnest(escalate_at) t
			WHERE t <= now), 0), 'overdue')
		END
$$;

-- A stored row's state at now. A finding without a due time has been due
-- since it was found.
CREATE FUNCTION casewatch.alert_state(a casewatch.alert, p_now timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT casewatch.obligation_state(a.warn_at,
		CASE WHEN a.kind = 'finding' THEN coalesce(a.due_at, '-infinity') ELSE a.due_at END,
		a.escalate_at, a.met_at, a.suspended, p_now)
$$;

-- When a row next changes state with no data change: the first of its
-- warn, due and escalation times after now, or the end of a snooze that
-- holds back an escalation. Null when time cannot move it.
CREATE FUNCTION casewatch.alert_next_at(a casewatch.alert, p_now timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN a.state IN ('met_on_time', 'met_late', 'suspended', 'resolved', 'withdrawn')
		THEN NULL
		ELSE least(
			(SELECT min(t) FROM unnest(ARRAY[a.warn_at, a.due_at] || a.escalate_at) t
				WHERE t > p_now),
			CASE WHEN a.announced_state IS NOT NULL AND a.snoozed_until > p_now
				AND casewatch.state_rank(a.state) > casewatch.state_rank(a.announced_state)
				THEN a.snoozed_until END)
		END
$$;

-- Bring one row to now: its new state and next_at, and the one transition
-- (if any) that moving there announces. Writes nothing; the caller stores
-- the row and then the transition. Rules (docs/lifecycle.md):
--   nothing open, now due_soon/overdue/escalated  -> raised (straight to that state)
--   open, higher state                            -> escalated, unless snoozed
--   open, lower state (dates moved)               -> silently lowered
--   open, met                                     -> resolved (late_by when late)
--   open, pending again or suspended              -> withdrawn
CREATE FUNCTION casewatch.settle(a casewatch.alert, p_now timestamptz,
	OUT next casewatch.alert, OUT t_kind text, OUT t_from text, OUT t_to text,
	OUT t_severity text, OUT t_audience text)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	s text := casewatch.alert_state(a, p_now);
	told text := a.announced_state;
BEGIN
	next := a;
	IF s = 'met_late' THEN
		next.late_by := coalesce(a.late_by,
			extract(epoch FROM a.met_at - a.due_at) * interval '1 second');
	ELSE
		next.late_by := NULL;
	END IF;
	IF told IS NULL THEN
		IF casewatch.state_rank(s) > 0 THEN
			t_kind := 'raised';
			t_to := s;
			t_severity := CASE WHEN a.kind = 'finding' AND casewatch.state_rank(s) <= 2
				THEN coalesce(a.finding_severity, 'warning')
				ELSE casewatch.state_severity(s) END;
			t_audience := casewatch.state_audience(s, a.audience, a.escalate_to);
			next.announced_state := s;
			next.resolved_at := NULL;
			next.acked_by := NULL;
			next.acked_at := NULL;
			next.ack_reason := NULL;
			next.snoozed_until := NULL;
			next.snooze_reason := NULL;
		END IF;
	ELSIF casewatch.state_rank(s) > 0 THEN
		IF casewatch.state_rank(s) > casewatch.state_rank(told) THEN
			IF a.snoozed_until IS NULL OR a.snoozed_until <= p_now THEN
				t_kind := 'escalated';
				t_from := told;
				t_to := s;
				t_severity := casewatch.state_severity(s);
				t_audience := casewatch.state_audience(s, a.audience, a.escalate_to);
				next.announced_state := s;
				next.acked_by := NULL;
				next.acked_at := NULL;
				next.ack_reason := NULL;
			END IF;
		ELSIF casewatch.state_rank(s) < casewatch.state_rank(told) THEN
			next.announced_state := s;
		END IF;
	ELSE
		t_kind := CASE WHEN s IN ('met_on_time', 'met_late') THEN 'resolved' ELSE 'withdrawn' END;
		t_from := told;
		t_to := s;
		t_severity := CASE t_kind WHEN 'resolved' THEN 'notice' ELSE 'info' END;
		t_audience := casewatch.state_audience(told, a.audience, a.escalate_to);
		next.announced_state := NULL;
		IF t_kind = 'resolved' THEN
			next.resolved_at := p_now;
		END IF;
	END IF;
	next.state := s;
	next.next_at := casewatch.alert_next_at(next, p_now);
END;
$$;

-- A transition of a row, not yet written (no id): the columns a sink
-- prints are copied from the row, so no sink needs a join.
CREATE FUNCTION casewatch.transition_of(a casewatch.alert, p_kind text, p_from text,
	p_to text, p_severity text, p_audience text, p_at timestamptz, p_actor text)
RETURNS casewatch.transition
LANGUAGE sql IMMUTABLE AS $$
	SELECT ROW(NULL, a.alert_id, p_kind, p_from, p_to, p_at, p_severity,
		a.rule_id, a.person_id, a.team_id, p_audience, a.due_at, p_actor,
		a.anchor_kind, a.anchor_id, a.cycle_start,
		CASE WHEN p_kind = 'resolved' THEN a.late_by END)::casewatch.transition
$$;

-- Write transitions in array order: each takes the next id from the
-- sequence, so ids follow the order of writing. Returns them in id order.
CREATE FUNCTION casewatch.write_transitions(p_transitions casewatch.transition[])
RETURNS SETOF casewatch.transition
LANGUAGE sql AS $$
	WITH w AS (
		INSERT INTO casewatch.transition (alert_id, kind, from_state, to_state, at, severity,
			rule_id, person_id, team_id, audience, due_at, actor,
			anchor_kind, anchor_id, cycle_start, late_by)
		SELECT t.alert_id, t.kind, t.from_state, t.to_state, t.at, t.severity,
			t.rule_id, t.person_id, t.team_id, t.audience, t.due_at, t.actor,
			t.anchor_kind, t.anchor_id, t.cycle_start, t.late_by
		FROM unnest(p_transitions) WITH ORDINALITY t
		ORDER BY t.ordinality
		RETURNING *)
	SELECT * FROM w ORDER BY transition_id
$$;

-- Write one transition of a row at once.
CREATE FUNCTION casewatch.emit(a casewatch.alert, p_kind text, p_from text, p_to text,
	p_severity text, p_audience text, p_at timestamptz, p_actor text)
RETURNS casewatch.transition
LANGUAGE sql AS $$
	SELECT * FROM casewatch.write_transitions(ARRAY[casewatch.transition_of(a, p_kind,
		p_from, p_to, p_severity, p_audience, p_at, p_actor)])
$$;

-- Store a settled row: insert it when it has no id yet, else update it
-- when it differs from what is stored. Returns the row with its id.
CREATE FUNCTION casewatch.store_row(a casewatch.alert, old casewatch.alert)
RETURNS casewatch.alert
LANGUAGE plpgsql AS $$
DECLARE
	r casewatch.alert;
BEGIN
	IF a.alert_id IS NULL THEN
		INSERT INTO casewatch.alert (rule_id, anchor_kind, anchor_id, person_id, team_id,
			audience, state, due_at, warn_at, next_at, resolved_at, late_by,
			cycle_start, kind, finding_severity, escalate_at, escalate_to, met_at, met_by,
			suspended, announced_state)
		VALUES (a.rule_id, a.anchor_kind, a.anchor_id, a.person_id, a.team_id,
			a.audience, a.state, a.due_at, a.warn_at, a.next_at, a.resolved_at, a.late_by,
			a.cycle_start, a.kind, a.finding_severity, a.escalate_at, a.escalate_to,
			a.met_at, a.met_by, a.suspended, a.announced_state)
		RETURNING * INTO r;
		RETURN r;
	END IF;
	IF a IS NOT DISTINCT FROM old THEN
		RETURN a;
	END IF;
	UPDATE casewatch.alert SET team_id = a.team_id, audience = a.audience, state = a.state,
		due_at = a.due_at, warn_at = a.warn_at, next_at = a.next_at,
		resolved_at = a.resolved_at, late_by = a.late_by, kind = a.kind,
		finding_severity = a.finding_severity, escalate_at = a.escalate_at,
		escalate_to = a.escalate_to, met_at = a.met_at, met_by = a.met_by,
		suspended = a.suspended, announced_state = a.announced_state,
		acked_by = a.acked_by, acked_at = a.acked_at, ack_reason = a.ack_reason,
		snoozed_until = a.snoozed_until, snooze_reason = a.snooze_reason,
		updated_at = now()
	WHERE alert_id = a.alert_id
	RETURNING * INTO r;
	RETURN r;
END;
$$;

-- Only one writer of transitions at a time, held to commit, so that
-- transition ids commit in the order they were drawn and a sink reading
-- "after id N" never skips one. ('cwtr' as a number.)
CREATE FUNCTION casewatch.writer_lock() RETURNS void
LANGUAGE sql AS $$
	SELECT pg_advisory_xact_lock(1668773234)
$$;

-- A JSON value as a timestamp: null, or a string in ISO 8601 with an
-- explicit UTC offset (or Z). path names the value in errors.
CREATE FUNCTION casewatch.json_time(v jsonb, path text) RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(v) <> 'string' OR (v #>> '{}') !~
		'^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$' THEN
		RAISE EXCEPTION 'reconcile: %: expected a timestamp with a UTC offset, got %', path, v
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN (v #>> '{}')::timestamptz;
END;
$$;

-- A JSON value as an id: null (unless required) or a whole number.
CREATE FUNCTION casewatch.json_id(v jsonb, path text, required boolean) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
		IF required THEN
			RAISE EXCEPTION 'reconcile: %: missing', path USING ERRCODE = 'invalid_parameter_value';
		END IF;
		RETURN NULL;
	END IF;
	IF jsonb_typeof(v) <> 'number' OR (v #>> '{}') !~ '^-?\d+$' THEN
		RAISE EXCEPTION 'reconcile: %: expected a whole number, got %', path, v
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN (v #>> '{}')::bigint;
END;
$$;

-- A JSON value as one of a set of codes; absent or null gives dflt, and
-- is an error when dflt is null and the value is required.
CREATE FUNCTION casewatch.json_code(v jsonb, path text, codes text[], dflt text,
	required boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
		IF dflt IS NULL AND required THEN
			RAISE EXCEPTION 'reconcile: %: missing', path USING ERRCODE = 'invalid_parameter_value';
		END IF;
		RETURN dflt;
	END IF;
	IF jsonb_typeof(v) <> 'string' OR NOT (v #>> '{}') = ANY (codes) THEN
		RAISE EXCEPTION 'reconcile: %: expected one of %, got %', path,
			array_to_string(codes, ', '), v USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN v #>> '{}';
END;
$$;

-- The daemon's computed obligations as rows (without ids), checked: every
-- problem names its JSON path, e.g. "obligations[3].due_at".
CREATE FUNCTION casewatch.parse_obligations(p_person_ids bigint[], p_obligations jsonb)
RETURNS casewatch.alert[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	keys constant text[] := ARRAY['person_id', 'rule_id', 'anchor_kind', 'anchor_id',
		'cycle_start', 'team_id', 'audience', 'warn_at', 'due_at', 'escalations', 'met_at',
		'met_by', 'late_by_seconds', 'suspended', 'kind', 'severity'];
	audiences constant text[] := ARRAY['worker', 'team_manager', 'service_manager',
		'records_officer', 'operations'];
	anchors constant text[] := ARRAY['person', 'event', 'involvement', 'hazard', 'record',
		'info_sharing', 'deletion', 'restricted_access', 'access_request', 'forget_request'];
	o jsonb;
	i bigint;
	j integer;
	e jsonb;
	path text;
	bad text;
	a casewatch.alert;
	res casewatch.alert[] := '{}';
BEGIN
	IF p_obligations IS NULL OR jsonb_typeof(p_obligations) <> 'array' THEN
		RAISE EXCEPTION 'reconcile: obligations: expected a JSON array'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	BEGIN
		FOR o, i IN SELECT x.value, x.ordinality - 1
			FROM jsonb_array_elements(p_obligations) WITH ORDINALITY x
		LOOP
			path := format('obligations[%s]', i);
			IF jsonb_typeof(o) <> 'object' THEN
				RAISE EXCEPTION 'reconcile: %: expected an object', path
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			IF (o - keys) <> '{}' THEN
				SELECT k INTO bad FROM jsonb_object_keys(o - keys) k ORDER BY k LIMIT 1;
				RAISE EXCEPTION 'reconcile: %: unknown key "%"', path, bad
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			a := NULL;
			a.person_id := casewatch.json_id(o -> 'person_id', path || '.person_id', true);
			IF jsonb_typeof(o -> 'rule_id') IS DISTINCT FROM 'string' OR (o ->> 'rule_id') = '' THEN
				RAISE EXCEPTION 'reconcile: %.rule_id: expected a rule id', path
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			a.rule_id := o ->> 'rule_id';
			a.anchor_kind := casewatch.json_code(o -> 'anchor_kind', path || '.anchor_kind', anchors, NULL);
			a.anchor_id := casewatch.json_id(o -> 'anchor_id', path || '.anchor_id', true);
			a.occurrence := 0;
			a.cycle_start := casewatch.json_time(o -> 'cycle_start', path || '.cycle_start');
			a.team_id := casewatch.json_id(o -> 'team_id', path || '.team_id', false);
			a.audience := casewatch.json_code(o -> 'audience', path || '.audience', audiences, NULL);
			a.warn_at := casewatch.json_time(o -> 'warn_at', path || '.warn_at');
			a.due_at := casewatch.json_time(o -> 'due_at', path || '.due_at');
			IF a.warn_at > a.due_at THEN
				RAISE EXCEPTION 'reconcile: %.warn_at: after due_at', path
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			a.escalate_at := '{}';
			a.escalate_to := '{}';
			IF o ? 'escalations' AND jsonb_typeof(o -> 'escalations') <> 'null' THEN
				IF jsonb_typeof(o -> 'escalations') <> 'array' THEN
					RAISE EXCEPTION 'reconcile: %.escalations: expected an array', path
						USING ERRCODE = 'invalid_parameter_value';
				END IF;
				FOR j IN 0 .. jsonb_array_length(o -> 'escalations') - 1 LOOP
					e := o -> 'escalations' -> j;
					IF jsonb_typeof(e) <> 'object' OR NOT e ? 'at' THEN
						RAISE EXCEPTION 'reconcile: %.escalations[%]: expected {"at": ..., "audience": ...}',
							path, j USING ERRCODE = 'invalid_parameter_value';
					END IF;
					a.escalate_at := a.escalate_at || casewatch.json_time(e -> 'at',
						format('%s.escalations[%s].at', path, j));
					a.escalate_to := a.escalate_to || casewatch.json_code(e -> 'audience',
						format('%s.escalations[%s].audience', path, j), audiences, NULL);
					IF a.escalate_at[j + 1] IS NULL OR a.due_at IS NULL
						OR a.escalate_at[j + 1] < coalesce(a.escalate_at[j], a.due_at) THEN
						RAISE EXCEPTION 'reconcile: %.escalations[%].at: must be set, after due_at and after the step before',
							path, j USING ERRCODE = 'invalid_parameter_value';
					END IF;
				END LOOP;
			END IF;
			a.met_at := casewatch.json_time(o -> 'met_at', path || '.met_at');
			a.met_by := casewatch.json_id(o -> 'met_by', path || '.met_by', false);
			IF jsonb_typeof(o -> 'late_by_seconds') = 'number' AND (o ->> 'late_by_seconds')::numeric >= 0 THEN
				a.late_by := (o ->> 'late_by_seconds')::numeric * interval '1 second';
			ELSIF coalesce(jsonb_typeof(o -> 'late_by_seconds'), 'null') <> 'null' THEN
				RAISE EXCEPTION 'reconcile: %.late_by_seconds: expected a number of seconds >= 0, got %',
					path, o -> 'late_by_seconds' USING ERRCODE = 'invalid_parameter_value';
			END IF;
			IF coalesce(jsonb_typeof(o -> 'suspended'), 'null') NOT IN ('boolean', 'null') THEN
				RAISE EXCEPTION 'reconcile: %.suspended: expected true or false', path
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			a.suspended := coalesce((o ->> 'suspended')::boolean, false);
			a.kind := casewatch.json_code(o -> 'kind', path || '.kind',
				ARRAY['obligation', 'finding'], 'obligation');
			a.finding_severity := casewatch.json_code(o -> 'severity', path || '.severity',
				ARRAY['info', 'notice', 'warning', 'err'], NULL, false);
			IF a.kind = 'obligation' THEN
				a.finding_severity := NULL;
			END IF;
			res[i + 1] := a;
		END LOOP;
	EXCEPTION WHEN OTHERS THEN
		IF SQLERRM LIKE 'reconcile: %' THEN
			RAISE;
		END IF;
		-- a value the checks let through but PostgreSQL refused (2026-13-01)
		RAISE EXCEPTION 'reconcile: %: %', path, SQLERRM
			USING ERRCODE = 'invalid_parameter_value';
	END;
	-- (a hash join: "= ANY (p_person_ids)" per element is quadratic)
	SELECT format('reconcile: obligations[%s].person_id: %s is not one of the persons reconciled',
			x.ordinality - 1, x.person_id)
		INTO bad
		FROM unnest(res) WITH ORDINALITY x
		LEFT JOIN (SELECT DISTINCT p FROM unnest(p_person_ids) p) ids ON ids.p = x.person_id
		WHERE ids.p IS NULL
		ORDER BY x.ordinality
		LIMIT 1;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION '%', bad USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT format('reconcile: obligations: person %s, rule %s, %s %s%s given twice',
			x.person_id, x.rule_id, x.anchor_kind, x.anchor_id,
			coalesce(', cycle ' || x.cycle_start, ''))
		INTO bad
		FROM unnest(res) x
		GROUP BY x.person_id, x.rule_id, x.anchor_kind, x.anchor_id, x.cycle_start
		HAVING count(*) > 1
		LIMIT 1;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION '%', bad USING ERRCODE = 'invalid_parameter_value';
	END IF;
	RETURN res;
END;
$$;

-- Reconcile the computed obligations of exactly these persons with what is
-- stored for them, in the caller's transaction: insert new rows, update
-- changed ones, write each transition their new state announces, withdraw
-- announced obligations that are no longer computed (resolve vanished
-- findings) and silently drop unannounced ones. The same input twice
-- writes nothing the second time. Returns the transitions, in id order.
CREATE FUNCTION casewatch.reconcile(p_person_ids bigint[], p_obligations jsonb,
	p_now timestamptz)
RETURNS SETOF casewatch.transition
LANGUAGE plpgsql AS $$
DECLARE
	computed casewatch.alert[];
	c casewatch.alert;
	s casewatch.alert;
	n casewatch.alert;
	pair record;
	st record;
	fresh casewatch.alert[] := '{}';	-- new rows, inserted together at the end
	nfresh integer := 0;
	trs casewatch.transition[] := '{}';	-- transitions, written together at the end
	ntrs integer := 0;
	ids text := pg_get_serial_sequence('casewatch.alert', 'alert_id');
BEGIN
	IF p_now IS NULL OR p_person_ids IS NULL THEN
		RAISE EXCEPTION 'reconcile: person_ids and now must not be null'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	computed := casewatch.parse_obligations(p_person_ids, p_obligations);
	PERFORM casewatch.writer_lock();
	FOR pair IN
		SELECT x, y
		FROM unnest(computed) x
		FULL JOIN (SELECT * FROM casewatch.alert
			WHERE person_id = ANY (p_person_ids)) y
			ON y.person_id = x.person_id AND y.rule_id = x.rule_id
			AND y.anchor_kind = x.anchor_kind AND y.anchor_id = x.anchor_id
			AND coalesce(y.cycle_start, '-infinity') = coalesce(x.cycle_start, '-infinity')
		ORDER BY coalesce(x.person_id, y.person_id), coalesce(x.rule_id, y.rule_id),
			coalesce(x.anchor_kind, y.anchor_kind), coalesce(x.anchor_id, y.anchor_id),
			coalesce(x.cycle_start, y.cycle_start) NULLS FIRST
	LOOP
		c := pair.x;
		s := pair.y;
		IF c.rule_id IS NULL THEN
			-- stored, no longer computed
			IF s.announced_state IS NOT NULL THEN
				n := s;
				n.announced_state := NULL;
				n.next_at := NULL;
				IF s.kind = 'finding' THEN
					n.state := 'resolved';
					n.resolved_at := p_now;
				ELSE
					n.state := 'withdrawn';
				END IF;
				n := casewatch.store_row(n, s);
				ntrs := ntrs + 1;
				trs[ntrs] := casewatch.transition_of(n,
					CASE n.state WHEN 'resolved' THEN 'resolved' ELSE 'withdrawn' END,
					s.announced_state, n.state,
					CASE n.state WHEN 'resolved' THEN 'notice' ELSE 'info' END,
					casewatch.state_audience(s.announced_state, s.audience, s.escalate_to),
					p_now, NULL);
			ELSIF s.state NOT IN ('resolved', 'withdrawn') THEN
				IF EXISTS (SELECT 1 FROM casewatch.transition WHERE alert_id = s.alert_id) THEN
					n := s;
					n.state := 'withdrawn';
					n.next_at := NULL;
					PERFORM casewatch.store_row(n, s);
				ELSE
					DELETE FROM casewatch.alert WHERE alert_id = s.alert_id;
				END IF;
			END IF;
			CONTINUE;
		END IF;
		IF s.alert_id IS NULL THEN
			st := casewatch.settle(c, p_now);
			n := st.next;
			n.alert_id := nextval(ids);
			n.created_at := now();
			n.updated_at := now();
			nfresh := nfresh + 1;
			fresh[nfresh] := n;
		ELSE
			-- unchanged data and nothing due by time: nothing can happen
			CONTINUE WHEN (c.team_id, c.audience, c.warn_at, c.due_at, c.escalate_at,
				c.escalate_to, c.met_at, c.met_by, c.suspended, c.kind, c.finding_severity)
				IS NOT DISTINCT FROM (s.team_id, s.audience, s.warn_at, s.due_at, s.escalate_at,
				s.escalate_to, s.met_at, s.met_by, s.suspended, s.kind, s.finding_severity)
				AND (c.late_by IS NOT DISTINCT FROM s.late_by OR (c.late_by IS NULL
					AND s.state = 'met_late' AND s.late_by
						= extract(epoch FROM s.met_at - s.due_at) * interval '1 second'))
				AND s.state NOT IN ('resolved', 'withdrawn')
				AND (s.next_at IS NULL OR s.next_at > p_now);
			n := s;
			n.team_id := c.team_id;
			n.audience := c.audience;
			n.warn_at := c.warn_at;
			n.due_at := c.due_at;
			n.escalate_at := c.escalate_at;
			n.escalate_to := c.escalate_to;
			n.met_at := c.met_at;
			n.met_by := c.met_by;
			n.late_by := c.late_by;
			n.suspended := c.suspended;
			n.kind := c.kind;
			n.finding_severity := c.finding_severity;
			st := casewatch.settle(n, p_now);
			n := casewatch.store_row(st.next, s);
		END IF;
		IF st.t_kind IS NOT NULL THEN
			ntrs := ntrs + 1;
			trs[ntrs] := casewatch.transition_of(n, st.t_kind, st.t_from, st.t_to,
				st.t_severity, st.t_audience, p_now, NULL);
		END IF;
	END LOOP;
	INSERT INTO casewatch.alert OVERRIDING SYSTEM VALUE SELECT * FROM unnest(fresh);
	RETURN QUERY SELECT * FROM casewatch.write_transitions(trs);
END;
$$;

-- Move stored obligations whose next_at has come (next_at <= now) to their
-- state at now, with no data change, at most p_limit rows per call, oldest
-- next_at first. Each settled row's next_at moves past now, so calling
-- again with the same now finds nothing; call while next_due() <= now.
CREATE FUNCTION casewatch.advance(p_now timestamptz, p_limit integer)
RETURNS SETOF casewatch.transition
LANGUAGE plpgsql AS $$
DECLARE
	s casewatch.alert;
	n casewatch.alert;
	st record;
	t casewatch.transition;
BEGIN
	IF p_now IS NULL OR p_limit IS NULL OR p_limit < 1 THEN
		RAISE EXCEPTION 'advance: now must be set and limit at least 1'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM casewatch.writer_lock();
	FOR s IN SELECT * FROM casewatch.alert WHERE next_at <= p_now
		ORDER BY next_at, alert_id LIMIT p_limit
	LOOP
		st := casewatch.settle(s, p_now);
		n := casewatch.store_row(st.next, s);
		IF st.t_kind IS NOT NULL THEN
			t := casewatch.emit(n, st.t_kind, st.t_from, st.t_to, st.t_severity,
				st.t_audience, p_now, NULL);
			RETURN NEXT t;
		END IF;
	END LOOP;
END;
$$;

-- When advance() next has work: the earliest next_at, null when none.
CREATE FUNCTION casewatch.next_due() RETURNS timestamptz
LANGUAGE sql STABLE AS $$
	SELECT min(next_at) FROM casewatch.alert
$$;

-- The open (announced) alerts a socket filter selects. Keys: alert_id (a
-- number or an array of numbers), person_id, rule_id, team_id, audience;
-- all given keys must match; an empty filter is refused.
CREATE FUNCTION casewatch.filter_alerts(p_filter jsonb, p_what text)
RETURNS SETOF casewatch.alert
LANGUAGE plpgsql STABLE AS $$
DECLARE
	bad text;
	ids bigint[];
BEGIN
	IF p_filter IS NULL OR jsonb_typeof(p_filter) <> 'object' OR p_filter = '{}' THEN
		RAISE EXCEPTION '%: filter: expected a non-empty object', p_what
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT k INTO bad FROM jsonb_object_keys(p_filter) k
		WHERE k NOT IN ('alert_id', 'person_id', 'rule_id', 'team_id', 'audience')
		ORDER BY k LIMIT 1;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION '%: filter: unknown key "%" (alert_id, person_id, rule_id, team_id, audience)',
			p_what, bad USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF jsonb_typeof(p_filter -> 'alert_id') = 'array' THEN
		SELECT array_agg(casewatch.json_id(v, p_what || ': filter.alert_id[]', true))
			INTO ids FROM jsonb_array_elements(p_filter -> 'alert_id') v;
	ELSIF p_filter ? 'alert_id' THEN
		ids := ARRAY[casewatch.json_id(p_filter -> 'alert_id', p_what || ': filter.alert_id', true)];
	END IF;
	RETURN QUERY SELECT * FROM casewatch.alert a
		WHERE a.announced_state IS NOT NULL
		AND (ids IS NULL OR a.alert_id = ANY (ids))
		AND (NOT p_filter ? 'person_id' OR a.person_id =
			casewatch.json_id(p_filter -> 'person_id', p_what || ': filter.person_id', true))
		AND (NOT p_filter ? 'team_id' OR a.team_id =
			casewatch.json_id(p_filter -> 'team_id', p_what || ': filter.team_id', true))
		AND (NOT p_filter ? 'rule_id' OR a.rule_id = p_filter ->> 'rule_id')
		AND (NOT p_filter ? 'audience' OR
			casewatch.state_audience(a.announced_state, a.audience, a.escalate_to)
				= p_filter ->> 'audience')
		ORDER BY a.alert_id;
END;
$$;

-- A member of staff has seen these open alerts: each not yet acknowledged
-- gets an `acknowledged` transition and an audit row. Acknowledging holds
-- nothing back: the alert still escalates, and escalation clears the
-- acknowledgement so the next audience sees it fresh.
CREATE FUNCTION casewatch.acknowledge(p_filter jsonb, p_actor text, p_reason text,
	p_now timestamptz)
RETURNS SETOF casewatch.transition
LANGUAGE plpgsql AS $$
DECLARE
	s casewatch.alert;
	n casewatch.alert;
	t casewatch.transition;
BEGIN
	IF p_actor IS NULL OR btrim(p_actor) = '' OR p_now IS NULL THEN
		RAISE EXCEPTION 'acknowledge: actor and now must be given'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM casewatch.writer_lock();
	FOR s IN SELECT * FROM casewatch.filter_alerts(p_filter, 'acknowledge') LOOP
		CONTINUE WHEN s.acked_at IS NOT NULL;
		n := s;
		n.acked_by := p_actor;
		n.acked_at := p_now;
		n.ack_reason := nullif(btrim(p_reason), '');
		n := casewatch.store_row(n, s);
		t := casewatch.emit(n, 'acknowledged', n.announced_state, n.announced_state, 'info',
			casewatch.state_audience(n.announced_state, n.audience, n.escalate_to), p_now, p_actor);
		INSERT INTO casewatch.audit (at, actor, action, alert_id, detail)
		VALUES (p_now, p_actor, 'acknowledge', n.alert_id,
			jsonb_build_object('filter', p_filter, 'reason', n.ack_reason,
				'transition_id', t.transition_id));
		RETURN NEXT t;
	END LOOP;
END;
$$;

-- Hold these open alerts back until p_until: no escalation is announced
-- before then; one that fell due meanwhile is announced when the snooze
-- ends (advance() wakes it at p_until). Resolution and withdrawal are never
-- held. Each alert whose snooze changes gets a `snoozed` transition and an
-- audit row. A reason is required.
CREATE FUNCTION casewatch.snooze(p_filter jsonb, p_actor text, p_reason text,
	p_until timestamptz, p_now timestamptz)
RETURNS SETOF casewatch.transition
LANGUAGE plpgsql AS $$
DECLARE
	s casewatch.alert;
	n casewatch.alert;
	st record;
	t casewatch.transition;
BEGIN
	IF p_actor IS NULL OR btrim(p_actor) = '' OR p_now IS NULL THEN
		RAISE EXCEPTION 'snooze: actor and now must be given'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_reason IS NULL OR btrim(p_reason) = '' THEN
		RAISE EXCEPTION 'snooze: a reason is required' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_until IS NULL OR p_until <= p_now THEN
		RAISE EXCEPTION 'snooze: until (%) must be after now (%)', p_until, p_now
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM casewatch.writer_lock();
	FOR s IN SELECT * FROM casewatch.filter_alerts(p_filter, 'snooze') LOOP
		CONTINUE WHEN s.snoozed_until IS NOT DISTINCT FROM p_until;
		n := s;
		n.snoozed_until := p_until;
		n.snooze_reason := btrim(p_reason);
		st := casewatch.settle(n, p_now);	-- holds anything due now, sets next_at
		n := casewatch.store_row(st.next, s);
		t := casewatch.emit(n, 'snoozed', n.announced_state, n.announced_state, 'info',
			casewatch.state_audience(n.announced_state, n.audience, n.escalate_to), p_now, p_actor);
		INSERT INTO casewatch.audit (at, actor, action, alert_id, detail)
		VALUES (p_now, p_actor, 'snooze', n.alert_id,
			jsonb_build_object('filter', p_filter, 'reason', n.snooze_reason,
				'until', p_until, 'transition_id', t.transition_id));
		RETURN NEXT t;
	END LOOP;
END;
$$;

-- Replay: the transitions after id p_after, in id order, at most p_limit.
CREATE FUNCTION casewatch.transitions_after(p_after bigint, p_limit integer)
RETURNS SETOF casewatch.transition
LANGUAGE sql STABLE AS $$
	SELECT * FROM casewatch.transition WHERE transition_id > p_after
	ORDER BY transition_id LIMIT p_limit
$$;

-- A sink has delivered every transition up to p_last_id; the cursor only
-- moves forward. Returns the cursor now stored.
CREATE FUNCTION casewatch.sink_delivered(p_sink text, p_last_id bigint) RETURNS bigint
LANGUAGE sql AS $$
	INSERT INTO casewatch.sink_position AS p (sink, transition_id, updated_at)
	VALUES (p_sink, p_last_id, now())
	ON CONFLICT (sink) DO UPDATE
		SET transition_id = greatest(p.transition_id, excluded.transition_id),
			updated_at = now()
	RETURNING transition_id
$$;

INSERT INTO casewatch.schema_version (version) VALUES (2);
