#!/bin/sh
# sweep-ab.sh - a full sweep of this tree against another tree's, taken in turns on one database.
#
#   bench/sweep-ab.sh CHILDREN BASE-TREE [ROUNDS [PROFILE]]   (after scripts/build build, in both)
#
# Starts a throwaway PostgreSQL cluster (with pg_stat_statements), generates
# CHILDREN children (seed 0.42, the records dated a day back as
# bench/daemon.sh does), times the floor once:
#
#   floor_raw    COPY to the client of exactly the table columns the facts read
#
# and then, ROUNDS times (default 2), for the base tree and this one in
# turn: `casewatchd --once` into an empty casewatch schema (first) and again
# over the store it left (again: a re-sweep of an unchanged database), each
# tree with its own sql/records/facts.sql loaded first. One line per run:
#
#   tree phase ms daemon_cpu_ms read_ms write_ms load transitions
#
# read_ms and write_ms: the server's execution time of the facts reading
# (the prepared facts statements and the page ids) and of
# casewatch.reconcile_set(), from pg_stat_statements; a sweep that overlaps
# them takes less wall time than their sum. PROFILE defaults to "default".
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
children=${1:?children}
base=$(cd "${2:?base tree}" && pwd)
rounds=${3:-2}
profile=${4:-default}
out="$top/bench-run"
for t in "$top" "$base"; do
	[ -x "$t/build/daemon/casewatchd" ] || { echo "bench/sweep-ab.sh: $t/build/daemon/casewatchd not found" >&2; exit 2; }
done
rm -rf "$out"
mkdir -p "$out"
chmod 0755 "$out"
. "$top/tests/pg.sh"
trap pg_destroy EXIT INT TERM
pg_start
pg_psql -qc "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
pg_restart
export PGDATABASE=casewatch_bench PGTZ=UTC
CASEWATCH_SQLDIR="$top/sql/records" scripts/records-db load casewatch_bench \
	--children "$children" --seed 0.42 >"$out/generate.txt"
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
pg_psql -qc "CREATE EXTENSION pg_stat_statements"
echo "# $children children: $(pg_psql -Atc "SELECT count(*) FROM records.person") persons; profile $profile;" \
	"$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); base $base"

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
	raw=$(ms "$t")
done
echo "floor_raw $raw"

# run TREE NAME PHASE: one casewatchd --once of TREE.
run() {
	[ "$3" = first ] && pg_psql -qc "SET client_min_messages = warning; DROP SCHEMA IF EXISTS casewatch CASCADE"
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
	pg_psql -qc "SELECT pg_stat_statements_reset()" >/dev/null
	t=$(date +%s%N)
	CASEWATCH_DATADIR="$1/data" /usr/bin/time -f "%U %S" -o "$out/$2-$3.cpu" \
		"$1/build/daemon/casewatchd" -c "$out/$2.conf" --once 2>"$out/$2-$3.log" || true
	wall=$(ms "$t")
	cpu=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$out/$2-$3.cpu")
	split=$(pg_psql -Atc "SELECT round(coalesce(sum(total_exec_time) FILTER (WHERE query LIKE 'PREPARE cw_facts%'
			OR query LIKE 'SELECT p.person_id FROM records.person p%'
			OR query LIKE 'SELECT c.person_id, %'), 0)) || ' ' ||
		round(coalesce(sum(total_exec_time) FILTER (WHERE query LIKE '%casewatch.reconcile_set(%'), 0))
		FROM pg_stat_statements")
	echo "$2 $3 $wall $cpu $split $(cut -d' ' -f1 /proc/loadavg)" \
		"$(pg_psql -Atc "SELECT count(*) FROM casewatch.transition")" \
		"$(grep -c 'pass done' "$out/$2-$3.log") pass done"
}

echo "# tree phase ms daemon_cpu_ms read_ms write_ms load transitions"
i=0
while [ "$i" -lt "$rounds" ]; do
	for tree in base new; do
		dir=$top
		[ "$tree" = base ] && dir=$base
		# Each tree's own views: drop the other's first (a view cannot
		# lose columns by CREATE OR REPLACE, and the trees' differ).
		pg_psql -qAtc "SELECT format('DROP VIEW IF EXISTS %s CASCADE', string_agg(oid::regclass::text, ', '))
			FROM pg_class WHERE relkind = 'v' AND relnamespace = 'records'::regnamespace
			AND (relname LIKE 'facts\\_%' OR relname = 'team_rollback')" | pg_psql -q
		pg_psql -qf "$dir/sql/records/facts.sql"
		run "$dir" "$tree" first
		run "$dir" "$tree" again
	done
	i=$((i + 1))
done
