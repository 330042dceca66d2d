#!/bin/sh
# fanout.sh - many subscribers on one casewatchd: every transition, once each, and how fast.
#
#   bench/fanout.sh [CHILDREN [SUBSCRIBERS]]       (after scripts/build build)
#
# Starts a throwaway PostgreSQL cluster, generates CHILDREN children
# (default 72000: about 100,000 transitions under the enfield profile),
# holds the migration lock while casewatchd starts on the fresh database,
# connects SUBSCRIBERS (default 100) live subscribers through
# bench/bench_fanout, then lets the daemon go: its first sweep into the
# empty store writes every transition while they all listen. Then the
# same number of new subscribers replay everything from cursor 0 at once.
# For each phase it prints the time until every subscriber had every
# transition of the store, per-subscriber throughput, transitions lost or
# doubled (by transition id, against casewatch.transition: both must be 0),
# how many subscribers were cut off as too slow and resumed from their
# last id, and the daemon's CPU time and RSS. The per-subscriber lines go
# to bench-run-fanout/live.txt and replay.txt, the daemon's log beside them.
# CASEWATCH_BENCH_PROFILE (default enfield) chooses the profile;
# CASEWATCH_BENCH_BUFFER sets client_buffer_limit (default: the daemon's).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
children=${1:-72000}
subscribers=${2:-100}
out="$top/bench-run-fanout"
casewatchd="$top/build/daemon/casewatchd"
fanout="$top/build/bench/bench_fanout"
[ -x "$casewatchd" ] && [ -x "$fanout" ] ||
	{ echo "bench/fanout.sh: build first: scripts/build build" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
chmod 0755 "$out"
. "$top/tests/pg.sh"
daemon_pid=
holder_pid=
client_pid=
cleanup() {
	[ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null
	[ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	pg_destroy
}
trap cleanup EXIT INT TERM

pg_start
db=casewatch_fanout
CASEWATCH_SQLDIR="$top/sql/records" scripts/records-db load $db \
	--children "$children" --seed 0.42 >"$out/generate.txt"
buffer=
[ -n "${CASEWATCH_BENCH_BUFFER:-}" ] && buffer="client_buffer_limit = $CASEWATCH_BENCH_BUFFER"
cat >"$out/casewatch.conf" <<EOF
[database]
database = host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER
migrations_dir = $top/sql/casewatch
statement_timeout = 0
[policy]
profile = ${CASEWATCH_BENCH_PROFILE:-enfield}
profile_dir = $top/profiles
[daemon]
# One pass only (the first sweep) during the run: the store's transitions
# are then exactly what the subscribers must receive.
poll_interval = 1h
[socket]
socket_path = $out/casewatch.sock
socket_group =
# One slot in eight is kept for commands: room for every subscriber.
max_clients = $((subscribers * 2 + 8))
$buffer
[log]
log_target = stderr
log_level = info
EOF

# The daemon's CPU time (user + system) in ms, and its memory.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$daemon_pid/stat"; }
mem() { awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } END { printf "RSS %d KiB, peak %d KiB", r, h }' \
	"/proc/$daemon_pid/status"; }
ms() { echo $((($(date +%s%N) - $1) / 1000000)); }

# migrate.c's lock: the daemon creates its schema under it, so it waits
# here until every subscriber is connected.
PGAPPNAME=fanout_holder psql -X -q -d $db -c "SELECT pg_advisory_xact_lock(1668771175); SELECT pg_sleep(3600)" \
	>/dev/null 2>&1 &
holder_pid=$!
until [ "$(pg_psql -d $db -Atc "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
	AND objid = 1668771175 AND granted")" = 1 ]; do
	sleep 0.1
done
CASEWATCH_DATADIR="$top/data" "$casewatchd" -c "$out/casewatch.conf" 2>"$out/casewatchd.log" &
daemon_pid=$!
until [ -S "$out/casewatch.sock" ]; do
	kill -0 "$daemon_pid" || { echo "casewatchd died; see $out/casewatchd.log" >&2; exit 1; }
	sleep 0.1
done

# run_client NAME [SINCE]: bench_fanout in the background, driven through a FIFO on fd 3.
run_client() {
	rm -f "$out/$1.ctl"
	mkfifo "$out/$1.ctl"
	"$fanout" "$out/casewatch.sock" "$subscribers" ${2:-} <"$out/$1.ctl" >"$out/$1.txt" 2>"$out/$1.err" &
	client_pid=$!
	exec 3>"$out/$1.ctl"
	until grep -q "^subscribed $subscribers\$" "$out/$1.txt"; do
		kill -0 "$client_pid" || { cat "$out/$1.err" >&2; exit 1; }
		sleep 0.1
	done
}

# finish NAME START CPU0: the expected ids to the client, its figures once it is done.
finish() {
	pg_psql -d $db -Atc "SELECT transition_id FROM casewatch.transition ORDER BY 1" >"$out/expect.txt"
	echo "expect $out/expect.txt" >&3
	rc=0
	wait "$client_pid" || rc=$?
	client_pid=
	exec 3>&-
	echo "# $1: $(ms "$2") ms from go to the client's end; daemon CPU $(($(cpu_ms) - $3)) ms; $(mem)"
	grep '^total' "$out/$1.txt"
	[ "$rc" = 0 ] || echo "# $1: FAILED (bench_fanout exit $rc): see $out/$1.txt and $out/$1.err"
}

echo "# $children children, $subscribers subscribers, profile ${CASEWATCH_BENCH_PROFILE:-enfield}," \
	"client_buffer_limit ${CASEWATCH_BENCH_BUFFER:-default}; load: $(cut -d' ' -f1-3 /proc/loadavg)"
run_client live
echo "# live: $subscribers subscribed before the first sweep; $(mem)"
cpu0=$(cpu_ms)
start=$(date +%s%N)
echo go >&3
pg_psql -d $db -Atc "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'fanout_holder'" \
	>/dev/null
wait "$holder_pid" 2>/dev/null || true
holder_pid=
until grep -q 'pass done:' "$out/casewatchd.log"; do
	kill -0 "$daemon_pid" || { echo "casewatchd died; see $out/casewatchd.log" >&2; exit 1; }
	sleep 0.2
done
echo "# live: first sweep done after $(ms "$start") ms ($(sed -n 's/.*\(pass done: .*\)/\1/p' "$out/casewatchd.log" |
	head -1)); $(pg_psql -d $db -Atc "SELECT count(*) FROM casewatch.transition") transitions stored"
finish live "$start" "$cpu0"

# A replay begins as each subscription is answered: timed from the start.
cpu0=$(cpu_ms)
start=$(date +%s%N)
run_client replay 0
finish replay "$start" "$cpu0"
echo "# the daemon logged $(grep -c 'cut off' "$out/casewatchd.log" || true) cut-off lines (rate-limited);" \
	"load: $(cut -d' ' -f1-3 /proc/loadavg)"
