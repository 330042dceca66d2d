-- facts.sql - the facts the engine reads: one view per row kind, and the same facts as JSON.
--
-- Part of the records interface: load after interface.sql
--   psql -v ON_ERROR_STOP=1 -f facts.sql
-- (this file only creates or replaces views and functions, so loading it
-- again is harmless; a view's new columns go at its end, so loading it
-- over an older version replaces the views in place).
--
-- The records.facts_* views are the one definition of what each row of a
-- person's facts carries, over the interface's tables: plain columns, the
-- free text already reduced to booleans, one row per fact with its
-- person_id. casewatchd streams them page by page, ordered by (person_id,
-- row id), with instants as records.epoch() and dates as
-- records.day_number() (daemon/facts_reader.c). records.person_facts()
-- builds the JSON document from the same views, to read by eye and for
-- the tests; the two forms cannot drift apart. The document's shape is
-- the facts contract, docs/facts.md / docs/lifecycle.md:
--
--   person_id, kind, date_of_birth, date_of_death, nation, team_id, worker_id,
--   involvements  [{id, category, start, end, order_date, outcome}]
--   events        [{id, type, at, cancelled, related_event_id, fee_paid_at, until_18}]
--   records       [{id, type, event_id, event_at, entered_at, finalised_at,
--                   late_flag, has_late_reason, author_id, confidential}]
--   hazards       [{id, start, review_due, active, ended, has_description, reviews: [at]}]
--   deletions     [{record_id, deleted_at, deleted_by, deleted_by_role, has_reason}]
--   info_sharing  [{id, kind, at, missing: [field]}]
--   restricted_access [{id, record_id, accessed_by, accessed_by_role, allowed, at}]
--   forget_requests [{id, received_at}]
--   access_requests [{id, event_id, received_at, closed_at}]
--
-- Every array is ordered by its id (hazard reviews by time) and is empty,
-- never absent (the engine's JSON reader accepts a document without
-- forget_requests, from an interface before it). Timestamps are printed by to_json() with TimeZone UTC
-- ("2026-11-20T10:00:00+00:00"); the functions set it themselves, so the
-- caller's session time zone does not matter.
--
-- Privacy: no free-text column is ever selected into the output. The three
-- that matter become booleans: has_description (hazard.description),
-- has_late_reason (record.late_reason), has_reason (deletion.reason); a
-- value that is empty or only blanks counts as absent. info_sharing's
-- free-text fields are reduced to the names of those that are missing.

