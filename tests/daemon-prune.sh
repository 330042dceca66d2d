#!/bin/sh
# daemon-prune.sh - the transition log stays bounded: casewatch's
# prune_transitions() rules on a real store (the retention, the syslog
# sink's cursor, a subscriber's cursor, each alert's newest transition),
# then casewatchd pruning by itself once its clock has moved past the
# retention, status showing the replay window, a pruned cursor refused with
# the oldest id, a cursor within the window replayed, the audit kept, and a
# connected subscriber that has still to read holding the pruning back.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-ret.XXXXXX")
chmod 0755 "$tmp"
sock="$tmp/cw.sock"
pid= sub_pid=
cleanup() {
	[ -n "$sub_pid" ] && kill "$sub_pid" 2>/dev/null
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT

t0=2026-03-04T09:00:00Z
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
pg_generate 200 0.25 "$t0" || { echo "Bail out! cannot load generated records"; exit 1; }
echo "$t0" >"$tmp/clock"
persons=$(psql -X -Atc "SELECT count(*) FROM records.person")
q() { pg_psql -Atc "$1"; }

cat >"$tmp/c.conf" <<EOC
[policy]
profile = default
profile_dir = $CASEWATCH_SRCDIR/profiles
[database]
database = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
retry_base = 50ms
retry_cap = 250ms
[daemon]
poll_interval = 1s
test_clock_file = $tmp/clock
transition_retention = 30d
audit_retention = 60d
[socket]
socket_path = $sock
socket_mode = 0666
socket_group =
[log]
log_target = stderr
log_level = info
EOC

start() {
	"$d" -c "$tmp/c.conf" 2>>"$tmp/log" &
	pid=$!
	poll_until 30 grep -qF "sweep: " "$tmp/log"
}
# stop: SIGTERM, and the exit status must be 0 (under the sanitizers, nothing leaked).
stop() {
	kill "$pid"
	wait "$pid"
	stopped=$?
	pid=
	is "casewatchd stops cleanly (exit 0)" "$stopped" 0
}
status_json() { "$ctl" status --json --socket "$sock"; }
# sub SINCE: the subscribe reply (or error) for a cursor.
sub() {
	printf '%s\n' '{"cmd":"hello","protocol":"1.0"}' "{\"cmd\":\"subscribe\",\"since\":\"$1\",\"id\":\"s\"}" |
		socat -t 2 - UNIX-CONNECT:"$sock"
}

# ---- the first day: transitions written and delivered ----
ok "casewatchd starts and sweeps" start
# sql_true QUERY: the query (run by a fresh psql, so poll_until can repeat it) says t.
sql_true() { [ "$(psql -X -Atc "$1")" = t ]; }
ok "... delivers every transition (the syslog sink's cursor reaches the last)" poll_until 20 sql_true \
	"SELECT last_id = (SELECT max(transition_id) FROM casewatch.transition) FROM casewatch.sink_cursor WHERE sink = 'syslog'"
day1=$(q "SELECT max(transition_id) FROM casewatch.transition")
n1=$(q "SELECT count(*) FROM casewatch.transition")
ok "day 1 wrote transitions ($n1)" [ "$n1" -gt 50 ]
acked=$(q "SELECT alert_id FROM casewatch.alert WHERE announced_state IS NOT NULL ORDER BY alert_id LIMIT 1")
"$ctl" ack --alert "$acked" --reason seen --socket "$sock" >/dev/null
is "an alert acknowledged: one audit row" "$(q "SELECT count(*) FROM casewatch.audit")" 1
ok "... its transition delivered too" poll_until 20 sql_true \
	"SELECT last_id = (SELECT max(transition_id) FROM casewatch.transition) FROM casewatch.sink_cursor WHERE sink = 'syslog'"
# window: pruned_upto,oldest_id,retention as status gives them.
window() { status_json | jq -r '.transitions | [.pruned_upto, .oldest_id, .retention] | join(",")'; }
window_is() { [ "$(window)" = "$1" ]; }
ok "status shows the window: nothing pruned yet" poll_until 10 window_is "0,1,30d"
stop

# ---- prune_transitions()' rules, on this store ----
# Everything from day 1 is older than a cutoff 40 days on. A savepoint-free
# way to try each rule: a transaction rolled back.
try() { printf 'BEGIN;\n%s;\nROLLBACK;\n' "$1" | pg_psql -At | tail -1; }
cut="'2026-04-13T09:00:00Z'::timestamptz"
sink=$(q "SELECT last_id FROM casewatch.sink_cursor WHERE sink = 'syslog'")
half=$((day1 / 2))
is "the syslog sink's cursor bounds it: nothing after $half goes while it stands there" \
	"$(try "UPDATE casewatch.sink_position SET transition_id = $half WHERE sink = 'syslog'; SELECT pruned_upto FROM casewatch.prune_transitions($cut, 9223372036854775807, 100000)")" "$half"
is "... no sink cursor at all: nothing is pruned" \
	"$(try "DELETE FROM casewatch.sink_position; SELECT pruned || ',' || pruned_upto FROM casewatch.prune_transitions($cut, 9223372036854775807, 100000)")" "0,0"
is "a subscriber's cursor bounds it: ids from keep_from on stay" \
	"$(try "SELECT pruned_upto FROM casewatch.prune_transitions($cut, 11, 100000)")" 10
is "the retention bounds it: a cutoff before day 1 prunes nothing" \
	"$(try "SELECT pruned || ',' || pruned_upto FROM casewatch.prune_transitions('2026-03-01T00:00:00Z', 9223372036854775807, 100000)")" "0,0"
is "a batch takes at most its limit and says there is more" \
	"$(try "SELECT pruned_upto || ',' || more FROM casewatch.prune_transitions($cut, 9223372036854775807, 5)")" \
	"$(q "SELECT max(transition_id) || ',true' FROM (SELECT transition_id FROM casewatch.transition ORDER BY 1 LIMIT 5) x")"
is "each alert keeps its newest transition" \
	"$(try "SELECT casewatch.prune_transitions($cut, 9223372036854775807, 100000); SELECT count(*) || ',' || count(DISTINCT alert_id) FROM casewatch.transition")" \
	"$(q "SELECT count(DISTINCT alert_id) || ',' || count(DISTINCT alert_id) FROM casewatch.transition")"

# ---- casewatchd prunes by itself once 40 days have passed ----
echo "2026-04-13T09:00:00Z" >"$tmp/clock"
ok "40 days on, casewatchd prunes day 1's transitions" start
ok "... and logs it" poll_until 20 grep -qF "retention: pruned " "$tmp/log"
ok "... up to the last one it had delivered" poll_until 10 sql_true \
	"SELECT pruned_upto >= $day1 FROM casewatch.transition_pruned"
upto=$(q "SELECT pruned_upto FROM casewatch.transition_pruned")
kept_old=$(q "SELECT count(*) FROM casewatch.transition WHERE transition_id <= $upto")
is "only each alert's newest transition of day 1 stays ($kept_old)" \
	"$(q "SELECT count(*) = count(DISTINCT alert_id) FROM casewatch.transition WHERE transition_id <= $upto")" t
ok "... far fewer than day 1 wrote ($n1)" [ "$kept_old" -lt "$n1" ]
is "no record was touched: the records still have their persons" "$(q "SELECT count(*) FROM records.person")" "$persons"
is "the audit row stays (audit_retention is longer)" "$(q "SELECT count(*) FROM casewatch.audit")" 1
oldest=$(q "SELECT min(transition_id) FROM casewatch.transition WHERE transition_id > $upto")
ok "status names the replay window: pruned up to $upto, the oldest that can be replayed $oldest" \
	poll_until 10 window_is "$upto,$oldest,30d"
"$ctl" status --socket "$sock" >"$tmp/status.txt"
ok "casewatchctl status says it to people" grep -qF "replayable:  from id $oldest (cursors from $upto on; retention 30d" "$tmp/status.txt"

sub 0 | tail -n +2 >"$tmp/old.json"
is "subscribe since 0: cursor_too_old" "$(jq -r .error.code "$tmp/old.json")" cursor_too_old
ok "... naming the oldest id that can be replayed" grep -qF "the oldest that can be replayed is $oldest; subscribe with since $upto or later" "$tmp/old.json"
sub "$upto" | sed -n 3p >"$tmp/first.json"
is "subscribe since $upto: the replay starts at the oldest id" "$(jq -r .id "$tmp/first.json")" "$oldest"

# ---- the audit goes after its own, longer, retention ----
stop
echo "2026-05-20T09:00:00Z" >"$tmp/clock"
start
ok "77 days on, the audit row is pruned too (audit_retention 60d)" poll_until 20 sql_true \
	"SELECT count(*) = 0 FROM casewatch.audit"
stop

# A shorter audit retention than the transitions' is refused.
sed 's/^audit_retention = 60d/audit_retention = 7d/' "$tmp/c.conf" >"$tmp/bad.conf"
"$d" -c "$tmp/bad.conf" --check-config >"$tmp/check.out" 2>&1
ok "audit_retention shorter than transition_retention is refused" \
	grep -qF "audit_retention: 7d is shorter than transition_retention (30d); the audit must be kept longer" "$tmp/check.out"

# ---- a connected subscriber keeps what it has still to read ----
# A store of its own with thousands of transitions, a subscriber that asks
# for all of them from 0 and then does not read (its socket buffers fill,
# so the replay waits for it part way), then 40 days pass: the daemon may
# not prune past that subscriber's cursor. Once it reads, it gets every
# transition, in order, without a gap.
pg_psql -qc "CREATE DATABASE cw_sub"
for f in interface facts generate; do
	pg_psql -d cw_sub -f "$CASEWATCH_SRCDIR/sql/records/$f.sql" >/dev/null
done
pg_psql -d cw_sub -c "SELECT * FROM records.generate(5000, 0.25, '$t0')" >/dev/null
qs() { psql -X -d cw_sub -Atc "$1"; }
echo "$t0" >"$tmp/clock"
sed -e "s/dbname=$PGDATABASE/dbname=cw_sub/" -e "s|^socket_path = .*|socket_path = $tmp/sub.sock|" \
	-e "s|^socket_group =|client_buffer_limit = 4096\nsocket_group =|" "$tmp/c.conf" >"$tmp/sub.conf"
"$d" -c "$tmp/sub.conf" 2>"$tmp/sub.log" &
pid=$!
sub_delivered() {
	[ "$(qs "SELECT (SELECT last_id FROM casewatch.sink_cursor WHERE sink = 'syslog') = (SELECT max(transition_id) FROM casewatch.transition)")" = t ]
}
ok "5000 children: the day's transitions written and delivered" poll_until 60 sub_delivered
day1=$(qs "SELECT max(transition_id) FROM casewatch.transition")
qs "SELECT transition_id FROM casewatch.transition ORDER BY 1" >"$tmp/sub.ids"
ok "... thousands of them ($day1)" [ "$day1" -gt 1500 ]
# The subscriber: asks, then reads nothing until $tmp/go exists.
cat >"$tmp/slow.sh" <<EOS
printf '%s\\n' '{"cmd":"hello","protocol":"1.0"}' '{"cmd":"subscribe","since":"0"}'
while [ ! -e "$tmp/go" ]; do sleep 0.1; done
exec cat >"$tmp/sub.out"
EOS
socat UNIX-CONNECT:"$tmp/sub.sock" EXEC:"sh $tmp/slow.sh" &
sub_pid=$!
subscribed() { [ "$(printf '%s\n' '{"cmd":"hello","protocol":"1.0"}' '{"cmd":"status","id":1}' | socat - UNIX-CONNECT:"$tmp/sub.sock" | jq -r 'select(.id == 1) | .bus.subscribers')" = 1 ]; }
ok "the subscriber is connected, replaying" poll_until 10 subscribed
echo "2026-04-13T09:00:00Z" >"$tmp/clock"
pruned_some() { [ "$(qs "SELECT pruned_upto > 0 FROM casewatch.transition_pruned")" = t ]; }
ok "40 days on, the daemon prunes" poll_until 30 pruned_some
held=$(qs "SELECT pruned_upto FROM casewatch.transition_pruned")
ok "... but not past the subscriber's cursor: up to $held of $day1" [ "$held" -lt "$day1" ]
kept_on() { [ "$(qs "SELECT count(*) FROM casewatch.transition WHERE transition_id > $held AND transition_id <= $day1")" = \
	"$(awk -v h="$held" '$1 > h' "$tmp/sub.ids" | wc -l | tr -d ' ')" ]; }
ok "... every transition after it is still in the store" kept_on
touch "$tmp/go"
got_all() { [ "$(jq -r 'select(.specversion) | .id' "$tmp/sub.out" 2>/dev/null | head -n "$(wc -l <"$tmp/sub.ids")" | cmp - "$tmp/sub.ids" >/dev/null && echo same)" = same ]; }
ok "reading again, the subscriber gets every one of the day's transitions, in order, no gap" poll_until 30 got_all
kill "$sub_pid" 2>/dev/null
sub_pid=
pruned_day() { [ "$(qs "SELECT pruned_upto >= $day1 FROM casewatch.transition_pruned")" = t ]; }
ok "with the subscriber gone, the rest of the day is pruned" poll_until 30 pruned_day
stop
tap_done
