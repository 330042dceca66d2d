-- notify.sql - optional wake-ups: a trigger that tells casewatchd at once when records change.
--
-- Part of the records interface, optional (docs/records-interface.md,
-- "Wake-ups"). Load after interface.sql:
--   psql -v ON_ERROR_STOP=1 -f notify.sql
-- and set listen_channel = casewatch in casewatch.conf. Each statement that
-- writes a relation sends one NOTIFY on the channel when its transaction
-- commits (PostgreSQL folds repeats within a transaction into one). The
-- payload is empty: a notification says only "something changed";
-- casewatchd then reads records.changed_person as on any poll, so a lost
-- notification delays a change by poll_interval at most and never loses it.
--
-- On a council's own tables (behind the records views) attach the same
-- function to every table whose rows feed the interface, with the channel
-- as its argument:
--   CREATE TRIGGER casewatch_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
--       ON their_schema.their_table
--       FOR EACH STATEMENT EXECUTE FUNCTION records.notify_change('casewatch');
-- This file creates or replaces the function and (re)creates the trigger on
-- every relation of the reference implementation, so loading it again is
-- harmless.

CREATE OR REPLACE FUNCTION records.notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify(coalesce(TG_ARGV[0], 'casewatch'), '');
	RETURN NULL;
END;
$$;

COMMENT ON FUNCTION records.notify_change() IS
	'statement trigger: NOTIFY the channel given as argument (default casewatch), empty payload';

DO $$
DECLARE
	t text;
BEGIN
	FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'changed_at' AND NOT a.attisdropped
		WHERE n.nspname = 'records' AND c.relkind IN ('r', 'p') ORDER BY 1
	LOOP
		EXECUTE format('DROP TRIGGER IF EXISTS casewatch_notify ON records.%I', t);
		EXECUTE format('CREATE TRIGGER casewatch_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
			'ON records.%I FOR EACH STATEMENT EXECUTE FUNCTION records.notify_change(%L)',
			t, 'casewatch');
	END LOOP;
END;
$$;
