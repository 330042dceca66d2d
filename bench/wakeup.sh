#!/bin/sh
# wakeup.sh - change -> subscriber latency with the LISTEN/NOTIFY wake-up.
#
#   bench/wakeup.sh [CHILDREN [ROUNDS]]       (after scripts/build build)
#
# Starts a throwaway PostgreSQL cluster, generates CHILDREN children
# (default 2000), installs sql/records/notify.sql, runs casewatchd with
# listen_channel = casewatch and a ten-minute poll, subscribes with
# `casewatchctl watch`, then ROUNDS times (default 100, enough for a p99)
# deletes a person with open alerts and measures from just before the
# DELETE until the subscriber has received that person's first withdrawal.
# Prints every latency and the p50, p90, p99 (nearest rank) and max in
# milliseconds, from before psql starts (starting psql included) and from
# psql's return once the DELETE committed. The poll never fires during the
# run, so every figure is a wake-up's.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
children=${1:-2000}
rounds=${2:-100}
out="$top/bench-run-wakeup"
casewatchd="$top/build/daemon/casewatchd"
ctl="$top/build/ctl/casewatchctl"
[ -x "$casewatchd" ] || { echo "bench/wakeup.sh: build first: scripts/build build" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
chmod 0755 "$out"
. "$top/tests/pg.sh"
daemon_pid=
watch_pid=
cleanup() {
	[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	pg_destroy
}
trap cleanup EXIT INT TERM

pg_start
CASEWATCH_SQLDIR="$top/sql/records" scripts/records-db load casewatch_wake \
	--children "$children" --seed 0.42 >"$out/generate.txt"
pg_psql -d casewatch_wake -f "$top/sql/records/notify.sql" >/dev/null 2>&1
cat >"$out/casewatch.conf" <<EOF
[database]
database = host=$PGHOST port=$PGPORT dbname=casewatch_wake user=$PGUSER
migrations_dir = $top/sql/casewatch
[policy]
profile = default
profile_dir = $top/profiles
[daemon]
poll_interval = 10m
listen_channel = casewatch
[socket]
socket_path = $out/casewatch.sock
socket_group =
[log]
log_target = stderr
log_level = notice
EOF
CASEWATCH_DATADIR="$top/data" "$casewatchd" -c "$out/casewatch.conf" 2>"$out/casewatchd.log" &
daemon_pid=$!
while ! grep -q 'sweep: ' "$out/casewatchd.log"; do
	kill -0 "$daemon_pid" || { echo "casewatchd died; see $out/casewatchd.log" >&2; exit 1; }
	sleep 0.2
done
while [ "$("$ctl" status --json --socket "$out/casewatch.sock" 2>/dev/null | jq -r .pass.passes)" != 1 ]; do
	sleep 0.1
done
"$ctl" watch --socket "$out/casewatch.sock" >"$out/watch.ndjson" 2>/dev/null &
watch_pid=$!
while [ "$("$ctl" status --json --socket "$out/casewatch.sock" | jq -r .bus.subscribers)" != 1 ]; do
	sleep 0.1
done

persons=$(pg_psql -d casewatch_wake -Atc "SELECT person_id FROM casewatch.alert
	WHERE announced_state IS NOT NULL GROUP BY 1 ORDER BY 1 LIMIT $rounds")
: >"$out/latency.txt"
: >"$out/committed.txt"
for p in $persons; do
	t0=$(date +%s%N)
	pg_psql -d casewatch_wake -qc "DELETE FROM records.person WHERE person_id = $p"
	tc=$(date +%s%N)
	while ! grep -q "\"person_id\":\"$p\"" "$out/watch.ndjson"; do
		sleep 0.002
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000)) >>"$out/latency.txt"
	echo $(((t1 - tc) / 1000000)) >>"$out/committed.txt"
done
# Nearest rank: the p-th percentile is the ceil(p/100 * N)-th smallest.
pct() {
	sort -n "$1" | awk -v what="$2" 'function rank(p,  k) { k = int(p * NR / 100); if (k < p * NR / 100) k++; return v[k] }
		{ v[NR] = $1 } END {
		printf "%s: p50 %d ms, p90 %d ms, p99 %d ms, max %d ms over %d changes\n", what, rank(50), rank(90), rank(99), v[NR], NR }'
}
echo "# change -> subscriber with the NOTIFY wake-up, $children children, poll_interval 10m (ms):"
tr '\n' ' ' <"$out/latency.txt"
echo
pct "$out/latency.txt" "from before psql starts"
# psql has returned once the DELETE committed, which is when PostgreSQL
# sends the notification: what is left is casewatch's part (and the poll
# of watch.ndjson), a lower bound.
pct "$out/committed.txt" "from psql's return (committed)"
