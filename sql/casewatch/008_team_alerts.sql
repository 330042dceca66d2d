-- 008_team_alerts.sql - team-level alerts: a team as the subject (no person), their counts, and their reconcile.
--
-- Like every migration it holds no transaction control: the daemon runs it
-- inside one transaction (by hand: psql --single-transaction -f FILE).
-- docs/lifecycle.md ("Team-level alerts") explains them; the function:
--
--   casewatch.reconcile_team(period_start, rule[], team[], audience[], first_at[],
--                            escalate_at[], count[], unagreed[], now) -> SETOF transition
--   casewatch.digest(...) (004's, now with the team-level alerts; 004's is digest_persons)
--
-- A team-level alert is a casewatch.alert row with person_id null and
-- anchor_kind 'team' (001 allows exactly that), anchor_id the team, and
-- cycle_start the start of the period it counts (ROLLBACK-RATE: a London
-- calendar month). It is a finding: raised at the first roll-back of the
-- period, escalated when the period's count passes the profile's number or
-- a roll-back was not agreed, withdrawn when the records no longer show any
-- roll-back in the period, resolved when the period is over.

-- 002's key starts with person_id, which is null here, and nulls never
-- collide in a unique index: team-level alerts get a key of their own.
CREATE UNIQUE INDEX alert_team_key ON casewatch.alert
	(rule_id, anchor_kind, anchor_id, coalesce(cycle_start, '-infinity'))
	WHERE person_id IS NULL;

