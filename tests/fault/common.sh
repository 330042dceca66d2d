# common.sh - what tests/fault/ scenarios share: a PostgreSQL with generated
# records, casewatchd with a test clock and a socket, and the daemon's
# figures (RSS, open fds). Source it after tap.sh and pg.sh.
#   CW_FAULT_LONG=1 (tests/fault/run-long) turns each scenario's counts up.
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
fc="$CASEWATCH_BUILDDIR/tests/fault/fault_client"
long=${CW_FAULT_LONG:-0}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-fault.XXXXXX")
chmod 0755 "$tmp"
sock="$tmp/cw.sock"
pid=
fault_cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap fault_cleanup EXIT

# fault_setup DB CHILDREN [EXTRA_CONF]: PostgreSQL, records, configuration.
fault_setup() {
	db=$1
	pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
	pg_load_records "$db" "$2" 0.3 2026-11-20T09:00:00Z || { echo "Bail out! cannot load records"; exit 1; }
	echo "2026-11-20T09:00:00Z" >"$tmp/clock"
	: >"$tmp/log"
	cat >"$tmp/c.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
retry_base = 50ms
retry_cap = 500ms
[policy]
profile = enfield
profile_dir = $CASEWATCH_SRCDIR/profiles
[daemon]
poll_interval = 1s
test_clock_file = $tmp/clock
[socket]
socket_path = $sock
socket_mode = 0666
socket_group =
${3:-}
[log]
log_target = stderr
log_level = info
log_rate_limit = 0
EOC
}
q() { pg_psql -d "$db" -Atc "$1"; }

start_daemon() {
	CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" >>"$tmp/log" 2>&1 &
	pid=$!
	poll_until 30 test -S "$sock"
}
swept() { grep -q 'pass done' "$tmp/log"; }
# Under AddressSanitizer freed memory is held in its quarantine, so RSS
# bounds are printed but not checked there.
asan=0
grep -q __asan_init "$d" 2>/dev/null && asan=1
# rss_below KB LIMIT: the growth is within the limit (always, under ASan).
rss_below() { [ "$asan" = 1 ] || [ "$1" -lt "$2" ]; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
fds() { ls "/proc/$pid/fd" | wc -l; }
served() { "$ctl" status --socket "$sock" >/dev/null 2>&1; }
# figure TEXT: one line of figures, as a TAP comment and in the summary.
figure() { echo "# figures: $*"; }
