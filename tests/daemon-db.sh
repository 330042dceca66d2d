#!/bin/sh
# daemon-db.sh - casewatchd against a real, throwaway PostgreSQL: migrations,
# a too-new schema, an outage mid-run (logged once, reconnected by itself),
# SIGHUP with a bad and a good file, and SIGTERM.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-ddb.XXXXXX")
chmod 0755 "$tmp"
# casewatch's real migrations, then a test-only probe (900) that records
# the connection's settings.
migrations="$tmp/mig"
mkdir "$migrations"
cp "$CASEWATCH_SRCDIR"/sql/casewatch/*.sql "$CASEWATCH_SRCDIR/tests/data/migrations/900_probe.sql" "$migrations/"
pid=
notify_pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$notify_pid" ] && kill "$notify_pid" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
pg_psql -c "ALTER DATABASE $PGDATABASE SET timezone = 'Europe/London'"
# The records interface the passes read (empty: no persons).
for f in interface facts; do
	pg_psql -f "$CASEWATCH_SRCDIR/sql/records/$f.sql" >/dev/null || { echo "Bail out! cannot load $f.sql"; exit 1; }
done

# write_conf FILE POLL_INTERVAL SOCKET_PATH [MIGRATIONS_DIR]
write_conf() {
	cat >"$1" <<EOC
# written by tests/daemon-db.sh
[policy]
profile = default
profile_dir = $CASEWATCH_SRCDIR/profiles
[database]
database = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER
connect_timeout = 2s
retry_base = 50ms
retry_cap = 250ms
migrations_dir = ${4:-$migrations}
[daemon]
poll_interval = $2
pidfile = $tmp/casewatchd.pid
[socket]
socket_path = $3
# the test machine may have no group casewatch: leave the socket the daemon's
socket_group =
[log]
log_target = stderr
log_level = debug
log_rate_limit = 60s
EOC
}

# wait_for PATTERN [AFTER_LINE]: waits up to 10 s for a log line matching
# PATTERN (fixed string) after line AFTER_LINE of the log.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		tail -n +"$((${2:-0} + 1))" "$tmp/log" | grep -qF -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "timed out waiting for: $1" >&2
	tail -20 "$tmp/log" >&2
	return 1
}
lines() { wc -l <"$tmp/log" | tr -d ' '; }
count() { grep -cF -- "$1" "$tmp/log"; }

# --once on an empty database: migrations, one pass, exit 0.
write_conf "$tmp/c.conf" 1s "$tmp/cw.sock"
"$d" -c "$tmp/c.conf" --once >"$tmp/once.log" 2>&1
is "--once exits 0" "$?" 0
ok "the start-up line names every library" grep -qE "casewatchd [0-9.]+ starting \(libevent [^ ]+ with [a-z]+, libpq [0-9]+\.[0-9]+, jansson [0-9.]+, libsystemd [0-9]+\)" "$tmp/once.log"
ok "it created the schema" grep -qF "created schema casewatch" "$tmp/once.log"
ok "it applied 001" grep -qF "schema migration 001_initial.sql applied (version 1)" "$tmp/once.log"
ok "it applied 002" grep -qF "schema migration 002_lifecycle.sql applied (version 2)" "$tmp/once.log"
ok "it applied 003" grep -qF "schema migration 003_incremental.sql applied (version 3)" "$tmp/once.log"
ok "it applied the probe" grep -qF "schema migration 900_probe.sql applied (version 900)" "$tmp/once.log"
ok "it ran one pass" grep -qF "pass 1 finished" "$tmp/once.log"
# Every shipped migration's version, then the probe's.
shipped=$(ls "$CASEWATCH_SRCDIR/sql/casewatch" | sed -n 's/^0*\([0-9][0-9]*\)_.*\.sql$/\1/p' | sort -n | tr '\n' ,)
is "schema_version holds every migration shipped, and 900" "$(pg_psql -Atc 'SELECT string_agg(version::text, $$,$$ ORDER BY version) FROM casewatch.schema_version')" "${shipped}900"
is "the connection has an empty search_path" "$(pg_psql -Atc 'SELECT label FROM casewatch.test_first WHERE id = 1')" ""
is "and application_name casewatchd" "$(pg_psql -Atc 'SELECT label FROM casewatch.test_first WHERE id = 2')" casewatchd
is "and TimeZone UTC, whatever the server's" "$(pg_psql -Atc 'SELECT label FROM casewatch.test_first WHERE id = 3')" UTC

"$d" -c "$tmp/c.conf" --once >"$tmp/once.log" 2>&1
is "a second --once exits 0" "$?" 0
ok "and finds the schema up to date" grep -qF "casewatch schema is up to date (version 900)" "$tmp/once.log"

# A failing migration is rolled back and stops the daemon.
mkdir "$tmp/m3"
cp "$migrations"/*.sql "$tmp/m3/"
printf 'CREATE TABLE casewatch.test_third (id integer);\nCREATE TABEL oops;\n' >"$tmp/m3/901_broken.sql"
write_conf "$tmp/m3.conf" 1s "$tmp/cw.sock" "$tmp/m3"
"$d" -c "$tmp/m3.conf" --once >"$tmp/once.log" 2>&1
is "a broken migration: exit 1" "$?" 1
ok "... naming the file and the SQLSTATE" grep -qF "migration $tmp/m3/901_broken.sql failed (rolled back; schema stays at version 900): SQLSTATE 42601: syntax error" "$tmp/once.log"
is "... and nothing of it stays" "$(pg_psql -Atc "SELECT pg_catalog.to_regclass('casewatch.test_third') IS NULL AND max(version) = 900 FROM casewatch.schema_version")" t

# A migration that manages its own transaction is refused before any SQL runs.
printf 'BEGIN;\nCREATE TABLE casewatch.test_third (id integer);\nCOMMIT;\n' >"$tmp/m3/901_broken.sql"
"$d" -c "$tmp/m3.conf" --once >"$tmp/once.log" 2>&1
is "a migration with BEGIN: exit 1" "$?" 1
ok "... naming file and line" grep -qF "$tmp/m3/901_broken.sql:1: a migration must not contain BEGIN or COMMIT" "$tmp/once.log"

# A database newer than the daemon is refused.
pg_psql -c "INSERT INTO casewatch.schema_version (version) VALUES (9999)"
"$d" -c "$tmp/c.conf" --once >"$tmp/once.log" 2>&1
is "a too-new schema: exit 1" "$?" 1
ok "... with a clear message" grep -qF "the database's casewatch schema is at version 9999, newer than this casewatchd knows (its newest migration is 900_probe.sql in $migrations)" "$tmp/once.log"
pg_psql -c "DELETE FROM casewatch.schema_version WHERE version = 9999"

# The daemon proper, as systemd runs it (a notify socket and a watchdog):
# runs passes; survives an outage.
socat -u UNIX-RECV:"$tmp/notify.sock" OPEN:"$tmp/notify",creat,append &
notify_pid=$!
i=0
while [ ! -S "$tmp/notify.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
NOTIFY_SOCKET="$tmp/notify.sock" WATCHDOG_USEC=200000 "$d" -c "$tmp/c.conf" >"$tmp/log" 2>&1 &
pid=$!
ok "the daemon runs passes" wait_for "pass 2 finished"
notified() { grep -o -- "$1" "$tmp/notify" | wc -l | tr -d ' '; }
is "it told systemd READY=1" "$(notified READY=1)" 1
ok "... with its status" grep -qF "STATUS=Running: database connected, schema version 900" "$tmp/notify"
ok "it pings the watchdog from its own timer" test "$(notified WATCHDOG=1)" -ge 5
is "it wrote its pidfile" "$(cat "$tmp/casewatchd.pid" 2>/dev/null)" "$pid"
is "it shows as application casewatchd" "$(pg_psql -Atc "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'casewatchd'")" 1

mark=$(lines)
pg_stop
ok "a stopped server: the loss is logged" wait_for "database connection lost" "$mark"
tried() { [ "$(grep -cF 'database: attempt' "$tmp/log")" -ge "$1" ]; }
ok "it tries again and again" poll_until 30 tried 5
ok "the daemon keeps running" kill -0 "$pid"
# One loss: libpq's message is at most three lines, each its own log line.
lost=$(count 'warning: database connection lost: ')
ok "the lost connection is logged once ($lost lines)" test "$lost" -ge 1 -a "$lost" -le 3
is "the failing reconnects are logged once" "$(count 'cannot connect to database: connection to server on socket')" 1
attempts=$(grep -cF 'database: attempt' "$tmp/log")
ok "while it tried again and again ($attempts attempts)" test "$attempts" -ge 5
pg_run_server
ok "it reconnects by itself" wait_for "database connection restored after" "$mark"
ok "summarising what it held back" grep -qE "db-connect: suppressed [0-9]+ similar messages" "$tmp/log"
mark=$(lines)
ok "and finishes queries again" wait_for "finished in" "$mark"

# SIGHUP with a broken file: the old settings stay.
cp "$tmp/c.conf" "$tmp/c.good"
write_conf "$tmp/c.conf" "5 parsecs" "$tmp/cw.sock"
mark=$(lines)
kill -HUP "$pid"
ok "a bad reload is refused" wait_for "reload failed, keeping the old settings: $tmp/c.conf:" "$mark"
is "SIGHUP: RELOADING=1, then READY=1 again" "$(notified RELOADING=1)/$(notified READY=1)" "1/2"
ok "... naming the problem" grep -qF "\"5 parsecs\" is not a duration" "$tmp/log"
ok "... and the daemon carries on" wait_for "finished in" "$(lines)"

# SIGHUP with a good file: reloadable changes apply, restart-only ones are named.
write_conf "$tmp/c.conf" 2s "$tmp/other.sock"
mark=$(lines)
kill -HUP "$pid"
ok "a good reload applies poll_interval" wait_for 'reload: poll_interval: "1s" -> "2s"' "$mark"
ok "... and says socket_path needs a restart" wait_for "reload: socket_path: changed, needs a restart (keeping \"$tmp/cw.sock\")" "$mark"
ok "... and the daemon carries on" kill -0 "$pid"

# The test clock: the file is read again on every pass.
echo "2026-11-23T09:00:00Z" >"$tmp/clock"
sed "s|^pidfile = .*|&\ntest_clock_file = $tmp/clock|" "$tmp/c.conf" >"$tmp/c.clock"
cp "$tmp/c.clock" "$tmp/c.conf"
mark=$(lines)
kill -HUP "$pid"
ok "a reload sets the test clock" wait_for "now 2026-11-23T09:00:00Z" "$mark"
echo "2026-11-24T10:00:00+01:00" >"$tmp/clock"
ok "moving the file moves the daemon's time" wait_for "now 2026-11-24T09:00:00Z" "$mark"

# SIGTERM: graceful, exit 0, pidfile removed.
kill -TERM "$pid"
wait "$pid"
is "SIGTERM: exit 0" "$?" 0
pid=
ok "... logged" grep -qF "casewatchd stopped" "$tmp/log"
is "... after STOPPING=1" "$(notified STOPPING=1)" 1
ok "... pidfile removed" test ! -e "$tmp/casewatchd.pid"

# --once without a database gives up instead of waiting for ever.
pg_stop
"$d" -c "$tmp/c.good" --once >"$tmp/once.log" 2>&1
is "--once without a database: exit 1" "$?" 1
ok "... saying so" grep -qF -- "--once: the database is not reachable" "$tmp/once.log"

tap_done
