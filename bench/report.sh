#!/bin/sh
# report.sh - the hand-written SQL report (bench/report.sql) against casewatchd's sweep, timed and compared item for item.
#
#   bench/report.sh CHILDREN     (after scripts/build build)
#
# Starts a throwaway PostgreSQL cluster, generates CHILDREN children (seed
# 0.42, dated around the start of the run, the records' change markers a
# day back as bench/sweep-ab.sh does), then times, in one run and at one
# instant (the daemon's test clock and the report's `now`):
#
#   floor_raw      COPY to the client of exactly the table columns the facts read
#   report         psql -f bench/report.sql: the default profile's overdue items
#   sweep_first    casewatchd --once, default profile, into an empty casewatch schema
#   sweep_again    casewatchd --once again over the store it left (a re-sweep)
#
# (floor_raw and the report are each run twice; the second, warm, run is
# shown.) Then it compares the report's rows with casewatch's stored alerts
# that are overdue or escalated (person, rule, anchor, due time, state) and
# prints how many are in both, only in the report, only in casewatch; it
# exits 1 when they differ, the differing rows in bench-run-report/.
set -eu
export LC_ALL=C
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
children=${1:?children}
out="$top/bench-run-report"
[ -x "$top/build/daemon/casewatchd" ] || { echo "bench/report.sh: build/daemon/casewatchd not found (scripts/build build)" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out"
chmod 0755 "$out"
. "$top/tests/pg.sh"
trap pg_destroy EXIT INT TERM
pg_start
export PGDATABASE=casewatch_bench PGTZ=UTC
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "$now" >"$out/clock"
CASEWATCH_SQLDIR="$top/sql/records" scripts/records-db load casewatch_bench \
	--children "$children" --seed 0.42 --reference "$now" >"$out/generate.txt"
pg_psql -q <<'SQL'
SET session_replication_role = replica;
DO $$
DECLARE t text;
BEGIN
	FOR t IN SELECT c.table_name FROM information_schema.columns c
		JOIN information_schema.tables r USING (table_schema, table_name)
		WHERE c.table_schema = 'records' AND c.column_name = 'changed_at'
		AND r.table_type = 'BASE TABLE' LOOP
		EXECUTE format('UPDATE records.%I SET changed_at = changed_at - interval ''1 day''', t);
	END LOOP;
END $$;
SQL
pg_psql -qc "VACUUM ANALYZE"
echo "# $children children: $(pg_psql -Atc "SELECT count(*) FROM records.person") persons," \
	"$(pg_psql -Atc "SELECT count(*) FROM records.event") events," \
	"$(pg_psql -Atc "SELECT count(*) FROM records.record") records; now $now; profile default;" \
	"$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
copy() { pg_psql -c "COPY ($1) TO STDOUT" >/dev/null; }
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
	floor=$(ms "$t")
done

for round in 1 2; do
	t=$(date +%s%N)
	psql -X -q -At -F' ' -v now="$now" -v holidays="$top/tests/data/bank-holidays-1990-2030.txt" \
		-f "$top/bench/report.sql" >"$out/report.txt"
	report=$(ms "$t")
done
rows=$(wc -l <"$out/report.txt")

cat >"$out/casewatchd.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=casewatch_bench user=$PGUSER
migrations_dir = $top/sql/casewatch
statement_timeout = 0
[policy]
profile = default
profile_dir = $top/profiles
[daemon]
test_clock_file = $out/clock
[socket]
socket_path = $out/casewatchd.sock
socket_group =
[log]
log_target = stderr
log_level = info
EOC
# sweep PHASE: one casewatchd --once; prints its wall time in ms.
sweep() {
	t=$(date +%s%N)
	CASEWATCH_DATADIR="$top/data" "$top/build/daemon/casewatchd" -c "$out/casewatchd.conf" --once \
		2>"$out/casewatchd-$1.log" || { echo "bench/report.sh: casewatchd --once ($1) failed, see $out/casewatchd-$1.log" >&2; exit 1; }
	ms "$t"
}
first=$(sweep first)
again=$(sweep again)

pg_psql -At -F' ' -c "SELECT person_id, rule_id, anchor_kind, anchor_id,
		to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), state
	FROM casewatch.alert WHERE state = 'overdue' OR state LIKE 'escalated\\_%'" | sort >"$out/casewatch.txt"
sort "$out/report.txt" >"$out/report.sorted"
both=$(comm -12 "$out/report.sorted" "$out/casewatch.txt" | wc -l)
comm -23 "$out/report.sorted" "$out/casewatch.txt" >"$out/only-report.txt"
comm -13 "$out/report.sorted" "$out/casewatch.txt" >"$out/only-casewatch.txt"
only_report=$(wc -l <"$out/only-report.txt")
only_cw=$(wc -l <"$out/only-casewatch.txt")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
printf '%-12s %10s %10s %14s %14s\n' measure wall_ms rows "x floor_raw" "x report"
printf '%-12s %10s %10s %14s %14s\n' floor_raw "$floor" - 1.00 -
printf '%-12s %10s %10s %14s %14s\n' report "$report" "$rows" "$(ratio "$report" "$floor")" 1.00
printf '%-12s %10s %10s %14s %14s\n' sweep_first "$first" - "$(ratio "$first" "$floor")" "$(ratio "$first" "$report")"
printf '%-12s %10s %10s %14s %14s\n' sweep_again "$again" - "$(ratio "$again" "$floor")" "$(ratio "$again" "$report")"
echo "# overdue items: both $both, only-report $only_report, only-casewatch $only_cw; load $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$only_report" -eq 0 ] && [ "$only_cw" -eq 0 ] || {
	echo "bench/report.sh: the report and casewatch differ: see $out/only-report.txt and $out/only-casewatch.txt" >&2
	exit 1
}
