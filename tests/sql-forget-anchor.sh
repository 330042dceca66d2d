#!/bin/sh
# sql-forget-anchor.sh - 009_forget_anchor.sql on a real PostgreSQL: a forget-request finding stored under anchor kind person is rekeyed, nothing else.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u

src=$CASEWATCH_SRCDIR
trap pg_destroy EXIT
pg_start || { echo "Bail out! no PostgreSQL"; exit 1; }

# The schema as a release before 009 left it.
for m in "$src"/sql/casewatch/[0-9][0-9][0-9]_*.sql; do
	[ "$(basename "$m" | cut -c1-3)" -lt 9 ] || continue
	pg_psql --single-transaction -f "$m" >/dev/null || { echo "Bail out! $m failed"; exit 1; }
done
q() { printf '%s\n' "$1" | pg_psql -At 2>&1; }

# Rows as that release stored them: FORGET-ACK on request 4398046511104 of
# person 7 (acknowledged by alice), a person's content finding, a birthday
# obligation (anchor id the age), a retention notice, and an event finding.
q "INSERT INTO casewatch.alert (rule_id, anchor_kind, anchor_id, person_id, kind, audience, state, acked_by)
	VALUES ('FORGET-ACK', 'person', 4398046511104, 7, 'finding', 'worker', 'overdue', 'alice'),
	('MIN-CONTENT', 'person', 7, 7, 'finding', 'worker', 'overdue', NULL),
	('ST-NEEDS-16', 'person', 16, 7, 'obligation', 'worker', 'pending', NULL),
	('RET-CHILD', 'person', 7, 7, 'obligation', 'records_officer', 'pending', NULL),
	('EVENT-TIME', 'event', 12, 7, 'finding', 'worker', 'overdue', NULL)" >/dev/null
before=$(q "SELECT string_agg(alert_id || ' ' || rule_id || ' ' || anchor_kind || ' ' || anchor_id, ',' ORDER BY alert_id)
	FROM casewatch.alert")
is "the rows are there" "$(q "SELECT count(*) FROM casewatch.alert")" 5

pg_psql --single-transaction -f "$src/sql/casewatch/009_forget_anchor.sql" >/dev/null
is "009 applies" "$?" 0
is "the forget-request finding is keyed by its request, same alert, acknowledgement kept" \
	"$(q "SELECT alert_id || ' ' || anchor_kind || ' ' || anchor_id || ' ' || acked_by
		FROM casewatch.alert WHERE rule_id = 'FORGET-ACK'")" "1 forget_request 4398046511104 alice"
is "nothing else changed" \
	"$(q "SELECT string_agg(alert_id || ' ' || rule_id || ' ' || anchor_kind || ' ' || anchor_id, ',' ORDER BY alert_id)
		FROM casewatch.alert")" "$(echo "$before" | sed 's/FORGET-ACK person/FORGET-ACK forget_request/')"
is "schema version 9 recorded" "$(q "SELECT max(version) FROM casewatch.schema_version")" 9
tap_done
