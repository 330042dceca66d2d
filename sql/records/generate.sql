-- generate.sql - records.generate(): fills the reference records schema with synthetic, realistic cases.
--
-- Load after interface.sql (this file only creates or replaces functions):
--   psql -v ON_ERROR_STOP=1 -f generate.sql
--   SELECT * FROM records.generate(10000, 0.42, '2026-11-23 09:00+00');
-- generate() replaces everything in the records schema. It is deterministic:
-- every choice is a hash of (seed, decision, row id), never a sequence or a
-- random() call, so the same arguments give the same rows under any plan.
-- All work is set-based (INSERT ... SELECT over generate_series).
-- The proportions are described in docs/records-interface.md.

-- A uniform number in [0, 1) for one decision (stream) about one row (id).
CREATE OR REPLACE FUNCTION records.rnd(key bigint, stream integer, id bigint)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
	SELECT ((hashint8extended(id, key # stream) >> 11) & 9007199254740991)::double precision
		/ 9007199254740992
$$;

-- Fill the records schema with `children` children (plus carers and other
-- adults, teams and staff), their involvements, events, records, hazards
-- and the rest, dated around `reference`. Returns the row count per table.
CREATE OR REPLACE FUNCTION records.generate(children integer, seed double precision DEFAULT 0.5,
	reference timestamptz DEFAULT now())
RETURNS TABLE (relation text, row_count bigint)
LANGUAGE plpgsql
SET jit = off
SET work_mem = '128MB'
SET client_min_messages = warning
AS $gen$
DECLARE
	k bigint;		-- the seed as a hash key
	refd date;		-- the reference date in Europe/London
	nteams integer;
	nsm integer;		-- service managers, one per four teams
	ncarers integer;
	nadults integer;
	seq_row record;
	fk record;
	trg record;
BEGIN
	IF children IS NULL OR children < 1 OR children > 10000000 THEN
		RAISE EXCEPTION 'records.generate: children must be between 1 and 10000000, got %', children;
	END IF;
	IF seed IS NULL OR reference IS NULL THEN
		RAISE EXCEPTION 'records.generate: seed and reference must not be null';
	END IF;
	k := hashtextextended(seed::text, 0);
	refd := (reference AT TIME ZONE 'Europe/London')::date;
	nteams := greatest(1, ceil(children / 500.0)::integer);
	nsm := ceil(nteams / 4.0)::integer;
	ncarers := greatest(1, children / 40);
	nadults := greatest(1, children / 100);

	-- Bulk-load practice: set the foreign keys and the change-marker
	-- trigger aside while loading (the column default stamps changed_at the
	-- same way), and put them back at the end, where each foreign key is
	-- validated by one join instead of one lookup per row. All of it is
	-- undone if anything fails.
	DROP TABLE IF EXISTS gen_fk;
	CREATE TEMP TABLE gen_fk AS
	SELECT c.conrelid::regclass::text AS tab, c.conname, pg_get_constraintdef(c.oid) AS def
	FROM pg_constraint c
	WHERE c.contype = 'f' AND c.connamespace = 'records'::regnamespace;
	FOR fk IN SELECT * FROM gen_fk LOOP
		EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.tab, fk.conname);
	END LOOP;
	FOR trg IN SELECT c.oid::regclass::text AS tab FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
		WHERE c.relnamespace = 'records'::regnamespace AND tg.tgname = 'touch' LOOP
		EXECUTE format('ALTER TABLE %s DISABLE TRIGGER touch', trg.tab);
	END LOOP;

	TRUNCATE records.team, records.staff, records.person, records.involvement, records.event,
		records.record, records.hazard, records.hazard_review, records.info_sharing,
		records.deletion, records.rollback, records.restriction, records.restriction_grant,
		records.restricted_access, records.access_request, records.forget_request,
		records.destruction, records.tombstone RESTART IDENTITY;

	-- Teams of 16: staff (t-1)*16+1 manages, +2 and +3 supervise, +4..+16
	-- are workers. Service managers and records officers come after.
	INSERT INTO records.team (team_id, code, name, manager_id, service_manager_id)
	SELECT t, 'T' || lpad(t::text, greatest(3, length(nteams::text)), '0'), 'Children''s social work team ' || t,
		(t - 1) * 16 + 1, nteams * 16 + (t - 1) / 4 + 1
	FROM generate_series(1, nteams) t;

	INSERT INTO records.staff (staff_id, team_id, role, display_name)
	SELECT (t - 1) * 16 + s, t,
		CASE WHEN s = 1 THEN 'team_manager' WHEN s <= 3 THEN 'practice_supervisor' ELSE 'worker' END,
		'Staff member ' || ((t - 1) * 16 + s)
	FROM generate_series(1, nteams) t, generate_series(1, 16) s
	UNION ALL
	SELECT nteams * 16 + g, (g - 1) * 4 + 1, 'service_manager', 'Service manager ' || g
	FROM generate_series(1, nsm) g
	UNION ALL
	SELECT nteams * 16 + nsm + r, NULL, 'records_officer', 'Records officer ' || r
	FROM generate_series(1, 2) r
	UNION ALL
	-- Two independent reviewing officers and two emergency duty team
	-- members, outside the teams (002 §11 lets them open restricted files).
	SELECT nteams * 16 + nsm + 2 + r, NULL, CASE WHEN r <= 2 THEN 'iro' ELSE 'edt' END,
		CASE WHEN r <= 2 THEN 'Reviewing officer ' ELSE 'Emergency duty ' END || r
	FROM generate_series(1, 4) r;

	-- Each child's main category (weights in percent), age range, chance
	-- the case is open, and the window its events fall in.
	DROP TABLE IF EXISTS gen_child;
	CREATE TEMP TABLE gen_child AS
	WITH cat (category, weight, min_age, max_age, p_open) AS (VALUES
		('early_help', 18, 0, 17, 0.55), ('cin', 38, 0, 17, 0.6), ('cp_plan', 10, 0, 17, 0.75),
		('looked_after', 9, 0, 17, 0.8), ('adoption', 2, 0, 9, 0.5), ('leaving_care', 5, 16, 20, 0.85),
		('youth_justice', 5, 10, 17, 0.5), ('supervision_order', 1, 0, 17, 0.6),
		('disability', 4, 0, 17, 0.7), ('asylum', 2, 12, 17, 0.7), ('guardian', 1, 0, 17, 0.5),
		('s47_nfa', 4, 0, 17, 0.0), ('private_fostering', 1, 5, 17, 0.7)),
	cum AS (
		SELECT *, sum(weight) OVER (ORDER BY category) AS hi FROM cat),
	lut AS (
		SELECT category, min_age, max_age, p_open, generate_series(hi - weight, hi - 1) AS bucket
		FROM cum),
	base AS (
		SELECT i AS person_id, l.category,
			CASE WHEN records.rnd(k, 3, i) < 0.002
				THEN refd + 1 + floor(records.rnd(k, 4, i) * 200)::integer
				ELSE refd - floor((l.min_age + records.rnd(k, 4, i) * (l.max_age - l.min_age + 1))
					* 365.25)::integer
			END AS dob,
			records.rnd(k, 5, i) < l.p_open AS open,
			1 + floor(records.rnd(k, 6, i) * nteams)::integer AS team
		FROM generate_series(1, children) i
		JOIN lut l ON l.bucket = floor(records.rnd(k, 2, i) * 100)::integer),
	started AS (
		SELECT b.*,
			greatest(least(b.dob, refd - 30), refd - 30
				- floor(records.rnd(k, 7, b.person_id) * (CASE WHEN b.open THEN 730 ELSE 1460 END))::integer)
				AS started_on
		FROM base b)
	SELECT s.*,
		CASE WHEN NOT s.open THEN s.started_on + floor(records.rnd(k, 8, s.person_id)
			* (refd - s.started_on))::integer END AS ended_on,
		CASE WHEN s.open AND records.rnd(k, 9, s.person_id) >= 0.05
			THEN (s.team - 1) * 16 + 4 + floor(records.rnd(k, 10, s.person_id) * 13)::integer
		END AS worker,
		CASE WHEN s.open THEN 3 + floor(records.rnd(k, 11, s.person_id) * 14)::integer
			ELSE 1 + floor(records.rnd(k, 11, s.person_id) * 5)::integer END AS n_events
	FROM started s;

	-- Children, foster carers and other adults (parents, household members).
	INSERT INTO records.person (person_id, kind, date_of_birth, nation, team_id,
		allocated_worker_id, given_name, family_name, address, postcode)
	SELECT c.person_id, 'child', c.dob,
		CASE WHEN records.rnd(k, 12, c.person_id) < 0.01 THEN 'scotland'
			WHEN records.rnd(k, 12, c.person_id) < 0.02 THEN 'northern-ireland'
			ELSE 'england-and-wales' END,
		c.team, c.worker, 'Given' || c.person_id, 'Family' || (c.person_id % 7919),
		c.person_id || ' Example Street', 'ZZ99 ' || (c.person_id % 9) || 'ZZ'
	FROM gen_child c
	UNION ALL
	SELECT p, CASE WHEN p <= children + ncarers THEN 'carer' ELSE 'adult' END,
		refd - floor((22 + records.rnd(k, 4, p) * 45) * 365.25)::integer, 'england-and-wales',
		1 + floor(records.rnd(k, 6, p) * nteams)::integer,
		CASE WHEN p <= children + ncarers
			THEN (floor(records.rnd(k, 6, p) * nteams)::integer) * 16 + 4
				+ floor(records.rnd(k, 10, p) * 13)::integer END,
		'Given' || p, 'Family' || (p % 7919), p || ' Example Street', 'ZZ99 ' || (p % 9) || 'ZZ'
	FROM generate_series(children + 1, children + ncarers + nadults) p;

	-- Involvements: the main one (id person*4+1); an earlier, closed child-
	-- in-need episode for some children in care or on a plan (+2); an earlier
	-- early-help episode for some children in need (+3); foster carers' approvals.
	INSERT INTO records.involvement (involvement_id, person_id, category, started_on, ended_on,
		order_date, outcome)
	SELECT c.person_id * 4 + 1, c.person_id, c.category, c.started_on, c.ended_on,
		CASE WHEN c.category = 'adoption' AND records.rnd(k, 13, c.person_id) < 0.6
			AND c.started_on + 180 < refd
			THEN least(c.started_on + 180 + floor(records.rnd(k, 14, c.person_id) * 300)::integer,
				refd - 1) END,
		CASE WHEN c.category = 'youth_justice' THEN
			CASE WHEN records.rnd(k, 15, c.person_id) < 0.25 THEN 'reprimand'
				WHEN records.rnd(k, 15, c.person_id) < 0.5 THEN 'final_warning'
				WHEN records.rnd(k, 15, c.person_id) < 0.8 THEN 'conviction'
				WHEN records.rnd(k, 15, c.person_id) < 0.95 THEN 'other' END END
	FROM gen_child c
	UNION ALL
	SELECT c.person_id * 4 + 2, c.person_id, 'cin',
		greatest(c.dob, c.started_on - 60 - floor(records.rnd(k, 16, c.person_id) * 340)::integer),
		c.started_on - 1, NULL, NULL
	FROM gen_child c
	WHERE c.category IN ('cp_plan', 'looked_after', 'adoption', 'leaving_care')
		AND c.dob < c.started_on - 1 AND records.rnd(k, 17, c.person_id) < 0.3
	UNION ALL
	SELECT c.person_id * 4 + 3, c.person_id, 'early_help',
		greatest(c.dob, c.started_on - 30 - floor(records.rnd(k, 16, c.person_id) * 200)::integer),
		c.started_on - 1, NULL, NULL
	FROM gen_child c
	WHERE c.category = 'cin' AND c.dob < c.started_on - 1 AND records.rnd(k, 17, c.person_id) < 0.15
	UNION ALL
	SELECT p * 4 + 1, p, 'fostering', s.started_on,
		CASE WHEN records.rnd(k, 5, p) >= 0.7
			THEN s.started_on + floor(records.rnd(k, 8, p) * (refd - s.started_on))::integer END,
		NULL,
		-- A third of the ended ones were applications refused or withdrawn.
		CASE WHEN records.rnd(k, 5, p) >= 0.7 AND records.rnd(k, 121, p) < 0.33 THEN
			CASE WHEN records.rnd(k, 122, p) < 0.5 THEN 'refused' ELSE 'withdrawn' END END
	FROM generate_series(children + 1, children + ncarers) p,
		LATERAL (SELECT refd - 30 - floor(records.rnd(k, 7, p) * 5000)::integer AS started_on) s;

	-- Events: each child's n_events (id person*32+seq), drawn from weights
	-- per category: '*' rows apply to every category. 10,000 buckets per
	-- category make the draw an equality join.
	DROP TABLE IF EXISTS gen_event;
	CREATE TEMP TABLE gen_event AS
	WITH w (category, event_type, weight) AS (VALUES
		('*', 'visit', 160), ('*', 'contact', 160), ('*', 'task', 150), ('*', 'supervision', 40),
		('*', 'management_decision', 40), ('*', 'significant_event', 25), ('*', 'contact_referral', 15),
		('*', 'case_audit', 8), ('*', 'emergency_action', 4), ('*', 'access_request', 4),
		('early_help', 'early_help_referral', 60), ('early_help', 'early_help_contact', 60),
		('early_help', 'consent_signed', 40), ('early_help', 'consent_requested', 30),
		('cin', 'cin_meeting', 60), ('cin', 'contact_referral', 30),
		('cin', 'strategy_discussion', 10), ('cin', 's47_enquiry', 10),
		('cp_plan', 's47_enquiry', 40), ('cp_plan', 'cp_activity', 50),
		('cp_plan', 'significant_harm_work', 40), ('cp_plan', 'strategy_discussion', 40),
		('cp_plan', 'icpc', 25), ('cp_plan', 'core_group', 50), ('cp_plan', 'rcpc', 25),
		('cp_plan', 'visit_cp', 90), ('cp_plan', 'legal_planning_meeting', 10),
		('cp_plan', 'pre_proceedings_letter', 8), ('cp_plan', 'pre_proceedings_meeting', 8),
		('cp_plan', 'letter_of_intent', 6), ('cp_plan', 'decision_to_issue', 6),
		('looked_after', 'became_looked_after', 15), ('looked_after', 'placement', 40),
		('looked_after', 'lac_review', 40), ('looked_after', 'health_assessment', 20),
		('looked_after', 'court_order', 10), ('looked_after', 'legal_planning_meeting', 8),
		('looked_after', 'decision_to_issue', 5), ('looked_after', 'expert_assessment', 8),
		('adoption', 'placement', 20), ('adoption', 'court_order', 20), ('adoption', 'lac_review', 20),
		('adoption', 'expert_assessment', 5),
		('leaving_care', 'health_assessment', 5),
		('youth_justice', 'court_order', 20), ('youth_justice', 'significant_harm_work', 5),
		('supervision_order', 'court_order', 20), ('supervision_order', 'expert_assessment', 10),
		('supervision_order', 'legal_planning_meeting', 10),
		('disability', 'cin_meeting', 40), ('disability', 'health_assessment', 20),
		('asylum', 'became_looked_after', 10), ('asylum', 'placement', 20),
		('asylum', 'health_assessment', 20), ('asylum', 'lac_review', 20),
		('guardian', 'court_order', 30), ('guardian', 'expert_assessment', 20),
		('s47_nfa', 's47_enquiry', 150), ('s47_nfa', 'strategy_discussion', 80),
		('s47_nfa', 'visit_cp', 100), ('s47_nfa', 'cp_activity', 60),
		('private_fostering', 'pf_notification', 80), ('private_fostering', 'pf_planned_start', 60)),
	per_cat AS (
		SELECT c.category, w.event_type, sum(w.weight) AS weight
		FROM (SELECT DISTINCT category FROM w WHERE category <> '*') c
		JOIN w ON w.category IN ('*', c.category)
		GROUP BY 1, 2),
	cum AS (
		SELECT category, event_type,
			sum(weight) OVER (PARTITION BY category ORDER BY event_type) - weight AS lo,
			sum(weight) OVER (PARTITION BY category ORDER BY event_type) AS hi,
			sum(weight) OVER (PARTITION BY category) AS total
		FROM per_cat),
	lut AS (
		SELECT category, event_type,
			generate_series((lo * 10000 / total)::integer, (hi * 10000 / total)::integer - 1) AS bucket
		FROM cum),
	drawn AS (
		SELECT c.person_id * 32 + s AS event_id, s AS seq, c.person_id, c.category, l.event_type,
			c.open, c.team, c.worker, c.started_on, coalesce(c.ended_on, refd) AS win_end
		FROM gen_child c
		CROSS JOIN LATERAL generate_series(1, c.n_events) s
		JOIN lut l ON l.category = c.category
			AND l.bucket = floor(records.rnd(k, 20, c.person_id * 32 + s) * 10000)::integer),
	dated AS (
		SELECT d.*,
			d.open AND d.event_type IN ('icpc', 'rcpc', 'lac_review', 'cin_meeting', 'core_group',
				'legal_planning_meeting', 'pf_planned_start')
				AND records.rnd(k, 21, d.event_id)
					< CASE WHEN d.event_type = 'pf_planned_start' THEN 0.6 ELSE 0.25 END AS planned
		FROM drawn d)
	SELECT d.event_id, d.seq, d.person_id, d.category, d.event_type, d.team, d.worker,
		CASE WHEN records.rnd(k, 22, d.event_id) >= 0.003 THEN
			((CASE WHEN d.planned THEN refd + 1 + floor(records.rnd(k, 23, d.event_id) * 42)::integer
				ELSE d.win_end - floor(records.rnd(k, 23, d.event_id) ^ 2
					* (d.win_end - d.started_on + 1))::integer END)
			+ make_interval(mins => 480 + floor(records.rnd(k, 24, d.event_id) * 600)::integer))
			AT TIME ZONE 'Europe/London' END AS occurred_at,
		records.rnd(k, 25, d.event_id) < CASE WHEN d.planned THEN 0.1 ELSE 0.02 END AS cancelled,
		CASE WHEN d.event_type IN ('consent_signed', 'consent_requested', 'core_group', 'rcpc',
				'placement') AND d.seq > 1 THEN d.event_id - 1 END AS related_event_id,
		CASE d.event_type
			WHEN 'management_decision' THEN (d.team - 1) * 16 + 1
			WHEN 'supervision' THEN (d.team - 1) * 16 + 2 + floor(records.rnd(k, 26, d.event_id) * 2)::integer
			ELSE coalesce(d.worker, (d.team - 1) * 16 + 4 + floor(records.rnd(k, 26, d.event_id) * 13)::integer)
		END AS recorded_by
	FROM dated d;

	-- A third of placements of looked-after children are meant to last
	-- until they are 18 (long-term fostering).
	INSERT INTO records.event (event_id, person_id, event_type, occurred_at, cancelled,
		related_event_id, recorded_by, until_18)
	SELECT event_id, person_id, event_type, occurred_at, cancelled, related_event_id, recorded_by,
		event_type = 'placement' AND category = 'looked_after' AND records.rnd(k, 27, event_id) < 0.35
	FROM gen_event
	ORDER BY event_id;

	-- Records answering events (id event*8+ord). due_h is a nominal
	-- deadline in hours (working days counted as calendar days and a bit);
	-- "before" records fall due that long before the event. Each answer is
	-- on time, late with or without a late flag or reason, a draft, or missing.
	WITH m (event_type, record_type, due_h, before, ord) AS (VALUES
		('s47_enquiry', 'cp_record', 24, false, 1), ('cp_activity', 'cp_record', 24, false, 1),
		('significant_harm_work', 'case_note', 24, false, 1), ('task', 'case_note', 168, false, 1),
		('contact_referral', 'referral_episode', 24, false, 1), ('contact_referral', 'cfa', 720, false, 2),
		('contact_referral', 'cfa_authorisation', 1080, false, 3),
		('contact_referral', 'manager_decision', 24, false, 4),
		('early_help_referral', 'early_help_episode', 48, false, 1),
		('early_help_contact', 'early_help_assessment', 672, false, 1),
		('early_help_contact', 'outcome_star', 672, false, 2),
		('consent_signed', 'taf_meeting', 672, false, 1), ('cin_meeting', 'cin_plan', 168, false, 1),
		('strategy_discussion', 'strategy_record', 48, false, 1),
		('icpc', 'conference_report', 48, true, 1), ('core_group', 'core_group_minutes', 168, false, 1),
		('rcpc', 'conference_report', 168, true, 1), ('rcpc', 'conference_decisions', 24, false, 2),
		('became_looked_after', 'care_plan', 336, false, 1),
		('became_looked_after', 'permanence_plan', 2880, false, 2),
		('placement', 'placement_plan', 168, false, 1), ('lac_review', 'care_plan', 168, false, 1),
		('lac_review', 'lac_review_recommendations', 168, false, 2),
		('lac_review', 'lac_review_minutes', 672, false, 3), ('visit_cp', 'visit_record', 24, false, 1),
		('visit', 'visit_record', 120, false, 1), ('contact', 'case_note', 120, false, 1),
		('supervision', 'supervision_note', 168, false, 1),
		('management_decision', 'manager_decision', 72, false, 1),
		('legal_planning_meeting', 'legal_planning_record', 72, false, 1),
		('pre_proceedings_letter', 'document_upload', 24, false, 1),
		('pre_proceedings_meeting', 'meeting_record', 72, false, 1),
		('letter_of_intent', 'document_upload', 24, false, 1),
		('decision_to_issue', 'sw_evidence', 336, false, 1), ('court_order', 'document_upload', 48, false, 1),
		('expert_assessment', 'document_upload', 72, false, 1), ('pf_notification', 'pf_record', 24, false, 1),
		('pf_notification', 'pf_visit', 216, false, 2),
		('pf_planned_start', 'pf_coordinator_notice', 1008, true, 1),
		('emergency_action', 'manager_informed', 24, false, 1),
		('access_request', 'sar_disclosure', 960, false, 1),
		('significant_event', 'chronology', 336, false, 1),
		('health_assessment', 'health_assessment', 336, false, 1), ('case_audit', 'case_audit', 48, false, 1)),
	answer AS (
		SELECT e.event_id * 8 + m.ord AS record_id, e.person_id, m.record_type, e.event_id,
			e.recorded_by, e.occurred_at, m.due_h, m.before,
			records.rnd(k, 31, e.event_id * 8 + m.ord) AS u,
			records.rnd(k, 32, e.event_id * 8 + m.ord) AS v
		FROM gen_event e
		JOIN m ON m.event_type = e.event_type
		WHERE NOT e.cancelled AND e.occurred_at IS NOT NULL
			AND (m.before OR e.occurred_at <= reference)),
	timed AS (
		SELECT a.*,
			a.occurred_at + interval '1 hour' * CASE
				WHEN a.before AND a.u >= 0.28 THEN -a.due_h * (1 + a.v)
				WHEN a.before THEN -a.due_h * 0.9 * a.v
				WHEN a.u >= 0.30 OR a.u < 0.12 THEN a.due_h * (0.05 + 0.85 * a.v)
				ELSE a.due_h * (1.05 + 2 * a.v) END AS done_at
		FROM answer a
		WHERE a.u >= 0.07),
	shaped AS (
		SELECT t.*,
			CASE WHEN records.rnd(k, 33, t.record_id) < 0.005 AND NOT t.before
				THEN t.occurred_at - interval '1 hour' * (1 + floor(records.rnd(k, 34, t.record_id) * 48))
				WHEN t.before THEN t.done_at - interval '1 minute' * floor(records.rnd(k, 34, t.record_id) * 240)
				ELSE greatest(t.occurred_at,
					t.done_at - interval '1 minute' * floor(records.rnd(k, 34, t.record_id) * 240))
			END AS entered_at
		FROM timed t)
	INSERT INTO records.record (record_id, person_id, record_type, event_id, author_id, event_at,
		entered_at, finalised_at, late_flag, late_reason, confidential, body)
	SELECT s.record_id, s.person_id, s.record_type, s.event_id,
		CASE WHEN records.rnd(k, 35, s.record_id) >= 0.003 THEN s.recorded_by END,
		CASE WHEN records.rnd(k, 36, s.record_id) >= 0.005 THEN s.occurred_at END,
		s.entered_at,
		CASE WHEN s.u >= 0.12 AND s.done_at <= reference THEN s.done_at END,
		s.u >= 0.12 AND s.u < 0.22,
		CASE WHEN (s.u >= 0.12 AND s.u < 0.20) OR (s.u >= 0.28 AND s.u < 0.30)
			THEN 'Recorded late: worker on leave' END,
		records.rnd(k, 37, s.record_id) < 0.02,
		'Synthetic recording for testing.'
	FROM shaped s
	WHERE s.entered_at <= reference
	ORDER BY s.record_id;

	-- Records kept up to date on open cases without an anchoring event
	-- (id 2^40 + person*32 + ord): summaries, chronologies and the rest,
	-- each present with its probability and dated up to max_age days back.
	WITH m (category, record_type, p, max_age, ord) AS (VALUES
		('*', 'case_summary', 0.85, 150, 1), ('*', 'chronology', 0.80, 150, 2),
		('*', 'genogram', 0.75, 400, 3), ('*', 'assessment', 0.85, 300, 4), ('*', 'plan', 0.80, 200, 5),
		('*', 'support_summary', 0.70, 200, 6), ('*', 'pr_statement', 0.85, 700, 7),
		('*', 'case_audit', 0.15, 400, 8), ('*', 'confidential_review', 0.05, 200, 9),
		('looked_after', 'pep', 0.70, 180, 10), ('looked_after', 'health_assessment', 0.70, 400, 11),
		('looked_after', 'finance', 0.20, 300, 12), ('leaving_care', 'pathway_plan', 0.80, 240, 13),
		('leaving_care', 'needs_assessment', 0.60, 400, 14), ('leaving_care', 'finance', 0.30, 300, 15),
		('early_help', 'genogram', 0.40, 60, 16), ('early_help', 'chronology', 0.40, 60, 17)),
	chosen AS (
		SELECT (1::bigint << 40) + c.person_id * 32 + m.ord AS record_id, c.person_id, m.record_type,
			coalesce(c.worker, (c.team - 1) * 16 + 4) AS author,
			greatest(c.started_on::timestamp AT TIME ZONE 'Europe/London',
				reference - interval '1 day' * (records.rnd(k, 41, c.person_id * 32 + m.ord) * m.max_age))
				AS done_at
		FROM gen_child c
		JOIN m ON m.category IN ('*', c.category)
		WHERE c.open AND records.rnd(k, 40, c.person_id * 32 + m.ord) < m.p)
	INSERT INTO records.record (record_id, person_id, record_type, author_id, event_at, entered_at,
		finalised_at, confidential, body)
	SELECT record_id, person_id, record_type, author, done_at - interval '2 hours',
		done_at - interval '2 hours', done_at,
		record_type = 'confidential_review', 'Synthetic recording for testing.'
	FROM chosen
	ORDER BY record_id;

	-- Hazards (id person*4+h) on some children and many other adults, some
	-- without a start, a description or a review date; reviews roughly
	-- every six months, some late, some never.
	DROP TABLE IF EXISTS gen_hazard;
	CREATE TEMP TABLE gen_hazard AS
	SELECT p.person_id * 4 + h AS hazard_id, p.person_id, p.team_id,
		refd - 20 - floor(records.rnd(k, 43, p.person_id * 4 + h) * 1000)::integer AS start_day,
		floor(records.rnd(k, 44, p.person_id * 4 + h) * 6)::integer AS n_reviews
	FROM records.person p
	CROSS JOIN generate_series(1, 2) h
	WHERE records.rnd(k, 42, p.person_id) < CASE p.kind WHEN 'adult' THEN 0.3 ELSE 0.06 END
		AND (h = 1 OR records.rnd(k, 45, p.person_id) < 0.2);

	DROP TABLE IF EXISTS gen_hazard_review;
	CREATE TEMP TABLE gen_hazard_review AS
	SELECT h.hazard_id * 16 + r AS review_id, h.hazard_id, h.person_id,
		(h.start_day + r * 170 + floor(records.rnd(k, 46, h.hazard_id * 16 + r) * 40)::integer)
			+ time '10:00' AS reviewed_local,
		(h.team_id - 1) * 16 + 1 + 3 * floor(records.rnd(k, 47, h.hazard_id * 16 + r) * 2)::integer
			AS reviewer_id
	FROM gen_hazard h
	CROSS JOIN generate_series(1, h.n_reviews) r
	WHERE h.start_day + r * 170 + 40 < refd;

	INSERT INTO records.hazard (hazard_id, person_id, started_on, description, review_due_on,
		active, ended_on)
	SELECT h.hazard_id, h.person_id,
		CASE WHEN records.rnd(k, 48, h.hazard_id) >= 0.03 THEN h.start_day END,
		CASE WHEN records.rnd(k, 49, h.hazard_id) < 0.05 THEN NULL
			ELSE (ARRAY['Dangerous pet at the address', 'Person known to be violent',
				'Verbal abuse towards staff', 'Racial abuse towards staff'])
				[1 + floor(records.rnd(k, 50, h.hazard_id) * 4)::integer] END,
		CASE WHEN records.rnd(k, 51, h.hazard_id) >= 0.12
			THEN (coalesce(lr.last_review, h.start_day) + interval '6 months')::date END,
		records.rnd(k, 52, h.hazard_id) < 0.85,
		CASE WHEN records.rnd(k, 52, h.hazard_id) >= 0.85
			THEN h.start_day + floor(records.rnd(k, 53, h.hazard_id) * (refd - h.start_day))::integer END
	FROM gen_hazard h
	LEFT JOIN (SELECT hazard_id, max(reviewed_local)::date AS last_review
		FROM gen_hazard_review GROUP BY hazard_id) lr USING (hazard_id)
	ORDER BY h.hazard_id;

	INSERT INTO records.hazard_review (review_id, hazard_id, person_id, reviewed_at, reviewer_id)
	SELECT review_id, hazard_id, person_id, reviewed_local AT TIME ZONE 'Europe/London', reviewer_id
	FROM gen_hazard_review
	ORDER BY review_id;

	-- Information-sharing decisions (id person*2+n), each field present
	-- nine times in ten, so SHARE-FIELDS has incomplete ones to find.
	INSERT INTO records.info_sharing (sharing_id, person_id, direction, occurred_at, recorded_by,
		entered_at, signed, reason, request_summary, case_reference, with_consent, no_consent_reason,
		consented_by, consent_limits, subject_informed, not_informed_reason, counterpart_name,
		counterpart_job_title, counterpart_organisation, counterpart_phone, identity_check,
		decided_to_share, decision_reason, information_type, method, outcome, receipt_confirmation)
	SELECT s.id, s.person_id,
		(ARRAY['shared', 'request_received', 'request_made'])[1 + floor(records.rnd(k, 60, s.id) * 3)::integer],
		CASE WHEN records.rnd(k, 61, s.id) < 0.95 THEN s.at END,
		CASE WHEN records.rnd(k, 62, s.id) < 0.95 THEN s.author END,
		s.at + interval '3 hours',
		records.rnd(k, 63, s.id) < 0.9,
		CASE WHEN records.rnd(k, 64, s.id) < 0.9 THEN 'Safeguarding concern' END,
		CASE WHEN records.rnd(k, 65, s.id) < 0.9 THEN 'School attendance and health' END,
		CASE WHEN records.rnd(k, 66, s.id) < 0.7 THEN 'REF-' || s.id END,
		CASE WHEN records.rnd(k, 67, s.id) < 0.9 THEN records.rnd(k, 68, s.id) < 0.7 END,
		CASE WHEN records.rnd(k, 69, s.id) < 0.9 THEN 'Risk of significant harm' END,
		CASE WHEN records.rnd(k, 70, s.id) < 0.9 THEN 'Parent' END,
		CASE WHEN records.rnd(k, 71, s.id) < 0.9 THEN 'Health information only' END,
		CASE WHEN records.rnd(k, 72, s.id) < 0.9 THEN records.rnd(k, 73, s.id) < 0.8 END,
		CASE WHEN records.rnd(k, 74, s.id) < 0.9 THEN 'Would place the child at risk' END,
		CASE WHEN records.rnd(k, 75, s.id) < 0.9 THEN 'Practitioner ' || s.id END,
		CASE WHEN records.rnd(k, 76, s.id) < 0.9 THEN 'School nurse' END,
		CASE WHEN records.rnd(k, 77, s.id) < 0.9 THEN 'Community health trust' END,
		CASE WHEN records.rnd(k, 78, s.id) < 0.9 THEN '01632 960' || lpad((s.id % 1000)::text, 3, '0') END,
		CASE WHEN records.rnd(k, 79, s.id) < 0.9 THEN 'Ring back via switchboard' END,
		CASE WHEN records.rnd(k, 80, s.id) < 0.9 THEN records.rnd(k, 81, s.id) < 0.85 END,
		CASE WHEN records.rnd(k, 82, s.id) < 0.9 THEN 'Necessary and proportionate' END,
		CASE WHEN records.rnd(k, 83, s.id) < 0.9 THEN 'Health and education' END,
		CASE WHEN records.rnd(k, 84, s.id) < 0.9 THEN
			(ARRAY['email', 'phone', 'in writing'])[1 + floor(records.rnd(k, 85, s.id) * 3)::integer] END,
		CASE WHEN records.rnd(k, 86, s.id) < 0.9 THEN 'Joint visit arranged' END,
		CASE WHEN records.rnd(k, 87, s.id) < 0.9 THEN 'Read receipt' END
	FROM (SELECT c.person_id * 2 + n AS id, c.person_id,
			coalesce(c.worker, (c.team - 1) * 16 + 4) AS author,
			reference - interval '1 hour' * floor(records.rnd(k, 88, c.person_id * 2 + n) * 8760) AS at
		FROM gen_child c
		CROSS JOIN generate_series(1, 2) n
		WHERE records.rnd(k, 89, c.person_id) < 0.08
			AND (n = 1 OR records.rnd(k, 90, c.person_id) < 0.3)) s
	ORDER BY s.id;

	-- Deleted case notes: usually by a team manager with a reason, not always.
	INSERT INTO records.deletion (deletion_id, record_id, person_id, record_type, deleted_by,
		deleted_at, reason)
	SELECT c.person_id, (1::bigint << 41) + c.person_id, c.person_id, 'case_note',
		CASE WHEN records.rnd(k, 92, c.person_id) < 0.75 THEN (c.team - 1) * 16 + 1
			ELSE (c.team - 1) * 16 + 4 + floor(records.rnd(k, 93, c.person_id) * 13)::integer END,
		reference - interval '1 hour' * floor(records.rnd(k, 94, c.person_id) * 7200),
		CASE WHEN records.rnd(k, 95, c.person_id) < 0.8 THEN 'Recorded on the wrong child''s file' END
	FROM gen_child c
	WHERE records.rnd(k, 91, c.person_id) < 0.01
	ORDER BY 1;

	-- Roll-backs, mostly agreed by the team manager; half of them in the
	-- reference's own London month (before the reference), so the month a
	-- service manager watches (ROLLBACK-RATE) has some, the rest over the
	-- half year before.
	INSERT INTO records.rollback (rollback_id, record_id, person_id, team_id, requested_by, agreed_by,
		rolled_back_at)
	SELECT c.person_id, NULL, c.person_id, c.team,
		(c.team - 1) * 16 + 4 + floor(records.rnd(k, 97, c.person_id) * 13)::integer,
		CASE WHEN records.rnd(k, 98, c.person_id) < 0.85 THEN (c.team - 1) * 16 + 1 END,
		CASE WHEN records.rnd(k, 99, c.person_id) < 0.5
			THEN reference - (reference - (date_trunc('month', reference AT TIME ZONE 'Europe/London')
				AT TIME ZONE 'Europe/London')) * (records.rnd(k, 99, c.person_id) * 2)
			ELSE reference - interval '1 hour'
				* floor((records.rnd(k, 99, c.person_id) - 0.5) * 2 * 4380) END
	FROM gen_child c
	WHERE records.rnd(k, 96, c.person_id) < 0.004
	ORDER BY 1;

	-- Restrictions: adopted children once matched, a few temporary ones,
	-- and staff who are service users (among the other adults).
	INSERT INTO records.restriction (restriction_id, person_id, record_id, reason, restricted_on,
		lifted_on, decided_by)
	SELECT p.person_id, p.person_id, NULL,
		CASE WHEN p.kind = 'adult' THEN 'staff_service_user'
			WHEN i.category = 'adoption' THEN 'adoption_matched' ELSE 'temporary' END,
		coalesce(i.order_date, i.started_on, refd - 400) ,
		CASE WHEN p.kind = 'child' AND i.category <> 'adoption' AND records.rnd(k, 101, p.person_id) < 0.3
			THEN refd - floor(records.rnd(k, 102, p.person_id) * 30)::integer END,
		nteams * 16 + (p.team_id - 1) / 4 + 1
	FROM records.person p
	LEFT JOIN records.involvement i ON i.involvement_id = p.person_id * 4 + 1
	WHERE (p.kind = 'child' AND i.category = 'adoption' AND records.rnd(k, 100, p.person_id) < 0.7)
		OR (p.kind = 'child' AND records.rnd(k, 100, p.person_id) < 0.002)
		OR (p.kind = 'adult' AND records.rnd(k, 100, p.person_id) < 0.05)
	ORDER BY 1;

	INSERT INTO records.restriction_grant (grant_id, restriction_id, person_id, staff_id)
	SELECT r.restriction_id, r.restriction_id, r.person_id, (p.team_id % nteams) * 16 + 5
	FROM records.restriction r
	JOIN records.person p USING (person_id)
	WHERE records.rnd(k, 103, r.restriction_id) < 0.2
	ORDER BY 1;

	-- Accesses to restricted files: mostly the allocated worker or a
	-- manager, sometimes someone from another team.
	INSERT INTO records.restricted_access (access_id, person_id, record_id, accessed_by, accessed_at)
	SELECT r.restriction_id * 8 + a, r.person_id, NULL,
		CASE WHEN records.rnd(k, 105, r.restriction_id * 8 + a) < 0.5
				THEN coalesce(p.allocated_worker_id, (p.team_id - 1) * 16 + 1)
			WHEN records.rnd(k, 105, r.restriction_id * 8 + a) < 0.8 THEN (p.team_id - 1) * 16 + 1
			WHEN records.rnd(k, 105, r.restriction_id * 8 + a) < 0.88
				THEN nteams * 16 + nsm + 3 + floor(records.rnd(k, 106, r.restriction_id * 8 + a) * 4)::integer
			ELSE (p.team_id % nteams) * 16 + 6 + floor(records.rnd(k, 106, r.restriction_id * 8 + a) * 11)::integer
		END,
		greatest(r.restricted_on::timestamp AT TIME ZONE 'Europe/London', reference
			- interval '1 hour' * floor(records.rnd(k, 107, r.restriction_id * 8 + a) * 4380))
	FROM records.restriction r
	JOIN records.person p USING (person_id)
	CROSS JOIN generate_series(1, 4) a
	WHERE a <= floor(records.rnd(k, 104, r.restriction_id) * 5)
	ORDER BY 1;

	-- Subject-access requests behind the access_request events; closed
	-- when the disclosure was made, or sometimes withdrawn.
	INSERT INTO records.access_request (request_id, person_id, event_id, received_at, fee_paid_at,
		closed_at)
	SELECT e.event_id, e.person_id, e.event_id, e.occurred_at,
		CASE WHEN records.rnd(k, 110, e.event_id) < 0.6
			THEN least(reference, e.occurred_at + interval '1 day' * floor(records.rnd(k, 111, e.event_id) * 10)) END,
		coalesce(r.finalised_at, CASE WHEN records.rnd(k, 112, e.event_id) < 0.1 THEN
			least(reference, e.occurred_at + interval '5 days') END)
	FROM gen_event e
	LEFT JOIN records.record r ON r.record_id = e.event_id * 8 + 1 AND r.record_type = 'sar_disclosure'
	WHERE e.event_type = 'access_request' AND NOT e.cancelled AND e.occurred_at <= reference
	ORDER BY 1;

	-- Requests to forget part of a record, most acknowledged on the record.
	-- A request's id is not its person's, so a store key that takes one for
	-- the other shows (tests/rules-fire.sh); draws stay keyed by the person.
	INSERT INTO records.forget_request (request_id, person_id, received_at, received_by, description)
	SELECT (1::bigint << 42) + c.person_id, c.person_id,
		reference - interval '1 hour' * floor(records.rnd(k, 116, c.person_id) * 4800),
		coalesce(c.worker, (c.team - 1) * 16 + 4), 'Asked for a paragraph about a relative to be removed'
	FROM gen_child c
	WHERE records.rnd(k, 115, c.person_id) < 0.003
	ORDER BY 1;

	INSERT INTO records.record (record_id, person_id, record_type, author_id, event_at, entered_at,
		finalised_at, body)
	SELECT (1::bigint << 40) + f.person_id * 32 + 30, f.person_id, 'forget_ack', f.received_by,
		f.received_at, a.at, a.at, 'Synthetic recording for testing.'
	FROM records.forget_request f,
		LATERAL (SELECT f.received_at + interval '1 day' * (1 + floor(records.rnd(k, 118, f.person_id) * 20))
			AS at) a
	WHERE records.rnd(k, 117, f.person_id) < 0.6 AND a.at <= reference
	ORDER BY 1;

	-- The destruction register: persons already destroyed (ids beyond
	-- every live person), by a records officer.
	INSERT INTO records.destruction (destruction_id, person_id, category, destroyed_on, destroyed_by)
	SELECT d, 1000000000000 + d,
		(ARRAY['cin', 'early_help', 's47_nfa', 'youth_justice', 'disability'])[1 + d % 5],
		refd - floor(records.rnd(k, 120, d) * 700)::integer,
		nteams * 16 + nsm + 1 + d % 2
	FROM generate_series(1, greatest(1, children / 400)) d;

	-- Identity sequences continue after the generated ids, so rows added
	-- by hand later do not collide.
	FOR seq_row IN SELECT c.relname AS tab, a.attname AS col
		FROM pg_attribute a
		JOIN pg_class c ON c.oid = a.attrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'records' AND c.relkind = 'r' AND a.attidentity <> ''
	LOOP
		EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), coalesce(max(%I), 0) + 1, false) FROM records.%I',
			'records.' || seq_row.tab, seq_row.col, seq_row.col, seq_row.tab);
	END LOOP;

	FOR trg IN SELECT c.oid::regclass::text AS tab FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
		WHERE c.relnamespace = 'records'::regnamespace AND tg.tgname = 'touch' LOOP
		EXECUTE format('ALTER TABLE %s ENABLE TRIGGER touch', trg.tab);
	END LOOP;
	FOR fk IN SELECT * FROM gen_fk LOOP
		EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', fk.tab, fk.conname, fk.def);
	END LOOP;

	DROP TABLE gen_child, gen_event, gen_hazard, gen_hazard_review, gen_fk;
	ANALYZE records.team, records.staff, records.person, records.involvement, records.event,
		records.record, records.hazard, records.hazard_review, records.info_sharing, records.deletion,
		records.rollback, records.restriction, records.restriction_grant, records.restricted_access,
		records.access_request, records.forget_request, records.destruction, records.tombstone;

	RETURN QUERY
	SELECT 'team', count(*) FROM records.team
	UNION ALL SELECT 'staff', count(*) FROM records.staff
	UNION ALL SELECT 'person', count(*) FROM records.person
	UNION ALL SELECT 'involvement', count(*) FROM records.involvement
	UNION ALL SELECT 'event', count(*) FROM records.event
	UNION ALL SELECT 'record', count(*) FROM records.record
	UNION ALL SELECT 'hazard', count(*) FROM records.hazard
	UNION ALL SELECT 'hazard_review', count(*) FROM records.hazard_review
	UNION ALL SELECT 'info_sharing', count(*) FROM records.info_sharing
	UNION ALL SELECT 'deletion', count(*) FROM records.deletion
	UNION ALL SELECT 'rollback', count(*) FROM records.rollback
	UNION ALL SELECT 'restriction', count(*) FROM records.restriction
	UNION ALL SELECT 'restriction_grant', count(*) FROM records.restriction_grant
	UNION ALL SELECT 'restricted_access', count(*) FROM records.restricted_access
	UNION ALL SELECT 'access_request', count(*) FROM records.access_request
	UNION ALL SELECT 'forget_request', count(*) FROM records.forget_request
	UNION ALL SELECT 'destruction', count(*) FROM records.destruction
	ORDER BY 1;
END;
$gen$;
