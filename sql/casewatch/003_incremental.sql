-- 003_incremental.sql - the last sweep's setup (restarts resume), kept open-alert counts, and a set-based reconcile.
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

-- Set-based reconcile (casewatch.reconcile_set): the daemon sends a page's
-- obligations as parallel typed arrays instead of JSON, with one digest per
-- person of what it computed for them. docs/lifecycle.md, "Reconcile".

-- The digest of each person's obligations at their last reconcile_set: a
-- person sent again with the same digest has the same obligations, so only
-- the rows time has reached (next_at <= now) can move.
CREATE TABLE casewatch.person_digest (
	person_id bigint PRIMARY KEY,
	digest bigint NOT NULL
);

COMMENT ON TABLE casewatch.person_digest IS
	'digest of the obligations last reconciled per person (casewatch.reconcile_set)';

-- Alerts removed behind reconcile_set's back (a truncate, a delete by hand)
-- make the digests of their persons meaningless: they go too.
CREATE FUNCTION casewatch.person_digest_forget() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		DELETE FROM casewatch.person_digest;
	ELSE
		DELETE FROM casewatch.person_digest d USING (SELECT DISTINCT person_id FROM old_rows) o
		WHERE d.person_id = o.person_id;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER person_digest_delete AFTER DELETE ON casewatch.alert
	REFERENCING OLD TABLE AS old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION casewatch.person_digest_forget();
CREATE TRIGGER person_digest_truncate AFTER TRUNCATE ON casewatch.alert
	FOR EACH STATEMENT EXECUTE FUNCTION casewatch.person_digest_forget();

-- reconcile() (002, JSON) stays for callers that have JSON; it does not
-- keep digests, so it forgets those of the persons it reconciles.
ALTER FUNCTION casewatch.reconcile(bigint[], jsonb, timestamptz) RENAME TO reconcile_json;
CREATE FUNCTION casewatch.reconcile(p_person_ids bigint[], p_obligations jsonb,
	p_now timestamptz)
RETURNS SETOF casewatch.transition
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM casewatch.person_digest WHERE person_id = ANY (p_person_ids);
	RETURN QUERY SELECT * FROM casewatch.reconcile_json(p_person_ids, p_obligations, p_now);
END;
$$;

