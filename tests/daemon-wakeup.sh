#!/bin/sh
# daemon-wakeup.sh - LISTEN/NOTIFY wake-ups: with sql/records/notify.sql
# installed and listen_channel set, a change in the records reaches a socket
# subscriber at once although the poll is ten minutes away; a burst of
# changes is one pass or a few, not one each; the daemon LISTENs again
# after a reconnection.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-wake.XXXXXX")
chmod 0755 "$tmp"
pid=
watch_pid=
cleanup() {
	[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
db=cw_wake
pg_load_records $db 100 0.7 2026-11-20T09:00:00Z || { echo "Bail out! cannot load generated records"; exit 1; }
pg_psql -d $db -f "$CASEWATCH_SRCDIR/sql/records/notify.sql" >/dev/null 2>&1 ||
	{ echo "Bail out! cannot load notify.sql"; exit 1; }
q() { pg_psql -d $db -Atc "$1"; }
export PGDATABASE=$db

echo "2026-11-20T09:00:00Z" >"$tmp/clock"
cat >"$tmp/c.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
retry_base = 100ms
retry_cap = 400ms
[policy]
profile = enfield
profile_dir = $CASEWATCH_SRCDIR/profiles
[daemon]
poll_interval = 10m
listen_channel = casewatch
wakeup_delay = 20ms
test_clock_file = $tmp/clock
[socket]
socket_path = $tmp/cw.sock
socket_group =
[log]
log_target = stderr
log_level = debug
log_rate_limit = 0
EOC
log_has() { grep -qF -- "$1" "$tmp/log"; }

ok "the trigger is on every relation with change markers" \
	[ "$(q "SELECT count(*) FROM pg_trigger WHERE tgname = 'casewatch_notify'")" = \
	"$(q "SELECT count(*) FROM information_schema.columns c JOIN information_schema.tables t
		USING (table_schema, table_name) WHERE c.table_schema = 'records' AND c.column_name = 'changed_at'
		AND t.table_type = 'BASE TABLE'")" ]

CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" 2>"$tmp/log" &
pid=$!
ok "the daemon listens on its channel" poll_until 30 log_has "listening on channel casewatch for wake-ups"
ok "... and sweeps at start" poll_until 60 log_has "sweep: "
ok "... finishing its first pass" poll_until 30 sh -c "[ \$(grep -c 'pass done: ' '$tmp/log') -ge 1 ]"
ok "... before it listened (LISTEN first, then the catch-up)" \
	[ "$(grep -n 'listening on channel' "$tmp/log" | head -1 | cut -d: -f1)" -lt \
	"$(grep -n 'pass done: ' "$tmp/log" | head -1 | cut -d: -f1)" ]

last=$(q "SELECT coalesce(max(transition_id), 0) FROM casewatch.transition")
"$ctl" watch --since "$last" --socket "$tmp/cw.sock" >"$tmp/live.ndjson" 2>"$tmp/live.err" &
watch_pid=$!
ok "a subscriber is connected" \
	poll_until 10 sh -c "[ \$('$ctl' status --json --socket '$tmp/cw.sock' | jq -r .bus.subscribers) = 1 ]"

# A person with open alerts leaves the records: each alert is withdrawn.
gone=$(q "SELECT person_id FROM casewatch.alert WHERE announced_state IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
open_gone=$(q "SELECT count(*) FROM casewatch.alert WHERE person_id = $gone AND announced_state IS NOT NULL")
ok "person $gone has open alerts ($open_gone)" [ "$open_gone" -gt 0 ]
withdrawn() { jq -r "select(.type == \"uk.casewatch.alert.withdrawn\" and .data.person_id == \"$gone\") | .id" "$tmp/live.ndjson" | wc -l | tr -d ' '; }
q "DELETE FROM records.person WHERE person_id = $gone" >/dev/null
ok "with a ten-minute poll, the subscriber gets every withdrawal within seconds" \
	poll_until 10 sh -c "[ \"\$(jq -r 'select(.type == \"uk.casewatch.alert.withdrawn\" and .data.person_id == \"$gone\") | .id' '$tmp/live.ndjson' | wc -l)\" -eq $open_gone ]"
is "... each once" "$(withdrawn)" "$open_gone"
ok "... woken by the notification" log_has "woken by a notification on casewatch"

# A burst: twenty transactions, twenty notifications.
mark=$(wc -l <"$tmp/log")
n1=$(grep -c 'woken by a notification' "$tmp/log")
pers=$(q "SELECT string_agg(person_id::text, ' ') FROM (SELECT person_id FROM records.person
	WHERE kind = 'child' AND allocated_worker_id IS NOT NULL ORDER BY person_id LIMIT 20) s")
for p in $pers; do
	echo "INSERT INTO records.record (person_id, record_type, author_id, entered_at, finalised_at)
		SELECT person_id, 'case_note', allocated_worker_id, now(), now() FROM records.person WHERE person_id = $p;"
done | pg_psql -d $db >/dev/null
# persons_after LINE: persons read by the passes logged after line LINE.
persons_after() {
	tail -n +"$(($1 + 1))" "$tmp/log" | sed -n 's/.*pass done: \([0-9]*\) persons.*/\1/p' |
		awk '{ s += $1 } END { print s + 0 }'
}
burst_read() { [ "$(persons_after "$mark")" -ge 20 ]; }
ok "a burst of 20 committed changes is read" poll_until 10 burst_read
is "... twenty persons in all" "$(persons_after "$mark")" 20
ok "... in fewer passes than notifications ($(($(grep -c 'woken by a notification' "$tmp/log") - n1)) wake-ups)" \
	[ "$(($(grep -c 'woken by a notification' "$tmp/log") - n1))" -lt 20 ]

# The connection goes and comes back: the daemon LISTENs again.
listens=$(grep -c 'listening on channel casewatch' "$tmp/log")
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'casewatchd'" >/dev/null
ok "after a reconnection it listens again" \
	poll_until 30 sh -c "[ \$(grep -c 'listening on channel casewatch' '$tmp/log') -gt $listens ]"
gone2=$(q "SELECT person_id FROM casewatch.alert WHERE announced_state IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
open2=$(q "SELECT count(*) FROM casewatch.alert WHERE person_id = $gone2 AND announced_state IS NOT NULL")
q "DELETE FROM records.person WHERE person_id = $gone2" >/dev/null
ok "... and a change reaches the subscriber at once again" \
	poll_until 10 sh -c "[ \"\$(jq -r 'select(.type == \"uk.casewatch.alert.withdrawn\" and .data.person_id == \"$gone2\") | .id' '$tmp/live.ndjson' | wc -l)\" -eq $open2 ]"

kill -TERM "$pid"
wait "$pid"
is "SIGTERM: exit 0" "$?" 0
pid=
tap_done
