#!/bin/sh
# deliver-api.sh - runs tests/check_deliver (delivery of stored transitions
# to a real syslog socket) against a real, throwaway PostgreSQL holding the
# transitions of generated records: casewatchd --once computes them with no
# syslog receiver, so all of them are still queued. check_deliver prints
# its own TAP.
. "$CASEWATCH_SRCDIR/tests/pg.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-dlapi.XXXXXX")
chmod 0755 "$tmp"
cleanup() {
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
when=2026-11-23T09:00:00Z
echo "$when" >"$tmp/clock"
CASEWATCH_SQLDIR="$CASEWATCH_SRCDIR/sql/records" "$CASEWATCH_SRCDIR/scripts/records-db" \
	load cw --children 150 --seed 0.42 --reference "$when" >/dev/null ||
	{ echo "Bail out! cannot load generated records"; exit 1; }
cat >"$tmp/c.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=cw user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
[policy]
profile = enfield
profile_dir = $CASEWATCH_SRCDIR/profiles
[daemon]
test_clock_file = $tmp/clock
[socket]
socket_path = $tmp/cw.sock
[log]
log_target = syslog
syslog_socket = $tmp/nobody.sock
log_level = err
EOC
"$CASEWATCH_BUILDDIR/daemon/casewatchd" -c "$tmp/c.conf" --once >"$tmp/once.log" 2>&1 ||
	{ echo "Bail out! casewatchd --once failed"; cat "$tmp/once.log" >&2; exit 1; }
PGDATABASE=cw
CW_TEST_TRANSITIONS=$(pg_psql -d cw -Atc "SELECT count(*) FROM casewatch.transition")
CW_TEST_FIRST_ID=$(pg_psql -d cw -Atc "SELECT min(transition_id) FROM casewatch.transition")
CW_TEST_LAST_ID=$(pg_psql -d cw -Atc "SELECT max(transition_id) FROM casewatch.transition")
export PGDATABASE CW_TEST_TRANSITIONS CW_TEST_FIRST_ID CW_TEST_LAST_ID
"$CASEWATCH_BUILDDIR/tests/check_deliver"
