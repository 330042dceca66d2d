#!/bin/sh
# facts-read.sh - what reading every person's facts costs: streamed flat rows against JSON documents.
#
#   bench/facts-read.sh [CHILDREN [BASE-TREE [PROFILE]]]     (after scripts/build build)
#
# Starts a throwaway PostgreSQL cluster, generates CHILDREN children
# (default 100000), and prints one line per measure, in milliseconds:
#
#   floor_raw      COPY to the client of exactly the table columns the facts read
#   floor_flat     COPY of the records.facts_* views as the reader selects them
#                  (epoch seconds, day numbers, reduced free text), whole tables
#   json_sql       COPY of records.person_facts() for every person (the documents)
#   json_parse     those documents parsed by jansson and cw_facts_from_json()
#   stream_read    every person read by daemon/facts_reader.c (tests/facts_dump
#                  range, pages of 1000) and built: what a sweep now reads
#   sweep_first    casewatchd --once into an empty casewatch schema (PROFILE,
#                  default "default"), then sweep_again: the same, unchanged
#
# With BASE-TREE (a built source tree of an earlier casewatch, e.g. from
# git archive), its casewatchd is timed the same way (base_sweep_first,
# base_sweep_again) after loading its own sql/records/facts.sql, and this
# tree's facts.sql is loaded back afterwards. Figures go to stdout, the
# daemons' logs to bench-run/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
children=${1:-100000}
base=${2:-}
profile=${3:-default}
out="$top/bench-run"
dump="$top/build/tests/facts_dump"
[ -x "$top/build/daemon/casewatchd" ] && [ -x "$dump" ] ||
	{ echo "bench/facts-read.sh: build first: scripts/build build && make -C build tests/facts_dump" >&2; exit 2; }
