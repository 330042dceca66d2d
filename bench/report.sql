-- report.sql - the overdue recording of the default profile, written by hand against the records tables.
--
--   psql -v now='2026-11-23 09:00+00' -v holidays=tests/data/bank-holidays-1990-2030.txt \
--        -f bench/report.sql
--
-- What a council analyst would write for a nightly report, independent of
-- casewatch: it reads only the records.* tables (not casewatch's schema,
-- not the records.facts_* views), and the bank holidays from a list of
-- "DATE NATIONS TITLE" lines (NATIONS: E england-and-wales, S scotland,
-- N northern-ireland; '#' starts a comment), by default the hand-written
-- list of 1990-2030 in tests/data, which casewatch never wrote. The
-- working days are counted over the list's years only: an event whose
-- working-day deadline falls outside them is left out, so the list must
-- cover the records' years. `now` defaults to the current time.
--
-- One row per item overdue at `now`: person_id, rule_id, anchor_kind,
-- anchor_id, due_at and the state (overdue, escalated_1, escalated_2),
-- times in UTC, ISO 8601. The rules, as profiles/default.json words them
-- and with the times the profile sets (end of day 23:59:59, Europe/London):
--
--   CP-24H      an S47 enquiry or child-protection activity is recorded
--               (a finalised cp_record naming the event) within 24 hours;
--               escalated 24 hours and 3 working days after.
--   NOTE-5WD    every other event, bar access requests, consent forms and
--               planned private-fostering starts, has a finalised record
--               naming it by the end of the fifth working day after;
--               escalated 2 and 10 working days after.
--   SUMMARY-3M  while a case (cin, cp_plan, looked_after, leaving_care,
--               disability; involvements that overlap or touch make one
--               case, named by its first involvement) is open, a case
--               summary every 3 months from the opening or the last
--               summary; escalated 2 weeks and a month after.
--   HAZARD-6M   each hazard (active, or with an end date not yet past)
--               reviewed within 6 months of its start or of its last
--               review; before the first review, the hazard's own review
--               date when it comes first. Escalated as SUMMARY-3M.
--
-- Events cancelled or without a time, and drafts (no finalised_at), count
-- for nothing. Times are read to the second.

\set ON_ERROR_STOP on
\if :{?now}
\else
SELECT now() AS now \gset
\endif
\if :{?holidays}
\else
\set holidays tests/data/bank-holidays-1990-2030.txt
\endif

BEGIN;
-- Compiling this query costs more than it saves (0.9 s of 2.5 at 100,000
-- children): the planner's estimate is far above the work.
SET LOCAL jit = off;

-- The bank holidays, one row per nation and day.
\set holiday_list `cat :'holidays'`
CREATE TEMP TABLE bank_holiday ON COMMIT DROP AS
	SELECT DISTINCT n.nation, split_part(h.line, ' ', 1)::date AS day
	FROM regexp_split_to_table(:'holiday_list', E'\n') AS h (line)
	JOIN (VALUES ('E', 'england-and-wales'), ('S', 'scotland'), ('N', 'northern-ireland'))
		AS n (letter, nation) ON strpos(split_part(h.line, ' ', 2), n.letter) > 0
	WHERE h.line ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2} ';

