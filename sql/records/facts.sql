-- facts.sql - records.person_facts(): one person's facts as the JSON document the engine reads.
--
-- Part of the records interface: load after interface.sql
--   psql -v ON_ERROR_STOP=1 -f facts.sql
-- (this file only creates or replaces functions, so loading it again is
-- harmless). The shape is the facts contract, FACTS.md / docs/lifecycle.md:
--
--   person_id, kind, date_of_birth, date_of_death, nation, team_id, worker_id,
--   involvements  [{id, category, start, end, order_date, outcome}]
--   events        [{id, type, at, cancelled, related_event_id}]
--   records       [{id, type, event_id, event_at, entered_at, finalised_at,
--                   late_flag, has_late_reason, author_id}]
--   hazards       [{id, start, review_due, active, ended, has_description, reviews: [at]}]
--   deletions     [{record_id, deleted_at, deleted_by, deleted_by_role, has_reason}]
--   info_sharing  [{id, kind, at, missing: [field]}]
--   restricted_access [{id, record_id, accessed_by, allowed, at}]
--   access_requests [{id, event_id, received_at, closed_at}]
--
-- Every array is ordered by its id (hazard reviews by time) and is empty,
-- never absent. Timestamps are printed by to_json() with TimeZone UTC
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
CREATE OR REPLACE FUNCTION records.info_sharing_missing(s records.info_sharing) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT coalesce(array_agg(f.name ORDER BY f.ord), '{}')
	FROM (VALUES
		(1, 'occurred_at', s.occurred_at IS NULL, true),
		(2, 'recorded_by', s.recorded_by IS NULL, true),
		(3, 'signed', s.signed IS NOT TRUE, true),
		(4, 'reason', NOT records.has_text(s.reason), true),
		(5, 'request_summary', NOT records.has_text(s.request_summary),
			s.direction IN ('request_received', 'request_made')),
		(6, 'with_consent', s.with_consent IS NULL, true),
		(7, 'no_consent_reason', NOT records.has_text(s.no_consent_reason),
			s.with_consent IS FALSE),
		(8, 'consented_by', NOT records.has_text(s.consented_by), s.with_consent IS TRUE),
		(9, 'consent_limits', NOT records.has_text(s.consent_limits), s.with_consent IS TRUE),
		(10, 'subject_informed', s.subject_informed IS NULL,
			s.direction IN ('shared', 'request_received')),
		(11, 'not_informed_reason', NOT records.has_text(s.not_informed_reason),
			s.direction IN ('shared', 'request_received') AND s.subject_informed IS FALSE),
		(12, 'counterpart_name', NOT records.has_text(s.counterpart_name), true),
		(13, 'counterpart_job_title', NOT records.has_text(s.counterpart_job_title), true),
		(14, 'counterpart_organisation', NOT records.has_text(s.counterpart_organisation), true),
		(15, 'counterpart_phone', NOT records.has_text(s.counterpart_phone), true),
		(16, 'identity_check', NOT records.has_text(s.identity_check),
			s.direction IN ('request_received', 'request_made')),
		(17, 'decided_to_share', s.decided_to_share IS NULL,
			s.direction IN ('request_received', 'request_made')),
		(18, 'decision_reason', NOT records.has_text(s.decision_reason),
			s.direction = 'request_received'
			OR (s.direction = 'request_made' AND s.decided_to_share IS FALSE)),
		(19, 'information_type', NOT records.has_text(s.information_type),
			s.direction = 'shared' OR s.decided_to_share IS TRUE),
		(20, 'method', NOT records.has_text(s.method),
			s.direction = 'shared' OR s.decided_to_share IS TRUE),
		(21, 'outcome', NOT records.has_text(s.outcome), true),
		(22, 'receipt_confirmation', NOT records.has_text(s.receipt_confirmation),
			s.direction = 'shared')
	) AS f (ord, name, absent, required)
	WHERE f.required AND f.absent
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
		'worker_id', p.allocated_worker_id,
		'involvements', coalesce((SELECT json_agg(json_build_object(
				'id', i.involvement_id, 'category', i.category, 'start', i.started_on,
				'end', i.ended_on, 'order_date', i.order_date, 'outcome', i.outcome)
				ORDER BY i.involvement_id)
			FROM records.involvement i WHERE i.person_id = p.person_id), '[]'),
		'events', coalesce((SELECT json_agg(json_build_object(
				'id', e.event_id, 'type', e.event_type, 'at', e.occurred_at,
				'cancelled', e.cancelled, 'related_event_id', e.related_event_id)
				ORDER BY e.event_id)
			FROM records.event e WHERE e.person_id = p.person_id), '[]'),
		'records', coalesce((SELECT json_agg(json_build_object(
				'id', r.record_id, 'type', r.record_type, 'event_id', r.event_id,
				'event_at', r.event_at, 'entered_at', r.entered_at,
				'finalised_at', r.finalised_at, 'late_flag', r.late_flag,
				'has_late_reason', records.has_text(r.late_reason),
				'author_id', r.author_id)
				ORDER BY r.record_id)
			FROM records.record r WHERE r.person_id = p.person_id), '[]'),
		'hazards', coalesce((SELECT json_agg(json_build_object(
				'id', h.hazard_id, 'start', h.started_on, 'review_due', h.review_due_on,
				'active', h.active, 'ended', h.ended_on,
				'has_description', records.has_text(h.description),
				'reviews', coalesce((SELECT json_agg(v.reviewed_at
						ORDER BY v.reviewed_at, v.review_id)
					FROM records.hazard_review v WHERE v.hazard_id = h.hazard_id), '[]'))
				ORDER BY h.hazard_id)
			FROM records.hazard h WHERE h.person_id = p.person_id), '[]'),
		'deletions', coalesce((SELECT json_agg(json_build_object(
				'record_id', d.record_id, 'deleted_at', d.deleted_at,
				'deleted_by', d.deleted_by, 'deleted_by_role', s.role,
				'has_reason', records.has_text(d.reason))
				ORDER BY d.deletion_id)
			FROM records.deletion d LEFT JOIN records.staff s ON s.staff_id = d.deleted_by
			WHERE d.person_id = p.person_id), '[]'),
		'info_sharing', coalesce((SELECT json_agg(json_build_object(
				'id', x.sharing_id, 'kind', records.info_sharing_kind(x.direction),
				'at', x.occurred_at, 'missing', records.info_sharing_missing(x))
				ORDER BY x.sharing_id)
			FROM records.info_sharing x WHERE x.person_id = p.person_id), '[]'),
		'restricted_access', coalesce((SELECT json_agg(json_build_object(
				'id', a.access_id, 'record_id', a.record_id, 'accessed_by', a.accessed_by,
				'allowed', records.access_allowed(a, p.allocated_worker_id, t.manager_id,
					t.service_manager_id),
				'at', a.accessed_at)
				ORDER BY a.access_id)
			FROM records.restricted_access a WHERE a.person_id = p.person_id), '[]'),
		'access_requests', coalesce((SELECT json_agg(json_build_object(
				'id', r.request_id, 'event_id', r.event_id, 'received_at', r.received_at,
				'closed_at', r.closed_at)
				ORDER BY r.request_id)
			FROM records.access_request r WHERE r.person_id = p.person_id), '[]'))
	FROM records.person p
	LEFT JOIN records.team t ON t.team_id = p.team_id
	WHERE p.person_id = p_person_id