-- The text is present: not null and not only blanks.
CREATE OR REPLACE FUNCTION records.has_text(t text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT t IS NOT NULL AND btrim(t, E' \t\r\n') <> ''
$$;

-- The Hull information-sharing fields (004 §3.1 sharing, §3.2 request
-- received, §3.3 request made) missing from one info_sharing row, by column
-- name, in a fixed order. Conditional fields are required only when their
-- condition is known to hold: no_consent_reason when with_consent is false,
-- consented_by and consent_limits when it is true, not_informed_reason when
-- subject_informed is false; in §3.2 information_type and method when
-- decided_to_share is true; in §3.3 information_type and method when it is
-- true and decision_reason when it is false. case_reference is "if
-- available" and never required. signed counts as missing unless true.
-- (One expression, not a set of rows aggregated: the planner inlines it,
-- where the aggregate ran as a function call per row, a fifth of a
-- sweep's reading of information sharing.)
CREATE OR REPLACE FUNCTION records.info_sharing_missing(s records.info_sharing) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT array_remove(ARRAY[
		CASE WHEN s.occurred_at IS NULL THEN 'occurred_at' END,
		CASE WHEN s.recorded_by IS NULL THEN 'recorded_by' END,
		CASE WHEN s.signed IS NOT TRUE THEN 'signed' END,
		CASE WHEN NOT records.has_text(s.reason) THEN 'reason' END,
		CASE WHEN (s.direction IN ('request_received', 'request_made')) AND NOT records.has_text(s.request_summary) THEN 'request_summary' END,
		CASE WHEN s.with_consent IS NULL THEN 'with_consent' END,
		CASE WHEN (s.with_consent IS FALSE) AND NOT records.has_text(s.no_consent_reason) THEN 'no_consent_reason' END,
		CASE WHEN (s.with_consent IS TRUE) AND NOT records.has_text(s.consented_by) THEN 'consented_by' END,
		CASE WHEN (s.with_consent IS TRUE) AND NOT records.has_text(s.consent_limits) THEN 'consent_limits' END,
		CASE WHEN (s.direction IN ('shared', 'request_received')) AND s.subject_informed IS NULL THEN 'subject_informed' END,
		CASE WHEN (s.direction IN ('shared', 'request_received') AND s.subject_informed IS FALSE) AND NOT records.has_text(s.not_informed_reason) THEN 'not_informed_reason' END,
		CASE WHEN NOT records.has_text(s.counterpart_name) THEN 'counterpart_name' END,
		CASE WHEN NOT records.has_text(s.counterpart_job_title) THEN 'counterpart_job_title' END,
		CASE WHEN NOT records.has_text(s.counterpart_organisation) THEN 'counterpart_organisation' END,
		CASE WHEN NOT records.has_text(s.counterpart_phone) THEN 'counterpart_phone' END,
		CASE WHEN (s.direction IN ('request_received', 'request_made')) AND NOT records.has_text(s.identity_check) THEN 'identity_check' END,
		CASE WHEN (s.direction IN ('request_received', 'request_made')) AND s.decided_to_share IS NULL THEN 'decided_to_share' END,
		CASE WHEN (s.direction = 'request_received' OR (s.direction = 'request_made' AND s.decided_to_share IS FALSE)) AND NOT records.has_text(s.decision_reason) THEN 'decision_reason' END,
		CASE WHEN (s.direction = 'shared' OR s.decided_to_share IS TRUE) AND NOT records.has_text(s.information_type) THEN 'information_type' END,
		CASE WHEN (s.direction = 'shared' OR s.decided_to_share IS TRUE) AND NOT records.has_text(s.method) THEN 'method' END,
		CASE WHEN NOT records.has_text(s.outcome) THEN 'outcome' END,
		CASE WHEN (s.direction = 'shared') AND NOT records.has_text(s.receipt_confirmation) THEN 'receipt_confirmation' END
	]::text[], NULL)
$$;

-- The contract's info_sharing kind for a direction: Hull's three sections.
CREATE OR REPLACE FUNCTION records.info_sharing_kind(direction text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE direction WHEN 'shared' THEN 'sharing' ELSE direction END
$$;

-- The access was allowed (002 §11): the accessor is the allocated worker,
-- the team's manager or its service manager (as they are now), or holds a
-- grant on every restriction in force that day (Europe/London) on the
-- person's file or on the record accessed. With none in force, it was.
CREATE OR REPLACE FUNCTION records.access_allowed(a records.restricted_access,
	worker_id bigint, manager_id bigint, service_manager_id bigint) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT a.accessed_by IN (worker_id, manager_id, service_manager_id) IS TRUE
		OR NOT EXISTS (SELECT 1 FROM records.restriction r
			WHERE r.person_id = a.person_id
			AND (r.record_id IS NULL OR r.record_id = a.record_id)
			AND r.restricted_on <= (a.accessed_at AT TIME ZONE 'Europe/London')::date
			AND (r.lifted_on IS NULL
				OR r.lifted_on > (a.accessed_at AT TIME ZONE 'Europe/London')::date)
			AND NOT EXISTS (SELECT 1 FROM records.restriction_grant g
				WHERE g.restriction_id = r.restriction_id
				AND g.staff_id = a.accessed_by))
$$;

-- An instant as whole seconds since 1970-01-01 UTC, the fraction dropped
-- (rounding down, as the engine reads a timestamp). The infinities become
-- values far outside the years 1-9999, which the engine reports as such;
-- null stays null. date_part on the instant cut to the second is exact
-- (a whole number of seconds, rounded) and several times cheaper than
-- extract's numeric, which was half the cost of reading facts_record.
CREATE OR REPLACE FUNCTION records.epoch(t timestamptz) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN isfinite(t) THEN date_part('epoch', date_trunc('second', t))::bigint
		WHEN t > 'epoch'::timestamptz THEN 9000000000000000000
		WHEN t < 'epoch'::timestamptz THEN -9000000000000000000 END
$$;

-- A date as days since 1970-01-01; the infinities as for epoch().
CREATE OR REPLACE FUNCTION records.day_number(d date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN isfinite(d) THEN d - date '1970-01-01'
		WHEN d > date '1970-01-01' THEN 2000000000
		WHEN d < date '1970-01-01' THEN -2000000000 END
$$;

-- The person's own fields.
CREATE OR REPLACE VIEW records.facts_person AS
	SELECT p.person_id, p.kind, p.date_of_birth, p.date_of_death, p.nation, p.team_id,
		p.allocated_worker_id AS worker_id
	FROM records.person p;

CREATE OR REPLACE VIEW records.facts_involvement AS
	SELECT i.person_id, i.involvement_id, i.category, i.started_on, i.ended_on, i.order_date,
		i.outcome
	FROM records.involvement i;

-- fee_paid_at: the fee payment of the subject-access request naming the
-- event (Coventry's SAR-40D anchor; the earliest if several name it).
-- Joined from the paid requests grouped once, not looked up per event: a
-- page of events read 3-4 times faster so (the lookup was most of it).
CREATE OR REPLACE VIEW records.facts_event AS
	SELECT e.person_id, e.event_id, e.event_type, e.occurred_at, e.cancelled, e.related_event_id,
		f.fee_paid_at, e.until_18
	FROM records.event e
	LEFT JOIN (SELECT a.event_id, min(a.fee_paid_at) AS fee_paid_at FROM records.access_request a
		WHERE a.fee_paid_at IS NOT NULL GROUP BY a.event_id) f ON f.event_id = e.event_id;

CREATE OR REPLACE VIEW records.facts_record AS
	SELECT r.person_id, r.record_id, r.record_type, r.event_id, r.event_at, r.entered_at,
		r.finalised_at, r.late_flag, records.has_text(r.late_reason) AS has_late_reason,
		r.author_id, r.confidential
	FROM records.record r;

CREATE OR REPLACE VIEW records.facts_hazard AS
	SELECT h.person_id, h.hazard_id, h.started_on, h.review_due_on, h.active, h.ended_on,
		records.has_text(h.description) AS has_description
	FROM records.hazard h;

-- A hazard's reviews belong to the hazard's person (the document nests
-- them under the hazard).
CREATE OR REPLACE VIEW records.facts_hazard_review AS
	SELECT h.person_id, v.hazard_id, v.review_id, v.reviewed_at
	FROM records.hazard_review v
	JOIN records.hazard h ON h.hazard_id = v.hazard_id;

CREATE OR REPLACE VIEW records.facts_deletion AS
	SELECT d.person_id, d.deletion_id, d.record_id, d.deleted_at, d.deleted_by,
		s.role AS deleted_by_role, records.has_text(d.reason) AS has_reason
	FROM records.deletion d
	LEFT JOIN records.staff s ON s.staff_id = d.deleted_by;

CREATE OR REPLACE VIEW records.facts_info_sharing AS
	SELECT x.person_id, x.sharing_id, records.info_sharing_kind(x.direction) AS kind,
		x.occurred_at, records.info_sharing_missing(x) AS missing
	FROM records.info_sharing x;

CREATE OR REPLACE VIEW records.facts_restricted_access AS
	SELECT a.person_id, a.access_id, a.record_id, a.accessed_by,
		records.access_allowed(a, p.allocated_worker_id, t.manager_id,
			t.service_manager_id) AS allowed,
		a.accessed_at, s.role AS accessed_by_role
	FROM records.restricted_access a
	JOIN records.person p ON p.person_id = a.person_id
	LEFT JOIN records.team t ON t.team_id = p.team_id
	LEFT JOIN records.staff s ON s.staff_id = a.accessed_by;

-- A request to forget part of the record (FORGET-ACK); what was asked
-- (description) stays behind.
CREATE OR REPLACE VIEW records.facts_forget_request AS
	SELECT g.person_id, g.request_id, g.received_at
	FROM records.forget_request g;

-- Subject-access requests (HOLD-SAR): open while closed_at is null.
CREATE OR REPLACE VIEW records.facts_access_request AS
	SELECT r.person_id, r.request_id, r.event_id, r.received_at, r.closed_at
	FROM records.access_request r;

-- One person's facts, or null when there is no such person. Each array is
-- one index scan on person_id; use persons_facts() for many persons at once.
CREATE OR REPLACE FUNCTION records.person_facts(p_person_id bigint) RETURNS json
LANGUAGE sql STABLE PARALLEL SAFE
SET TimeZone = 'UTC'
AS $$
	SELECT json_build_object(
		'person_id', p.person_id,
		'kind', p.kind,
		'date_of_birth', p.date_of_birth,
		'date_of_death', p.date_of_death,
		'nation', p.nation,
		'team_id', p.team_id,
		'worker_id', p.worker_id,
		'involvements', coalesce((SELECT json_agg(json_build_object(
				'id', i.involvement_id, 'category', i.category, 'start', i.started_on,
				'end', i.ended_on, 'order_date', i.order_date, 'outcome', i.outcome)
				ORDER BY i.involvement_id)
			FROM records.facts_involvement i WHERE i.person_id = p.person_id), '[]'),
		'events', coalesce((SELECT json_agg(json_build_object(
				'id', e.event_id, 'type', e.event_type, 'at', e.occurred_at,
				'cancelled', e.cancelled, 'related_event_id', e.related_event_id,
				'fee_paid_at', e.fee_paid_at, 'until_18', e.until_18)
				ORDER BY e.event_id)
			FROM records.facts_event e WHERE e.person_id = p.person_id), '[]'),
		'records', coalesce((SELECT json_agg(json_build_object(
				'id', r.record_id, 'type', r.record_type, 'event_id', r.event_id,
				'event_at', r.event_at, 'entered_at', r.entered_at,
				'finalised_at', r.finalised_at, 'late_flag', r.late_flag,
				'has_late_reason', r.has_late_reason, 'author_id', r.author_id,
				'confidential', r.confidential)
				ORDER BY r.record_id)
			FROM records.facts_record r WHERE r.person_id = p.person_id), '[]'),
		'hazards', coalesce((SELECT json_agg(json_build_object(
				'id', h.hazard_id, 'start', h.started_on, 'review_due', h.review_due_on,
				'active', h.active, 'ended', h.ended_on,
				'has_description', h.has_description,
				'reviews', coalesce((SELECT json_agg(v.reviewed_at
						ORDER BY v.reviewed_at, v.review_id)
					FROM records.facts_hazard_review v
					WHERE v.person_id = h.person_id AND v.hazard_id = h.hazard_id), '[]'))
				ORDER BY h.hazard_id)
			FROM records.facts_hazard h WHERE h.person_id = p.person_id), '[]'),
		'deletions', coalesce((SELECT json_agg(json_build_object(
				'record_id', d.record_id, 'deleted_at', d.deleted_at,
				'deleted_by', d.deleted_by, 'deleted_by_role', d.deleted_by_role,
				'has_reason', d.has_reason)
				ORDER BY d.deletion_id)
			FROM records.facts_deletion d WHERE d.person_id = p.person_id), '[]'),
		'info_sharing', coalesce((SELECT json_agg(json_build_object(
				'id', x.sharing_id, 'kind', x.kind, 'at', x.occurred_at,
				'missing', x.missing)
				ORDER BY x.sharing_id)
			FROM records.facts_info_sharing x WHERE x.person_id = p.person_id), '[]'),
		'restricted_access', coalesce((SELECT json_agg(json_build_object(
				'id', a.access_id, 'record_id', a.record_id, 'accessed_by', a.accessed_by,
				'accessed_by_role', a.accessed_by_role, 'allowed', a.allowed,
				'at', a.accessed_at)
				ORDER BY a.access_id)
			FROM records.facts_restricted_access a WHERE a.person_id = p.person_id), '[]'),
		'forget_requests', coalesce((SELECT json_agg(json_build_object(
				'id', g.request_id, 'received_at', g.received_at)
				ORDER BY g.request_id)
			FROM records.facts_forget_request g WHERE g.person_id = p.person_id), '[]'),
		'access_requests', coalesce((SELECT json_agg(json_build_object(
				'id', q.request_id, 'event_id', q.event_id, 'received_at', q.received_at,
				'closed_at', q.closed_at)
				ORDER BY q.request_id)
			FROM records.facts_access_request q WHERE q.person_id = p.person_id), '[]'))
	FROM records.facts_person p
	WHERE p.person_id = p_person_id
$$;

-- Many persons' facts in one query, the same documents as person_facts(),
-- one row per existing person of p_person_ids, ordered by person_id. Each
-- view is read once for the whole batch.
CREATE OR REPLACE FUNCTION records.persons_facts(p_person_ids bigint[])
RETURNS TABLE (person_id bigint, facts json)
LANGUAGE sql STABLE PARALLEL SAFE
SET TimeZone = 'UTC'
AS $$
	WITH
	inv AS (SELECT i.person_id, json_agg(json_build_object(
			'id', i.involvement_id, 'category', i.category, 'start', i.started_on,
			'end', i.ended_on, 'order_date', i.order_date, 'outcome', i.outcome)
			ORDER BY i.involvement_id) AS a
		FROM records.facts_involvement i WHERE i.person_id = ANY (p_person_ids)
		GROUP BY i.person_id),
	ev AS (SELECT e.person_id, json_agg(json_build_object(
			'id', e.event_id, 'type', e.event_type, 'at', e.occurred_at,
			'cancelled', e.cancelled, 'related_event_id', e.related_event_id,
			'fee_paid_at', e.fee_paid_at, 'until_18', e.until_18)
			ORDER BY e.event_id) AS a
		FROM records.facts_event e WHERE e.person_id = ANY (p_person_ids)
		GROUP BY e.person_id),
	rec AS (SELECT r.person_id, json_agg(json_build_object(
			'id', r.record_id, 'type', r.record_type, 'event_id', r.event_id,
			'event_at', r.event_at, 'entered_at', r.entered_at,
			'finalised_at', r.finalised_at, 'late_flag', r.late_flag,
			'has_late_reason', r.has_late_reason, 'author_id', r.author_id,
				'confidential', r.confidential)
			ORDER BY r.record_id) AS a
		FROM records.facts_record r WHERE r.person_id = ANY (p_person_ids)
		GROUP BY r.person_id),
	rev AS (SELECT v.hazard_id, json_agg(v.reviewed_at ORDER BY v.reviewed_at, v.review_id) AS a
		FROM records.facts_hazard_review v WHERE v.person_id = ANY (p_person_ids)
		GROUP BY v.hazard_id),
	haz AS (SELECT h.person_id, json_agg(json_build_object(
			'id', h.hazard_id, 'start', h.started_on, 'review_due', h.review_due_on,
			'active', h.active, 'ended', h.ended_on,
			'has_description', h.has_description,
			'reviews', coalesce(rev.a, '[]'))
			ORDER BY h.hazard_id) AS a
		FROM records.facts_hazard h LEFT JOIN rev ON rev.hazard_id = h.hazard_id
		WHERE h.person_id = ANY (p_person_ids)
		GROUP BY h.person_id),
	del AS (SELECT d.person_id, json_agg(json_build_object(
			'record_id', d.record_id, 'deleted_at', d.deleted_at,
			'deleted_by', d.deleted_by, 'deleted_by_role', d.deleted_by_role,
			'has_reason', d.has_reason)
			ORDER BY d.deletion_id) AS a
		FROM records.facts_deletion d WHERE d.person_id = ANY (p_person_ids)
		GROUP BY d.person_id),
	shr AS (SELECT x.person_id, json_agg(json_build_object(
			'id', x.sharing_id, 'kind', x.kind, 'at', x.occurred_at, 'missing', x.missing)
			ORDER BY x.sharing_id) AS a
		FROM records.facts_info_sharing x WHERE x.person_id = ANY (p_person_ids)
		GROUP BY x.person_id),
	acc AS (SELECT a.person_id, json_agg(json_build_object(
			'id', a.access_id, 'record_id', a.record_id, 'accessed_by', a.accessed_by,
			'accessed_by_role', a.accessed_by_role, 'allowed', a.allowed, 'at', a.accessed_at)
			ORDER BY a.access_id) AS a
		FROM records.facts_restricted_access a WHERE a.person_id = ANY (p_person_ids)
		GROUP BY a.person_id),
	fgt AS (SELECT g.person_id, json_agg(json_build_object(
			'id', g.request_id, 'received_at', g.received_at)
			ORDER BY g.request_id) AS a
		FROM records.facts_forget_request g WHERE g.person_id = ANY (p_person_ids)
		GROUP BY g.person_id),
	sar AS (SELECT q.person_id, json_agg(json_build_object(
			'id', q.request_id, 'event_id', q.event_id, 'received_at', q.received_at,
			'closed_at', q.closed_at)
			ORDER BY q.request_id) AS a
		FROM records.facts_access_request q WHERE q.person_id = ANY (p_person_ids)
		GROUP BY q.person_id)
	SELECT p.person_id, json_build_object(
		'person_id', p.person_id,
		'kind', p.kind,
		'date_of_birth', p.date_of_birth,
		'date_of_death', p.date_of_death,
		'nation', p.nation,
		'team_id', p.team_id,
		'worker_id', p.worker_id,
		'involvements', coalesce(inv.a, '[]'),
		'events', coalesce(ev.a, '[]'),
		'records', coalesce(rec.a, '[]'),
		'hazards', coalesce(haz.a, '[]'),
		'deletions', coalesce(del.a, '[]'),
		'info_sharing', coalesce(shr.a, '[]'),
		'restricted_access', coalesce(acc.a, '[]'),
		'forget_requests', coalesce(fgt.a, '[]'),
		'access_requests', coalesce(sar.a, '[]'))
	FROM records.facts_person p
	LEFT JOIN inv ON inv.person_id = p.person_id
	LEFT JOIN ev ON ev.person_id = p.person_id
	LEFT JOIN rec ON rec.person_id = p.person_id
	LEFT JOIN haz ON haz.person_id = p.person_id
	LEFT JOIN del ON del.person_id = p.person_id
	LEFT JOIN shr ON shr.person_id = p.person_id
	LEFT JOIN acc ON acc.person_id = p.person_id
	LEFT JOIN fgt ON fgt.person_id = p.person_id
	LEFT JOIN sar ON sar.person_id = p.person_id
	WHERE p.person_id = ANY (p_person_ids)
	ORDER BY p.person_id
$$;

-- Team-level facts: not a person's, read whole by the daemon's team step
-- (daemon/team_pass.c) for the period it counts, never page by page.
-- One row per roll-back (ROLLBACK-RATE, 002 §13): its team (the
-- roll-back's own, else its person's), when, and whether "the appropriate
-- Team Manager" agreed it: agreed_by is that team's manager.
CREATE OR REPLACE VIEW records.team_rollback AS
	SELECT r.rollback_id, coalesce(r.team_id, p.team_id) AS team_id, r.rolled_back_at,
		coalesce(r.agreed_by = t.manager_id, false) AS agreed
	FROM records.rollback r
	JOIN records.person p ON p.person_id = r.person_id
	LEFT JOIN records.team t ON t.team_id = coalesce(r.team_id, p.team_id);