-- The obligations of exactly these persons as parallel arrays, one element
-- per obligation (o_*; escalation steps as one array literal per obligation
-- in o_esc_at and o_esc_to), reconciled with what is stored for them:
-- exactly the rows and transitions casewatch.reconcile() writes for the
-- same input, and in the same order. What differs is the cost: the arrays
-- need no parsing, the checks are a few set-based statements, stored rows
-- that cannot change are found by one join and never touched, and a person
-- whose digest is the one stored costs an index probe for its due rows.
CREATE FUNCTION casewatch.reconcile_set(p_person_ids bigint[], p_digests bigint[],
	o_person bigint[], o_rule text[], o_anchor_kind text[], o_anchor_id bigint[],
	o_cycle_start timestamptz[], o_team bigint[], o_audience text[],
	o_warn timestamptz[], o_due timestamptz[], o_esc_at text[], o_esc_to text[],
	o_met_at timestamptz[], o_met_by bigint[], o_late_by_s bigint[],
	o_suspended boolean[], o_kind text[], o_severity text[],
	p_now timestamptz)
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
	bad text;
	c casewatch.alert;
	s casewatch.alert;
	nx casewatch.alert;
	pair record;
	st record;
	fresh casewatch.alert[] := '{}';
	nfresh integer := 0;
	trs casewatch.transition[] := '{}';
	ntrs integer := 0;
	ids text := pg_get_serial_sequence('casewatch.alert', 'alert_id');
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
		LEFT JOIN unnest(same) sm(p) ON sm.p = u.person
		WHERE sm.p IS NULL
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
	SELECT format('reconcile: obligations[%s].person_id: %s is not one of the persons reconciled',
			x.ord - 1, x.person_id)
		INTO bad
		FROM unnest(o_person) WITH ORDINALITY x(person_id, ord)
		LEFT JOIN (SELECT DISTINCT p FROM unnest(p_person_ids) p) i ON i.p = x.person_id
		WHERE i.p IS NULL ORDER BY x.ord LIMIT 1;
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
	-- Only the pairs that can change, in reconcile()'s order: every pair of a
	-- changed person but those with equal data that time has not reached,
	-- and the rows of an unchanged person that time has reached (paired
	-- with themselves: their data is what was computed).
	FOR pair IN
		SELECT q.x, q.y FROM (
			SELECT ROW(x.*)::casewatch.alert AS x, ROW(y.*)::casewatch.alert AS y FROM
				unnest(computed) x
				FULL JOIN (SELECT a.* FROM casewatch.alert a
					LEFT JOIN unnest(same) sm(p) ON sm.p = a.person_id
					WHERE a.person_id = ANY (p_person_ids) AND sm.p IS NULL) y
				ON y.person_id = x.person_id AND y.rule_id = x.rule_id
				AND y.anchor_kind = x.anchor_kind AND y.anchor_id = x.anchor_id
				AND coalesce(y.cycle_start, '-infinity') = coalesce(x.cycle_start, '-infinity')
			WHERE CASE
				WHEN x.rule_id IS NULL THEN
					y.announced_state IS NOT NULL OR y.state NOT IN ('resolved', 'withdrawn')
				WHEN y.alert_id IS NULL THEN true
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
			SELECT a, a FROM unnest(same) sm(p)
				JOIN casewatch.alert a ON a.person_id = sm.p
				WHERE a.next_at <= p_now
		) q
		ORDER BY coalesce((q.x).person_id, (q.y).person_id), coalesce((q.x).rule_id, (q.y).rule_id),
			coalesce((q.x).anchor_kind, (q.y).anchor_kind), coalesce((q.x).anchor_id, (q.y).anchor_id),
			coalesce((q.x).cycle_start, (q.y).cycle_start) NULLS FIRST
	LOOP
		-- From here on, reconcile()'s loop body, unchanged.
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
				nx := casewatch.store_row(nx, s);
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
					PERFORM casewatch.store_row(nx, s);
				ELSE
					DELETE FROM casewatch.alert WHERE alert_id = s.alert_id;
				END IF;
			END IF;
			CONTINUE;
		END IF;
		IF s.alert_id IS NULL THEN
			st := casewatch.settle(c, p_now);
			nx := st.next;
			nx.alert_id := nextval(ids);
			nx.created_at := now();
			nx.updated_at := now();
			nfresh := nfresh + 1;
			fresh[nfresh] := nx;
		ELSE
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
			nx := casewatch.store_row(st.next, s);
		END IF;
		IF st.t_kind IS NOT NULL THEN
			ntrs := ntrs + 1;
			trs[ntrs] := casewatch.transition_of(nx, st.t_kind, st.t_from, st.t_to,
				st.t_severity, st.t_audience, p_now, NULL);
		END IF;
	END LOOP;
	IF nfresh > 0 THEN
		INSERT INTO casewatch.alert OVERRIDING SYSTEM VALUE SELECT * FROM unnest(fresh);
	END IF;
	-- The digests last: the deletes above forgot those of their persons.
	INSERT INTO casewatch.person_digest AS pd (person_id, digest)
	SELECT DISTINCT ON (d.person_id) d.person_id, d.digest
	FROM unnest(p_person_ids, p_digests) d(person_id, digest)
	WHERE d.digest IS NOT NULL
	ORDER BY d.person_id
	ON CONFLICT (person_id) DO UPDATE SET digest = excluded.digest
	WHERE pd.digest IS DISTINCT FROM excluded.digest;
	IF ntrs > 0 THEN
		RETURN QUERY SELECT * FROM casewatch.write_transitions(trs);
	END IF;
END;
$$;

INSERT INTO casewatch.schema_version (version) VALUES (3);
