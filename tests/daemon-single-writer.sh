#!/bin/sh
# daemon-single-writer.sh - one casewatchd writes alerts for a database: a
# second one (or --once beside the service) stands by instead of delivering
# every transition twice, and takes over when the first goes away; two
# starting at once on a fresh database both get through the migrations.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-single.XXXXXX")
chmod 0755 "$tmp"
first= second=
cleanup() {
	[ -n "$first" ] && kill -9 "$first" 2>/dev/null
	[ -n "$second" ] && kill -9 "$second" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
db=cw_single
pg_load_records $db 100 0.7 2026-11-20T09:00:00Z || { echo "Bail out! cannot load generated records"; exit 1; }
q() { pg_psql -d $db -Atc "$1"; }

echo "2026-11-20T09:00:00Z" >"$tmp/clock"
for n in a b; do
	cat >"$tmp/$n.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
[policy]
profile = default
profile_dir = $CASEWATCH_SRCDIR/profiles
[daemon]
poll_interval = 1s
test_clock_file = $tmp/clock
[socket]
socket_path = $tmp/$n.sock
socket_group =
[log]
log_target = stderr
log_level = info
log_rate_limit = 0
EOC
done

# wait_for FILE TEXT: up to 20 s for a line of a daemon's log.
wait_for() {
	poll_until 20 grep -qF -- "$2" "$1" && return 0
	echo "timed out waiting for: $2" >&2
	tail -5 "$1" >&2
	return 1
}

# Two daemons starting at once on a database without casewatch's schema:
# while a session holds the migration lock both queue up behind it, then
# one applies each migration and the other finds it applied.
pg_psql -qc "CREATE DATABASE cw_race"
for n in a b; do
	sed "s/dbname=$db/dbname=cw_race/" "$tmp/$n.conf" >"$tmp/race-$n.conf"
done
pg_psql -d cw_race -qc "SELECT pg_advisory_xact_lock(1668771175), pg_sleep(2)" >/dev/null &
holder=$!
sleep 0.5
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/race-a.conf" --once >"$tmp/race-a.log" 2>&1 &
race_a=$!
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/race-b.conf" --once >"$tmp/race-b.log" 2>&1 &
race_b=$!
wait $holder $race_a $race_b
ok "two daemons migrating at once: one finds each migration applied by the other" \
	grep -qF "was applied meanwhile by another casewatchd" "$tmp/race-a.log" "$tmp/race-b.log"
ok "... and neither fails" sh -c "! grep -q 'migration.*failed' '$tmp/race-a.log' '$tmp/race-b.log'"
is "... the schema is at the newest version" \
	"$(pg_psql -d cw_race -Atc "SELECT max(version) FROM casewatch.schema_version")" \
	"$(ls "$CASEWATCH_SRCDIR/sql/casewatch" | sed -n 's/^0*\([0-9][0-9]*\)_.*\.sql$/\1/p' | sort -n | tail -1)"

CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/a.conf" 2>"$tmp/a.log" &
first=$!
ok "the first casewatchd takes the writer lock" wait_for "$tmp/a.log" "writer lock taken"
ok "... and finishes a sweep" wait_for "$tmp/a.log" "sweep: "
transitions=$(q "SELECT count(*) FROM casewatch.transition")
ok "... writing transitions ($transitions)" [ "$transitions" -gt 0 ]

CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/b.conf" --once >"$tmp/once.log" 2>&1
is "--once beside it: exit 1" "$?" 1
ok "... saying another casewatchd writes the alerts" \
	grep -qF "another casewatchd is writing alerts for this database (advisory lock 1668773746 is held); --once does nothing" "$tmp/once.log"

CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/b.conf" 2>"$tmp/b.log" &
second=$!
ok "a second daemon stands by" wait_for "$tmp/b.log" "standing by"
sleep 2
is "... and writes nothing while the first runs" "$(q "SELECT count(*) FROM casewatch.transition")" "$transitions"
ok "... nor evaluates anyone" sh -c "! grep -q 'sweep: ' '$tmp/b.log'"

# Time moves on while only the first is there; then it dies without notice.
echo "2026-12-20T09:00:00Z" >"$tmp/clock"
kill -9 "$first"
wait "$first" 2>/dev/null
first=
ok "once the first is killed (-9), the second takes over" wait_for "$tmp/b.log" "writer lock taken"
ok "... resumes from the watermark the first stored, without a sweep" \
	wait_for "$tmp/b.log" "resuming from the stored watermark"
ok "... and moves the alerts on in time" wait_for "$tmp/b.log" "pass done:"
sleep 1
is "no transition written twice: one row per alert and kind and state" \
	"$(q "SELECT count(*) FROM (SELECT alert_id, kind, to_state FROM casewatch.transition
		WHERE kind IN ('raised', 'escalated') GROUP BY 1, 2, 3 HAVING count(*) > 1) x")" 0
ok "... and the later ones are there ($(q "SELECT count(*) FROM casewatch.transition") in all)" \
	[ "$(q "SELECT count(*) FROM casewatch.transition")" -gt "$transitions" ]
tap_done