-- What a team-level alert counts, as of the last reconcile: shown by the
-- alerts command and the digest, never in a transition (numbers, no names).
CREATE TABLE casewatch.team_count (
	alert_id bigint PRIMARY KEY REFERENCES casewatch.alert ON DELETE CASCADE,
	counted integer NOT NULL CHECK (counted >= 0),	-- roll-backs in the period
	unagreed integer NOT NULL CHECK (unagreed >= 0 AND unagreed <= counted),
	updated_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE casewatch.team_count IS
	'what each team-level alert counts (casewatch.reconcile_team, docs/lifecycle.md)';

-- The team-level alerts of the current period, one element per alert:
-- rule, team, audience, the first roll-back (the alert's due time: a
-- finding is raised once due), and the escalation time (null: none; when
-- the count passed the profile's number or the first roll-back nobody
-- agreed). Stored open team-level alerts that are not among them are
-- closed: resolved when their period is over (before p_period_start),
-- withdrawn when it is the current one (the records changed). The same
-- lifecycle as every alert (casewatch.settle), so acknowledging, snoozing
-- and delivery treat them alike; transitions are written in order.
CREATE FUNCTION casewatch.reconcile_team(p_period_start timestamptz,
	t_rule text[], t_team bigint[], t_audience text[], t_first timestamptz[],
	t_escalate timestamptz[], t_count integer[], t_unagreed integer[],
	p_now timestamptz)
RETURNS SETOF casewatch.transition
LANGUAGE plpgsql AS $$
DECLARE
	audiences constant text[] := ARRAY['worker', 'team_manager', 'service_manager',
		'records_officer', 'operations'];
	n integer := coalesce(cardinality(t_rule), 0);
	s casewatch.alert;
	c casewatch.alert;
	nx casewatch.alert;
	st record;
	closed text;
	trs casewatch.transition[] := '{}';
	ntrs integer := 0;
BEGIN
	IF p_now IS NULL OR p_period_start IS NULL THEN
		RAISE EXCEPTION 'reconcile_team: period_start and now must not be null'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT n = ALL (ARRAY[coalesce(cardinality(t_team), 0), coalesce(cardinality(t_audience), 0),
			coalesce(cardinality(t_first), 0), coalesce(cardinality(t_escalate), 0),
			coalesce(cardinality(t_count), 0), coalesce(cardinality(t_unagreed), 0)]) THEN
		RAISE EXCEPTION 'reconcile_team: the arrays differ in length'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR i IN 1 .. n LOOP
		IF t_rule[i] IS NULL OR t_team[i] IS NULL OR t_first[i] IS NULL
			OR NOT coalesce(t_audience[i] = ANY (audiences), false)
			OR coalesce(t_count[i], 0) < 1 OR t_unagreed[i] IS NULL
			OR t_unagreed[i] NOT BETWEEN 0 AND t_count[i]
			OR t_escalate[i] < t_first[i] THEN
			RAISE EXCEPTION 'reconcile_team: alerts[%]: rule, team, audience, first roll-back, count >= 1, unagreed <= count and escalation not before the first roll-back expected',
				i - 1 USING ERRCODE = 'invalid_parameter_value';
		END IF;
	END LOOP;
	PERFORM casewatch.writer_lock();
	FOR i IN 1 .. n LOOP
		SELECT * INTO s FROM casewatch.alert a
		WHERE a.person_id IS NULL AND a.rule_id = t_rule[i] AND a.anchor_kind = 'team'
			AND a.anchor_id = t_team[i]
			AND coalesce(a.cycle_start, '-infinity') = p_period_start;
		IF NOT FOUND THEN
			s := NULL;
			c := ROW(NULL, t_rule[i], 'team', t_team[i], 0, NULL, t_team[i], t_audience[i],
				'pending', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, now(), now(),
				p_period_start, 'finding', 'info', '{}', '{}', NULL, NULL, false, NULL,
				NULL)::casewatch.alert;
		ELSE
			c := s;
			-- a closed alert of the period whose roll-backs came back opens again
			IF c.state IN ('resolved', 'withdrawn') THEN
				c.announced_state := NULL;
			END IF;
		END IF;
		c.team_id := t_team[i];
		c.audience := t_audience[i];
		c.due_at := t_first[i];
		c.escalate_at := CASE WHEN t_escalate[i] IS NULL THEN '{}'::timestamptz[]
			ELSE ARRAY[t_escalate[i]] END;
		c.escalate_to := CASE WHEN t_escalate[i] IS NULL THEN '{}'::text[]
			ELSE ARRAY[t_audience[i]] END;
		st := casewatch.settle(c, p_now);
		nx := casewatch.store_row(st.next, s);
		INSERT INTO casewatch.team_count AS k (alert_id, counted, unagreed)
		VALUES (nx.alert_id, t_count[i], t_unagreed[i])
		ON CONFLICT (alert_id) DO UPDATE SET counted = excluded.counted,
			unagreed = excluded.unagreed, updated_at = now()
		WHERE (k.counted, k.unagreed) IS DISTINCT FROM (excluded.counted, excluded.unagreed);
		IF st.t_kind IS NOT NULL THEN
			ntrs := ntrs + 1;
			trs[ntrs] := casewatch.transition_of(nx, st.t_kind, st.t_from, st.t_to,
				st.t_severity, st.t_audience, p_now, NULL);
		END IF;
	END LOOP;
	FOR s IN
		SELECT a.* FROM casewatch.alert a
		WHERE a.person_id IS NULL AND a.anchor_kind = 'team'
			AND a.state NOT IN ('resolved', 'withdrawn')
			AND NOT EXISTS (SELECT 1 FROM unnest(t_rule, t_team) u(rule, team)
				WHERE u.rule = a.rule_id AND u.team = a.anchor_id
				AND coalesce(a.cycle_start, '-infinity') = p_period_start)
		ORDER BY a.rule_id, a.anchor_id, a.cycle_start
	LOOP
		closed := CASE WHEN coalesce(s.cycle_start, '-infinity') < p_period_start
			THEN 'resolved' ELSE 'withdrawn' END;
		nx := s;
		nx.state := closed;
		nx.announced_state := NULL;
		nx.next_at := NULL;
		IF closed = 'resolved' THEN
			nx.resolved_at := p_now;
		END IF;
		nx := casewatch.store_row(nx, s);
		IF s.announced_state IS NOT NULL THEN
			ntrs := ntrs + 1;
			trs[ntrs] := casewatch.transition_of(nx, closed, s.announced_state, closed,
				CASE closed WHEN 'resolved' THEN 'notice' ELSE 'info' END,
				casewatch.state_audience(s.announced_state, s.audience, s.escalate_to),
				p_now, NULL);
		END IF;
	END LOOP;
	IF ntrs > 0 THEN
		RETURN QUERY SELECT * FROM casewatch.write_transitions(trs);
	END IF;
END;
$$;

-- The digest (004) gains the team-level alerts: for the service manager a
-- section of their own, team_alerts (per team: the period, its count, how
-- many were not agreed, the state, new since the last digest), capped like
-- every list (team_alerts_total counts them all). They are not a record to
-- fix, so their rules leave the findings list; the summary still counts
-- them among the open findings. 004's function runs unchanged underneath.
ALTER FUNCTION casewatch.digest(bigint[], text, bigint, bigint, timestamptz, integer, boolean, text)
	RENAME TO digest_persons;

CREATE FUNCTION casewatch.digest(p_teams bigint[], p_audience text, p_worker bigint,
	p_since bigint, p_now timestamptz, p_cap integer, p_mark boolean, p_actor text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	r jsonb := casewatch.digest_persons(p_teams, p_audience, p_worker, p_since, p_now, p_cap,
		p_mark, p_actor);
	since_id bigint := (r ->> 'since')::bigint;
	upto bigint := (r ->> 'upto')::bigint;
BEGIN
	r := jsonb_set(r, '{findings}', (SELECT coalesce(jsonb_agg(f ORDER BY o), '[]')
		FROM jsonb_array_elements(r -> 'findings') WITH ORDINALITY x(f, o)
		WHERE NOT EXISTS (SELECT 1 FROM casewatch.alert a WHERE a.person_id IS NULL
			AND a.anchor_kind = 'team' AND a.rule_id = f ->> 'rule_id')));
	IF p_audience = 'service_manager' THEN
		r := r || (SELECT jsonb_build_object('team_alerts_total', count(*),
			'team_alerts', coalesce(jsonb_agg(i.item ORDER BY i.n) FILTER (WHERE i.n <= p_cap), '[]'))
			FROM (SELECT jsonb_strip_nulls(jsonb_build_object(
				'alert_id', a.alert_id::text, 'rule_id', a.rule_id, 'team', a.anchor_id::text,
				'code', casewatch.team_code(a.anchor_id),
				'period', to_char(a.cycle_start AT TIME ZONE 'Europe/London', 'YYYY-MM'),
				'state', a.announced_state, 'counted', k.counted, 'unagreed', k.unagreed,
				'first', to_char(a.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
				'escalated', casewatch.state_rank(a.announced_state) > 2,
				'new', EXISTS (SELECT 1 FROM casewatch.transition t WHERE t.alert_id = a.alert_id
					AND t.transition_id > since_id AND t.transition_id <= upto
					AND t.kind IN ('raised', 'escalated')),
				'acknowledged', a.acked_at IS NOT NULL)) item,
				row_number() OVER (ORDER BY casewatch.state_rank(a.announced_state) DESC,
					k.counted DESC NULLS LAST, a.anchor_id, a.alert_id) n
				FROM casewatch.alert a LEFT JOIN casewatch.team_count k ON k.alert_id = a.alert_id
				WHERE a.person_id IS NULL AND a.anchor_kind = 'team' AND a.announced_state IS NOT NULL
				AND (coalesce(cardinality(p_teams), 0) = 0 OR a.team_id = ANY (p_teams))) i);
	END IF;
	RETURN r;
END;
$$;

INSERT INTO casewatch.schema_version (version) VALUES (8);
