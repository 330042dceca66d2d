#!/bin/sh
# daemon-deliver.sh - every alert transition reaches syslog exactly once, in
# order, with log_level = warning (transitions are not ordinary messages),
# whether the syslog receiver starts late or reads slowly: the delivery
# cursor moves only past what the socket accepted.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
capture="$CASEWATCH_BUILDDIR/tests/syslog_capture"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-deliver.XXXXXX")
chmod 0755 "$tmp"
pid=
cap_pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
# Generated records, dated around a fixed time the daemon's clock is held at,
# so the transitions are known before the daemon starts and none come later.
when=2026-11-23T09:00:00Z
echo "$when" >"$tmp/clock"
for db in late slow api; do
	pg_load_records "$db" 300 0.42 "$when" || { echo "Bail out! cannot load generated records into $db"; exit 1; }
done

# write_conf DB: syslog only, and only warnings and errors.
write_conf() {
	cat >"$tmp/$1.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=$1 user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
retry_base = 50ms
retry_cap = 250ms
[policy]
profile = enfield
profile_dir = $CASEWATCH_SRCDIR/profiles
[daemon]
poll_interval = 1s
test_clock_file = $tmp/clock
[socket]
socket_path = $tmp/$1.sock
socket_group =
[log]
log_target = syslog
syslog_socket = $tmp/syslog-$1.sock
log_level = warning
log_rate_limit = 60s
EOC
}

# The transition ids the store holds, and those syslog received, one a line.
stored_ids() { pg_psql -d "$1" -Atc "SELECT transition_id FROM casewatch.transition ORDER BY 1"; }
received_ids() { sed -n 's/.* transition_id="\([0-9]*\)".*/\1/p' "$tmp/syslog-$1.log"; }
cursor() { pg_psql -d "$1" -Atc "SELECT coalesce(max(last_id), 0) FROM casewatch.sink_cursor WHERE sink = 'syslog'"; }

grep_log() { grep -qF -- "$2" "$tmp/$1.err"; }
all_received() { [ "$(received_ids "$1" | wc -l)" -ge "$(stored_ids "$1" | wc -l)" ]; }
caught_up() { [ "$(cursor "$1")" = "$(stored_ids "$1" | tail -1)" ]; }
# The passes a daemon has finished, as its status says.
passes() { "$CASEWATCH_BUILDDIR/ctl/casewatchctl" status --json --socket "$tmp/$1.sock" 2>/dev/null | jq -r .pass.passes; }
passes_past() { [ "$(passes "$1")" -gt "$2" ] 2>/dev/null; }

# 1. The receiver starts late: delivery waits in the store, then catches up.
write_conf late
# -f adds stderr, where the warning can be seen while syslog is away.
"$d" -f -c "$tmp/late.conf" >"$tmp/late.err" 2>&1 &
pid=$!
ok "no receiver: the daemon warns that transitions wait in the store" \
	poll_until 20 grep_log late "transitions are queued and go out, in order, once it takes them"
stored=$(stored_ids late | wc -l)
ok "the sweep wrote hundreds of transitions ($stored)" test "$stored" -ge 200
ok "... some of them below log_level (info or notice)" \
	test "$(pg_psql -d late -Atc "SELECT count(*) FROM casewatch.transition WHERE severity IN ('info', 'notice')")" -gt 0
ok "... which the warning counts" grep -qF " (No such file or directory); $stored transitions are queued" "$tmp/late.err"
is "the cursor has not moved past any of them" "$(cursor late)" 0
# Now a receiver comes, and a slow one: 2 ms a datagram.
"$capture" -d 2000 "$tmp/syslog-late.sock" "$tmp/syslog-late.log" &
cap_pid=$!
ok "once a (slow) receiver is there, every transition arrives" poll_until 30 all_received late
ok "... and the cursor reaches the last one" poll_until 10 caught_up late
# Two passes more (a fixed wait was too short on a loaded machine): nothing may come again.
ok "... and the daemon runs two passes more" poll_until 30 passes_past late $(($(passes late) + 1))
stored_ids late >"$tmp/late.want"
received_ids late >"$tmp/late.got"
ok "each transition id exactly once, in id order" cmp -s "$tmp/late.want" "$tmp/late.got"
kill -TERM "$pid"
wait "$pid"
is "SIGTERM: exit 0" "$?" 0
pid=
kill "$cap_pid"
wait "$cap_pid"
cap_pid=

# 2. A slow receiver from the start: one --once pass drains the whole first
# sweep at the receiver's speed (its queue holds ten datagrams), losing none.
write_conf slow
"$capture" -d 1000 "$tmp/syslog-slow.sock" "$tmp/syslog-slow.log" &
cap_pid=$!
poll_until 5 test -S "$tmp/syslog-slow.sock" || echo "# the receiver did not start" >&2
"$d" -c "$tmp/slow.conf" --once >"$tmp/slow.err" 2>&1
is "--once with a slow receiver: exit 0" "$?" 0
poll_until 10 all_received slow
stored_ids slow >"$tmp/slow.want"
received_ids slow >"$tmp/slow.got"
ok "hundreds of transitions ($(wc -l <"$tmp/slow.want"))" test "$(wc -l <"$tmp/slow.want")" -ge 200
ok "each transition id exactly once, in id order" cmp -s "$tmp/slow.want" "$tmp/slow.got"
is "the stored cursor is the last transition" "$(cursor slow)" "$(tail -1 "$tmp/slow.want")"

# 3. tests/check_deliver, on a store whose transitions are all queued
# (--once with no receiver): the cursor, a full socket, the transition log.
write_conf api
"$d" -c "$tmp/api.conf" --once >"$tmp/api.err" 2>&1
is "--once with no receiver: exit 0" "$?" 0
is "... nothing delivered" "$(cursor api)" 0
PGDATABASE=api CW_TEST_TRANSITIONS=$(stored_ids api | wc -l) CW_TEST_FIRST_ID=$(stored_ids api | head -1) \
	CW_TEST_LAST_ID=$(stored_ids api | tail -1) "$CASEWATCH_BUILDDIR/tests/check_deliver" >"$tmp/check.tap" 2>&1
st=$?
[ "$st" -eq 0 ] || sed 's/^/# /' "$tmp/check.tap"
is "tests/check_deliver passes" "$st" 0
tap_done
