-- 012_unchanged.sql - an unchanged person costs reconcile_set() almost nothing: the caller may leave out their obligations, and only their rows that time has reached are read.
--
-- Like every migration it holds no transaction control: the daemon runs it
-- inside one transaction (by hand: psql --single-transaction -f FILE).
--
-- On a re-sweep of unchanged records nearly every person's digest is the
-- stored one, yet 011's reconcile_set() took two thirds of its time reading
-- every stored row of every person of the page (to drop the unchanged
-- ones again by an anti-join), and the daemon still built and sent every
-- obligation, which the server parsed and unnested to drop as well
-- (bench/RESULTS.md, "An unchanged person"). Now:
--  - reconcile_set() takes one more array, p_omitted: persons whose
--    obligations the caller left out because the digest it read from
--    casewatch.person_digest is the one it computed. Each must be one of
--    the persons whose digest matches here; otherwise (the digest changed
--    since it was read) the call fails with serialization_failure, naming
--    the person, and writes nothing: never is a person whose obligations
--    were left out taken for one who owes nothing;
--  - only the changed persons' stored rows are read; for the unchanged,
--    only rows time has reached;
--  - the digests of unchanged persons are not written again;
--  - a new row's next_at counts a completion dated after now, as
--    013_future_met.sql's alert_next_at() does;
--  - 001's index of alerts by person goes: the obligation key's serves.
-- The 20-argument form stays, for callers that send every obligation: it
-- is the new one with nothing left out. Rows and transitions written are
-- those 011 wrote (tests/sql-reconcile.sh compares them with reconcile()'s).

CREATE FUNCTION casewatch.reconcile_set(p_person_ids bigint[], p_digests bigint[],
	o_person bigint[], o_rule text[], o_anchor_kind text[], o_anchor_id bigint[],
	o_cycle_start timestamptz[], o_team bigint[], o_audience text[],
	o_warn timestamptz[], o_due timestamptz[], o_esc_at text[], o_esc_to text[],
	o_met_at timestamptz[], o_met_by bigint[], o_late_by_s bigint[],
	o_suspended boolean[], o_kind text[], o_severity text[],
	p_now timestamptz, p_omitted bigint[])
RETURNS SETOF casewatch.transition
LANGUAGE plpgsql AS $$
DECLARE
	audiences constant text[] := ARRAY['worker', 'team_manager', 'service_manager',
		'records_officer', 'operations'];
	anchors constant text[] := ARRAY['person', 'event', 'involvement', 'hazard', 'record',
		'info_sharing', 'deletion', 'restricted_access', 'access_request', 'forget_request'];
	n integer := coalesce(cardinality(o_person), 0);
	computed casewatch.alert[];
	same bigint[];
	changed bigint[];
	stored casewatch.alert[];
	bad text;
	c casewatch.alert;
	s casewatch.alert;
	nx casewatch.alert;
	pair record;
	st record;
	upd casewatch.alert[] := '{}';
	nupd integer := 0;
	dels bigint[] := '{}';
	trs casewatch.transition[] := '{}';
	ntrs integer := 0;
	ftrs casewatch.transition[];
	news casewatch.alert[] := '{}';
BEGIN
	IF p_now IS NULL OR p_person_ids IS NULL THEN
		RAISE EXCEPTION 'reconcile: person_ids and now must not be null'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF cardinality(p_digests) IS DISTINCT FROM cardinality(p_person_ids)
		OR NOT n = ALL (ARRAY[coalesce(cardinality(o_rule), 0), coalesce(cardinality(o_anchor_kind), 0),
			coalesce(cardinality(o_anchor_id), 0), coalesce(cardinality(o_cycle_start), 0),
			coalesce(cardinality(o_team), 0), coalesce(cardinality(o_audience), 0),
			coalesce(cardinality(o_warn), 0), coalesce(cardinality(o_due), 0),
			coalesce(cardinality(o_esc_at), 0), coalesce(cardinality(o_esc_to), 0),
			coalesce(cardinality(o_met_at), 0),
			coalesce(cardinality(o_met_by), 0), coalesce(cardinality(o_late_by_s), 0),
			coalesce(cardinality(o_suspended), 0), coalesce(cardinality(o_kind), 0),
			coalesce(cardinality(o_severity), 0)]) THEN
		RAISE EXCEPTION 'reconcile: the obligation arrays differ in length'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	PERFORM casewatch.writer_lock();
	-- Persons whose obligations are those of their last reconcile_set: their
	-- obligations are not even built (they were checked when stored).
	same := ARRAY(SELECT d.person_id FROM unnest(p_person_ids, p_digests) d(person_id, digest)
		JOIN casewatch.person_digest pd ON pd.person_id = d.person_id AND pd.digest = d.digest);
	-- A person whose obligations the caller left out must be one of them:
	-- were they taken for none, everything open for them would go.
	SELECT format('reconcile: person %s: its obligations were left out as unchanged, but the stored'
			' digest is not the one given (changed since it was read); send them', o.p)
		INTO bad
		FROM unnest(p_omitted) o(p) LEFT JOIN unnest(same) sm(p) ON sm.p = o.p
		WHERE sm.p IS NULL LIMIT 1;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION '%', bad USING ERRCODE = 'serialization_failure';
	END IF;
	-- The others: only their stored rows are read whole.
	changed := ARRAY(SELECT i.p FROM unnest(p_person_ids) i(p)
		LEFT JOIN unnest(same) sm(p) ON sm.p = i.p WHERE sm.p IS NULL);
	-- The rows. Each obligation's escalation steps come as two array
	-- literals ("{t1,t2}", "{team_manager,service_manager}"), cast here:
	-- flattened steps would need a slice or a grouped sort per obligation,
	-- which costs more than the rest of the reconcile.
	computed := ARRAY(
		SELECT ROW(NULL, u.rule, u.anchor_kind, u.anchor_id, 0, u.person, u.team, u.audience,
			NULL, u.due, u.warn, NULL, NULL,
			CASE WHEN u.late_s IS NOT NULL THEN u.late_s * interval '1 second' END,
			NULL, NULL, NULL, NULL, NULL, NULL, u.cycle_start,
			coalesce(u.kind, 'obligation'),
			CASE WHEN coalesce(u.kind, 'obligation') = 'finding' THEN u.severity END,
			coalesce(u.esc_at::timestamptz[], '{}'), coalesce(u.esc_to::text[], '{}'),
			u.met_at, u.met_by, coalesce(u.suspended, false), NULL, NULL)::casewatch.alert
		FROM unnest(o_person, o_rule, o_anchor_kind, o_anchor_id, o_cycle_start, o_team,
			o_audience, o_warn, o_due, o_esc_at, o_esc_to, o_met_at, o_met_by, o_late_by_s,
			o_suspended, o_kind, o_severity) WITH ORDINALITY
			u (person, rule, anchor_kind, anchor_id, cycle_start, team, audience, warn, due,
			esc_at, esc_to, met_at, met_by, late_s, suspended, kind, severity, ord)
		-- (= ANY, not an anti-join: same is empty in a first sweep, and
		-- nearly every obligation of a page with many left out is sent for
		-- a person not in it)
		WHERE coalesce(NOT u.person = ANY (same), true)
		ORDER BY u.ord);
	-- The checks reconcile() makes, set-based; the first problem, in the
	-- order of the obligations, names its index.
	SELECT format('reconcile: obligations[%s].%s', x.ordinality - 1, CASE
			WHEN x.person_id IS NULL THEN 'person_id: missing'
			WHEN x.rule_id IS NULL OR x.rule_id = '' THEN 'rule_id: expected a rule id'
			WHEN x.anchor_kind IS NULL OR NOT x.anchor_kind = ANY (anchors) THEN
				format('anchor_kind: expected one of %s, got %s', array_to_string(anchors, ', '),
					coalesce(x.anchor_kind, 'null'))
			WHEN x.anchor_id IS NULL THEN 'anchor_id: missing'
			WHEN x.audience IS NULL OR NOT x.audience = ANY (audiences) THEN
				format('audience: expected one of %s, got %s', array_to_string(audiences, ', '),
					coalesce(x.audience, 'null'))
			WHEN x.warn_at > x.due_at THEN 'warn_at: after due_at'
			WHEN cardinality(x.escalate_at) <> cardinality(x.escalate_to) THEN
				'escalations: as many audiences as times expected'
			WHEN NOT x.escalate_to <@ audiences THEN
				format('escalations: audience: expected one of %s', array_to_string(audiences, ', '))
			WHEN cardinality(x.escalate_at) > 0 AND (x.due_at IS NULL
				OR array_position(x.escalate_at, NULL) IS NOT NULL
				OR EXISTS (SELECT 1 FROM unnest(x.escalate_at) WITH ORDINALITY e(at, i)
					WHERE e.at < coalesce(x.escalate_at[e.i::integer - 1], x.due_at))) THEN
				'escalations: must be set, after due_at and after the step before'
			WHEN x.late_by < interval '0' THEN 'late_by_seconds: expected a number of seconds >= 0'
			WHEN x.kind NOT IN ('obligation', 'finding') THEN
				format('kind: expected one of obligation, finding, got %s', x.kind)
			WHEN x.sev IS NOT NULL AND x.sev NOT IN ('info', 'notice', 'warning', 'err') THEN
				format('severity: expected one of info, notice, warning, err, got %s', x.sev)
			END)
		INTO bad
		FROM (SELECT u.*, sv.sev FROM unnest(computed) WITH ORDINALITY u
			JOIN unnest(o_severity) WITH ORDINALITY sv(sev, ord) ON sv.ord = u.ordinality) x
		WHERE x.person_id IS NULL OR x.rule_id IS NULL OR x.rule_id = ''
			OR x.anchor_kind IS NULL OR NOT x.anchor_kind = ANY (anchors)
			OR x.anchor_id IS NULL OR x.audience IS NULL OR NOT x.audience = ANY (audiences)
			OR x.warn_at > x.due_at OR NOT x.escalate_to <@ audiences
			OR cardinality(x.escalate_at) <> cardinality(x.escalate_to)
			OR (cardinality(x.escalate_at) > 0 AND (x.due_at IS NULL
				OR array_position(x.escalate_at, NULL) IS NOT NULL
				OR EXISTS (SELECT 1 FROM unnest(x.escalate_at) WITH ORDINALITY e(at, i)
					WHERE e.at < coalesce(x.escalate_at[e.i::integer - 1], x.due_at))))
			OR x.late_by < interval '0' OR x.kind NOT IN ('obligation', 'finding')
			OR (x.sev IS NOT NULL AND x.sev NOT IN ('info', 'notice', 'warning', 'err'))
		ORDER BY x.ordinality LIMIT 1;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION '%', bad USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- (The first by min(), not ORDER BY ... LIMIT 1: with a limit the
	-- planner compares every obligation with every person, n times m.)
	SELECT format('reconcile: obligations[%s].person_id: %s is not one of the persons reconciled',
			x.ord - 1, o_person[x.ord])
		INTO bad
		FROM (SELECT min(y.ord) AS ord FROM unnest(o_person) WITH ORDINALITY y(person_id, ord)
			LEFT JOIN (SELECT DISTINCT p FROM unnest(p_person_ids) p) i ON i.p = y.person_id
			WHERE i.p IS NULL) x
		WHERE x.ord IS NOT NULL;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION '%', bad USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT format('reconcile: obligations: person %s, rule %s, %s %s%s given twice',
			x.person_id, x.rule_id, x.anchor_kind, x.anchor_id,
			coalesce(', cycle ' || x.cycle_start, ''))
		INTO bad
		FROM unnest(computed) x
		GROUP BY x.person_id, x.rule_id, x.anchor_kind, x.anchor_id, x.cycle_start
		HAVING count(*) > 1 LIMIT 1;
	IF bad IS NOT NULL THEN
		RAISE EXCEPTION '%', bad USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- The changed persons' stored rows, read once.
	stored := ARRAY(SELECT a FROM casewatch.alert a WHERE a.person_id = ANY (changed));
	-- New rows (no stored row: nearly every row of a first sweep), set
	-- aside in one statement: they are settled and inserted in one
	-- statement after the loop, which they would only pass through.
	IF cardinality(stored) = 0 THEN
		news := computed;
	ELSE
		news := ARRAY(SELECT x FROM unnest(computed) x
			LEFT JOIN unnest(stored) y ON y.person_id = x.person_id AND y.rule_id = x.rule_id
				AND y.anchor_kind = x.anchor_kind AND y.anchor_id = x.anchor_id
				AND coalesce(y.cycle_start, '-infinity') = coalesce(x.cycle_start, '-infinity')
			WHERE y.alert_id IS NULL);
	END IF;
	-- Only the stored pairs that can change, in reconcile()'s order: every
	-- stored row of a changed person but those with equal data that time has
	-- not reached, and the rows of an unchanged person that time has reached
	-- (paired with themselves: their data is what was computed).
	FOR pair IN
		SELECT q.x, q.y FROM (
			SELECT ROW(x.*)::casewatch.alert AS x, ROW(y.*)::casewatch.alert AS y FROM
				unnest(computed) x
				FULL JOIN unnest(stored) y
				ON y.person_id = x.person_id AND y.rule_id = x.rule_id
				AND y.anchor_kind = x.anchor_kind AND y.anchor_id = x.anchor_id
				AND coalesce(y.cycle_start, '-infinity') = coalesce(x.cycle_start, '-infinity')
			WHERE CASE
				WHEN x.rule_id IS NULL THEN
					y.announced_state IS NOT NULL OR y.state NOT IN ('resolved', 'withdrawn')
				WHEN y.alert_id IS NULL THEN false -- new: in news
				ELSE NOT ((x.team_id, x.audience, x.warn_at, x.due_at, x.escalate_at,
					x.escalate_to, x.met_at, x.met_by, x.suspended, x.kind, x.finding_severity)
					IS NOT DISTINCT FROM (y.team_id, y.audience, y.warn_at, y.due_at, y.escalate_at,
					y.escalate_to, y.met_at, y.met_by, y.suspended, y.kind, y.finding_severity)
					AND (x.late_by IS NOT DISTINCT FROM y.late_by OR (x.late_by IS NULL
						AND y.state = 'met_late' AND y.late_by
							= extract(epoch FROM y.met_at - y.due_at) * interval '1 second'))
					AND y.state NOT IN ('resolved', 'withdrawn')
					AND (y.next_at IS NULL OR y.next_at > p_now))
				END
			UNION ALL
			SELECT a, a FROM casewatch.alert a
				WHERE a.person_id = ANY (same) AND a.next_at <= p_now
		) q
		ORDER BY coalesce((q.x).person_id, (q.y).person_id), coalesce((q.x).rule_id, (q.y).rule_id),
			coalesce((q.x).anchor_kind, (q.y).anchor_kind), coalesce((q.x).anchor_id, (q.y).anchor_id),
			coalesce((q.x).cycle_start, (q.y).cycle_start) NULLS FIRST
	LOOP
		-- From here on, reconcile()'s loop body for stored rows, but the
		-- writes are collected and made after the loop, one statement each.
		c := pair.x;
		s := pair.y;
		IF c.rule_id IS NULL THEN
			IF s.announced_state IS NOT NULL THEN
				nx := s;
				nx.announced_state := NULL;
				nx.next_at := NULL;
				IF s.kind = 'finding' THEN
					nx.state := 'resolved';
					nx.resolved_at := p_now;
				ELSE
					nx.state := 'withdrawn';
				END IF;
				nupd := nupd + 1;
				upd[nupd] := nx;
				ntrs := ntrs + 1;
				trs[ntrs] := casewatch.transition_of(nx,
					CASE nx.state WHEN 'resolved' THEN 'resolved' ELSE 'withdrawn' END,
					s.announced_state, nx.state,
					CASE nx.state WHEN 'resolved' THEN 'notice' ELSE 'info' END,
					casewatch.state_audience(s.announced_state, s.audience, s.escalate_to),
					p_now, NULL);
			ELSIF s.state NOT IN ('resolved', 'withdrawn') THEN
				IF EXISTS (SELECT 1 FROM casewatch.transition WHERE alert_id = s.alert_id) THEN
					nx := s;
					nx.state := 'withdrawn';
					nx.next_at := NULL;
					nupd := nupd + 1;
					upd[nupd] := nx;
				ELSE
					dels := dels || s.alert_id;
				END IF;
			END IF;
			CONTINUE;
		END IF;
		nx := s;
		nx.team_id := c.team_id;
		nx.audience := c.audience;
		nx.warn_at := c.warn_at;
		nx.due_at := c.due_at;
		nx.escalate_at := c.escalate_at;
		nx.escalate_to := c.escalate_to;
		nx.met_at := c.met_at;
		nx.met_by := c.met_by;
		nx.late_by := c.late_by;
		nx.suspended := c.suspended;
		nx.kind := c.kind;
		nx.finding_severity := c.finding_severity;
		st := casewatch.settle(nx, p_now);
		nx := st.next;
		-- (casewatch.store_row's test: a row equal to the stored one is not written)
		IF nx IS DISTINCT FROM s THEN
			nupd := nupd + 1;
			upd[nupd] := nx;
		END IF;
		IF st.t_kind IS NOT NULL THEN
			ntrs := ntrs + 1;
			trs[ntrs] := casewatch.transition_of(nx, st.t_kind, st.t_from, st.t_to,
				st.t_severity, st.t_audience, p_now, NULL);
		END IF;
	END LOOP;
	-- The stored rows' writes: one UPDATE (so the open-count trigger runs
	-- once, not once a row) and one DELETE.
	IF nupd > 0 THEN
		UPDATE casewatch.alert a SET team_id = u.team_id, audience = u.audience,
			state = u.state, due_at = u.due_at, warn_at = u.warn_at, next_at = u.next_at,
			resolved_at = u.resolved_at, late_by = u.late_by, kind = u.kind,
			finding_severity = u.finding_severity, escalate_at = u.escalate_at,
			escalate_to = u.escalate_to, met_at = u.met_at, met_by = u.met_by,
			suspended = u.suspended, announced_state = u.announced_state,
			acked_by = u.acked_by, acked_at = u.acked_at, ack_reason = u.ack_reason,
			snoozed_until = u.snoozed_until, snooze_reason = u.snooze_reason,
			updated_at = now()
		FROM unnest(upd) u
		WHERE a.alert_id = u.alert_id;
	END IF;
	IF cardinality(dels) > 0 THEN
		DELETE FROM casewatch.alert WHERE alert_id = ANY (dels);
	END IF;
	-- New rows: casewatch.settle() of a row with nothing announced, as
	-- expressions, inserted in the loop's order, the key's (their ids are
	-- drawn in that order). A row whose state is announced (due soon or
	-- later) is raised straight to it; the rest wait, pending, met or
	-- suspended. (MATERIALIZED: the state once a row, not once a use.)
	WITH f AS MATERIALIZED (
		SELECT x.*, casewatch.alert_state(x, p_now) AS s
		FROM unnest(news) x
	), ins AS (
		INSERT INTO casewatch.alert (rule_id, anchor_kind, anchor_id, occurrence, person_id,
			team_id, audience, state, due_at, warn_at, next_at, late_by, cycle_start, kind,
			finding_severity, escalate_at, escalate_to, met_at, met_by, suspended,
			announced_state)
		SELECT f.rule_id, f.anchor_kind, f.anchor_id, f.occurrence, f.person_id,
			f.team_id, f.audience, f.s, f.due_at, f.warn_at,
			-- casewatch.alert_next_at() of a row with no snooze (as 013
			-- has it: a completion dated after now is a time that moves it)
			CASE WHEN f.s IN ('met_on_time', 'met_late') THEN NULL
				WHEN f.s = 'suspended' THEN CASE WHEN f.met_at > p_now THEN f.met_at END
				ELSE least(CASE WHEN f.warn_at > p_now THEN f.warn_at END,
					CASE WHEN f.due_at > p_now THEN f.due_at END,
					f.escalate_at[array_lower(f.escalate_at, 1)
						+ width_bucket(p_now, f.escalate_at)],
					CASE WHEN f.met_at > p_now THEN f.met_at END) END,
			CASE WHEN f.s = 'met_late' THEN coalesce(f.late_by,
				extract(epoch FROM f.met_at - f.due_at) * interval '1 second') END,
			f.cycle_start, f.kind, f.finding_severity, f.escalate_at, f.escalate_to,
			f.met_at, f.met_by, f.suspended,
			CASE WHEN casewatch.state_rank(f.s) > 0 THEN f.s END
		FROM f
		ORDER BY f.person_id, f.rule_id, f.anchor_kind, f.anchor_id, f.cycle_start NULLS FIRST
		RETURNING *)
	SELECT array_agg(casewatch.transition_of(ROW(i.*)::casewatch.alert, 'raised', NULL, i.state,
			CASE WHEN i.kind = 'finding' AND casewatch.state_rank(i.state) <= 2
				THEN coalesce(i.finding_severity, 'warning')
				ELSE casewatch.state_severity(i.state) END,
			casewatch.state_audience(i.state, i.audience, i.escalate_to), p_now, NULL)
			ORDER BY i.alert_id)
		INTO ftrs
		FROM ins i WHERE i.announced_state IS NOT NULL;
	-- The digests last: the deletes above forgot those of their persons.
	INSERT INTO casewatch.person_digest AS pd (person_id, digest)
	SELECT DISTINCT ON (d.person_id) d.person_id, d.digest
	FROM unnest(p_person_ids, p_digests) d(person_id, digest)
	LEFT JOIN unnest(same) sm(p) ON sm.p = d.person_id
	WHERE d.digest IS NOT NULL AND sm.p IS NULL
	ORDER BY d.person_id
	ON CONFLICT (person_id) DO UPDATE SET digest = excluded.digest
	WHERE pd.digest IS DISTINCT FROM excluded.digest;
	-- The transitions in reconcile()'s order: the stored rows' (in order
	-- already) merged with the new rows' by the obligation key.
	IF cardinality(ftrs) > 0 THEN
		IF ntrs > 0 THEN
			trs := ARRAY(SELECT t FROM unnest(trs || ftrs) t
				ORDER BY t.person_id, t.rule_id, t.anchor_kind, t.anchor_id,
					t.cycle_start NULLS FIRST);
		ELSE
			trs := ftrs;
		END IF;
		ntrs := cardinality(trs);
	END IF;
	IF ntrs > 0 THEN
		RETURN QUERY SELECT * FROM casewatch.write_transitions(trs);
	END IF;
END;
$$;

-- The form without p_omitted: every obligation sent, none left out.
CREATE OR REPLACE FUNCTION casewatch.reconcile_set(p_person_ids bigint[], p_digests bigint[],
	o_person bigint[], o_rule text[], o_anchor_kind text[], o_anchor_id bigint[],
	o_cycle_start timestamptz[], o_team bigint[], o_audience text[],
	o_warn timestamptz[], o_due timestamptz[], o_esc_at text[], o_esc_to text[],
	o_met_at timestamptz[], o_met_by bigint[], o_late_by_s bigint[],
	o_suspended boolean[], o_kind text[], o_severity text[],
	p_now timestamptz)
RETURNS SETOF casewatch.transition
LANGUAGE sql AS $$
	SELECT * FROM casewatch.reconcile_set(p_person_ids, p_digests, o_person, o_rule, o_anchor_kind,
		o_anchor_id, o_cycle_start, o_team, o_audience, o_warn, o_due, o_esc_at, o_esc_to,
		o_met_at, o_met_by, o_late_by_s, o_suspended, o_kind, o_severity, p_now, '{}')
$$;

-- Every alert written maintained two indexes leading with person_id:
-- 001's (person_id) and the obligation key's, which serves every look-up
-- the first did (a person's rows, a page's, the orphans' scan).
DROP INDEX casewatch.alert_person_idx;
