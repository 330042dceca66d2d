#!/bin/sh
# retention.sh - what the retention pass adds to a full sweep: southwark with and without its retention rules.
#
#   bench/retention.sh [CHILDREN [ROUNDS]]       (after scripts/build build)
#
# Starts a throwaway PostgreSQL cluster, generates CHILDREN children (default
# 100000; the council-scale figure is 500000) once, and copies the database,
# so both profiles read the same records into a store of their own:
#
#   with     profile southwark (its 14 retention rules, HOLD-INQUIRY and
#            DESTROY-LIST: every person's retention computed, the notices
#            reconciled, the holds and the destruction workflow read)
#   without  southwark with those 16 rules disabled (extends southwark)
#
# Then runs `casewatchd --once` (a full sweep: every person read, computed,
# reconciled) alternately on the two, first into the empty stores, then
# ROUNDS (default 3) re-sweeps of each, the order swapped every round so
# neither side always runs second (warmer caches). Prints one line per run:
#
#   round  profile  pass_ms  wall_ms  persons  ro_alerts  ret_ms  ret_steps_ms
#          d_cpu_ms  s_cpu_ms  cpu_ms
#
# CPU time, unlike wall time, is not stretched by other work on a loaded
# machine: d_cpu_ms is casewatchd's own user+sys time (/usr/bin/time, the
# kernel's rusage of the child); s_cpu_ms the server's user+sys time over
# the run, read from /proc: the postmaster's own and its reaped children's
# time (cutime+cstime: the daemon's backends once they exit, any parallel
# workers) plus the time of its children still running (checkpointer,
# walwriter, an autovacuum worker), taken before the daemon starts and
# again once every backend started during the run has exited. The
# cluster is private to this script, so that is the daemon's server work
# (and whatever autovacuum the runs' writes set off; both stores are
# VACUUM ANALYZEd after the first sweeps, outside the measured runs, so the
# re-sweeps start alike). cpu_ms = d_cpu_ms + s_cpu_ms, in clock ticks of
# 10 ms per process.
#
# pass_ms is the daemon's own "pass done" time (the sweep and the persons
# gone); wall_ms includes start-up and the schema check. ro_alerts: the
# records-officer alerts stored. ret_ms and ret_steps_ms, from the same
# log line, time the retention side inside the daemon: computing every
# person's retention and notices, and the steps before the persons
# (persons gone from the records, holds, approvals and vanished persons
# read); what storing the notices costs the store is only in pass_ms.
# CASEWATCH_BENCH_AT (a UTC time, e.g.
# 2045-01-01T12:00:00Z) runs every sweep at that time (test_clock_file), so
# records generated recently have fallen due and the retention side stores
# and reconciles notices too; unset, the generated records are years from
# their destruction dates and the retention side only computes. Then the median pass_ms and the median
# cpu_ms of the re-sweeps of each and their differences: the cpu_ms one is the
# figure for what retention adds. The load average is printed at start and end:
# on a shared machine, compare runs taken in the same minute.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
children=${1:-100000}
rounds=${2:-3}
casewatchd="$top/build/daemon/casewatchd"
[ -x "$casewatchd" ] || { echo "bench/retention.sh: build first: scripts/build build" >&2; exit 2; }
# The CPU figures: GNU time for the daemon's, /proc and pgrep for the server's.
[ -x /usr/bin/time ] && [ -r /proc/self/stat ] && command -v pgrep >/dev/null || {
	echo "bench/retention.sh: needs GNU time (/usr/bin/time), pgrep (procps) and Linux /proc" >&2
	exit 2
}
out=$(mktemp -d "${TMPDIR:-/tmp}/cw-bench-retention.XXXXXX")
chmod 0755 "$out"
. "$top/tests/pg.sh"
cleanup() {
	pg_destroy
	rm -rf "$out"
}
trap cleanup EXIT INT TERM

echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
pg_start
gen_start=$(date +%s%N)
CASEWATCH_SQLDIR="$top/sql/records" scripts/records-db load cw_ret_with \
	--children "$children" --seed 0.42 >"$out/generate.txt"
gen_end=$(date +%s%N)
persons=$(pg_psql -d cw_ret_with -Atc "SELECT count(*) FROM records.person")
echo "# $children children ($persons persons) generated in $(((gen_end - gen_start) / 1000000)) ms"
pg_psql -qc "CREATE DATABASE cw_ret_without TEMPLATE cw_ret_with"

mkdir "$out/profiles"
for p in default southwark; do ln -s "$top/profiles/$p.json" "$out/profiles/$p.json"; done
jq '{name: "southwark-noret", title: "Southwark without its retention, hold and destruction rules (bench)",
	extends: "southwark", rules: [.rules[] | select(.kind == "retention" or .kind == "hold"
	or .kind == "destruction") | {id, enabled: false}]}' \
	"$top/profiles/southwark.json" >"$out/profiles/southwark-noret.json"

clock=
if [ -n "${CASEWATCH_BENCH_AT:-}" ]; then
	echo "$CASEWATCH_BENCH_AT" >"$out/clock"
	clock="test_clock_file = $out/clock"
	echo "# every sweep at $CASEWATCH_BENCH_AT"
fi
for side in with without; do
	profile=southwark
	[ "$side" = without ] && profile=southwark-noret
	cat >"$out/$side.conf" <<EOF
