-- interface.sql - the records interface casewatch reads: reference tables in schema "records".
--
-- A council replaces these tables with views over its own case-management
-- system (docs/records-interface.md says how). casewatch only ever reads
-- this schema, and never reads names, addresses or free-text columns: they
-- are here to show where the privacy boundary runs.
--
-- Load once into an empty database:  psql -v ON_ERROR_STOP=1 -f interface.sql
-- The file is one transaction; loading it a second time fails on
-- CREATE SCHEMA ("schema records already exists") and changes nothing.
--
-- Every relation carries changed_at (set by a trigger on every insert and
-- update) and every delete leaves a row in records.tombstone, so the daemon
-- can ask "which persons changed since T" through records.changed_person.

BEGIN;

CREATE SCHEMA records;
COMMENT ON SCHEMA records IS 'casewatch records interface: reference implementation (docs/records-interface.md)';

-- The shared vocabulary (docs/vocabulary.md), plus the youth-justice and
-- fostering outcomes. The code columns below are checked against it, so a mapping that
-- emits an unknown code fails here; views over a real system have no such
-- check, and the daemon reports unknown codes instead of trusting them.
CREATE TABLE records.vocabulary (
	kind text NOT NULL CHECK (kind IN ('involvement_category', 'event_type', 'record_type',
		'audience', 'youth_justice_outcome', 'fostering_outcome')),
	code text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]*$'),
	meaning text NOT NULL,
	PRIMARY KEY (kind, code)
);

