#!/bin/sh
# sql-interface.sh - the records interface, casewatch's migrations and the records generator on a real PostgreSQL.
set -u
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"

sql=$CASEWATCH_SRCDIR/sql
vocab=$CASEWATCH_SRCDIR/docs/vocabulary.md
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-sql.XXXXXX")
trap 'pg_destroy; rm -rf "$tmp"' EXIT

pg_start || { echo "Bail out! no PostgreSQL server"; exit 1; }
createdb cw || { echo "Bail out! createdb failed"; exit 1; }
export PGDATABASE=cw

# q SQL: one query, unaligned, tuples only.
q() {
	pg_psql -At -c "$1"
}

# The reference date every generated row is dated around.
ref="2026-06-15 12:00:00+00"

# --- loading -----------------------------------------------------------------

ok "interface.sql loads into an empty database" pg_psql -f "$sql/records/interface.sql"
ntables=$(q "SELECT count(*) FROM pg_tables WHERE schemaname = 'records'")
pg_psql -f "$sql/records/interface.sql" >"$tmp/again.out" 2>&1
rc=$?
is "loading interface.sql twice fails" "$rc" 3
ok "the second load says the schema exists" grep -q 'schema "records" already exists' "$tmp/again.out"
is "the failed second load changed nothing" \
	"$(q "SELECT count(*) FROM pg_tables WHERE schemaname = 'records'")" "$ntables"
ok "generate.sql loads" pg_psql -f "$sql/records/generate.sql"
ok "generate.sql loads again (functions are replaced)" pg_psql -f "$sql/records/generate.sql"
ok "migration 001 applies in one transaction" \
	pg_psql --single-transaction -f "$sql/casewatch/001_initial.sql"
is "the schema version is 1" "$(q "SELECT max(version) FROM casewatch.schema_version")" 1
ok "migration 001 refuses to apply twice" sh -c \
	"! psql -X -q -v ON_ERROR_STOP=1 --single-transaction -f '$sql/casewatch/001_initial.sql' 2>/dev/null"
is "a refused migration leaves the version alone" \
	"$(q "SELECT count(*) FROM casewatch.schema_version")" 1
ok "an alert with an unknown state is refused" sh -c "! psql -X -q -v ON_ERROR_STOP=1 -c \"
	INSERT INTO casewatch.alert (rule_id, anchor_kind, anchor_id, person_id, audience, state)
	VALUES ('CP-24H', 'event', 1, 1, 'worker', 'late')\" 2>/dev/null"
ok "the obligation key is unique" sh -c "! psql -X -q -v ON_ERROR_STOP=1 -c \"
	INSERT INTO casewatch.alert (rule_id, anchor_kind, anchor_id, person_id, audience, state)
	VALUES ('CP-24H', 'event', 1, 1, 'worker', 'due_soon'), ('CP-24H', 'event', 1, 1, 'worker', 'overdue')\" 2>/dev/null"

# --- the vocabulary ------------------------------------------------------------

# doc_codes KIND: the codes docs/vocabulary.md lists in the table of KIND.
doc_codes() {
	case $1 in
	youth_justice_outcome | fostering_outcome)
		grep "^| \`${1%_outcome}\`" "$vocab" | sed 's/.*`outcome`://; s/(.*//' | grep -o '`[a-z_]*`' | tr -d '`' | sort
		return ;;
	involvement_category) head='^## Involvement categories' ;;
	event_type) head='^## Event types' ;;
	record_type) head='^## Record types' ;;
	audience) head='^## Audiences' ;;
	esac
	sed -n "/$head/,/^## /p" "$vocab" | sed -n 's/^| `\([a-z0-9_]*\)` |.*/\1/p' | sort
}

ok "docs/vocabulary.md is there (it ships in the tarball)" test -s "$vocab"
for kind in involvement_category event_type record_type audience youth_justice_outcome fostering_outcome; do
	doc_codes $kind >"$tmp/doc.$kind"
	q "SELECT code FROM records.vocabulary WHERE kind = '$kind' ORDER BY code" | LC_ALL=C sort >"$tmp/db.$kind"
	LC_ALL=C sort -o "$tmp/doc.$kind" "$tmp/doc.$kind"
	ok "records.vocabulary holds exactly the $kind codes of the doc" cmp "$tmp/doc.$kind" "$tmp/db.$kind"
