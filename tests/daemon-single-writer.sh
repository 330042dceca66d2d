#!/bin/sh
# daemon-single-writer.sh - one casewatchd writes alerts for a database: a
# second one (or --once beside the service) stands by instead of delivering
# every transition twice, and takes over when the first goes away; two
# starting at once on a fresh database both get through the migrations.
# High availability: the leader killed (-9) in the middle of its work, the
# standby takes over within poll_interval, no transition is lost or written
# twice (counted against the store), the new leader's socket replays every
# one from the store; a leader whose database session is ended stops
# writing at once and stands by behind the one that took over.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-single.XXXXXX")
chmod 0755 "$tmp"
first= second= third=
cleanup() {
	[ -n "$first" ] && kill -9 "$first" 2>/dev/null
	[ -n "$second" ] && kill -9 "$second" 2>/dev/null
	[ -n "$third" ] && kill -9 "$third" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
db=cw_single
pg_load_records $db 100 0.7 2026-11-20T09:00:00Z || { echo "Bail out! cannot load generated records"; exit 1; }
q() { pg_psql -d $db -Atc "$1"; }

echo "2026-11-20T09:00:00Z" >"$tmp/clock"
for n in a b c; do
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
# Months pass below: keep every transition, so the replay can be compared.
transition_retention = 0
audit_retention = 0
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
# a session holds the migration lock and, inside the same transaction,
# creates the schema (as a casewatchd does under that lock), so neither
# daemon can see the schema yet. Both must queue up on the migration lock
# itself: a daemon that ran CREATE SCHEMA outside it waited on the
# holder's transaction instead, and failed with a duplicate key on
# pg_namespace once the other had created it, or on statement_timeout:
# this holder makes that certain, where before the schema was created
# under the lock two plain starts hit it now and then (3 in 120 here, and
# about one run in eight of this test, then a skip). The holder lets go
# (rolling back its schema) once pg_locks shows both daemons waiting; then
# one creates the schema and applies each migration, and the other finds
# each done.
pg_psql -qc "CREATE DATABASE cw_race"
for n in a b; do
	sed "s/dbname=$db/dbname=cw_race/" "$tmp/$n.conf" >"$tmp/race-$n.conf"
done
# migrate.c's MIGRATE_LOCK_KEY, a bigint below 2^32: objid in pg_locks.
lockers() {
	pg_psql -d cw_race -Atc "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		AND classid = 0 AND objid = 1668771175 AND granted = $1"
}
PGAPPNAME=cw_race_holder pg_psql -d cw_race -qc "SELECT pg_advisory_xact_lock(1668771175);
	CREATE SCHEMA casewatch; SELECT pg_sleep(600)" >/dev/null 2>&1 &
holder=$!
held() {
	[ "$(lockers true)" = 1 ] && [ "$(pg_psql -d cw_race -Atc "SELECT count(*) FROM pg_stat_activity
		WHERE application_name = 'cw_race_holder' AND query LIKE '%pg_sleep%' AND wait_event = 'PgSleep'")" = 1 ]
}
ok "a session holds the migration lock, creating the schema" poll_until 20 held
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/race-a.conf" --once >"$tmp/race-a.log" 2>&1 &
race_a=$!
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/race-b.conf" --once >"$tmp/race-b.log" 2>&1 &
race_b=$!
two_waiting() { [ "$(lockers false)" = 2 ]; }
waited=0
poll_until 120 two_waiting || waited=1
ok "... and both daemons wait on the migration lock" [ "$waited" = 0 ]
if [ "$waited" = 1 ]; then
	# What each casewatchd session waits on instead, and what they said.
	pg_psql -d cw_race -Atc "SELECT a.pid, l.locktype, l.objid, l.granted, a.state, a.wait_event_type, a.wait_event, a.query
		FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
		WHERE a.application_name = 'casewatchd'" | sed 's/^/# waiting: /'
	sed 's/^/# a: /' "$tmp/race-a.log" | head -20
	sed 's/^/# b: /' "$tmp/race-b.log" | head -20
fi
pg_psql -d cw_race -Atc "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
	WHERE application_name = 'cw_race_holder'" >/dev/null
wait $holder $race_a $race_b
# (cw_race has no records: the --once passes fail after the migrations,
# which is not what is tested here.)
cat "$tmp/race-a.log" "$tmp/race-b.log" >"$tmp/race.log"
is "two daemons migrating at once: one creates the schema" "$(grep -c 'notice: created schema casewatch$' "$tmp/race.log")" 1
is "... and the other finds it created" \
	"$(grep -c 'info: schema casewatch was created meanwhile by another casewatchd$' "$tmp/race.log")" 1
# Each migration: applied by one of them, found applied by the other.
each_once() {
	for f in $(ls "$CASEWATCH_SRCDIR/sql/casewatch" | grep -E '^[0-9]+_.*\.sql$'); do
		a=$(grep -c "schema migration $f applied (version" "$tmp/race.log")
		m=$(grep -c "schema migration $f was applied meanwhile by another casewatchd" "$tmp/race.log")
		[ "$a $m" = "1 1" ] || { echo "$f: applied $a times, found applied $m times"; return 1; }
	done
}
ok "... each migration applied by one and found applied by the other" each_once
is "... and neither fails on the schema" "$(grep -E ' (err|crit|alert|emerg): .*(schema|migration)' "$tmp/race.log")" ""
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
# Pass after pass it tries the lock again (the log says "standing by" only
# once): its session's last try_advisory_lock starts later and later.
lock_try_at() {
	q "SELECT coalesce(max(query_start)::text, '') FROM pg_stat_activity WHERE application_name = 'casewatchd'
		AND query LIKE '%pg_try_advisory_lock%' AND pid NOT IN (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)"
}
tried_since() { t=$(lock_try_at); [ -n "$t" ] && [ "$t" != "$1" ]; }
try1=$(lock_try_at)
ok "... pass after pass" poll_until 20 tried_since "$try1"
try2=$(lock_try_at)
ok "... and again" poll_until 20 tried_since "$try2"
# Two passes of the first (poll_interval 1 s) while the second stands by.
passes_a() { grep -c 'pass [a-z]*: ' "$tmp/a.log"; }
passes_past() { [ "$(passes_a)" -ge "$1" ]; }
ok "... while the first runs two passes more" poll_until 30 passes_past $(($(passes_a) + 2))
is "... and writes nothing while the first runs" "$(q "SELECT count(*) FROM casewatch.transition")" "$transitions"
ok "... nor evaluates anyone" sh -c "! grep -q 'sweep: ' '$tmp/b.log'"
# Issue 13: standing by is the standby's job, not a failure of every pass.
is "... and logs no warning or error while it waits (no 'pass failed')" \
	"$(grep -E ' (warning|err): ' "$tmp/b.log" | grep -v 'test_clock_file is set')" ""
is "... saying it stands by once, though it tries on every pass" "$(grep -c 'standing by' "$tmp/b.log")" 1
ok "... a line carrying the standby MESSAGE_ID" grep -q "standing by message_id=6184e5aaf2804066813ec88b0078dd08" "$tmp/b.log"

# Time moves on while only the first is there; then it dies without notice.
echo "2026-12-20T09:00:00Z" >"$tmp/clock"
kill -9 "$first"
wait "$first" 2>/dev/null
first=
ok "once the first is killed (-9), the second takes over" wait_for "$tmp/b.log" "writer lock taken"
ok "... saying so with the leader MESSAGE_ID" grep -q "writer lock taken: .* message_id=1dffa869aeca47ee89b6859f0a1dcc4a" "$tmp/b.log"
ok "... resumes from the watermark the first stored, without a sweep" \
	wait_for "$tmp/b.log" "resuming from the stored watermark"
ok "... and moves the alerts on in time" wait_for "$tmp/b.log" "pass done:"
# delivered: every transition in the store has been given to the sinks.
delivered() {
	[ "$(psql -X -d $db -Atc "SELECT (SELECT last_id FROM casewatch.sink_cursor WHERE sink = 'syslog') =
		(SELECT max(transition_id) FROM casewatch.transition)")" = t ]
}
ok "... and delivers what it wrote" poll_until 20 delivered
passes_b() { grep -c 'pass [a-z]*: ' "$tmp/b.log"; }
passes_b_past() { [ "$(passes_b)" -ge "$1" ]; }
ok "... and runs another pass" poll_until 30 passes_b_past $(($(passes_b) + 1))
is "no transition written twice: one row per alert and kind and state" \
	"$(q "SELECT count(*) FROM (SELECT alert_id, kind, to_state FROM casewatch.transition
		WHERE kind IN ('raised', 'escalated') GROUP BY 1, 2, 3 HAVING count(*) > 1) x")" 0
ok "... and the later ones are there ($(q "SELECT count(*) FROM casewatch.transition") in all)" \
	[ "$(q "SELECT count(*) FROM casewatch.transition")" -gt "$transitions" ]

# ---- high availability: kill -9 the leader in the middle of its work ----
# b leads; a comes back as the standby, as a role of its own (so that
# below its logins can be refused).
pg_psql -qc "CREATE ROLE cw_a LOGIN SUPERUSER"
sed -i "s/user=$PGUSER\$/user=cw_a/" "$tmp/a.conf"
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/a.conf" 2>"$tmp/a2.log" &
first=$!
ok "the first comes back as the standby" wait_for "$tmp/a2.log" "standing by"
# Checks on the store: no raised or escalated transition twice for an
# alert and state, and every open alert's announced state is what its last
# transition said (none lost between them).
no_doubles() {
	q "SELECT count(*) FROM (SELECT alert_id, kind, to_state FROM casewatch.transition
		WHERE kind IN ('raised', 'escalated') GROUP BY 1, 2, 3 HAVING count(*) > 1) x"
}
none_lost() {
	q "SELECT count(*) FROM casewatch.alert a WHERE a.announced_state IS NOT NULL AND a.announced_state IS DISTINCT FROM
		(SELECT t.to_state FROM casewatch.transition t WHERE t.alert_id = a.alert_id ORDER BY t.transition_id DESC LIMIT 1)"
}
before=$(q "SELECT max(transition_id) FROM casewatch.transition")
# Two months on: the leader has escalations and resolutions to write; it is
# killed once its pass has begun writing them.
echo "2027-02-20T09:00:00Z" >"$tmp/clock"
writing() { [ "$(psql -X -d $db -Atc "SELECT max(transition_id) > $before FROM casewatch.transition")" = t ]; }
ok "the leader starts writing the new day's transitions" poll_until 20 writing
killed_at=$(date +%s%N)
kill -9 "$second"
wait "$second" 2>/dev/null
second=
ok "the standby takes over" wait_for "$tmp/a2.log" "writer lock taken"
took_ms=$((($(date +%s%N) - killed_at) / 1000000))
# poll_interval is 1 s: it takes over at its next pass; 3 s leaves room for a busy machine.
ok "... within poll_interval of the leader's death (${took_ms} ms; at most 3000)" [ "$took_ms" -le 3000 ]
ok "... sweeps and delivers" poll_until 30 delivered
ok "... its passes go on" wait_for "$tmp/a2.log" "pass done:"
is "no transition written twice (against the store)" "$(no_doubles)" 0
is "none lost: every open alert's state is its last transition's" "$(none_lost)" 0
after=$(q "SELECT max(transition_id) FROM casewatch.transition")
ok "the new day's transitions are there ($before -> $after)" [ "$after" -gt "$before" ]