INSERT INTO records.vocabulary (kind, code, meaning) VALUES
	('involvement_category', 'early_help', 'early-help episode'),
	('involvement_category', 'cin', 'child in need'),
	('involvement_category', 'cp_plan', 'child-protection plan'),
	('involvement_category', 'looked_after', 'looked after'),
	('involvement_category', 'adoption', 'adoption'),
	('involvement_category', 'leaving_care', 'care leaver'),
	('involvement_category', 'youth_justice', 'youth-justice client'),
	('involvement_category', 'fostering', 'foster carer (the person is the carer)'),
	('involvement_category', 'supervision_order', 'supervision order'),
	('involvement_category', 'disability', 'child with disabilities'),
	('involvement_category', 'asylum', 'asylum seeker / family court assessment service'),
	('involvement_category', 'guardian', 'children''s guardian record'),
	('involvement_category', 's47_nfa', 'S47 enquiry, unsubstantiated, no further action'),
	('involvement_category', 'private_fostering', 'private-fostering arrangement'),
	('event_type', 's47_enquiry', 'section 47 enquiry'),
	('event_type', 'cp_activity', 'other child-protection activity'),
	('event_type', 'significant_harm_work', 'work assessing or protecting from significant harm'),
	('event_type', 'task', 'any task that must be recorded (generic)'),
	('event_type', 'contact_referral', 'contact or referral received'),
	('event_type', 'early_help_referral', 'early-help contact or referral'),
	('event_type', 'early_help_contact', 'initial contact with the family (early help)'),
	('event_type', 'consent_signed', 'early-help consent form signed'),
	('event_type', 'consent_requested', 'parental consent asked for, not yet given'),
	('event_type', 'cin_meeting', 'child-in-need meeting'),
	('event_type', 'strategy_discussion', 'initial or review strategy discussion / meeting'),
	('event_type', 'icpc', 'initial child-protection conference'),
	('event_type', 'core_group', 'core group meeting'),
	('event_type', 'rcpc', 'child-protection review conference'),
	('event_type', 'became_looked_after', 'child becomes looked after'),
	('event_type', 'placement', 'placement starts / placement planning meeting'),
	('event_type', 'lac_review', 'looked-after review meeting'),
	('event_type', 'visit_cp', 'S47 / child-protection visit'),
	('event_type', 'visit', 'CIN, looked-after or care-leaver visit'),
	('event_type', 'contact', 'contact with the family, e.g. a telephone call'),
	('event_type', 'supervision', 'supervision session'),
	('event_type', 'management_decision', 'any other management decision'),
	('event_type', 'legal_planning_meeting', 'legal planning meeting'),
	('event_type', 'pre_proceedings_letter', 'pre-proceedings letter sent'),
	('event_type', 'pre_proceedings_meeting', 'pre-proceedings meeting'),
	('event_type', 'letter_of_intent', 'letter of intent to issue proceedings sent'),
	('event_type', 'decision_to_issue', 'decision to issue proceedings'),
	('event_type', 'court_order', 'court order received'),
	('event_type', 'expert_assessment', 'expert assessment received'),
	('event_type', 'pf_notification', 'private-fostering notification received'),
	('event_type', 'pf_planned_start', 'planned start of a private-fostering arrangement'),
	('event_type', 'emergency_action', 'emergency action taken without prior approval'),
	('event_type', 'access_request', 'written subject-access request (Coventry: fee paid)'),
	('event_type', 'significant_event', 'a significant event in the child''s life'),
	('event_type', 'health_assessment', 'health assessment done'),
	('event_type', 'case_audit', 'case-file audit done'),
	('record_type', 'case_note', 'case note'),
	('record_type', 'cp_record', 'child-protection record (S47 / CP activity)'),
	('record_type', 'referral_episode', 'contact and referral episode'),
	('record_type', 'early_help_episode', 'early-help contact / referral record'),
	('record_type', 'cfa', 'child and family assessment'),
	('record_type', 'cfa_authorisation', 'management authorisation of the assessment'),
	('record_type', 'early_help_assessment', 'early-help assessment'),
	('record_type', 'taf_meeting', 'team-around-the-family meeting arranged'),
	('record_type', 'outcome_star', 'family outcome star'),
	('record_type', 'cin_plan', 'child-in-need plan'),
	('record_type', 'strategy_record', 'record of a strategy discussion'),
	('record_type', 'conference_report', 'social-work report to a conference'),
	('record_type', 'core_group_minutes', 'core group minutes'),
	('record_type', 'conference_decisions', 'conference decisions and recommendations'),
	('record_type', 'care_plan', 'care plan (new or updated)'),
	('record_type', 'placement_plan', 'placement plan'),
	('record_type', 'lac_review_recommendations', 'looked-after review recommendations'),
	('record_type', 'lac_review_minutes', 'looked-after review minutes'),
	('record_type', 'permanence_plan', 'permanence plan'),
	('record_type', 'visit_record', 'record of a visit'),
	('record_type', 'supervision_note', 'supervision case note'),
	('record_type', 'manager_decision', 'manager''s decision'),
	('record_type', 'legal_planning_record', 'legal planning meeting record with agreed actions'),
	('record_type', 'document_upload', 'signed copy of a letter, order or report put on file'),
	('record_type', 'meeting_record', 'record of another meeting (e.g. pre-proceedings)'),
	('record_type', 'sw_evidence', 'social-work evidence (statement and care plan)'),
	('record_type', 'pf_record', 'private-fostering notification recorded'),
	('record_type', 'pf_visit', 'private-fostering visit record'),
	('record_type', 'pf_coordinator_notice', 'private-fostering coordinator notified'),
	('record_type', 'manager_informed', 'record that a manager was informed'),
	('record_type', 'sar_disclosure', 'records made available to the requester'),
	('record_type', 'case_summary', 'case summary'),
	('record_type', 'chronology', 'chronology'),
	('record_type', 'genogram', 'genogram'),
	('record_type', 'assessment', 'assessment (for MIN-CONTENT "up-to-date assessment")'),
	('record_type', 'plan', 'plan (for MIN-CONTENT)'),
	('record_type', 'support_summary', 'summary of ongoing support'),
	('record_type', 'hazard_review', 'review of a hazard (also in `hazard_review`)'),
	('record_type', 'pathway_plan', 'pathway plan (review)'),
	('record_type', 'confidential_review', 'practice supervisor''s review of confidential entries'),
	('record_type', 'case_audit', 'case-file audit'),
	('record_type', 'pep', 'personal education plan'),
	('record_type', 'needs_assessment', 'care leaver''s needs assessment'),
	('record_type', 'health_assessment', 'health assessment report'),
	('record_type', 'finance', 'finance record (retention only)'),
	('record_type', 'forget_ack', 'acknowledgement of a request to delete or forget'),
	('record_type', 'pr_statement', 'who holds parental responsibility'),
	('audience', 'worker', 'the allocated worker (`person.allocated_worker_id`)'),
	('audience', 'team_manager', 'the manager of the person''s team'),
	('audience', 'service_manager', 'the service manager / head of service'),
	('audience', 'records_officer', 'records officer / information governance'),
	('audience', 'operations', 'IT operations (daemon health only)'),
	('youth_justice_outcome', 'reprimand', 'reprimand'),
	('youth_justice_outcome', 'final_warning', 'final warning'),
	('youth_justice_outcome', 'conviction', 'conviction'),
	('youth_justice_outcome', 'other', 'any other outcome'),
	('fostering_outcome', 'refused', 'application refused (ST-RET-FOSTER: 3 years)'),
	('fostering_outcome', 'withdrawn', 'application withdrawn (ST-RET-FOSTER: 3 years)');

