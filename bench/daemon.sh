#!/bin/sh
# daemon.sh - casewatchd at scale: the first sweep, an idle pass, a pass after
# a small change, and the daemon's memory after each.
#
#   bench/daemon.sh [CHILDREN [CHANGED]]       (after scripts/build build)
#
# Starts a throwaway PostgreSQL cluster, generates CHILDREN children (default
# 50000; the council-scale figure is 500000), runs casewatchd against them in
# the background, and prints one line per phase:
#
#   phase  persons  ms  rss_kib  hwm_kib  obligations  open_alerts  transitions
#
# (obligations: tracked and not yet met; open alerts: those announced as due
# soon, overdue or escalated.)
# then touches CHANGED persons (default 1% of the children) with a new case
# note each and times the incremental pass that follows and the two after it
# (which must not read them again), times the status counts (kept, against
# a scan of casewatch.alert), restarts the daemon (which resumes from the
# stored watermark: its first pass reads only the overlap window once) and
# times a --once re-sweep of the unchanged database, with the per-person
# digests the store keeps and without them. The per-pass cost
# should follow the persons changed, not the size of the database, and the
# daemon's memory should not grow with CHILDREN: run it at two sizes and
# compare. Figures go to stdout; the daemon's log to bench-run/casewatchd.log.
# CASEWATCH_BENCH_PROFILE (default enfield) and CASEWATCH_BENCH_PROFILE_DIR
# (default profiles/) choose the profile, e.g. southwark with and without its
# retention rules to measure the retention pass.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
children=${1:-50000}
changed=${2:-$((children / 100))}
out="$top/bench-run"
casewatchd="$top/build/daemon/casewatchd"
[ -x "$casewatchd" ] || { echo "bench/daemon.sh: build first: scripts/build build" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
chmod 0755 "$out"
. "$top/tests/pg.sh"
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	pg_destroy
}
trap cleanup EXIT INT TERM

pg_start
gen_start=$(date +%s%N)
CASEWATCH_SQLDIR="$top/sql/records" scripts/records-db load casewatch_bench \
	--children "$children" --seed 0.42 >"$out/generate.txt"
gen_end=$(date +%s%N)
records=$(pg_psql -d casewatch_bench -Atc "SELECT count(*) FROM records.record")
echo "# $children children, $records records generated in $(((gen_end - gen_start) / 1000000)) ms"
# The records were all written a moment ago, inside the poller's overlap
# window; a real database's records are older. Date them a day back (the
# change-marker triggers set aside) so the idle passes measure an idle day.
pg_psql -d casewatch_bench -q <<'SQL'
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
# Every row was just rewritten: without a vacuum, each pass's look for
# change markers wades through a million dead index entries (270 ms an
# idle pass at 100,000 children), which no real records database has.
pg_psql -d casewatch_bench -qc "VACUUM ANALYZE"

cat >"$out/casewatch.conf" <<EOF
[database]
database = host=$PGHOST port=$PGPORT dbname=casewatch_bench user=$PGUSER
migrations_dir = $top/sql/casewatch
statement_timeout = 0
[policy]
profile = ${CASEWATCH_BENCH_PROFILE:-enfield}
profile_dir = ${CASEWATCH_BENCH_PROFILE_DIR:-$top/profiles}
[daemon]
poll_interval = 2s
[socket]
socket_path = $out/casewatch.sock
socket_group =
[log]
log_target = stderr
log_level = info
EOF

CASEWATCH_DATADIR="$top/data" "$casewatchd" -c "$out/casewatch.conf" 2>"$out/casewatchd.log" &
daemon_pid=$!

# Waits for the N-th "pass done" line and prints "persons ms" from it.
wait_pass() {
	n=$1
	# The log may not exist yet: the daemon has only just been started.
	while done_n=$(grep -c 'pass done:' "$out/casewatchd.log" 2>/dev/null || true)
		[ "${done_n:-0}" -lt "$n" ]; do
		kill -0 "$daemon_pid" 2>/dev/null || { echo "casewatchd died; see $out/casewatchd.log" >&2; exit 1; }
		sleep 0.2
	done
	grep 'pass done:' "$out/casewatchd.log" | sed -n "${n}p" |
		sed 's/.*pass done: \([0-9]*\) persons in \([0-9]*\) ms.*/\1 \2/'
}

# Prints one figures line for a phase.
report() {
	set -- "$1" $2
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$daemon_pid/status")
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$daemon_pid/status")
	counts=$(pg_psql -d casewatch_bench -Atc "SELECT (SELECT count(*) FROM casewatch.alert
		WHERE state NOT IN ('resolved', 'withdrawn')) || ' ' || (SELECT count(*) FROM casewatch.alert
		WHERE announced_state IS NOT NULL) || ' ' || (SELECT count(*) FROM casewatch.transition)")
	set -- "$1" "$2" "$3" "$rss" "$hwm" $counts
	printf '%-9s %8s %7s %9s %9s %11s %11s %11s\n' "$@"
}