-- A calendar per nation over the years of the list: n counts the working
-- days up to and including the day, so "k working days after d" is the
-- working day whose n is d's n + k; for each day, the working days after
-- it that the rules count (3: CP-24H's escalation; 5, 5 + 2, 5 + 10:
-- NOTE-5WD's due day and escalations).
CREATE TEMP TABLE working_day ON COMMIT DROP AS
	SELECT c.nation, c.day, c.working,
		count(*) FILTER (WHERE c.working) OVER (PARTITION BY c.nation ORDER BY c.day) AS n
	FROM (SELECT n.nation, d.day, extract(isodow FROM d.day) < 6 AND b.day IS NULL AS working
		FROM (VALUES ('england-and-wales'), ('scotland'), ('northern-ireland')) AS n (nation)
		CROSS JOIN (SELECT y.first + i AS day
			FROM (SELECT date_trunc('year', min(day))::date AS first,
					(date_trunc('year', max(day)) + interval '1 year - 1 day')::date AS last
				FROM bank_holiday) y,
			generate_series(0, y.last - y.first) AS i) d
		LEFT JOIN bank_holiday b ON b.nation = n.nation AND b.day = d.day) c;
CREATE TEMP TABLE calendar ON COMMIT DROP AS
	SELECT c.nation, c.day, w3.day AS plus_3, w5.day AS plus_5, w7.day AS plus_7, w15.day AS plus_15
	FROM working_day c
	JOIN working_day w3 ON w3.nation = c.nation AND w3.working AND w3.n = c.n + 3
	JOIN working_day w5 ON w5.nation = c.nation AND w5.working AND w5.n = c.n + 5
	JOIN working_day w7 ON w7.nation = c.nation AND w7.working AND w7.n = c.n + 7
	JOIN working_day w15 ON w15.nation = c.nation AND w15.working AND w15.n = c.n + 15;
ANALYZE calendar;

-- Every deadline with its escalations, then the overdue ones.
WITH
-- Events that start a deadline and have no finalised record answering
-- them (naming them) by now: for CP-24H's events a cp_record, for the
-- others a record of any type.
unrecorded AS (
	SELECT e.person_id, p.nation, e.event_id, e.event_type,
		date_trunc('second', e.occurred_at) AS at,
		(e.occurred_at AT TIME ZONE 'Europe/London')::date AS day
	FROM records.event e
	JOIN records.person p ON p.person_id = e.person_id
	WHERE e.occurred_at IS NOT NULL AND NOT e.cancelled
		AND NOT EXISTS (SELECT 1 FROM records.record r
			WHERE r.person_id = e.person_id AND r.event_id = e.event_id
				AND date_trunc('second', r.finalised_at) <= :'now'
				AND (r.record_type = 'cp_record'
					OR e.event_type NOT IN ('s47_enquiry', 'cp_activity')))
),
cp_24h AS (
	SELECT a.person_id, 'CP-24H' AS rule_id, 'event' AS anchor_kind, a.event_id AS anchor_id,
		a.at + interval '24 hours' AS due_at,
		a.at + interval '48 hours' AS escalate_1,
		(c.plus_3 + time '23:59:59') AT TIME ZONE 'Europe/London' AS escalate_2
	FROM unrecorded a
	-- the London day of the due time
	JOIN calendar c ON c.nation = a.nation
		AND c.day = ((a.at + interval '24 hours') AT TIME ZONE 'Europe/London')::date
	WHERE a.event_type IN ('s47_enquiry', 'cp_activity')
),
note_5wd AS (
	SELECT a.person_id, 'NOTE-5WD' AS rule_id, 'event' AS anchor_kind, a.event_id AS anchor_id,
		(c.plus_5 + time '23:59:59') AT TIME ZONE 'Europe/London' AS due_at,
		(c.plus_7 + time '23:59:59') AT TIME ZONE 'Europe/London' AS escalate_1,
		(c.plus_15 + time '23:59:59') AT TIME ZONE 'Europe/London' AS escalate_2
	FROM unrecorded a
	JOIN calendar c ON c.nation = a.nation AND c.day = a.day
	WHERE a.event_type IN (SELECT v.code FROM records.vocabulary v WHERE v.kind = 'event_type')
		AND a.event_type NOT IN ('access_request', 'consent_requested', 'consent_signed',
			'pf_planned_start',	-- the rule's own exceptions
			's47_enquiry', 'cp_activity')	-- CP-24H's
),
-- Cases: involvements of the five categories, in order of opening; one
-- that opens by the day after the earlier ones end joins their case, which
-- is named by its first. Open from London midnight of started_on to London
-- midnight after ended_on (null: open).
involvement AS (
	SELECT i.person_id, i.involvement_id,
		i.started_on::timestamp AT TIME ZONE 'Europe/London' AS open_at,
		coalesce((i.ended_on + 1)::timestamp AT TIME ZONE 'Europe/London', 'infinity') AS close_at
	FROM records.involvement i
	WHERE i.category IN ('cin', 'cp_plan', 'looked_after', 'leaving_care', 'disability')
		AND (i.ended_on IS NULL OR i.ended_on >= i.started_on)
),
case_start AS (
	SELECT i.*,
		CASE WHEN i.open_at <= max(i.close_at) OVER (PARTITION BY i.person_id
				ORDER BY i.open_at, i.involvement_id
				ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
			THEN 0 ELSE 1 END AS starts
	FROM involvement i
),
case_numbered AS (
	SELECT c.*, sum(c.starts) OVER (PARTITION BY c.person_id
			ORDER BY c.open_at, c.involvement_id) AS case_no
	FROM case_start c
),
open_case AS (
	SELECT person_id, (array_agg(involvement_id ORDER BY open_at, involvement_id))[1] AS case_id,
		min(open_at) AS open_at, max(close_at) AS close_at
	FROM case_numbered
	GROUP BY person_id, case_no
	HAVING max(close_at) > :'now'
),
-- The current cycle of each open case starts at its last summary by now.
case_summary AS (
	SELECT r.person_id, date_trunc('second', r.finalised_at) AS at
	FROM records.record r
	WHERE r.record_type = 'case_summary' AND date_trunc('second', r.finalised_at) <= :'now'
),
case_cycle AS (
	SELECT c.person_id, c.case_id, greatest(c.open_at, max(s.at)) AS cycle_start
	FROM open_case c
	LEFT JOIN case_summary s ON s.person_id = c.person_id AND s.at >= c.open_at AND s.at < c.close_at
	GROUP BY c.person_id, c.case_id, c.open_at
),
summary_3m AS (
	SELECT c.person_id, 'SUMMARY-3M' AS rule_id, 'involvement' AS anchor_kind, c.case_id AS anchor_id,
		(s.due_day + time '23:59:59') AT TIME ZONE 'Europe/London' AS due_at,
		(s.due_day + 14 + time '23:59:59') AT TIME ZONE 'Europe/London' AS escalate_1,
		((s.due_day + interval '1 month')::date + time '23:59:59') AT TIME ZONE 'Europe/London' AS escalate_2
	FROM case_cycle c,
	LATERAL (SELECT ((c.cycle_start AT TIME ZONE 'Europe/London')::date
		+ interval '3 months')::date AS due_day) s
),
-- Each hazard's current cycle starts at its last review by now; before the
-- first, its own review date counts when it comes first.
hazard_6m AS (
	SELECT h.person_id, 'HAZARD-6M' AS rule_id, 'hazard' AS anchor_kind, h.hazard_id AS anchor_id,
		d.due_at,
		((d.due_at AT TIME ZONE 'Europe/London')::date + 14 + time '23:59:59')
			AT TIME ZONE 'Europe/London' AS escalate_1,
		(((d.due_at AT TIME ZONE 'Europe/London')::date + interval '1 month')::date + time '23:59:59')
			AT TIME ZONE 'Europe/London' AS escalate_2
	FROM records.hazard h,
	LATERAL (SELECT h.started_on::timestamp AT TIME ZONE 'Europe/London' AS open_at,
		coalesce((h.ended_on + 1)::timestamp AT TIME ZONE 'Europe/London', 'infinity') AS close_at) o,
	LATERAL (SELECT max(date_trunc('second', v.reviewed_at)) AS last_review
		FROM records.hazard_review v
		WHERE v.hazard_id = h.hazard_id
			AND date_trunc('second', v.reviewed_at) > o.open_at
			AND date_trunc('second', v.reviewed_at) < o.close_at
			AND date_trunc('second', v.reviewed_at) <= :'now') l,
	LATERAL (SELECT CASE WHEN l.last_review IS NOT NULL THEN
			((((l.last_review AT TIME ZONE 'Europe/London')::date + interval '6 months')::date
				+ time '23:59:59') AT TIME ZONE 'Europe/London')
		ELSE
			((least((h.started_on + interval '6 months')::date,
				CASE WHEN h.review_due_on >= h.started_on THEN h.review_due_on END)
				+ time '23:59:59') AT TIME ZONE 'Europe/London')
		END AS due_at) d
	WHERE h.started_on IS NOT NULL AND (h.active OR h.ended_on IS NOT NULL)
		AND o.close_at > :'now'
),
deadline AS (
	SELECT * FROM cp_24h
	UNION ALL SELECT * FROM note_5wd
	UNION ALL SELECT * FROM summary_3m
	UNION ALL SELECT * FROM hazard_6m
)
SELECT person_id, rule_id, anchor_kind, anchor_id,
	to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS due_at,
	CASE WHEN :'now' >= escalate_2 THEN 'escalated_2'
		WHEN :'now' >= escalate_1 THEN 'escalated_1'
		ELSE 'overdue' END AS state
FROM deadline
WHERE due_at <= :'now'
ORDER BY person_id, rule_id, anchor_kind, anchor_id;

COMMIT;