-- Change markers. touch() stamps changed_at with the wall clock at the
-- moment the row is written (not the transaction start), on insert and on
-- update, whatever the writer supplied.
CREATE FUNCTION records.touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.changed_at := clock_timestamp();
	RETURN NEW;
END;
$$;

-- Deletions leave a tombstone so an incremental poll sees them.
CREATE TABLE records.tombstone (
	tombstone_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	relation text NOT NULL,			-- table the row was deleted from
	row_id bigint NOT NULL,			-- its primary key
	person_id bigint,			-- the person it belonged to (null: team, staff)
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- bury() writes the tombstone; its arguments name the primary-key column
-- and the person column (or none) of the table it is attached to.
CREATE FUNCTION records.bury() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	old_row jsonb := to_jsonb(OLD);
BEGIN
	INSERT INTO records.tombstone (relation, row_id, person_id, changed_at)
	VALUES (TG_TABLE_NAME, (old_row ->> TG_ARGV[0])::bigint,
		CASE WHEN TG_NARGS > 1 THEN (old_row ->> TG_ARGV[1])::bigint END,
		clock_timestamp());
	RETURN NULL;
END;
$$;

-- Teams and staff. casewatch reads ids and roles; display names never.
-- Columns naming a member of staff (author_id, recorded_by, *_by,
-- reviewer_id, allocated_worker_id, manager_id) carry no foreign key, as in
-- most case-management systems: a leaver's id stays on old records.
CREATE TABLE records.team (
	team_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	code text NOT NULL UNIQUE,		-- short code shown in alerts, e.g. 'CIN-N'
	name text,				-- display name (not read)
	manager_id bigint,			-- staff_id of the team manager
	service_manager_id bigint,		-- staff_id of the service manager / head of service
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE records.staff (
	staff_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	team_id bigint REFERENCES records.team,	-- null for staff outside a team
	role text NOT NULL CHECK (role IN ('worker', 'practice_supervisor', 'team_manager',
		'service_manager', 'records_officer', 'iro', 'edt')),	-- iro: independent reviewing
						-- officer; edt: emergency duty team (002 §11)
	display_name text,			-- not read
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A person known to the service: a child, a carer or another adult.
CREATE TABLE records.person (
	person_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	kind text NOT NULL CHECK (kind IN ('child', 'carer', 'adult')),
	date_of_birth date,			-- may be missing or wrong (reported, not trusted)
	date_of_death date,
	nation text NOT NULL DEFAULT 'england-and-wales'
		CHECK (nation IN ('england-and-wales', 'scotland', 'northern-ireland')),
	team_id bigint REFERENCES records.team,
	allocated_worker_id bigint,
	given_name text,			-- not read
	family_name text,			-- not read
	address text,				-- not read
	postcode text,				-- not read
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A period in which the person is known in a category.
CREATE TABLE records.involvement (
	involvement_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	category text NOT NULL,			-- vocabulary: involvement_category
	started_on date NOT NULL,
	ended_on date,				-- null or in the future: open
	order_date date,			-- adoption: date of the adoption order
	outcome text,				-- youth_justice: vocabulary youth_justice_outcome;
						-- fostering: fostering_outcome (null: approved)
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Something that happened (or is planned) and creates obligations.
CREATE TABLE records.event (
	event_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	event_type text NOT NULL,		-- vocabulary: event_type
	occurred_at timestamptz,		-- may be in the future; null is malformed (EVENT-TIME)
	cancelled boolean NOT NULL DEFAULT false,
	related_event_id bigint REFERENCES records.event ON DELETE SET NULL,
	recorded_by bigint,
	until_18 boolean NOT NULL DEFAULT false,	-- placement: meant to last until 18 (ST-LAC-VISIT)
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- An entry on the file.
CREATE TABLE records.record (
	record_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	record_type text NOT NULL,		-- vocabulary: record_type
	event_id bigint REFERENCES records.event ON DELETE SET NULL,	-- the event it answers
	author_id bigint,			-- staff; null is malformed (EVENT-TIME)
	event_at timestamptz,			-- when the recorded event happened
	entered_at timestamptz,			-- when writing began
	finalised_at timestamptz,		-- when it was finalised; null: draft
	late_flag boolean NOT NULL DEFAULT false,	-- the author marked it late
	late_reason text,			-- free text: only "present or not" is read
	confidential boolean NOT NULL DEFAULT false,	-- in the confidential section (CONF-REVIEW)
	body text,				-- not read
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A hazard warning on a person (dangerous pet, known violence, abuse).
CREATE TABLE records.hazard (
	hazard_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	started_on date,			-- mandatory by policy; null is reported (HAZARD-FIELDS)
	description text,			-- free text: only "present or not" is read
	review_due_on date,			-- mandatory by policy; null is reported
	active boolean NOT NULL DEFAULT true,
	ended_on date,
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE records.hazard_review (
	review_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	hazard_id bigint NOT NULL REFERENCES records.hazard ON DELETE CASCADE,
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	reviewed_at timestamptz NOT NULL,
	reviewer_id bigint,
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- An information-sharing decision (Hull §3.1 sharing, §3.2 request
-- received, §3.3 request made). Every field is nullable: SHARE-FIELDS reads
-- only whether each one required for the direction is present.
CREATE TABLE records.info_sharing (
	sharing_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	direction text NOT NULL CHECK (direction IN ('shared', 'request_received', 'request_made')),
	occurred_at timestamptz,		-- date and time of the contact
	recorded_by bigint,			-- staff making the entry
	entered_at timestamptz,
	signed boolean,				-- the entry is signed
	reason text,				-- reason for sharing / for the request
	request_summary text,			-- summary of the information requested
	case_reference text,
	with_consent boolean,
	no_consent_reason text,			-- if without consent, why
	consented_by text,			-- who consented
	consent_limits text,			-- limits to the consent
	subject_informed boolean,		-- person or family informed
	not_informed_reason text,
	counterpart_name text,			-- recipient / requester / practitioner
	counterpart_job_title text,
	counterpart_organisation text,
	counterpart_phone text,
	identity_check text,			-- how identity was confirmed (ring back)
	decided_to_share boolean,		-- the decision (3.2, 3.3)
	decision_reason text,
	information_type text,			-- what type of information was shared
	method text,				-- email / phone / in writing
	outcome text,				-- outcome and next course of action
	receipt_confirmation text,		-- how receipt was confirmed (3.1)
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The deletion record of a deleted case note (DELETE-REASON).
CREATE TABLE records.deletion (
	deletion_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	record_id bigint NOT NULL,		-- the deleted record (no longer in records.record)
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	record_type text NOT NULL,		-- vocabulary: record_type
	deleted_by bigint,
	deleted_at timestamptz NOT NULL,
	reason text,				-- free text: only "present or not" is read
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A roll-back of a record by the helpdesk (ROLLBACK-RATE).
CREATE TABLE records.rollback (
	rollback_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	record_id bigint,
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	team_id bigint REFERENCES records.team,
	requested_by bigint,
	agreed_by bigint,			-- team manager who agreed it
	rolled_back_at timestamptz NOT NULL,
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A restriction on a person's file (record_id null) or on one record.
CREATE TABLE records.restriction (
	restriction_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	record_id bigint REFERENCES records.record ON DELETE CASCADE,
	reason text NOT NULL CHECK (reason IN ('adoption_matched', 'staff_service_user', 'temporary')),
	restricted_on date NOT NULL,
	lifted_on date,
	decided_by bigint,
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Staff given access to a restricted file on a need-to-know basis, beyond
-- the allocated worker, team manager and service manager.
CREATE TABLE records.restriction_grant (
	grant_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	restriction_id bigint NOT NULL REFERENCES records.restriction ON DELETE CASCADE,
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	staff_id bigint NOT NULL,
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Each access to a restricted file or record (RESTRICTED-ACCESS).
CREATE TABLE records.restricted_access (
	access_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	record_id bigint REFERENCES records.record ON DELETE SET NULL,
	accessed_by bigint NOT NULL,
	accessed_at timestamptz NOT NULL,
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A subject-access request (SAR-40D, HOLD-SAR): the access_request event
-- plus what the event cannot say.
CREATE TABLE records.access_request (
	request_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	event_id bigint REFERENCES records.event ON DELETE SET NULL,
	received_at timestamptz NOT NULL,	-- written request received
	fee_paid_at timestamptz,		-- Coventry's anchor; null: no fee or not paid
	closed_at timestamptz,			-- request completed or withdrawn; null: open
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A request to delete or "forget" part of a record (FORGET-ACK); it is
-- answered by a forget_ack record of the same person.
CREATE TABLE records.forget_request (
	request_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id bigint NOT NULL REFERENCES records.person ON DELETE CASCADE,
	received_at timestamptz NOT NULL,
	received_by bigint,
	description text,			-- not read
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The destruction register (DESTROY-LIST): the person row itself is gone.
CREATE TABLE records.destruction (
	destruction_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id bigint NOT NULL,		-- no foreign key: the person was destroyed
	category text,				-- vocabulary: involvement_category (the retention class)
	destroyed_on date NOT NULL,
	destroyed_by bigint,
	changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Code columns must hold vocabulary codes. The lists are taken from
-- records.vocabulary now; a code added later needs the constraint rebuilt.
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN SELECT * FROM (VALUES
		('involvement', 'category', 'involvement_category'),
		('event', 'event_type', 'event_type'),
		('record', 'record_type', 'record_type'),
		('deletion', 'record_type', 'record_type'),
		('destruction', 'category', 'involvement_category')) AS v (tab, col, kind)
	LOOP
		EXECUTE format('ALTER TABLE records.%I ADD CONSTRAINT %I CHECK (%I = ANY (%L::text[]))',
			c.tab, c.tab || '_' || c.col || '_known', c.col,
			(SELECT array_agg(code ORDER BY code) FROM records.vocabulary WHERE kind = c.kind));
	END LOOP;
END;
$$;

-- An outcome belongs to its category: youth-justice outcomes on youth_justice
-- involvements, refused or withdrawn applications on fostering ones.
DO $$
BEGIN
	EXECUTE format('ALTER TABLE records.involvement ADD CONSTRAINT involvement_outcome_known CHECK ('
		'outcome IS NULL OR (category = %L AND outcome = ANY (%L::text[])) '
		'OR (category = %L AND outcome = ANY (%L::text[])))',
		'youth_justice', (SELECT array_agg(code ORDER BY code) FROM records.vocabulary WHERE kind = 'youth_justice_outcome'),
		'fostering', (SELECT array_agg(code ORDER BY code) FROM records.vocabulary WHERE kind = 'fostering_outcome'));
END;
$$;

-- Triggers and indexes on every relation: changed_at stamped and indexed,
-- deletions buried, person_id indexed for per-person fetches.
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('team', 'team_id', NULL), ('staff', 'staff_id', NULL),
		('person', 'person_id', 'person_id'), ('involvement', 'involvement_id', 'person_id'),
		('event', 'event_id', 'person_id'), ('record', 'record_id', 'person_id'),
		('hazard', 'hazard_id', 'person_id'), ('hazard_review', 'review_id', 'person_id'),
		('info_sharing', 'sharing_id', 'person_id'), ('deletion', 'deletion_id', 'person_id'),
		('rollback', 'rollback_id', 'person_id'), ('restriction', 'restriction_id', 'person_id'),
		('restriction_grant', 'grant_id', 'person_id'),
		('restricted_access', 'access_id', 'person_id'),
		('access_request', 'request_id', 'person_id'),
		('forget_request', 'request_id', 'person_id'),
		('destruction', 'destruction_id', 'person_id')) AS v (tab, pk, person)
	LOOP
		EXECUTE format('CREATE TRIGGER touch BEFORE INSERT OR UPDATE ON records.%I '
			'FOR EACH ROW EXECUTE FUNCTION records.touch()', t.tab);
		IF t.person IS NULL THEN
			EXECUTE format('CREATE TRIGGER bury AFTER DELETE ON records.%I '
				'FOR EACH ROW EXECUTE FUNCTION records.bury(%L)', t.tab, t.pk);
		ELSE
			EXECUTE format('CREATE TRIGGER bury AFTER DELETE ON records.%I '
				'FOR EACH ROW EXECUTE FUNCTION records.bury(%L, %L)', t.tab, t.pk, t.person);
			IF t.tab <> 'person' THEN
				EXECUTE format('CREATE INDEX ON records.%I (%I)', t.tab, t.person);
			END IF;
		END IF;
		EXECUTE format('CREATE INDEX ON records.%I (changed_at)', t.tab);
	END LOOP;
END;
$$;

CREATE INDEX ON records.tombstone (changed_at);
CREATE INDEX ON records.tombstone (person_id);
CREATE INDEX ON records.person (team_id);
CREATE INDEX ON records.person (allocated_worker_id);
CREATE INDEX ON records.staff (team_id);
CREATE INDEX ON records.record (event_id);
CREATE INDEX ON records.hazard_review (hazard_id);
CREATE INDEX ON records.access_request (event_id);

-- The one relation the daemon polls: every person whose facts changed,
-- with when. Query it as
--   SELECT person_id, max(changed_at) FROM records.changed_person
--   WHERE changed_at > $1 GROUP BY person_id
-- A team change touches every person of the team and a staff change every
-- person allocated to that worker, because alerts name their team and worker.
CREATE VIEW records.changed_person (person_id, changed_at) AS
	SELECT person_id, changed_at FROM records.person
	UNION ALL SELECT person_id, changed_at FROM records.involvement
	UNION ALL SELECT person_id, changed_at FROM records.event
	UNION ALL SELECT person_id, changed_at FROM records.record
	UNION ALL SELECT person_id, changed_at FROM records.hazard
	UNION ALL SELECT person_id, changed_at FROM records.hazard_review
	UNION ALL SELECT person_id, changed_at FROM records.info_sharing
	UNION ALL SELECT person_id, changed_at FROM records.deletion
	UNION ALL SELECT person_id, changed_at FROM records.rollback
	UNION ALL SELECT person_id, changed_at FROM records.restriction
	UNION ALL SELECT person_id, changed_at FROM records.restriction_grant
	UNION ALL SELECT person_id, changed_at FROM records.restricted_access
	UNION ALL SELECT person_id, changed_at FROM records.access_request
	UNION ALL SELECT person_id, changed_at FROM records.forget_request
	UNION ALL SELECT person_id, changed_at FROM records.destruction
	UNION ALL SELECT person_id, changed_at FROM records.tombstone WHERE person_id IS NOT NULL
	UNION ALL SELECT p.person_id, t.changed_at
		FROM records.team t JOIN records.person p ON p.team_id = t.team_id
	UNION ALL SELECT p.person_id, s.changed_at
		FROM records.staff s JOIN records.person p ON p.allocated_worker_id = s.staff_id;

COMMENT ON VIEW records.changed_person IS
	'persons whose facts changed: poll with WHERE changed_at > watermark - overlap';

COMMIT;