$$;

-- Many persons' facts in one query, the same documents as person_facts(),
-- one row per existing person of p_person_ids, ordered by person_id. Each
-- table is read once for the whole batch, so this is the fast way to sweep:
-- page through records.person by person_id in batches of about a thousand.
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
		FROM records.involvement i WHERE i.person_id = ANY (p_person_ids)
		GROUP BY i.person_id),
	ev AS (SELECT e.person_id, json_agg(json_build_object(
			'id', e.event_id, 'type', e.event_type, 'at', e.occurred_at,
			'cancelled', e.cancelled, 'related_event_id', e.related_event_id)
			ORDER BY e.event_id) AS a
		FROM records.event e WHERE e.person_id = ANY (p_person_ids)
		GROUP BY e.person_id),
	rec AS (SELECT r.person_id, json_agg(json_build_object(
			'id', r.record_id, 'type', r.record_type, 'event_id', r.event_id,
			'event_at', r.event_at, 'entered_at', r.entered_at,
			'finalised_at', r.finalised_at, 'late_flag', r.late_flag,
			'has_late_reason', records.has_text(r.late_reason),
			'author_id', r.author_id)
			ORDER BY r.record_id) AS a
		FROM records.record r WHERE r.person_id = ANY (p_person_ids)
		GROUP BY r.person_id),
	rev AS (SELECT v.hazard_id, json_agg(v.reviewed_at ORDER BY v.reviewed_at, v.review_id) AS a
		FROM records.hazard_review v WHERE v.person_id = ANY (p_person_ids)
		GROUP BY v.hazard_id),
	haz AS (SELECT h.person_id, json_agg(json_build_object(
			'id', h.hazard_id, 'start', h.started_on, 'review_due', h.review_due_on,
			'active', h.active, 'ended', h.ended_on,
			'has_description', records.has_text(h.description),
			'reviews', coalesce(rev.a, '[]'))
			ORDER BY h.hazard_id) AS a
		FROM records.hazard h LEFT JOIN rev ON rev.hazard_id = h.hazard_id
		WHERE h.person_id = ANY (p_person_ids)
		GROUP BY h.person_id),
	del AS (SELECT d.person_id, json_agg(json_build_object(
			'record_id', d.record_id, 'deleted_at', d.deleted_at,
			'deleted_by', d.deleted_by, 'deleted_by_role', s.role,
			'has_reason', records.has_text(d.reason))
			ORDER BY d.deletion_id) AS a
		FROM records.deletion d LEFT JOIN records.staff s ON s.staff_id = d.deleted_by
		WHERE d.person_id = ANY (p_person_ids)
		GROUP BY d.person_id),
	shr AS (SELECT x.person_id, json_agg(json_build_object(
			'id', x.sharing_id, 'kind', records.info_sharing_kind(x.direction),
			'at', x.occurred_at, 'missing', records.info_sharing_missing(x))
			ORDER BY x.sharing_id) AS a
		FROM records.info_sharing x WHERE x.person_id = ANY (p_person_ids)
		GROUP BY x.person_id),
	acc AS (SELECT a.person_id, json_agg(json_build_object(
			'id', a.access_id, 'record_id', a.record_id, 'accessed_by', a.accessed_by,
			'allowed', records.access_allowed(a, p.allocated_worker_id, t.manager_id,
				t.service_manager_id),
			'at', a.accessed_at)
			ORDER BY a.access_id) AS a
		FROM records.restricted_access a
		JOIN records.person p ON p.person_id = a.person_id
		LEFT JOIN records.team t ON t.team_id = p.team_id
		WHERE a.person_id = ANY (p_person_ids)
		GROUP BY a.person_id),
	sar AS (SELECT r.person_id, json_agg(json_build_object(
			'id', r.request_id, 'event_id', r.event_id, 'received_at', r.received_at,
			'closed_at', r.closed_at)
			ORDER BY r.request_id) AS a
		FROM records.access_request r WHERE r.person_id = ANY (p_person_ids)
		GROUP BY r.person_id)
	SELECT p.person_id, json_build_object(
		'person_id', p.person_id,
		'kind', p.kind,
		'date_of_birth', p.date_of_birth,
		'date_of_death', p.date_of_death,
		'nation', p.nation,
		'team_id', p.team_id,
		'worker_id', p.allocated_worker_id,
		'involvements', coalesce(inv.a, '[]'),
		'events', coalesce(ev.a, '[]'),
		'records', coalesce(rec.a, '[]'),
		'hazards', coalesce(haz.a, '[]'),
		'deletions', coalesce(del.a, '[]'),
		'info_sharing', coalesce(shr.a, '[]'),
		'restricted_access', coalesce(acc.a, '[]'),
		'access_requests', coalesce(sar.a, '[]'))
	FROM records.person p
	LEFT JOIN inv ON inv.person_id = p.person_id
	LEFT JOIN ev ON ev.person_id = p.person_id
	LEFT JOIN rec ON rec.person_id = p.person_id
	LEFT JOIN haz ON haz.person_id = p.person_id
	LEFT JOIN del ON del.person_id = p.person_id
	LEFT JOIN shr ON shr.person_id = p.person_id
	LEFT JOIN acc ON acc.person_id = p.person_id
	LEFT JOIN sar ON sar.person_id = p.person_id
	WHERE p.person_id = ANY (p_person_ids)
	ORDER BY p.person_id
$$;
