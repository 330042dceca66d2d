#!/bin/sh
# facts-stream.sh - the daemon's streamed facts equal records.person_facts() read as JSON, for every person.
#
# A generated database of a few thousand children, plus planted bad rows
# (the checks a council's own views would not have are dropped first): an
# instant and a date of the year 1, of the year 10000, BC and infinite, a
# null type, unknown codes, an unknown person kind and nation, a missing
# deletion time, a repeated event id, a fee paid at -infinity, a forget
# request without a time and a repeated one, an accessor whose role is
# empty, subject-access requests without a receipt time, closed at
# infinity, repeated. Every person is read both ways (the
# JSON document through cw_facts_from_json, and the flat rows merged by
# daemon/facts_reader.c, as a sweep reads them (a page after an id, its ids
# read in the same transaction) and by id list with ids that do not
# exist) and printed canonically by tests/facts_dump: every field and
# every problem must agree.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u

dump="$CASEWATCH_BUILDDIR/tests/facts_dump"
work=$(mktemp -d "${TMPDIR:-/tmp}/facts-stream.XXXXXX")
export PGTZ=UTC
trap 'pg_destroy; rm -rf "$work"' EXIT
pg_start || { echo "Bail out! no PostgreSQL"; exit 1; }
export PGDATABASE=facts
pg_load_records facts 3000 0.37 '2026-11-20 12:00:00+00' ||
	{ echo "Bail out! cannot load generated records"; exit 1; }

q() {
	printf '%s\n' "$1" | pg_psql -At 2>&1
}

# Free the tables of the checks a council's views would not have.
q "DO \$\$
DECLARE c record;
BEGIN
	FOR c IN SELECT conrelid::regclass AS tab, conname FROM pg_constraint
		WHERE connamespace = 'records'::regnamespace AND contype = 'c' LOOP
		EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', c.tab, c.conname);
	END LOOP;
END \$\$;
ALTER TABLE records.event ALTER COLUMN event_type DROP NOT NULL;
ALTER TABLE records.deletion ALTER COLUMN deleted_at DROP NOT NULL;
ALTER TABLE records.event ALTER COLUMN until_18 DROP NOT NULL;
ALTER TABLE records.event DROP CONSTRAINT event_pkey CASCADE;
ALTER TABLE records.forget_request ALTER COLUMN received_at DROP NOT NULL;
ALTER TABLE records.forget_request DROP CONSTRAINT forget_request_pkey;
ALTER TABLE records.access_request ALTER COLUMN received_at DROP NOT NULL;
ALTER TABLE records.access_request DROP CONSTRAINT access_request_pkey CASCADE;" >/dev/null

# Persons to plant on: the first ten with an event, a record, a hazard review.
p() { q "SELECT person_id FROM records.$1 ORDER BY person_id, $2 OFFSET $3 LIMIT 1"; }
e1=$(p event event_id 0); e2=$(p event event_id 40); e3=$(p event event_id 80)
r1=$(p record record_id 0); r2=$(p record record_id 50)
h1=$(p hazard_review review_id 0)
i1=$(p involvement involvement_id 7)
d1=$(p deletion deletion_id 0)
s1=$(p info_sharing sharing_id 0)
f1=$(p forget_request request_id 0)
a1=$(p restricted_access access_id 0)
q1=$(p access_request request_id 0)
all="$e1 $e2 $e3 $r1 $r2 $h1 $i1 $d1 $s1 $f1 $a1 $q1"
is "every planted-on person was found" "$(echo $all | wc -w | tr -d ' ')" 12