[ -z "$base" ] || [ -x "$base/build/daemon/casewatchd" ] ||
	{ echo "bench/facts-read.sh: $base/build/daemon/casewatchd not found" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
chmod 0755 "$out"
. "$top/tests/pg.sh"
trap pg_destroy EXIT INT TERM
pg_start
export PGDATABASE=casewatch_bench PGTZ=UTC
CASEWATCH_SQLDIR="$top/sql/records" scripts/records-db load casewatch_bench \
	--children "$children" --seed 0.42 >"$out/generate.txt"
pg_psql -qc "VACUUM ANALYZE"
echo "# $children children: $(pg_psql -Atc "SELECT count(*) FROM records.person") persons," \
	"$(pg_psql -Atc "SELECT (SELECT count(*) FROM records.event) + (SELECT count(*) FROM records.record)
		+ (SELECT count(*) FROM records.involvement) + (SELECT count(*) FROM records.hazard)
		+ (SELECT count(*) FROM records.hazard_review) + (SELECT count(*) FROM records.deletion)
		+ (SELECT count(*) FROM records.info_sharing) + (SELECT count(*) FROM records.restricted_access)")" \
	"rows the facts read; profile $profile; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
copy() { pg_psql -c "COPY ($1) TO STDOUT" >/dev/null; }

# Twice, the first to warm the cache; the second is reported.
for round in 1 2; do
	t=$(date +%s%N)
	copy "SELECT person_id, kind, date_of_birth, date_of_death, nation, team_id, allocated_worker_id FROM records.person"
	copy "SELECT person_id, involvement_id, category, started_on, ended_on, order_date, outcome FROM records.involvement"
	copy "SELECT person_id, event_id, event_type, occurred_at, cancelled, related_event_id FROM records.event"
	copy "SELECT person_id, record_id, record_type, event_id, event_at, entered_at, finalised_at, late_flag, late_reason, author_id FROM records.record"
	copy "SELECT person_id, hazard_id, started_on, review_due_on, active, ended_on, description FROM records.hazard"
	copy "SELECT person_id, hazard_id, review_id, reviewed_at FROM records.hazard_review"
	copy "SELECT person_id, deletion_id, record_id, deleted_at, deleted_by, reason FROM records.deletion"
	copy "SELECT * FROM records.info_sharing"
	copy "SELECT person_id, access_id, record_id, accessed_by, accessed_at FROM records.restricted_access"
	copy "SELECT person_id, request_id, event_id, received_at, closed_at FROM records.access_request"
	raw=$(ms "$t")
done
echo "floor_raw $raw"

t=$(date +%s%N)
copy "SELECT person_id, kind, records.day_number(date_of_birth), records.day_number(date_of_death), nation, team_id, worker_id FROM records.facts_person ORDER BY person_id"
copy "SELECT person_id, involvement_id, category, records.day_number(started_on), records.day_number(ended_on), records.day_number(order_date), outcome FROM records.facts_involvement ORDER BY person_id, involvement_id"
copy "SELECT person_id, event_id, event_type, records.epoch(occurred_at), cancelled, related_event_id FROM records.facts_event ORDER BY person_id, event_id"
copy "SELECT person_id, record_id, record_type, event_id, records.epoch(event_at), records.epoch(entered_at), records.epoch(finalised_at), late_flag, has_late_reason, author_id FROM records.facts_record ORDER BY person_id, record_id"
copy "SELECT person_id, hazard_id, records.day_number(started_on), records.day_number(review_due_on), active, records.day_number(ended_on), has_description FROM records.facts_hazard ORDER BY person_id, hazard_id"
copy "SELECT person_id, hazard_id, records.epoch(reviewed_at) FROM records.facts_hazard_review ORDER BY person_id, hazard_id, reviewed_at, review_id"
copy "SELECT person_id, record_id, records.epoch(deleted_at), deleted_by, deleted_by_role, has_reason FROM records.facts_deletion ORDER BY person_id, deletion_id"
copy "SELECT person_id, sharing_id, kind, records.epoch(occurred_at), missing FROM records.facts_info_sharing ORDER BY person_id, sharing_id"
copy "SELECT person_id, access_id, record_id, accessed_by, allowed, records.epoch(accessed_at) FROM records.facts_restricted_access ORDER BY person_id, access_id"
copy "SELECT person_id, request_id, event_id, records.epoch(received_at), records.epoch(closed_at) FROM records.facts_access_request ORDER BY person_id, request_id"
echo "floor_flat $(ms "$t")"

t=$(date +%s%N)
pg_psql -c "COPY (SELECT person_id, records.person_facts(person_id) FROM records.person ORDER BY person_id) TO STDOUT" >"$out/facts.json"
echo "json_sql $(ms "$t")"
t=$(date +%s%N)
sed 's/\\\\/\\/g' "$out/facts.json" | "$dump" json >/dev/null
echo "json_parse $(ms "$t")"
rm -f "$out/facts.json"

t=$(date +%s%N)
"$dump" range 1000 >/dev/null
echo "stream_read $(ms "$t")"

# sweep TREE NAME: casewatchd --once of TREE, into an empty store then again.
sweep() {
	pg_psql -qc "SET client_min_messages = warning; DROP SCHEMA IF EXISTS casewatch CASCADE"
	cat >"$out/$2.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=casewatch_bench user=$PGUSER
migrations_dir = $1/sql/casewatch
statement_timeout = 0
[policy]
profile = $profile
profile_dir = $1/profiles
[socket]
socket_path = $out/$2.sock
socket_group =
[log]
log_target = stderr
log_level = info
EOC
	for phase in first again; do
		t=$(date +%s%N)
		CASEWATCH_DATADIR="$1/data" /usr/bin/time -f "%M" -o "$out/$2-$phase.rss" \
			"$1/build/daemon/casewatchd" -c "$out/$2.conf" --once 2>"$out/$2-$phase.log" || true
		echo "${2}sweep_$phase $(ms "$t") (peak RSS $(cat "$out/$2-$phase.rss") KiB;" \
			"$(grep -c 'pass done' "$out/$2-$phase.log") pass done)"
	done
}

sweep "$top" ""
if [ -n "$base" ]; then
	pg_psql -qf "$base/sql/records/facts.sql"
	sweep "$base" base_
	pg_psql -qf "$top/sql/records/facts.sql"
fi
