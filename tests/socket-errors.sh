#!/bin/sh
# socket-errors.sh - the alert socket's errors (issue 12, defect 4): every
# error code casewatchd can send is in docs/protocol.md's table; and with
# PostgreSQL down, a replay, a listing and status answer in casewatch's own
# words, without the server's socket path or libpq's message (the log has
# them).
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-sockerr.XXXXXX")
chmod 0755 "$tmp"
sock="$tmp/cw.sock"
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT

# ---- every code sent is documented ----
src="$CASEWATCH_SRCDIR/daemon"
codes=$(cat "$src"/alertbus.c "$src"/alertbus_cmd.c "$src"/store_provider.c "$src"/transition_log.c \
	"$src"/alert_explain.c |
	grep -oE '(reply_error\([^,]+, [^,]+, |done\([^,]+, NULL, (false, )?|job_(reply|batch)\(j, NULL, (false, )?|code = (code \? code : )?)"[a-z_]+"|\\"code\\":\\"[a-z_]+' |
	grep -oE '[a-z_]+"?$' | tr -d '"' | sort -u)
ok "the daemon's sources send error codes ($(echo $codes | wc -w))" [ "$(echo $codes | wc -w)" -ge 15 ]
undocumented=
for c in $codes; do
	grep -qF "| \`$c\` |" "$CASEWATCH_SRCDIR/docs/protocol.md" || undocumented="$undocumented $c"
done
is "every one is in docs/protocol.md's table of error codes" "$undocumented" ""

# ---- PostgreSQL down ----
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
db=cw_sockerr
pg_load_records $db 60 0.3 2026-11-20T09:00:00Z || { echo "Bail out! cannot load generated records"; exit 1; }
echo "2026-11-20T09:00:00Z" >"$tmp/clock"
cat >"$tmp/c.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
retry_base = 50ms
retry_cap = 250ms
[policy]
profile = default
profile_dir = $CASEWATCH_SRCDIR/profiles
[daemon]
poll_interval = 1s
test_clock_file = $tmp/clock
[socket]
socket_path = $sock
socket_group =
[log]
log_target = stderr
log_level = info
EOC
start_daemon() {
	CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" >>"$tmp/log" 2>&1 &
	pid=$!
	poll_until 30 test -S "$sock"
}
# ask REQUEST...: the replies to hello and the requests, hello's left out.
ask() {
	{ echo '{"cmd":"hello","protocol":"1.0"}'; for r in "$@"; do echo "$r"; done; } |
		socat -t 5 - "UNIX-CONNECT:$sock" | tail -n +2
}
stored() { pg_psql -d $db -Atc "SELECT count(*) FROM casewatch.transition"; }
connected() { ask '{"cmd":"status"}' | jq -e ".database.connected == $1" >/dev/null; }

start_daemon || { echo "Bail out! casewatchd did not start"; exit 1; }
poll_until 60 sh -c "[ \$(pg_psql -d $db -Atc 'SELECT count(*) FROM casewatch.transition' 2>/dev/null || echo 0) -gt 0 ]"
ok "transitions were stored ($(stored))" [ "$(stored)" -gt 0 ]
# A restart empties the in-memory log, so a replay from 1 needs the store.
kill -TERM "$pid"
wait "$pid"
start_daemon || { echo "Bail out! casewatchd did not restart"; exit 1; }
ok "casewatchd reconnected after its restart" poll_until 30 connected true
pg_stop
ok "casewatchd sees PostgreSQL gone" poll_until 30 connected false

ask '{"cmd":"subscribe","since":"1","id":"s"}' >"$tmp/sub.json"
is "subscribe since 1 while PostgreSQL is down: db_unavailable" "$(jq -r .error.code "$tmp/sub.json")" db_unavailable
ask '{"cmd":"alerts","id":"a"}' '{"cmd":"status","id":"t"}' >"$tmp/more.json"
is "alerts: db_unavailable" "$(jq -r 'select(.id == "a") | .error.code' "$tmp/more.json")" db_unavailable
ok "status: last_error in casewatch's words" \
	sh -c "jq -r 'select(.id == \"t\") | .database.last_error' '$tmp/more.json' | grep -qxE 'cannot connect|connection lost'"
ok "no reply names the server's socket directory" sh -c "! grep -qF '$PGHOST' '$tmp/sub.json' '$tmp/more.json'"
ok "... nor carries libpq's words" \
	sh -c "! grep -qiE 'connection to server|No such file|Is the server running|FATAL|terminating' '$tmp/sub.json' '$tmp/more.json'"
ok "... which the log has" grep -qF "$PGHOST" "$tmp/log"
cat "$tmp/sub.json" "$tmp/more.json" | sed 's/^/# /'
tap_done
