-- 004_digest.sql - digests for people: "since the last digest" cursors, the digest itself, and undoing an ack or snooze.
--
-- Run inside one transaction by the daemon, like every migration.
-- docs/casewatchctl.md (digest) and docs/protocol.md (digest, unack,
-- unsnooze, audit) describe what the functions return:
--
--   casewatch.team_ids(teams text[])                                        -> bigint[]
--   casewatch.digest(teams bigint[], audience, worker, since, now, cap, mark, actor) -> jsonb
--   casewatch.unacknowledge(filter jsonb, actor, now)                        -> SETOF transition
--   casewatch.unsnooze(filter jsonb, actor, now)                             -> SETOF transition

-- Where each recipient's last digest got to. A recipient is an audience and
-- the teams (or worker) its digest covers, e.g. 'team_manager:5'.
CREATE TABLE casewatch.digest_cursor (
	recipient text PRIMARY KEY,
	transition_id bigint NOT NULL,		-- the last transition the digest covered
	at timestamptz NOT NULL,		-- the daemon's time of that digest
	actor text NOT NULL			-- who sent it (peer user name)
);

-- Undoing an acknowledgement or a snooze is a transition too, so that every
-- reader of the feed sees the alert as it is.
ALTER TABLE casewatch.transition DROP CONSTRAINT transition_kind_check;
ALTER TABLE casewatch.transition ADD CONSTRAINT transition_kind_check
	CHECK (kind IN ('raised', 'escalated', 'resolved', 'withdrawn', 'acknowledged',
		'snoozed', 'unacknowledged', 'unsnoozed'));

-- Digests read a person's worker and the transitions of one alert in order.
CREATE INDEX transition_alert_id_idx ON casewatch.transition (alert_id, transition_id);

