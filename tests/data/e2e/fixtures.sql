-- fixtures.sql - hand-written records for tests/daemon-e2e.sh, one small group of persons per rule.
--
-- Loaded into the reference records interface (sql/records/interface.sql)
-- with psql; no generator. The daemon's clock starts at T0 = Wednesday
-- 2026-06-03 10:00:00Z (11:00 BST). Person ids say what they test:
--   1Rk: R = rule (1 CP-24H, 2 NOTE-5WD, 3 SUMMARY-3M, 4 HAZARD-6M,
--        5 ICPC-REPORT-2WD, 6 CV-SIGHARM, 7 EH-REF-48H, 8 HAZARD-FIELDS),
--        k = 1 on time, 2 late, 3 missing (overdue at T0), 4 due soon at T0,
--        5 pending at T0 (raised later by time alone), 6 suspended.
-- Event ids are person*10 + n, record ids person*10 + n + 5, hazard ids
-- person*10 + n. The due times each row leads to are worked out by hand in
-- tests/daemon-e2e.sh next to the expectations.
--
-- Every free-text column holds a marker (SECRET-NAME, SECRET-ADDRESS,
-- SECRET-TEXT) that must never reach syslog, --json or the daemon's log.

INSERT INTO records.team (team_id, code, name, manager_id, service_manager_id) VALUES
	(7, 'T7', 'SECRET-TEXT team seven', 70, 90),
	(8, 'T8', 'SECRET-TEXT team eight', 80, 90);
INSERT INTO records.staff (staff_id, team_id, role, display_name) VALUES
	(55, 7, 'worker', 'SECRET-NAME Worker Seven'),
	(56, 8, 'worker', 'SECRET-NAME Worker Eight'),
	(70, 7, 'team_manager', 'SECRET-NAME Manager Seven'),
	(80, 8, 'team_manager', 'SECRET-NAME Manager Eight'),
	(90, NULL, 'service_manager', 'SECRET-NAME Service Manager');

-- Children: odd rules in team 7 (worker 55), even rules in team 8 (worker 56).
INSERT INTO records.person (person_id, kind, date_of_birth, team_id, allocated_worker_id,
	given_name, family_name, address, postcode)
SELECT id, 'child', DATE '2015-03-02', t, w, 'SECRET-NAME-G' || id, 'SECRET-NAME-F' || id,
	'SECRET-ADDRESS ' || id || ' Long Street', 'SECRET-ADDRESS-PC'
FROM (VALUES (1101), (1102), (1103), (1104), (1201), (1202), (1203), (1204), (1205),
	(1301), (1302), (1303), (1304), (1401), (1402), (1403), (1404), (1501), (1502), (1503),
	(1504), (1601), (1602), (1603), (1604), (1605), (1701), (1702), (1703), (1704), (1706),
	(1801)) AS p (id),
	LATERAL (SELECT CASE WHEN (id / 100) % 2 = 1 THEN 7 ELSE 8 END AS t,
		CASE WHEN (id / 100) % 2 = 1 THEN 55 ELSE 56 END AS w) tw;