printf '%-9s %8s %7s %9s %9s %11s %11s %11s\n' phase persons ms rss_kib hwm_kib \
	obligations open_alerts transitions
report sweep "$(wait_pass 1)"
report idle "$(wait_pass 2)"

pg_psql -d casewatch_bench -qc "
INSERT INTO records.record (person_id, record_type, author_id, entered_at, finalised_at)
SELECT p.person_id, 'case_note', p.allocated_worker_id, now(), now()
FROM records.person p
WHERE p.kind = 'child' AND p.allocated_worker_id IS NOT NULL
ORDER BY p.person_id LIMIT $changed"
# The pass under way may or may not have seen the change: time the next one
# that did (its persons count is at least the number changed).
n=3
while :; do
	fig=$(wait_pass $n)
	[ "${fig%% *}" -ge "$changed" ] && break
	n=$((n + 1))
done
report changed "$fig"
# The changed persons stay inside change_overlap for five minutes: the
# passes after the one that read them must not read them again.
report idle "$(wait_pass $((n + 1)))"
report idle "$(wait_pass $((n + 2)))"

# status: the kept counts (migration 003) against the scan they replace.
timing() {
	pg_psql -d casewatch_bench -At -c "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) $1" |
		jq '.[0]["Execution Time"]'
}
status_scan=$(timing "SELECT announced_state, count(*), count(*) FILTER (WHERE acked_at IS NOT NULL),
	count(*) FILTER (WHERE snoozed_until > now()) FROM casewatch.alert WHERE announced_state IS NOT NULL
	GROUP BY 1 ORDER BY 1")
status_kept=$(timing "SELECT c.announced_state, c.alerts, c.acked, coalesce(s.n, 0)
	FROM casewatch.open_count c LEFT JOIN (SELECT a.announced_state, count(*) AS n
	FROM casewatch.alert a WHERE a.announced_state IS NOT NULL AND a.snoozed_until IS NOT NULL
	AND a.snoozed_until > now() GROUP BY 1) s USING (announced_state) WHERE c.alerts > 0 ORDER BY 1")
echo "# status counts: scan of casewatch.alert $status_scan ms, kept counts $status_kept ms"

# A restart with the same setup resumes from the stored watermark.
kill "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
CASEWATCH_DATADIR="$top/data" "$casewatchd" -c "$out/casewatch.conf" 2>"$out/casewatchd.log" &
daemon_pid=$!
report restart "$(wait_pass 1)"
grep -q 'resuming from the stored watermark' "$out/casewatchd.log" &&
	echo "# restart: resumed from the stored watermark, no sweep"
kill "$daemon_pid"
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=

# --once sweeps every person of the unchanged database (a re-sweep).
once_start=$(date +%s%N)
CASEWATCH_DATADIR="$top/data" "$casewatchd" -c "$out/casewatch.conf" --once 2>"$out/once.log" || true
once_end=$(date +%s%N)
echo "# re-sweep of the unchanged database (--once): $(((once_end - once_start) / 1000000)) ms," \
	"$(sed -n 's/.*sweep: \([0-9]*\) persons evaluated.*/\1/p' "$out/once.log") persons"

# The same re-sweep with the stored digests forgotten: every person diffed
# against the store (what a re-sweep cost before digests, the JSON aside).
pg_psql -d casewatch_bench -qc "DELETE FROM casewatch.person_digest"
once_start=$(date +%s%N)
CASEWATCH_DATADIR="$top/data" "$casewatchd" -c "$out/casewatch.conf" --once 2>"$out/once-nodigest.log" || true
once_end=$(date +%s%N)
echo "# re-sweep without stored digests (--once): $(((once_end - once_start) / 1000000)) ms," \
	"$(sed -n 's/.*sweep: \([0-9]*\) persons evaluated.*/\1/p' "$out/once-nodigest.log") persons"

# And with the digests that run stored again: the order of the two runs
# above favours the second (caches), so the first is repeated last.
once_start=$(date +%s%N)
CASEWATCH_DATADIR="$top/data" "$casewatchd" -c "$out/casewatch.conf" --once 2>"$out/once-again.log" || true
once_end=$(date +%s%N)
echo "# re-sweep with stored digests, again (--once): $(((once_end - once_start) / 1000000)) ms," \
	"$(sed -n 's/.*sweep: \([0-9]*\) persons evaluated.*/\1/p' "$out/once-again.log") persons"