[database]
database = host=$PGHOST port=$PGPORT dbname=cw_ret_$side user=$PGUSER
migrations_dir = $top/sql/casewatch
statement_timeout = 0
[policy]
profile = $profile
profile_dir = $out/profiles
[daemon]
$clock
[socket]
socket_path = $out/$side.sock
socket_group =
[log]
log_target = stderr
log_level = info
EOF
done

# cpu_ticks: the server's user+sys clock ticks so far (see the header):
# the postmaster's own and reaped children's, plus its live children's.
cpu_ticks() {
	pm=$(head -1 "$CW_PG_DIR/data/postmaster.pid")
	{
		cat "/proc/$pm/stat"
		for c in $(pgrep -P "$pm"); do cat "/proc/$c/stat" 2>/dev/null || true; done
	} | awk -v pm="$pm" '{ sub(/^[0-9]+ \(.*\) /, ""); t += $12 + $13; if (NR == 1) t += $14 + $15 }
		END { print t }'
}

# settle BEFORE: wait (at most 30 s) until every server process started
# since the list BEFORE was taken has exited and been reaped.
settle() {
	pm=$(head -1 "$CW_PG_DIR/data/postmaster.pid")
	n=0
	while [ "$n" -lt 300 ]; do
		extra=$(pgrep -P "$pm" | grep -vxF -f "$1" || true)
		[ -z "$extra" ] && return 0
		sleep 0.1
		n=$((n + 1))
	done
	echo "# server processes still running 30 s after the run: $extra" >&2
}

# run ROUND SIDE: one --once sweep, one figures line; pass_ms into $out/ms,
# cpu_ms into $out/cpu.
run() {
	pgrep -P "$(head -1 "$CW_PG_DIR/data/postmaster.pid")" >"$out/before.pids"
	s0=$(cpu_ticks)
	start=$(date +%s%N)
	CASEWATCH_DATADIR="$top/data" /usr/bin/time -f '%U %S' -o "$out/time" \
		"$casewatchd" -c "$out/$2.conf" --once 2>"$out/$2.log" || {
		echo "casewatchd --once failed; its log:" >&2
		tail "$out/$2.log" >&2
		exit 1
	}
	end=$(date +%s%N)
	settle "$out/before.pids"
	s1=$(cpu_ticks)
	dcpu=$(awk '{ printf "%d", ($1 + $2) * 1000 + 0.5 }' "$out/time")
	scpu=$(((s1 - s0) * 10))
	pass=$(sed -n 's/.*pass done: \([0-9]*\) persons in \([0-9]*\) ms.*/\1 \2/p' "$out/$2.log" | tail -1)
	ret=$(sed -n 's/.*pass done: .*(retention \([0-9]*\) ms, its steps before the persons \([0-9]*\) ms).*/\1 \2/p' \
		"$out/$2.log" | tail -1)
	ret=${ret:-- -}
	ro=$(pg_psql -d "cw_ret_$2" -Atc "SELECT count(*) FROM casewatch.alert WHERE audience = 'records_officer'")
	printf '%-5s %-8s %8s %8s %8s %9s %7s %12s %9s %9s %9s\n' "$1" "$2" "${pass#* }" "$(((end - start) / 1000000))" \
		"${pass%% *}" "$ro" "${ret%% *}" "${ret#* }" "$dcpu" "$scpu" "$((dcpu + scpu))"
	[ "$1" = first ] || echo "$2 ${pass#* }" >>"$out/ms"
	[ "$1" = first ] || echo "$2 $((dcpu + scpu)) $dcpu $scpu" >>"$out/cpu"
	[ "$1" = first ] || [ "$ret" = "- -" ] || echo "$2 $((${ret%% *} + ${ret#* }))" >>"$out/ret"
}

printf '%-5s %-8s %8s %8s %8s %9s %7s %12s %9s %9s %9s\n' round profile pass_ms wall_ms persons ro_alerts ret_ms \
	ret_steps_ms d_cpu_ms s_cpu_ms cpu_ms
run first with
run first without
# What the first sweeps wrote vacuumed and analysed now, not by autovacuum
# inside a later measured run.
for side in with without; do pg_psql -d "cw_ret_$side" -qc "VACUUM ANALYZE"; done
i=1
while [ "$i" -le "$rounds" ]; do
	if [ $((i % 2)) -eq 1 ]; then
		run "$i" without
		run "$i" with
	else
		run "$i" with
		run "$i" without
	fi
	i=$((i + 1))
done

median() { grep "^$1 " "$out/${2:-ms}" | cut -d' ' -f"${3:-2}" | sort -n | awk '{ v[NR] = $1 } END {
	print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
w=$(median with)
wo=$(median without)
echo "# re-sweeps, median pass: with retention $w ms, without $wo ms:" \
	"$(awk -v a="$w" -v b="$wo" 'BEGIN { printf "%+.1f%%", (a - b) * 100 / b }')"
cw=$(median with cpu)
cwo=$(median without cpu)
echo "# re-sweeps, median CPU (casewatchd + server): with retention $cw ms" \
	"(daemon $(median with cpu 3), server $(median with cpu 4)), without $cwo ms" \
	"(daemon $(median without cpu 3), server $(median without cpu 4)):" \
	"$(awk -v a="$cw" -v b="$cwo" 'BEGIN { printf "%+.1f%%", (a - b) * 100 / b }')"
r=$(median with ret)
echo "# re-sweeps with retention, median time inside the daemon's retention side: $r ms of $w ms" \
	"($(awk -v a="$r" -v b="$w" 'BEGIN { printf "%.1f%%", a * 100 / b }'))"
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