-- A team's short code for people: records.team's code, else T and the id
-- in three digits or more (as the generator makes them). PL/pgSQL, like
-- every function here that reads the records: the records interface may be
-- created after casewatch's schema, and SQL functions' bodies are checked
-- when they are created.
CREATE FUNCTION casewatch.team_code(p_team bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN coalesce((SELECT t.code FROM records.team t WHERE t.team_id = p_team),
		'T' || lpad(p_team::text, 3, '0'));
END;
$$;

-- Teams as people name them, ids or codes ('5', 'T005'), as ids; an
-- unknown one is refused, naming it. NULL for NULL.
CREATE FUNCTION casewatch.team_ids(p_teams text[]) RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
DECLARE
	x text;
	id bigint;
	res bigint[] := '{}';
BEGIN
	IF p_teams IS NULL THEN
		RETURN NULL;
	END IF;
	FOREACH x IN ARRAY p_teams LOOP
		SELECT t.team_id INTO id FROM records.team t WHERE t.code = x;
		IF id IS NULL AND x ~ '^[0-9]{1,18}$' THEN
			id := x::bigint;
		END IF;
		IF id IS NULL THEN
			RAISE EXCEPTION 'digest: no team has the id or code "%"', x
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		res := res || id;
	END LOOP;
	RETURN res;
END;
$$;

-- Whose digest: the audience, then the teams ("all" for none given), then
-- the worker when there is one: 'team_manager:5', 'worker:5:1203'.
CREATE FUNCTION casewatch.digest_recipient(p_teams bigint[], p_audience text, p_worker bigint)
RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT p_audience || ':' || coalesce(nullif(array_to_string(ARRAY(SELECT DISTINCT t
		FROM unnest(p_teams) t ORDER BY t), ','), ''), 'all')
		|| coalesce(':' || p_worker, '')
$$;

-- An open alert as a digest item: ids, codes and UTC times only.
CREATE FUNCTION casewatch.digest_item(a casewatch.alert, p_worker bigint, p_now timestamptz)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_strip_nulls(jsonb_build_object(
		'alert_id', a.alert_id::text, 'rule_id', a.rule_id, 'person_id', a.person_id::text,
		'team', a.team_id::text, 'worker', p_worker::text,
		'state', a.announced_state, 'kind', a.kind,
		'audience', casewatch.state_audience(a.announced_state, a.audience, a.escalate_to),
		'due', to_char(a.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		'anchor_kind', a.anchor_kind, 'anchor_id', a.anchor_id::text,
		'acknowledged', a.acked_at IS NOT NULL,
		'snoozed_until', CASE WHEN a.snoozed_until > p_now THEN
			to_char(a.snoozed_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') END))
$$;

-- The digest of one recipient, as of p_now (the daemon's clock):
--   team_manager     the teams' open alerts; escalated past the team manager apart
--   service_manager  the teams' (or every team's) escalated alerts, teams furthest behind
--   records_officer  the alerts for the records officer (retention notices)
--   worker           the open alerts of one worker's allocated persons
-- "Since the last digest" starts after p_since when given, else after the
-- recipient's stored cursor, else a day before p_now. With p_mark the
-- recipient's cursor moves to the last transition this digest covered.
-- Lists hold at most p_cap items each; their totals say how many exist.
CREATE FUNCTION casewatch.digest(p_teams bigint[], p_audience text, p_worker bigint,
	p_since bigint, p_now timestamptz, p_cap integer, p_mark boolean, p_actor text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v_recipient text := casewatch.digest_recipient(p_teams, p_audience, p_worker);
	upto bigint;
	since_id bigint := p_since;
	since_at timestamptz;
	since_from text := 'given';
	week_ago timestamptz := p_now - interval '7 days';
	have_week boolean;
	mine text[];		-- the audiences whose items are this recipient's own list
	r jsonb;
BEGIN
	IF p_now IS NULL OR p_cap IS NULL OR p_cap < 0 THEN
		RAISE EXCEPTION 'digest: now and a cap of 0 or more must be given'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_audience IS NULL OR p_audience NOT IN ('team_manager', 'service_manager',
		'records_officer', 'worker') THEN
		RAISE EXCEPTION 'digest: audience must be team_manager, service_manager, records_officer or worker'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_audience = 'team_manager' AND coalesce(cardinality(p_teams), 0) = 0 THEN
		RAISE EXCEPTION 'digest: a team manager''s digest needs a team'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF p_audience = 'worker' AND p_worker IS NULL THEN
		RAISE EXCEPTION 'digest: a worker''s digest needs the worker''s staff id'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT coalesce(max(transition_id), 0) INTO upto FROM casewatch.transition;
	IF since_id IS NULL THEN
		SELECT c.transition_id, c.at INTO since_id, since_at FROM casewatch.digest_cursor c
			WHERE c.recipient = v_recipient;
		since_from := CASE WHEN since_id IS NULL THEN 'a_day' ELSE 'last_digest' END;
	END IF;
	IF since_id IS NULL THEN
		since_at := p_now - interval '1 day';
		SELECT coalesce(max(transition_id), 0) INTO since_id FROM casewatch.transition
			WHERE at <= since_at;
	ELSIF since_at IS NULL THEN
		SELECT at INTO since_at FROM casewatch.transition WHERE transition_id = since_id;
	END IF;
	IF since_id > upto THEN
		RAISE EXCEPTION 'digest: since % is after the last transition (%)', since_id, upto
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	have_week := EXISTS (SELECT 1 FROM casewatch.transition WHERE at <= week_ago);
	mine := CASE p_audience
		WHEN 'team_manager' THEN ARRAY['worker', 'team_manager']
		WHEN 'worker' THEN ARRAY['worker', 'team_manager']	-- the service manager's apart
		WHEN 'service_manager' THEN ARRAY['service_manager']
		ELSE ARRAY['records_officer'] END;

	-- The alerts in scope (open or not), each with its worker and its
	-- audience now; then every figure from them.
	CREATE TEMP TABLE IF NOT EXISTS digest_scope (a casewatch.alert, worker bigint,
		aud text, rank integer, open boolean, is_new boolean) ON COMMIT DROP;
	TRUNCATE digest_scope;
	INSERT INTO digest_scope
	SELECT a, p.allocated_worker_id,
		casewatch.state_audience(a.announced_state, a.audience, a.escalate_to),
		casewatch.state_rank(a.announced_state), a.announced_state IS NOT NULL,
		a.announced_state IS NOT NULL AND EXISTS (SELECT 1 FROM casewatch.transition t
			WHERE t.alert_id = a.alert_id AND t.transition_id > since_id
			AND t.transition_id <= upto AND t.kind IN ('raised', 'escalated'))
	FROM casewatch.alert a LEFT JOIN records.person p ON p.person_id = a.person_id
	WHERE (coalesce(cardinality(p_teams), 0) = 0 OR a.team_id = ANY (p_teams))
	AND (p_worker IS NULL OR p.allocated_worker_id = p_worker)
	AND (a.announced_state IS NOT NULL OR a.state IN ('pending', 'due_soon'));

	r := jsonb_build_object('recipient', v_recipient, 'audience', p_audience,
		'as_of', to_char(p_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		'since', since_id::text, 'since_from', since_from,
		'since_at', to_char(since_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
		'upto', upto::text, 'cap', p_cap, 'marked', coalesce(p_mark, false),
		'worker', p_worker::text,
		'teams', (SELECT coalesce(jsonb_agg(jsonb_build_object('team', t::text,
			'code', casewatch.team_code(t)) ORDER BY t), '[]')
			FROM (SELECT DISTINCT t FROM unnest(p_teams) t) s));

	-- The summary.
	r := r || jsonb_build_object('summary', (SELECT jsonb_build_object(
		'open', count(*) FILTER (WHERE open),
		'overdue', count(*) FILTER (WHERE open AND rank >= 2 AND (a).kind = 'obligation'),
		'due_soon', count(*) FILTER (WHERE open AND rank = 1),
		'due_this_week', count(*) FILTER (WHERE (a).kind = 'obligation' AND rank < 2
			AND (a).met_at IS NULL AND NOT (a).suspended
			AND (a).due_at >= p_now AND (a).due_at < p_now + interval '7 days'),
		'escalated', count(*) FILTER (WHERE open AND rank > 2),
		'with_service_manager', count(*) FILTER (WHERE open AND aud = 'service_manager'
			AND (a).kind = 'obligation'),
		'findings', count(*) FILTER (WHERE open AND (a).kind = 'finding'),
		'acknowledged', count(*) FILTER (WHERE open AND (a).acked_at IS NOT NULL),
		'new', count(*) FILTER (WHERE is_new AND aud = ANY (mine))) FROM digest_scope));
	r := jsonb_set(r, '{summary}', (r -> 'summary') || (SELECT jsonb_build_object(
		-- Obligations only, as 'overdue' counts them (a finding is never "overdue").
		'newly_overdue', count(DISTINCT t.alert_id) FILTER (WHERE casewatch.state_rank(t.to_state) >= 2
			AND casewatch.state_rank(t.from_state) < 2 AND t.kind IN ('raised', 'escalated')
			AND a.kind = 'obligation'),
		'resolved_on_time', count(*) FILTER (WHERE t.kind = 'resolved' AND t.to_state = 'met_on_time'),
		'resolved_late', count(*) FILTER (WHERE t.kind = 'resolved' AND t.to_state = 'met_late'),
		'withdrawn', count(*) FILTER (WHERE t.kind = 'withdrawn'))
		FROM casewatch.transition t JOIN casewatch.alert a ON a.alert_id = t.alert_id
		LEFT JOIN records.person p ON p.person_id = a.person_id
		WHERE t.transition_id > since_id AND t.transition_id <= upto
		AND (coalesce(cardinality(p_teams), 0) = 0 OR a.team_id = ANY (p_teams))
		AND (p_worker IS NULL OR p.allocated_worker_id = p_worker)));
	r := jsonb_set(r, '{summary,overdue_week_ago}', CASE WHEN have_week THEN to_jsonb((
		SELECT count(*) FROM (SELECT DISTINCT ON (t.alert_id) t.kind, t.to_state
			FROM casewatch.transition t JOIN casewatch.alert a ON a.alert_id = t.alert_id
			LEFT JOIN records.person p ON p.person_id = a.person_id
			WHERE t.at <= week_ago AND a.kind = 'obligation'
			AND (coalesce(cardinality(p_teams), 0) = 0 OR a.team_id = ANY (p_teams))
			AND (p_worker IS NULL OR p.allocated_worker_id = p_worker)
			ORDER BY t.alert_id, t.transition_id DESC) w
		WHERE w.kind NOT IN ('resolved', 'withdrawn') AND casewatch.state_rank(w.to_state) >= 2))
		ELSE 'null' END);

	-- Per worker (the unallocated last), per rule.
	r := r || jsonb_build_object('workers', (SELECT coalesce(jsonb_agg(jsonb_strip_nulls(
		jsonb_build_object('worker', w.worker::text, 'role', st.role, 'open', w.open,
			'overdue', w.overdue, 'due_soon', w.due_soon, 'escalated', w.escalated,
			'with_service_manager', w.with_sm))
		ORDER BY w.worker IS NULL, w.overdue DESC, w.due_soon DESC, w.worker), '[]')
		FROM (SELECT worker, count(*) open, count(*) FILTER (WHERE rank >= 2) overdue,
			count(*) FILTER (WHERE rank = 1) due_soon, count(*) FILTER (WHERE rank > 2) escalated,
			count(*) FILTER (WHERE aud = 'service_manager') with_sm
			FROM digest_scope WHERE open AND (a).kind = 'obligation' GROUP BY worker) w
		LEFT JOIN records.staff st ON st.staff_id = w.worker));
	r := r || jsonb_build_object('rules', (SELECT coalesce(jsonb_agg(jsonb_build_object(
		'rule_id', x.rule_id, 'kind', x.kind, 'open', x.open, 'due_soon', x.due_soon,
		'overdue', x.overdue, 'escalated', x.escalated, 'acknowledged', x.acked)
		ORDER BY x.open DESC, x.rule_id), '[]')
		FROM (SELECT (a).rule_id, (a).kind, count(*) open, count(*) FILTER (WHERE rank = 1) due_soon,
			count(*) FILTER (WHERE rank = 2) overdue, count(*) FILTER (WHERE rank > 2) escalated,
			count(*) FILTER (WHERE (a).acked_at IS NOT NULL) acked
			FROM digest_scope WHERE open GROUP BY 1, 2) x));

	-- The items: new since the last digest; the longest overdue of the
	-- rest; escalated past the recipient (to the service manager).
	r := r || (SELECT jsonb_build_object('new_total', count(*),
		'new', coalesce(jsonb_agg(i.item ORDER BY i.rank DESC, i.due NULLS FIRST, i.id)
			FILTER (WHERE i.n <= p_cap), '[]'))
		FROM (SELECT casewatch.digest_item(a, worker, p_now) item, rank, (a).due_at due,
			(a).alert_id id, row_number() OVER (ORDER BY rank DESC, (a).due_at NULLS FIRST,
			(a).alert_id) n
			FROM digest_scope WHERE is_new AND aud = ANY (mine) AND (a).kind = 'obligation') i);
	r := r || (SELECT jsonb_build_object('overdue_total', count(*),
		'overdue', coalesce(jsonb_agg(i.item ORDER BY i.due, i.id) FILTER (WHERE i.n <= p_cap), '[]'))
		FROM (SELECT casewatch.digest_item(a, worker, p_now) item, (a).due_at due, (a).alert_id id,
			row_number() OVER (ORDER BY (a).due_at, (a).alert_id) n
			FROM digest_scope WHERE open AND NOT is_new AND rank >= 2 AND aud = ANY (mine)
			AND (a).kind = 'obligation') i);
	IF p_audience IN ('team_manager', 'worker') THEN
		r := r || (SELECT jsonb_build_object('escalated_total', count(*),
			'escalated', coalesce(jsonb_agg(i.item ORDER BY i.due, i.id) FILTER (WHERE i.n <= p_cap), '[]'))
			FROM (SELECT casewatch.digest_item(a, worker, p_now) item, (a).due_at due, (a).alert_id id,
				row_number() OVER (ORDER BY (a).due_at, (a).alert_id) n
				FROM digest_scope WHERE open AND aud = 'service_manager' AND (a).kind = 'obligation') i);
	END IF;

	-- Data-quality findings, by rule; each item names the record to fix.
	r := r || jsonb_build_object('findings', (SELECT coalesce(jsonb_agg(jsonb_build_object(
		'rule_id', f.rule_id, 'count', f.n, 'items', f.items) ORDER BY f.n DESC, f.rule_id), '[]')
		FROM (SELECT i.rule_id, count(*) n, coalesce(jsonb_agg(i.item ORDER BY i.k)
			FILTER (WHERE i.k <= p_cap), '[]') items
			FROM (SELECT (a).rule_id, casewatch.digest_item(a, worker, p_now) item,
				row_number() OVER (PARTITION BY (a).rule_id ORDER BY (a).person_id,
					(a).anchor_id, (a).alert_id) k
				FROM digest_scope WHERE open AND (a).kind = 'finding') i
			GROUP BY 1) f));

	-- The service manager: the teams, furthest behind first.
	IF p_audience = 'service_manager' THEN
		r := r || jsonb_build_object('teams_behind', (SELECT coalesce(jsonb_agg(jsonb_build_object(
			'team', x.team::text, 'code', casewatch.team_code(x.team), 'open', x.open,
			'overdue', x.overdue, 'escalated', x.escalated,
			'with_service_manager', x.with_sm, 'due_soon', x.due_soon)
			ORDER BY x.overdue DESC, x.with_sm DESC, x.team), '[]')
			FROM (SELECT (a).team_id team, count(*) open, count(*) FILTER (WHERE rank >= 2) overdue,
				count(*) FILTER (WHERE rank > 2) escalated,
				count(*) FILTER (WHERE aud = 'service_manager') with_sm,
				count(*) FILTER (WHERE rank = 1) due_soon
				FROM digest_scope WHERE open AND (a).kind = 'obligation' AND (a).team_id IS NOT NULL
				GROUP BY 1) x));
	END IF;

	IF p_mark THEN
		IF p_actor IS NULL OR btrim(p_actor) = '' THEN
			RAISE EXCEPTION 'digest: marking a digest as sent needs an actor'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		INSERT INTO casewatch.digest_cursor AS c (recipient, transition_id, at, actor)
		VALUES (v_recipient, upto, p_now, p_actor)
		ON CONFLICT ON CONSTRAINT digest_cursor_pkey DO UPDATE
			SET transition_id = excluded.transition_id, at = excluded.at, actor = excluded.actor;
	END IF;
	TRUNCATE digest_scope;
	RETURN r;
END;
$$;

-- Take back an acknowledgement: the alert is unacknowledged again, with an
-- `unacknowledged` transition and an audit row. Alerts not acknowledged are
-- left alone.
CREATE FUNCTION casewatch.unacknowledge(p_filter jsonb, p_actor text, p_now timestamptz)
RETURNS SETOF casewatch.transition
LANGUAGE plpgsql AS $$
DECLARE
	s casewatch.alert;
	n casewatch.alert;
	t casewatch.transition;
BEGIN
	IF p_actor IS NULL OR btrim(p_actor) = '' OR p_now IS NULL THEN
		RAISE EXCEPTION 'unacknowledge: actor and now must be given'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM casewatch.writer_lock();
	FOR s IN SELECT * FROM casewatch.filter_alerts(p_filter, 'unacknowledge') LOOP
		CONTINUE WHEN s.acked_at IS NULL;
		n := s;
		n.acked_by := NULL;
		n.acked_at := NULL;
		n.ack_reason := NULL;
		n := casewatch.store_row(n, s);
		t := casewatch.emit(n, 'unacknowledged', n.announced_state, n.announced_state, 'info',
			casewatch.state_audience(n.announced_state, n.audience, n.escalate_to), p_now, p_actor);
		INSERT INTO casewatch.audit (at, actor, action, alert_id, detail)
		VALUES (p_now, p_actor, 'unacknowledge', n.alert_id,
			jsonb_build_object('filter', p_filter, 'was_by', s.acked_by, 'was_reason', s.ack_reason,
				'transition_id', t.transition_id));
		RETURN NEXT t;
	END LOOP;
END;
$$;

-- End a snooze now: an escalation it held back is announced by the next
-- advance() (next_at becomes now). `unsnoozed` transition and audit row.
CREATE FUNCTION casewatch.unsnooze(p_filter jsonb, p_actor text, p_now timestamptz)
RETURNS SETOF casewatch.transition
LANGUAGE plpgsql AS $$
DECLARE
	s casewatch.alert;
	n casewatch.alert;
	t casewatch.transition;
BEGIN
	IF p_actor IS NULL OR btrim(p_actor) = '' OR p_now IS NULL THEN
		RAISE EXCEPTION 'unsnooze: actor and now must be given'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM casewatch.writer_lock();
	FOR s IN SELECT * FROM casewatch.filter_alerts(p_filter, 'unsnooze') LOOP
		CONTINUE WHEN s.snoozed_until IS NULL OR s.snoozed_until <= p_now;
		n := s;
		n.snoozed_until := NULL;
		n.snooze_reason := NULL;
		-- what the snooze held back is due now
		n.next_at := CASE WHEN casewatch.state_rank(casewatch.alert_state(n, p_now))
			> casewatch.state_rank(n.announced_state) THEN p_now
			ELSE casewatch.alert_next_at(n, p_now) END;
		n := casewatch.store_row(n, s);
		t := casewatch.emit(n, 'unsnoozed', n.announced_state, n.announced_state, 'info',
			casewatch.state_audience(n.announced_state, n.audience, n.escalate_to), p_now, p_actor);
		INSERT INTO casewatch.audit (at, actor, action, alert_id, detail)
		VALUES (p_now, p_actor, 'unsnooze', n.alert_id,
			jsonb_build_object('filter', p_filter, 'was_until', s.snoozed_until,
				'was_reason', s.snooze_reason, 'transition_id', t.transition_id));
		RETURN NEXT t;
	END LOOP;
END;
$$;

INSERT INTO casewatch.schema_version (version) VALUES (4);
