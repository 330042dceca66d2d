-- 001_initial.sql - casewatch's own schema: alerts, their transitions, watermarks, audit.
--
-- A migration holds no transaction control: the daemon runs each one inside
-- its own transaction (by hand: psql --single-transaction -f FILE), and the
-- last statement records the version. See docs/schema.md.

CREATE SCHEMA IF NOT EXISTS casewatch; -- the daemon creates it before the first migration
COMMENT ON SCHEMA casewatch IS 'casewatch state: alerts and transitions (docs/schema.md)';

-- One row per applied migration; the database's version is max(version).
CREATE TABLE casewatch.schema_version (
	version integer PRIMARY KEY CHECK (version > 0),
	applied_at timestamptz NOT NULL DEFAULT now()
);

-- An alert is the stored state of one obligation: which rule, for which
-- anchor, where in its life it is and when it next moves on its own.
CREATE TABLE casewatch.alert (
	alert_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- the obligation key
	rule_id text NOT NULL,
	anchor_kind text NOT NULL CHECK (anchor_kind IN ('person', 'event', 'involvement',
		'hazard', 'record', 'info_sharing', 'deletion', 'restricted_access',
		'access_request', 'forget_request', 'team')),
	anchor_id bigint NOT NULL,
	occurrence integer NOT NULL DEFAULT 0 CHECK (occurrence >= 0),
	person_id bigint,			-- null only for team-level rules (anchor_kind 'team')
	-- who is told
	team_id bigint,
	audience text NOT NULL CHECK (audience IN ('worker', 'team_manager', 'service_manager',
		'records_officer', 'operations')),
	-- where it stands
	state text NOT NULL CHECK (state IN ('due_soon', 'overdue', 'escalated_tm',
		'escalated_sm', 'resolved', 'withdrawn')),
	due_at timestamptz,
	warn_at timestamptz,
	next_at timestamptz,			-- next time-driven transition; null: none
	resolved_at timestamptz,
	late_by interval,			-- met late: by how much
	-- what people did through the socket
	acked_by text,
	acked_at timestamptz,
	snoozed_until timestamptz,
	snooze_reason text,			-- typed by staff; never logged or broadcast
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT alert_obligation_key UNIQUE (rule_id, anchor_kind, anchor_id, occurrence),
	CONSTRAINT alert_person_present CHECK (person_id IS NOT NULL OR anchor_kind = 'team'),
	CONSTRAINT alert_resolution CHECK (state <> 'resolved' OR resolved_at IS NOT NULL)
);

CREATE INDEX alert_person_idx ON casewatch.alert (person_id);
CREATE INDEX alert_next_idx ON casewatch.alert (next_at) WHERE next_at IS NOT NULL;
CREATE INDEX alert_open_team_idx ON casewatch.alert (team_id, state)
	WHERE state NOT IN ('resolved', 'withdrawn');

-- Transitions are the alerts' history and the sinks' feed. Ids come from
-- one sequence, so they increase in the order the (single) writer made
-- them; a sink remembers the last id it delivered.
CREATE SEQUENCE casewatch.transition_seq AS bigint;

CREATE TABLE casewatch.transition (
	transition_id bigint PRIMARY KEY DEFAULT nextval('casewatch.transition_seq'),
	alert_id bigint NOT NULL REFERENCES casewatch.alert,
	kind text NOT NULL CHECK (kind IN ('raised', 'escalated', 'resolved', 'withdrawn',
		'acknowledged', 'snoozed')),
	from_state text,			-- null when raised
	to_state text NOT NULL,
	at timestamptz NOT NULL,
	severity text NOT NULL CHECK (severity IN ('info', 'notice', 'warning', 'critical')),
	-- copies of the alert at that moment, so a sink needs no join
	rule_id text NOT NULL,
	person_id bigint,
	team_id bigint,
	audience text NOT NULL,
	due_at timestamptz,
	actor text				-- who acknowledged or snoozed; null for the daemon
);

ALTER SEQUENCE casewatch.transition_seq OWNED BY casewatch.transition.transition_id;
CREATE INDEX transition_alert_idx ON casewatch.transition (alert_id);

-- Incremental polling: the records' changed_at up to which everything has
-- been processed ('records' for records.changed_person).
CREATE TABLE casewatch.watermark (
	name text PRIMARY KEY,
	changed_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Where each sink has got to in casewatch.transition.
CREATE TABLE casewatch.sink_position (
	sink text PRIMARY KEY,
	transition_id bigint NOT NULL DEFAULT 0,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every change made through the control socket: who, what, to which alert.
CREATE TABLE casewatch.audit (
	audit_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	actor text NOT NULL,			-- peer user name (SO_PEERCRED)
	actor_uid integer,
	action text NOT NULL,			-- socket command, e.g. 'ack', 'snooze', 'reload'
	alert_id bigint REFERENCES casewatch.alert,
	detail jsonb				-- arguments; never record content
);

CREATE INDEX audit_alert_idx ON casewatch.audit (alert_id);

INSERT INTO casewatch.schema_version (version) VALUES (1);