# The new leader's socket replays every transition from the store, once each.
printf '%s\n' '{"cmd":"hello","protocol":"1.0"}' '{"cmd":"subscribe","since":"0"}' |
	socat -t 10 - UNIX-CONNECT:"$tmp/a.sock" | jq -r 'select(.specversion) | .id' >"$tmp/replayed"
q "SELECT transition_id FROM casewatch.transition ORDER BY 1" >"$tmp/stored"
is "the new leader's socket replays every stored transition ($(wc -l <"$tmp/stored")), in order, none twice" \
	"$(cmp "$tmp/replayed" "$tmp/stored" >/dev/null && echo same)" same

# ---- a leader whose database session ends stops writing at once ----
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" 2>"$tmp/c.log" &
third=$!
ok "a third daemon stands by" wait_for "$tmp/c.log" "standing by"
mark=$(wc -l <"$tmp/a2.log")
echo "2027-04-20T09:00:00Z" >"$tmp/clock"
# The leader's session is ended by the server and its logins refused for a
# while (a network loss, as the database sees it).
is "the leader's session holds the writer lock" \
	"$(q "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity s USING (pid)
		WHERE l.locktype = 'advisory' AND l.objid = 1668773746 AND l.granted AND s.usename = 'cw_a'")" 1
q "ALTER ROLE cw_a NOLOGIN" >/dev/null
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'cw_a'" >/dev/null
ok "the leader notices at once that its connection is gone" wait_for "$tmp/a2.log" "database connection lost"
ok "the standby takes over from the leader that lost its session" wait_for "$tmp/c.log" "writer lock taken"
q "ALTER ROLE cw_a LOGIN" >/dev/null
after_log() { tail -n +"$((mark + 1))" "$tmp/a2.log"; }
lost_then_stands_by() { after_log | grep -q "standing by"; }
ok "the old leader reconnects and stands by" poll_until 20 lost_then_stands_by
ok "... never taking the lock again" sh -c "! tail -n +$((mark + 1)) '$tmp/a2.log' | grep -q 'writer lock taken'"
ok "... nor sweeping" sh -c "! tail -n +$((mark + 1)) '$tmp/a2.log' | grep -q 'sweep: '"
ok "the new leader delivers" poll_until 30 delivered
is "still no transition twice" "$(no_doubles)" 0
is "still none lost" "$(none_lost)" 0
is "one session holds the writer lock" \
	"$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 1668773746 AND granted")" 1
tap_done
