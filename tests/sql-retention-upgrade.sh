#!/bin/sh
# sql-retention-upgrade.sh - 007 over a store at 006: a person vanished before it gets the service manager's NO-EARLY-DESTROY too; 010 records the open decisions' involvements.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u

src=$CASEWATCH_SRCDIR
export PGTZ=UTC
trap pg_destroy EXIT
pg_start || { echo "Bail out! no PostgreSQL"; exit 1; }
for f in interface facts; do
	pg_psql -f "$src/sql/records/$f.sql" >/dev/null || { echo "Bail out! cannot load $f.sql"; exit 1; }
done
# The store as casewatchd left it at version 6.
for m in "$src"/sql/casewatch/00[1-6]_*.sql; do
	v=$(basename "$m" | cut -c1-3)
	pg_psql --single-transaction -f "$m" >/dev/null || { echo "Bail out! $m failed"; exit 1; }
	pg_psql -c "INSERT INTO casewatch.schema_version (version, applied_at) VALUES ($((1$v - 1000)), now())
		ON CONFLICT DO NOTHING" >/dev/null
done
q() { pg_psql -Atc "$1"; }

q "INSERT INTO records.team (team_id, code) VALUES (1, 'T1');
   INSERT INTO records.person (person_id, kind, date_of_birth, team_id) VALUES (4, 'child', '1990-01-01', 1), (5, 'child', '1990-01-01', 1);
   DELETE FROM records.person WHERE person_id IN (4, 5)" >/dev/null
is "006 marks persons 4 and 5 vanished" "$(q "SELECT casewatch.retention_gone('2026-03-06 13:00+00', 'NO-EARLY-DESTROY')")" 2
q "UPDATE casewatch.alert SET state = 'withdrawn' WHERE person_id = 5" >/dev/null
is "... with the records officer's finding only" \
	"$(q "SELECT string_agg(concat_ws(':', person_id, anchor_kind, audience), ' ' ORDER BY alert_id) FROM casewatch.alert")" \
	"4:person:records_officer 5:person:records_officer"

pg_psql --single-transaction -f "$src/sql/casewatch/007_destruction_alerts.sql" >/dev/null
is "007 applies" "$?" 0
is "the person whose finding is open gets the service manager's alert, overdue since found gone" \
	"$(q "SELECT string_agg(concat_ws(':', person_id, rule_id, anchor_kind, audience, state, due_at), ' ' ORDER BY alert_id)
	      FROM casewatch.alert WHERE audience = 'service_manager'")" \
	"4:NO-EARLY-DESTROY:deletion:service_manager:overdue:2026-03-06 13:00:00+00"
is "... raised once, the finding left as it was" \
	"$(q "SELECT string_agg(concat_ws(':', person_id, kind, audience), ' ' ORDER BY transition_id) FROM casewatch.transition")" \
	"4:raised:records_officer 5:raised:records_officer 4:raised:service_manager"

# 010: the decisions open when it applies get their involvements recorded
# from the records (a hold placed afterwards is decided on them); one
# already destroyed is left alone.
q "INSERT INTO records.person (person_id, kind, date_of_birth, team_id) VALUES (6, 'child', '1990-01-01', 1), (7, 'child', '1990-01-01', 1);
   INSERT INTO records.involvement (involvement_id, person_id, category, started_on, ended_on) VALUES
	(61, 6, 'cin', '1995-01-01', '1996-01-01'), (62, 6, 'looked_after', '1996-02-01', '1999-01-01'),
	(71, 7, 'cin', '1995-01-01', '1996-01-01');
   SELECT casewatch.destruction_due(p, 'RET-CIN', '{RET-CIN}', '2016-01-01', '2026-03-06 13:00+00') FROM unnest('{6,7}'::bigint[]) p;
   SELECT casewatch.destruction_review(p, 'alice', 'destroy', NULL, NULL, '2026-03-06 13:00+00') FROM unnest('{6,7}'::bigint[]) p;
   SELECT casewatch.destruction_approve(p, 'bob', '2026-03-06 13:00+00') FROM unnest('{6,7}'::bigint[]) p;
   SELECT casewatch.destruction_confirm(7, '2026-03-06', 'x', '2026-03-06 13:00+00')" >/dev/null
for v in 007 010; do
	q "INSERT INTO casewatch.schema_version (version, applied_at) VALUES ($((1$v - 1000)), now()) ON CONFLICT DO NOTHING" >/dev/null
done
pg_psql --single-transaction -f "$src/sql/casewatch/010_hold_withdraws.sql" >/dev/null
is "010 applies" "$?" 0
is "... the open decision's involvements recorded, the destroyed one's not" \
	"$(q "SELECT string_agg(concat_ws(' ', person_id, state, array_to_string(involvement_categories, ','), involved_from, involved_to), '; ' ORDER BY person_id) FROM casewatch.destruction WHERE person_id IN (6, 7)")" \
	"6 approved cin,looked_after 1995-01-01 1999-01-01; 7 destroyed"
is "a category hold placed then withdraws it" \
	"$(q "SELECT casewatch.hold_withdrawn(casewatch.hold_place('category', 'looked_after', NULL, NULL, NULL, 'inquiry', 'x', 'carol', NULL, NULL, '2026-03-07 09:00+00'))")" 6
# An involvement the records gained after the review counts when a hold is
# placed, the person still being in the records.
q "INSERT INTO records.person (person_id, kind, date_of_birth, team_id) VALUES (8, 'child', '1990-01-01', 1);
   INSERT INTO records.involvement (involvement_id, person_id, category, started_on, ended_on) VALUES (81, 8, 'cin', '1995-01-01', '1996-01-01');
   SELECT casewatch.destruction_due(8, 'RET-CIN', '{RET-CIN}', '2016-01-01', '2026-03-07 10:00+00');
   SELECT casewatch.destruction_review(8, 'alice', 'destroy', NULL, NULL, '2026-03-07 10:00+00');
   SELECT casewatch.destruction_approve(8, 'bob', '2026-03-07 10:00+00');
   INSERT INTO records.involvement (involvement_id, person_id, category, started_on, ended_on) VALUES (82, 8, 'early_help', '1997-01-01', '1997-06-01')" >/dev/null
is "an involvement added after the review: a hold on its category withdraws the approval" \
	"$(q "SELECT casewatch.hold_withdrawn(casewatch.hold_place('category', 'early_help', NULL, NULL, NULL, 'inquiry', 'x', 'carol', NULL, NULL, '2026-03-07 11:00+00'))")" 8
tap_done