done
is "the doc lists 14 involvement categories, 36 event types, 47 record types" \
	"$(wc -l <"$tmp/doc.involvement_category") $(wc -l <"$tmp/doc.event_type") $(wc -l <"$tmp/doc.record_type")" \
	"14 36 47"

# --- change markers and tombstones ---------------------------------------------

q "INSERT INTO records.team (team_id, code, manager_id) VALUES (1, 'T1', 1), (2, 'T2', 2);
   INSERT INTO records.staff (staff_id, team_id, role) VALUES (1, 1, 'team_manager'), (3, 1, 'worker');
   INSERT INTO records.person (person_id, kind, date_of_birth, team_id, allocated_worker_id, changed_at)
   VALUES (1, 'child', '2015-03-01', 1, 3, '2000-01-01'), (2, 'child', '2016-04-02', 2, NULL, '2000-01-01');
   INSERT INTO records.event (event_id, person_id, event_type, occurred_at)
   VALUES (10, 1, 'visit', '2026-06-01 10:00+01'), (11, 2, 'contact', '2026-06-02 11:00+01')" >/dev/null
ok "an unknown event type is refused" sh -c "psql -X -q -v ON_ERROR_STOP=1 -c \"
	INSERT INTO records.event (person_id, event_type) VALUES (1, 'home_visit')\" 2>&1 | grep -q event_event_type_known"
ok "an unknown youth-justice outcome is refused" sh -c "! psql -X -q -v ON_ERROR_STOP=1 -c \"
	INSERT INTO records.involvement (person_id, category, started_on, outcome)
	VALUES (1, 'youth_justice', '2026-01-01', 'caution')\" 2>/dev/null"
ok "a fostering outcome on a youth-justice involvement is refused" sh -c "psql -X -q -v ON_ERROR_STOP=1 -c \"
	INSERT INTO records.involvement (person_id, category, started_on, outcome)
	VALUES (1, 'youth_justice', '2026-01-01', 'refused')\" 2>&1 | grep -q involvement_outcome_known"
is "insert stamps changed_at whatever the writer says" \
	"$(q "SELECT count(*) FROM records.person WHERE changed_at > '2020-01-01'")" 2

t1=$(q "SELECT clock_timestamp()")
before=$(q "SELECT changed_at FROM records.person WHERE person_id = 1")
q "UPDATE records.person SET date_of_death = NULL, nation = 'scotland' WHERE person_id = 1" >/dev/null
is "an update moves changed_at forward" \
	"$(q "SELECT changed_at > '$before' AND changed_at > '$t1' FROM records.person WHERE person_id = 1")" t
is "the updated person, and only it, shows in changed_person" \
	"$(q "SELECT string_agg(DISTINCT person_id::text, ',') FROM records.changed_person WHERE changed_at > '$t1'")" 1

t2=$(q "SELECT clock_timestamp()")
q "DELETE FROM records.event WHERE event_id = 11" >/dev/null
is "a delete leaves a tombstone naming table, row and person" \
	"$(q "SELECT relation || ' ' || row_id || ' ' || person_id FROM records.tombstone WHERE changed_at > '$t2'")" \
	"event 11 2"
is "the deleted row's person shows in changed_person" \
	"$(q "SELECT string_agg(DISTINCT person_id::text, ',') FROM records.changed_person WHERE changed_at > '$t2'")" 2

t3=$(q "SELECT clock_timestamp()")
q "UPDATE records.team SET manager_id = 4 WHERE team_id = 2" >/dev/null
is "a team change shows every person of that team" \
	"$(q "SELECT string_agg(DISTINCT person_id::text, ',') FROM records.changed_person WHERE changed_at > '$t3'")" 2