-- A record answering an event: author 55, written from the event time on.
CREATE FUNCTION pg_temp.rec(p_id bigint, p_person bigint, p_type text, p_event bigint,
	p_event_at timestamptz, p_finalised timestamptz, p_late_reason text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO records.record (record_id, person_id, record_type, event_id, author_id,
		event_at, entered_at, finalised_at, late_flag, late_reason, body)
	VALUES (p_id, p_person, p_type, p_event, 55, p_event_at, p_event_at, p_finalised,
		p_late_reason IS NOT NULL, p_late_reason, 'SECRET-TEXT body of record ' || p_id);
$$;
CREATE FUNCTION pg_temp.ev(p_id bigint, p_person bigint, p_type text, p_at timestamptz)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO records.event (event_id, person_id, event_type, occurred_at, recorded_by)
	VALUES (p_id, p_person, p_type, p_at, 55);
$$;

-- CP-24H (after_event: s47_enquiry / cp_activity, cp_record naming it, 24 h).
SELECT pg_temp.ev(11011, 1101, 's47_enquiry', '2026-06-01 09:00Z');
SELECT pg_temp.rec(11016, 1101, 'cp_record', 11011, '2026-06-01 09:00Z', '2026-06-01 15:00Z');
SELECT pg_temp.ev(11021, 1102, 'cp_activity', '2026-05-29 10:00Z');
SELECT pg_temp.rec(11026, 1102, 'cp_record', 11021, '2026-05-29 10:00Z', '2026-06-01 12:00Z',
	'SECRET-TEXT late reason');
SELECT pg_temp.ev(11031, 1103, 's47_enquiry', '2026-06-02 08:00Z');
SELECT pg_temp.ev(11041, 1104, 'cp_activity', '2026-06-02 12:00Z');

-- NOTE-5WD (after_event: task, case_note naming it, 5 wd; Mon 25 May 2026
-- is the Spring bank holiday).
SELECT pg_temp.ev(12011, 1201, 'task', '2026-05-22 09:00Z');
SELECT pg_temp.rec(12016, 1201, 'case_note', 12011, '2026-05-22 09:00Z', '2026-05-28 16:00Z');
SELECT pg_temp.ev(12021, 1202, 'task', '2026-05-22 09:00Z');
SELECT pg_temp.rec(12026, 1202, 'case_note', 12021, '2026-05-22 09:00Z', '2026-06-02 09:00Z');
SELECT pg_temp.ev(12031, 1203, 'task', '2026-05-26 10:00Z');
-- A draft answers nothing: 1203's note is still missing.
INSERT INTO records.record (record_id, person_id, record_type, event_id, author_id, event_at,
	entered_at, body)
VALUES (12036, 1203, 'case_note', 12031, 55, '2026-05-26 10:00Z', '2026-05-27 10:00Z',
	'SECRET-TEXT draft');
SELECT pg_temp.ev(12041, 1204, 'task', '2026-05-27 10:00Z');
SELECT pg_temp.ev(12051, 1205, 'task', '2026-05-28 10:00Z');

-- SUMMARY-3M (recurring on cin/cp_plan/..., case_summary, 3 m from the
-- opening or the last summary).
INSERT INTO records.involvement (involvement_id, person_id, category, started_on) VALUES
	(13011, 1301, 'cin', '2026-01-10'),
	(13021, 1302, 'cin', '2026-01-05'),
	(13031, 1303, 'cp_plan', '2026-02-20'),
	(13041, 1304, 'cin', '2026-01-01');
SELECT pg_temp.rec(13016, 1301, 'case_summary', NULL, '2026-03-20 10:00Z', '2026-03-20 10:00Z');
SELECT pg_temp.rec(13026, 1302, 'case_summary', NULL, '2026-04-20 10:00Z', '2026-04-20 10:00Z');
SELECT pg_temp.rec(13046, 1304, 'case_summary', NULL, '2026-03-08 12:00Z', '2026-03-08 12:00Z');

-- HAZARD-6M (recurring on each active hazard, reviews, 6 m from its start
-- or its last review). Each has the fields HAZARD-FIELDS wants.
INSERT INTO records.hazard (hazard_id, person_id, started_on, description, review_due_on) VALUES
	(14011, 1401, '2026-01-15', 'SECRET-TEXT hazard 1401', '2026-07-15'),
	(14021, 1402, '2025-10-01', 'SECRET-TEXT hazard 1402', '2026-04-01'),
	(14031, 1403, '2025-11-20', 'SECRET-TEXT hazard 1403', '2026-05-20'),
	(14041, 1404, '2025-12-10', 'SECRET-TEXT hazard 1404', '2026-06-10');
INSERT INTO records.hazard_review (review_id, hazard_id, person_id, reviewed_at, reviewer_id) VALUES
	(14016, 14011, 1401, '2026-05-01 10:00Z', 55),
	(14026, 14021, 1402, '2026-04-10 10:00Z', 55);

-- ICPC-REPORT-2WD (before_event: icpc, conference_report naming it, 2 wd
-- before). Reports are written before the conference.
SELECT pg_temp.ev(15011, 1501, 'icpc', '2026-05-27 10:00Z');
SELECT pg_temp.ev(15021, 1502, 'icpc', '2026-06-01 10:00Z');
INSERT INTO records.record (record_id, person_id, record_type, event_id, author_id, event_at,
	entered_at, finalised_at, body)
VALUES (15016, 1501, 'conference_report', 15011, 55, '2026-05-27 10:00Z', '2026-05-20 09:00Z',
	'2026-05-21 15:00Z', 'SECRET-TEXT report'),
	(15026, 1502, 'conference_report', 15021, 55, '2026-06-01 10:00Z', '2026-05-28 09:00Z',
	'2026-05-29 15:00Z', 'SECRET-TEXT report');
SELECT pg_temp.ev(15031, 1503, 'icpc', '2026-06-04 10:00Z');
SELECT pg_temp.ev(15041, 1504, 'icpc', '2026-06-05 10:00Z');

-- CV-SIGHARM (same_working_day: significant_harm_work, cp_record or
-- case_note naming it; warning at the end of the working day, due 24 h after).
SELECT pg_temp.ev(16011, 1601, 'significant_harm_work', '2026-06-01 10:00Z');
SELECT pg_temp.rec(16016, 1601, 'cp_record', 16011, '2026-06-01 10:00Z', '2026-06-01 16:00Z');
SELECT pg_temp.ev(16021, 1602, 'significant_harm_work', '2026-05-29 09:00Z');
SELECT pg_temp.rec(16026, 1602, 'case_note', 16021, '2026-05-29 09:00Z', '2026-06-01 09:00Z',
	'SECRET-TEXT late reason');
SELECT pg_temp.ev(16031, 1603, 'significant_harm_work', '2026-06-02 08:00Z');
SELECT pg_temp.ev(16041, 1604, 'significant_harm_work', '2026-06-02 12:00Z');
SELECT pg_temp.ev(16051, 1605, 'significant_harm_work', '2026-06-03 08:00Z');

-- EH-REF-48H (after_event: early_help_referral, early_help_episode naming
-- it, 48 h; the clock stops from consent_requested to consent_signed).
SELECT pg_temp.ev(17011, 1701, 'early_help_referral', '2026-06-01 09:00Z');
SELECT pg_temp.rec(17016, 1701, 'early_help_episode', 17011, '2026-06-01 09:00Z', '2026-06-02 09:00Z');
SELECT pg_temp.ev(17021, 1702, 'early_help_referral', '2026-05-27 09:00Z');
SELECT pg_temp.rec(17026, 1702, 'early_help_episode', 17021, '2026-05-27 09:00Z', '2026-06-01 09:00Z');
SELECT pg_temp.ev(17031, 1703, 'early_help_referral', '2026-06-01 06:00Z');
SELECT pg_temp.ev(17041, 1704, 'early_help_referral', '2026-05-31 22:00Z');
SELECT pg_temp.ev(17042, 1704, 'consent_requested', '2026-06-01 08:00Z');
SELECT pg_temp.ev(17043, 1704, 'consent_signed', '2026-06-01 22:00Z');
SELECT pg_temp.ev(17061, 1706, 'early_help_referral', '2026-05-29 09:00Z');
SELECT pg_temp.ev(17062, 1706, 'consent_requested', '2026-05-29 12:00Z');
UPDATE records.event SET related_event_id = event_id - 1 WHERE event_id IN (17042, 17062);
UPDATE records.event SET related_event_id = 17041 WHERE event_id = 17043;

-- HAZARD-FIELDS (content: a hazard needs a start date, a description and a
-- review date). This one has none of the dates, so HAZARD-6M leaves it out.
INSERT INTO records.hazard (hazard_id, person_id, started_on, description, review_due_on) VALUES
	(18011, 1801, NULL, 'SECRET-TEXT hazard without dates', NULL);

-- The rest of the free text the interface holds, so nothing is left unmarked.
INSERT INTO records.forget_request (person_id, received_at, received_by, description)
VALUES (1801, '2026-05-01 10:00Z', 55, 'SECRET-TEXT forget me');