out=$(q "
INSERT INTO records.event (event_id, person_id, event_type, occurred_at) VALUES
	(900001, $e1, 'visit', '0001-01-01 00:00:00+00'),
	(900002, $e1, 'visit', '10000-06-01 00:00:00+00'),
	(900003, $e2, 'visit', 'infinity'),
	(900004, $e2, 'visit', '-infinity'),
	(900005, $e2, NULL, '2026-01-01 10:00:00+00'),
	(900006, $e3, 'not_a_code', '1969-12-31 23:59:59.5+00'),
	(900007, $e3, 'visit', '2026-03-01 10:00:00.999999+00'),
	(900007, $e3, 'visit', '2026-03-01 10:00:00.999999+00');
UPDATE records.record SET finalised_at = '0044-03-15 10:00:00+00 BC', record_type = 'Free text'
	WHERE record_id = (SELECT min(record_id) FROM records.record WHERE person_id = $r1);
UPDATE records.record SET entered_at = '12000-01-01 00:00:00+00', event_at = '0001-01-01 00:00:00+00'
	WHERE record_id = (SELECT min(record_id) FROM records.record WHERE person_id = $r2);
UPDATE records.hazard SET ended_on = 'infinity', started_on = '0001-01-01', review_due_on = '10000-01-01'
	WHERE hazard_id = (SELECT hazard_id FROM records.hazard_review WHERE person_id = $h1 ORDER BY review_id LIMIT 1);
INSERT INTO records.hazard_review (hazard_id, person_id, reviewed_at)
	SELECT hazard_id, person_id, '12000-01-01 00:00:00+00' FROM records.hazard_review
	WHERE person_id = $h1 ORDER BY review_id LIMIT 1;
UPDATE records.involvement SET started_on = '0001-01-01', category = 'cinn', outcome = 'maybe'
	WHERE involvement_id = (SELECT min(involvement_id) FROM records.involvement WHERE person_id = $i1);
UPDATE records.involvement SET ended_on = started_on - 1, order_date = '0044-01-01 BC'
	WHERE involvement_id = (SELECT max(involvement_id) FROM records.involvement WHERE person_id = $i1);
UPDATE records.person SET kind = 'martian', nation = 'wales', date_of_birth = '10000-01-01',
	date_of_death = '-infinity' WHERE person_id = $i1;
UPDATE records.deletion SET deleted_at = NULL WHERE person_id = $d1;
INSERT INTO records.info_sharing (person_id, direction) VALUES ($s1, 'request_made');
INSERT INTO records.event (event_id, person_id, event_type, occurred_at, until_18) VALUES
	(900008, $e1, 'access_request', '2026-02-01 10:00:00+00', NULL),
	(900009, $e1, 'access_request', '2026-02-01 10:00:00+00', false),
	(900010, $e1, 'placement', '2026-02-01 10:00:00+00', true);
INSERT INTO records.access_request (person_id, event_id, received_at, fee_paid_at) VALUES
	($e1, 900008, '2026-02-01 10:00:00+00', '-infinity'),
	($e1, 900008, '2026-02-01 10:00:00+00', '2026-02-03 10:00:00+00'),
	($e1, 900009, '2026-02-01 10:00:00+00', '2026-02-03 10:00:00.5+00'),
	($e1, 900009, '2026-02-01 10:00:00+00', '2026-02-04 10:00:00+00');
INSERT INTO records.forget_request (request_id, person_id, received_at) VALUES
	(900001, $f1, NULL), (900002, $f1, '2026-01-01 00:00:00+00'),
	(900002, $f1, '2026-01-01 00:00:00+00');
INSERT INTO records.staff (staff_id, role) VALUES (900001, '');
INSERT INTO records.restricted_access (access_id, person_id, accessed_by, accessed_at) VALUES
	(900001, $a1, 900001, '2026-01-01 00:00:00+00');
INSERT INTO records.access_request (request_id, person_id, event_id, received_at, closed_at) VALUES
	(900011, $q1, NULL, NULL, NULL),
	(900012, $q1, NULL, '2026-02-01 10:00+00', 'infinity'),
	(900013, $q1, NULL, '2026-02-01 10:00+00', NULL),
	(900013, $q1, NULL, '2026-02-01 10:00+00', NULL);
SELECT 'planted';")
is "the bad rows were planted" "$(echo "$out" | tail -1)" planted

# Every person, both ways.
q "SELECT person_id || E'\t' || coalesce(records.person_facts(person_id)::text, '')
	FROM records.person ORDER BY person_id" | "$dump" json >"$work/json.txt"
ok "JSON documents read" test -s "$work/json.txt"
"$dump" range 700 >"$work/range.txt" 2>"$work/range.err"
ok "streamed as a sweep reads them (pages of 700 after an id)" test -s "$work/range.txt"
npersons=$(q "SELECT count(*) FROM records.person")
is "one entry per person" "$(grep -c '^person ' "$work/range.txt")" "$npersons"
ok "the streamed facts equal person_facts() for every person, problems included" \
	diff -u "$work/json.txt" "$work/range.txt"

# A list with ids that are not persons (before, between, after).
q "SELECT id FROM (SELECT person_id AS id FROM records.person WHERE person_id % 3 = 0
	UNION ALL SELECT -5 UNION ALL SELECT 999999999
	UNION ALL SELECT generate_series(1, 40) * 1000003) s ORDER BY id" >"$work/ids.txt"