t4=$(q "SELECT clock_timestamp()")
q "UPDATE records.staff SET role = 'practice_supervisor' WHERE staff_id = 3" >/dev/null
is "a staff change shows the persons allocated to them" \
	"$(q "SELECT string_agg(DISTINCT person_id::text, ',') FROM records.changed_person WHERE changed_at > '$t4'")" 1
q "DELETE FROM records.person WHERE person_id = 1" >/dev/null
is "deleting a person buries its rows too" \
	"$(q "SELECT string_agg(relation || ':' || row_id, ' ' ORDER BY relation) FROM records.tombstone WHERE person_id = 1")" \
	"event:10 person:1"
ok "the poll query uses the changed_at indexes" sh -c "psql -X -At -c \"SET enable_seqscan = off;
	EXPLAIN SELECT person_id, max(changed_at) FROM records.changed_person
	WHERE changed_at > now() GROUP BY person_id\" | grep -q 'record_changed_at_idx'"

# --- the generator ---------------------------------------------------------------

# checksums: one md5 per table over every column but changed_at, in key order.
checksums() {
	q "SELECT string_agg(t.relname || '=' || t.sum, ' ' ORDER BY t.relname) FROM (
		SELECT c.relname, (xpath('/row/s/text()', query_to_xml(format(
			'SELECT md5(string_agg((to_jsonb(x) - ''changed_at'')::text, ''|'' ORDER BY (to_jsonb(x) ->> %L)::bigint)) AS s FROM records.%I x',
			a.attname, c.relname), false, true, '')))[1]::text AS sum
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
		WHERE n.nspname = 'records' AND c.relkind = 'r' AND c.relname NOT IN ('vocabulary', 'tombstone')) t"
}

# constraints: every foreign key and trigger of the records schema, as defined.
constraints() {
	q "SELECT string_agg(d, '; ' ORDER BY d) FROM (
		SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) AS d
		FROM pg_constraint WHERE connamespace = 'records'::regnamespace AND contype = 'f'
		UNION ALL
		SELECT tgrelid::regclass || ' ' || tgname || ' ' || tgenabled::text
		FROM pg_trigger WHERE tgrelid::regclass::text LIKE 'records.%' AND NOT tgisinternal) x"
}
cons=$(constraints)
ok "generate 2,000 children" q "SELECT * FROM records.generate(2000, 0.25, '$ref')"
is "the generator leaves every foreign key and trigger as it found them" "$(constraints)" "$cons"
is "generated rows carry change markers" \
	"$(q "SELECT count(*) FROM records.event WHERE changed_at IS NULL OR changed_at < '2020-01-01'")" 0
sum1=$(checksums)
q "SELECT count(*) FROM records.generate(2000, 0.75, '$ref')" >/dev/null
sum2=$(checksums)
for t in person involvement event record hazard; do
	a=$(echo "$sum1" | tr ' ' '\n' | grep "^$t=")
	b=$(echo "$sum2" | tr ' ' '\n' | grep "^$t=")
	ok "another seed gives other $t rows" test "$a" != "$b"
done
pg_psql -c "SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0;
	SET min_parallel_table_scan_size = 0;
	SELECT count(*) FROM records.generate(2000, 0.25, '$ref')" >/dev/null
is "the first seed again gives the same rows, table by table, nothing left over (parallel plans allowed)" \
	"$(checksums)" "$sum1"
ok "a nonsense size is refused clearly" sh -c "psql -X -q -c 'SELECT records.generate(0)' 2>&1 |
	grep -q 'children must be between 1 and 10000000, got 0'"

# Proportions: the bounds come from the design in docs/records-interface.md
# (one team per 500 children, one foster carer per 40 children, category
# weights in percent), widened for sampling noise.
is "one team per 500 children, each with a team manager" \
	"$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE s.role = 'team_manager' AND s.team_id = t.team_id)
		FROM records.team t LEFT JOIN records.staff s ON s.staff_id = t.manager_id")" "4 4"
