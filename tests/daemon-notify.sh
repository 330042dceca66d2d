#!/bin/sh
# daemon-notify.sh - casewatchd as systemd starts it: its alert socket passed
# by socket activation (systemd-socket-activate: LISTEN_FDS, the daemon
# started by the first client, which is answered), and the sd_notify
# sequence on a NOTIFY_SOCKET of the test's own, in order: READY=1 with a
# STATUS, WATCHDOG=1 from its own timer, RELOADING=1 then READY=1 around
# SIGHUP, STOPPING=1 on SIGTERM. (daemon-db.sh counts the same messages on
# a daemon that makes its own socket; check_alertbus tests the bus alone on
# a passed socket.)
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
command -v systemd-socket-activate >/dev/null 2>&1 || { echo "1..0 # SKIP no systemd-socket-activate"; exit 0; }
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
capture="$CASEWATCH_BUILDDIR/tests/syslog_capture"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-notify.XXXXXX")
chmod 0755 "$tmp"
sock="$tmp/activated.sock"
pid= cap_pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$cap_pid" ] && kill "$cap_pid" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
for f in interface facts; do
	pg_psql -f "$CASEWATCH_SRCDIR/sql/records/$f.sql" >/dev/null || { echo "Bail out! cannot load $f.sql"; exit 1; }
done

# socket_path names another file: the passed socket must be the one used.
cat >"$tmp/c.conf" <<EOC
[policy]
profile = default
profile_dir = $CASEWATCH_SRCDIR/profiles
[database]
database = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
[daemon]
poll_interval = 1s
[socket]
socket_path = $tmp/own.sock
socket_group =
[log]
log_target = stderr
log_level = info
EOC

# The notify socket: every datagram one or more lines of the file.
"$capture" "$tmp/notify.sock" "$tmp/notify" &
cap_pid=$!
poll_until 10 test -S "$tmp/notify.sock" || { echo "Bail out! no notify socket"; exit 1; }

# It passes only the environment it is told to (-E).
systemd-socket-activate -l "$sock" -E NOTIFY_SOCKET="$tmp/notify.sock" -E WATCHDOG_USEC=200000 \
	-E CASEWATCH_DATADIR="$CASEWATCH_DATADIR" \
	"$d" -c "$tmp/c.conf" 2>"$tmp/log" &
pid=$!
ok "systemd-socket-activate listens on the socket" poll_until 10 test -S "$sock"
is "... and has not started casewatchd before a client comes" "$(grep -c 'casewatchd .* starting' "$tmp/log")" 0
# The first client starts it and is answered on the passed socket.
"$ctl" status --json --socket "$sock" >"$tmp/status.json" 2>"$tmp/status.err"
ok "the first client starts casewatchd and gets its status" jq -e '.bus.clients == 1' "$tmp/status.json"
ok "casewatchd was started by that first connection" grep -q "casewatchd .* starting" "$tmp/log"
ok "... and did not make socket_path" test ! -e "$tmp/own.sock"
ok "it runs passes" poll_until 20 grep -qF "pass done:" "$tmp/log"
# flags: the notify assignments that mark the life cycle, in order.
flags() { grep -oE '^(READY|RELOADING|STOPPING)=1' "$tmp/notify" | tr '\n' ' '; }
watchdogs() { grep -c '^WATCHDOG=1$' "$tmp/notify"; }
is "READY=1 once, first" "$(flags)" "READY=1 "
ok "... with a STATUS" grep -q '^STATUS=Running' "$tmp/notify"
first_line() { grep -nE "^$1" "$tmp/notify" | head -1 | cut -d: -f1; }
has_watchdog() { [ "$(watchdogs)" -ge 1 ]; }
poll_until 20 has_watchdog
ok "... before any WATCHDOG=1" [ "$(first_line READY=1)" -lt "$(first_line WATCHDOG=1)" ]
ok "WATCHDOG=1 every 100 ms (half of WATCHDOG_USEC)" poll_until 10 sh -c "[ \$(grep -c '^WATCHDOG=1\$' '$tmp/notify') -ge 10 ]"

kill -HUP "$pid"
ok "SIGHUP: RELOADING=1, then READY=1" poll_until 10 sh -c "[ \"\$(grep -oE '^(READY|RELOADING|STOPPING)=1' '$tmp/notify' | tr '\n' ' ')\" = 'READY=1 RELOADING=1 READY=1 ' ]"
ok "... with the reload's STATUS" grep -q '^STATUS=Reloading settings' "$tmp/notify"
w=$(watchdogs)
ok "the watchdog goes on after the reload" poll_until 10 sh -c "[ \$(grep -c '^WATCHDOG=1\$' '$tmp/notify') -gt $w ]"

kill -TERM "$pid"
wait "$pid"
is "SIGTERM: exit 0" "$?" 0
pid=
is "the whole sequence: READY, RELOADING, READY, STOPPING" "$(flags)" "READY=1 RELOADING=1 READY=1 STOPPING=1 "
ok "... STOPPING=1 with its STATUS" grep -q '^STATUS=Stopping' "$tmp/notify"
ok "the passed socket is left to its owner (not removed)" test -S "$sock"
tap_done