q "SELECT id || E'\t' || coalesce(records.person_facts(id)::text, '')
	FROM unnest('{$(paste -sd, "$work/ids.txt")}'::bigint[]) id ORDER BY id" |
	"$dump" json >"$work/list-json.txt"
"$dump" list 333 <"$work/ids.txt" >"$work/list.txt" 2>"$work/list.err"
ok "streamed by id list (pages of 333)" test -s "$work/list.txt"
ok "... equal person_facts(), persons not in the records included" \
	diff -u "$work/list-json.txt" "$work/list.txt"
ok "... where the ids that are no persons are gone" grep -qx 'person 999999999 gone' "$work/list.txt"

# The comparison covered the planted problems (so it is not vacuous).
has() { grep -qF -- "$1" "$work/range.txt"; }
ok "a time of the year 10000 is a problem" has "person $e1: event 900002: at: not a time in the years 1-9999"
ok "the year 1 is kept" grep -q "^  event 900001 type=visit at=-62135596800 " "$work/range.txt"
ok "infinity is a problem" has "person $e2: event 900003: at: not a time in the years 1-9999"
ok "-infinity is a problem" has "person $e2: event 900004: at: not a time in the years 1-9999"
ok "a null type" has "person $e2: event 900005: type: missing"
ok "an unknown event type" has "person $e3: event 900006: type: unknown event type \"not_a_code\""
ok "an instant before 1970 with a fraction rounds down" grep -q "^  event 900006 type=not_a_code at=-1 " "$work/range.txt"
ok "a repeated event id" has "person $e3: event 900007: id: duplicate id (row left out)"
ok "a BC instant" has "finalised_at: not a time in the years 1-9999"
ok "free text in a code column is not echoed" \
	grep -q "| person $r1: record [0-9]*: type: unknown record type\$" "$work/range.txt"
ok "a hazard review of the year 12000" has "reviews: an entry is not a time in the years 1-9999"
ok "an infinite date" has "ended: not a date in the years 1-9999"
ok "a date of the year 10000" has "person $i1: date_of_birth: not a date in the years 1-9999"
ok "an unknown person kind" has "person $i1: kind: unknown person kind \"martian\""
ok "an unknown nation" has "person $i1: nation: unknown nation (the profile's is used) \"wales\""
ok "an unknown involvement category" has "category: unknown involvement category \"cinn\""
ok "a deletion without a time" has "deleted_at: missing"
ok "a fee paid at -infinity" has "person $e1: event 900008: fee_paid_at: not a time in the years 1-9999"
ok "the earliest fee of an event's requests" \
	grep -q "^  event 900009 type=access_request at=1769940000 cancelled=0 related=- fee_paid=1770112800 until_18=0\$" \
	"$work/range.txt"
ok "a placement meant to last until 18" grep -q "^  event 900010 .* until_18=1\$" "$work/range.txt"
ok "a forget request without a time" has "person $f1: forget_request 900001: received_at: missing"
ok "a repeated forget request id" has "person $f1: forget_request 900002: id: duplicate id (row left out)"
ok "an empty staff role" \
	has "person $a1: restricted_access 900001: accessed_by_role: not a code (a non-empty string)"
# The generated fields themselves crossed (not only the planted ones).
some() { test "$(grep -c -- "$1" "$work/range.txt")" -gt "$2"; }
ok "generated fees paid" some " fee_paid=[0-9]" 10
ok "generated placements until 18" some " until_18=1\$" 10
ok "generated accesses by IROs and the emergency duty team" some " role=iro allowed=" 0
ok "generated forget requests" some "^  forget_request [0-9]* received=[0-9]" 1
ok "an empty info_sharing row lists what it lacks" \
	grep -q "missing=\[occurred_at,recorded_by,signed,reason,request_summary" "$work/range.txt"
ok "the generated subject-access requests are read" \
	test "$(grep -c '^  access_request [0-9]* event=[0-9]* received=[0-9]* ' "$work/range.txt")" -gt 10
ok "a subject-access request without its receipt time" has "person $q1: access_request 900011: received_at: missing"
ok "a subject-access request closed at infinity" \
	has "person $q1: access_request 900012: closed_at: not a time in the years 1-9999"
ok "a repeated subject-access request" has "person $q1: access_request 900013: id: duplicate id (row left out)"

tap_done