is "2,000 children, 50 foster carers with a fostering involvement" \
	"$(q "SELECT (SELECT count(*) FROM records.person WHERE kind = 'child') || ' ' ||
		(SELECT count(DISTINCT i.person_id) FROM records.involvement i JOIN records.person p USING (person_id)
		 WHERE p.kind = 'carer' AND i.category = 'fostering')")" "2000 50"
share() {
	q "SELECT round(100.0 * count(DISTINCT person_id) / 2000) FROM records.involvement
		WHERE category = '$1' AND involvement_id % 4 = 1"
}
within() {
	[ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || { echo "$1: $2 not in [$3, $4]"; return 1; }
}
ok "child in need is the largest category (38% +- 8)" within cin "$(share cin)" 30 46
ok "child-protection plans are fewer (10% +- 5)" within cp_plan "$(share cp_plan)" 5 15
ok "looked-after children are fewer (9% +- 5)" within looked_after "$(share looked_after)" 4 14
ok "early help is common (18% +- 7)" within early_help "$(share early_help)" 11 25
ok "both open and closed involvements" test "$(q "SELECT count(DISTINCT (ended_on IS NULL)) FROM records.involvement")" = 2
ok "some adoption orders have a date" test "$(q "SELECT count(*) FROM records.involvement WHERE category = 'adoption' AND order_date IS NOT NULL")" -gt 0
ok "youth-justice outcomes are recorded" test "$(q "SELECT count(DISTINCT outcome) FROM records.involvement WHERE category = 'youth_justice'")" -ge 3
ok "children's ages spread over 0 to 18 years" test "$(q "SELECT count(DISTINCT extract(year FROM age('$ref'::date, date_of_birth)))
	FROM records.person WHERE kind = 'child' AND date_of_birth <= '$ref'")" -ge 18

all_present() {
	kind=$1 col=$2 tab=$3
	q "SELECT DISTINCT $col FROM records.$tab" | LC_ALL=C sort >"$tmp/used.$kind"
	missing=$(LC_ALL=C comm -23 "$tmp/doc.$kind" "$tmp/used.$kind")
	[ -z "$missing" ] || { echo "never generated: $missing"; return 1; }
}
only_known() {
	kind=$1
	unknown=$(LC_ALL=C comm -13 "$tmp/doc.$kind" "$tmp/used.$kind")
	[ -z "$unknown" ] || { echo "not in docs/vocabulary.md: $unknown"; return 1; }
}
ok "every event type of the vocabulary occurs" all_present event_type event_type event
ok "every involvement category of the vocabulary occurs" all_present involvement_category category involvement
q "SELECT DISTINCT record_type FROM records.record UNION SELECT record_type FROM records.deletion" |
	LC_ALL=C sort >"$tmp/used.record_type"
q "SELECT DISTINCT outcome FROM records.involvement WHERE outcome IS NOT NULL AND category = 'youth_justice'" | LC_ALL=C sort >"$tmp/used.youth_justice_outcome"
q "SELECT DISTINCT outcome FROM records.involvement WHERE outcome IS NOT NULL AND category = 'fostering'" | LC_ALL=C sort >"$tmp/used.fostering_outcome"
for kind in event_type involvement_category record_type youth_justice_outcome fostering_outcome; do
	ok "every generated $kind code is in docs/vocabulary.md" only_known $kind
done
ok "visits, contacts and tasks outnumber conferences tenfold" test "$(q "SELECT
	count(*) FILTER (WHERE event_type IN ('visit', 'contact', 'task')) > 10 * count(*) FILTER (WHERE event_type IN ('icpc', 'rcpc'))
	FROM records.event")" = t

# Each count must be positive: one query for all, "tag count" a line.
cat >"$tmp/positive.sql" <<EOF
SELECT 'future', (SELECT count(*) FROM records.event WHERE event_type IN ('icpc', 'rcpc') AND occurred_at > '$ref')
UNION ALL SELECT 'planned', (SELECT count(*) FROM records.event WHERE event_type = 'pf_planned_start' AND occurred_at > '$ref')
UNION ALL SELECT 'cancelled', (SELECT count(*) FROM records.event WHERE cancelled)
UNION ALL SELECT 'on_time', (SELECT count(*) FROM records.record r JOIN records.event e USING (event_id) WHERE e.event_type = 'visit' AND r.finalised_at <= e.occurred_at + interval '5 days')
UNION ALL SELECT 'late_flagged', (SELECT count(*) FROM records.record r JOIN records.event e USING (event_id) WHERE e.event_type = 'visit' AND r.finalised_at > e.occurred_at + interval '5 days' AND r.late_flag)
UNION ALL SELECT 'late_silent', (SELECT count(*) FROM records.record r JOIN records.event e USING (event_id) WHERE e.event_type = 'visit' AND r.finalised_at > e.occurred_at + interval '5 days' AND NOT r.late_flag AND r.late_reason IS NULL)
UNION ALL SELECT 'missing', (SELECT count(*) FROM records.event e WHERE e.event_type = 'visit' AND NOT e.cancelled AND e.occurred_at < '$ref'::timestamptz - interval '30 days' AND NOT EXISTS (SELECT 1 FROM records.record r WHERE r.event_id = e.event_id))
UNION ALL SELECT 'drafts', (SELECT count(*) FROM records.record WHERE finalised_at IS NULL)
UNION ALL SELECT 'entered_early', (SELECT count(*) FROM records.record WHERE entered_at < event_at AND record_type NOT IN ('conference_report', 'pf_coordinator_notice'))
UNION ALL SELECT 'no_event_at', (SELECT count(*) FROM records.record WHERE event_at IS NULL)
UNION ALL SELECT 'no_time', (SELECT count(*) FROM records.event WHERE occurred_at IS NULL)
UNION ALL SELECT 'dob_future', (SELECT count(*) FROM records.person WHERE date_of_birth > '$ref')
UNION ALL SELECT 'no_review', (SELECT count(*) FROM records.hazard WHERE review_due_on IS NULL)
UNION ALL SELECT 'overdue_hazard', (SELECT count(*) FROM records.hazard WHERE active AND review_due_on < '$ref')
UNION ALL SELECT 'reviews', (SELECT count(*) FROM records.hazard_review)
UNION ALL SELECT 'share_gaps', (SELECT count(*) FROM records.info_sharing WHERE reason IS NULL OR method IS NULL OR outcome IS NULL)
UNION ALL SELECT 'no_reason', (SELECT count(*) FROM records.deletion WHERE reason IS NULL)
UNION ALL SELECT 'outsider', (SELECT count(*) FROM records.restricted_access a JOIN records.person p USING (person_id) JOIN records.staff s ON s.staff_id = a.accessed_by WHERE s.team_id <> p.team_id)
EOF
pg_psql -At -F " " -f "$tmp/positive.sql" >"$tmp/positive.out"
# positive TAG: the count for TAG is above zero.
positive() {
	n=$(sed -n "s/^$1 //p" "$tmp/positive.out")
	[ "${n:-0}" -gt 0 ] || { echo "$1: ${n:-no answer}"; return 1; }
}
ok "some conferences are planned in the future" positive future
ok "some private-fostering starts are planned" positive planned
ok "some events are cancelled" positive cancelled
ok "some visit records are on time (within 5 days)" positive on_time
ok "some visit records are late and flagged" positive late_flagged
ok "some visit records are late with neither flag nor reason" positive late_silent
ok "some past visits have no record at all" positive missing
ok "some records are drafts (not finalised)" positive drafts
ok "some records were entered before the event they record" positive entered_early
ok "some records lack the event time" positive no_event_at
ok "some events lack a time" positive no_time
ok "some dates of birth are in the future" positive dob_future
ok "some hazards have no review date" positive no_review
ok "some active hazards are overdue for review" positive overdue_hazard
ok "some hazards have been reviewed" positive reviews
ok "some information-sharing records miss a field" positive share_gaps
ok "some deletions lack a reason" positive no_reason
ok "some restricted files were opened by staff of another team" positive outsider
ok "subject-access requests, open and closed" test "$(q "SELECT count(DISTINCT (closed_at IS NULL)) FROM records.access_request")" = 2
is "no record is dated after the reference time" \
	"$(q "SELECT count(*) FROM records.record WHERE entered_at > '$ref' OR finalised_at > '$ref'")" 0
ok "new rows added by hand get fresh ids" q "INSERT INTO records.event (person_id, event_type, occurred_at)
	VALUES (1, 'visit', '$ref')"

# --- scripts/records-db -----------------------------------------------------------

ok "records-db loads a new database" \
	"$CASEWATCH_SRCDIR/scripts/records-db" load fresh --children 300 --seed 0.5 --reference "$ref"
ok "records-db reloads it, keeping the schema" \
	"$CASEWATCH_SRCDIR/scripts/records-db" load fresh --children 600 --seed 0.5 --reference "$ref"
is "the reload replaced the children" \
	"$(pg_psql -At -d fresh -c "SELECT count(*) FROM records.person WHERE kind = 'child'")" 600
ok "records-db refuses a bad size" sh -c \
	"! '$CASEWATCH_SRCDIR/scripts/records-db' load fresh --children many 2>/dev/null"

# --- records.info_sharing_missing(): one expression since the reader's speed-up
# The field lists it gives, over every combination of direction, the
# consent and decision flags and empty, blank or filled fields, are those
# of the aggregate over a list of rows it replaced (kept here as the
# reference), and a row spelled out pins the Hull fields by name.
ok "facts.sql loads" pg_psql -q -f "$sql/records/facts.sql"
pg_psql -q <<'EOF' || echo "# cannot create the reference"
CREATE OR REPLACE FUNCTION public.missing_reference(s records.info_sharing) RETURNS text[]
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
EOF
grid=$(q "WITH g AS (
	SELECT jsonb_populate_record(NULL::records.info_sharing, jsonb_build_object(
		'direction', d, 'with_consent', wc, 'subject_informed', si, 'decided_to_share', ds, 'signed', sg,
		'occurred_at', CASE WHEN t = 'x' THEN '2026-01-01T00:00:00Z' END,
		'recorded_by', CASE WHEN t = 'x' THEN 1 END, 'reason', t, 'request_summary', t,
		'no_consent_reason', t, 'consented_by', t, 'consent_limits', t, 'not_informed_reason', t,
		'counterpart_name', t, 'counterpart_job_title', t, 'counterpart_organisation', t,
		'counterpart_phone', t, 'identity_check', t, 'decision_reason', t, 'information_type', t,
		'method', t, 'outcome', t, 'receipt_confirmation', t)) AS r
	FROM unnest(ARRAY['shared', 'request_received', 'request_made', NULL, 'other']) d,
		unnest(ARRAY[true, false, NULL]) wc, unnest(ARRAY[true, false, NULL]) si,
		unnest(ARRAY[true, false, NULL]) ds, unnest(ARRAY[true, false, NULL]) sg,
		unnest(ARRAY[NULL, '  ', 'x']) t)
	SELECT count(*) || ' ' || count(*) FILTER (WHERE records.info_sharing_missing(r)
		IS DISTINCT FROM public.missing_reference(r)) || ' ' || count(DISTINCT records.info_sharing_missing(r))
	FROM g")
set -- $grid
is "info_sharing_missing() agrees with the reference on every combination ($1)" "${2:-x}" 0
ok "... which give many different lists (${3:-0})" [ "${3:-0}" -gt 40 ]
is "a sharing with consent, the subject not informed and nothing filled in" \
	"$(q "SELECT records.info_sharing_missing(jsonb_populate_record(NULL::records.info_sharing,
		'{\"direction\": \"shared\", \"with_consent\": true, \"subject_informed\": false}'))")" \
	"{occurred_at,recorded_by,signed,reason,consented_by,consent_limits,not_informed_reason,counterpart_name,counterpart_job_title,counterpart_organisation,counterpart_phone,information_type,method,outcome,receipt_confirmation}"

tap_done
