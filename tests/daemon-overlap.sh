#!/bin/sh
# daemon-overlap.sh - reading ahead on the reader connection changes nothing
# but the time: a sweep of several pages with read_ahead = yes writes exactly
# the transitions and alerts of a sweep with read_ahead = no (one
# connection, page after page), its pages being read on the connection
# "casewatchd reader"; and when that connection is lost in the middle of a
# sweep, the page is read again on the daemon's own connection, the sweep
# completes with the same alerts, and the reader connection comes back.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-overlap.XXXXXX")
chmod 0755 "$tmp"
pid=
holder=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
db=cw_overlap
# 2,500 children: about 2,590 persons, three pages of 1,000.
pg_load_records $db 2500 0.6 2026-11-20T09:00:00Z || { echo "Bail out! cannot load generated records"; exit 1; }
q() { pg_psql -d $db -Atc "$1"; }
# A gate on the persons' facts: reading them waits while a session holds
# advisory lock 4242, so a test can hold a page being read (the other
# queries of a pass, on records.person and the change markers, never wait).
pg_psql -d $db -q <<'SQL' || { echo "Bail out! cannot install the gate"; exit 1; }
CREATE FUNCTION records.test_gate() RETURNS boolean LANGUAGE sql VOLATILE
	AS 'SELECT pg_catalog.pg_advisory_xact_lock_shared(4242) IS NOT NULL';
ALTER VIEW records.facts_person RENAME TO facts_person_ungated;
CREATE VIEW records.facts_person AS SELECT * FROM records.facts_person_ungated WHERE records.test_gate();
SQL

echo "2026-11-20T09:00:00Z" >"$tmp/clock"
# write_conf PROFILE READ_AHEAD
write_conf() {
	cat >"$tmp/c.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
read_ahead = $2
[policy]
profile = $1
profile_dir = $CASEWATCH_SRCDIR/profiles
[daemon]
poll_interval = 1s
test_clock_file = $tmp/clock
[socket]
socket_path = $tmp/cw.sock
socket_group =
[log]
log_target = stderr
log_level = debug
log_rate_limit = 0
EOC
}
once() { CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" --once 2>"$tmp/$1.log"; }
fresh_store() { q "SET client_min_messages = warning; DROP SCHEMA IF EXISTS casewatch CASCADE" >/dev/null; }
# Every transition and every open alert, without the ids the store assigns.
transitions() {
	q "SELECT t.kind, t.from_state, t.to_state, t.at, t.severity, t.rule_id, t.person_id, t.team_id,
		t.audience, t.due_at, a.anchor_kind, a.anchor_id
	   FROM casewatch.transition t JOIN casewatch.alert a USING (alert_id)
	   ORDER BY t.person_id, t.rule_id, a.anchor_kind, a.anchor_id, t.transition_id" >"$tmp/$1.trans"
}
open_alerts() {
	q "SELECT person_id, rule_id, anchor_kind, anchor_id, state, announced_state, team_id, warn_at, due_at
	   FROM casewatch.alert WHERE state NOT IN ('resolved', 'withdrawn', 'met_on_time', 'met_late')
	   ORDER BY person_id, rule_id, anchor_kind, anchor_id" >"$tmp/$1.alerts"
}
persons=$(q "SELECT count(*) FROM records.person")
swept() { sed -n 's/.*sweep: \([0-9]*\) persons evaluated under profile \([a-z]*\).*/\1 \2/p' "$tmp/$1.log" | tail -1; }

# 1. The same sweep, one connection page after page, then reading ahead.
write_conf enfield no
once seq
ok "read_ahead = no: --once exits 0" [ $? -eq 0 ]
is "... sweeping every person" "$(swept seq)" "$persons enfield"
is "... with no page read on a reader connection" "$(grep -c 'read on the reader connection' "$tmp/seq.log")" 0
transitions seq
open_alerts seq
n_seq=$(wc -l <"$tmp/seq.trans")
a_seq=$(wc -l <"$tmp/seq.alerts")
ok "... writing transitions ($n_seq) and open alerts ($a_seq)" [ "$n_seq" -gt 1000 -a "$a_seq" -gt 100 ]

fresh_store
write_conf enfield yes
once ahead
ok "read_ahead = yes: --once exits 0" [ $? -eq 0 ]
is "... sweeping every person" "$(swept ahead)" "$persons enfield"
n=$(grep -c 'read on the reader connection' "$tmp/ahead.log")
ok "... pages read on the reader connection ($n of 3)" [ "$n" -ge 1 ]
transitions ahead
open_alerts ahead
ok "... the same transitions, each once ($(wc -l <"$tmp/ahead.trans"))" cmp "$tmp/seq.trans" "$tmp/ahead.trans"
ok "... the same open alerts" cmp "$tmp/seq.alerts" "$tmp/ahead.alerts"

# 2. The reader connection lost mid-sweep: a service sweeps under the
# default profile, then a reload to enfield sweeps again while the gate is
# shut; the reader's backend is ended while it waits.
fresh_store
write_conf default yes
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" 2>"$tmp/svc.log" &
pid=$!
poll_until 120 sh -c "grep -q 'sweep: .* under profile default' '$tmp/svc.log'"
ok "the service swept under the default profile" [ $? -eq 0 ]
ok "... with its reader connection open" poll_until 60 grep -q 'database (casewatchd reader): connected' "$tmp/svc.log"
PGAPPNAME=cw_gate_holder pg_psql -d $db -c "SELECT pg_advisory_lock(4242)" -c "SELECT pg_sleep(600)" \
	>/dev/null 2>&1 &
holder=$!
gate_shut() {
	[ "$(q "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		WHERE a.application_name = 'cw_gate_holder' AND l.locktype = 'advisory' AND l.granted")" -eq 1 ]
}
ok "the gate is shut" poll_until 30 gate_shut
write_conf enfield yes
kill -HUP "$pid"
waiting() {
	[ "$(pg_psql -d $db -Atc "SELECT count(*) FROM pg_stat_activity
		WHERE application_name = '$1' AND wait_event_type = 'Lock'")" -ge 1 ]
}
ok "the reload's sweep reads its first page on the reader connection" poll_until 60 waiting "casewatchd reader"
ok "its backend ended" [ "$(q "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE application_name = 'casewatchd reader'")" -eq 1 ]
ok "... the daemon reads that page again on its own connection" \
	poll_until 60 grep -q 'the reader connection was lost; reading the persons after id 0 on the main connection' \
	"$tmp/svc.log"
ok "... which waits at the gate too" poll_until 60 waiting casewatchd
is "... the daemon's connection is the one it had" "$(grep -c 'database connection lost' "$tmp/svc.log")" 0
q "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE application_name = 'cw_gate_holder'" >/dev/null
wait "$holder" 2>/dev/null
holder=
ok "the gate open again, the sweep completes" poll_until 120 sh -c "grep -q 'sweep: .* under profile enfield' '$tmp/svc.log'"
is "... every person evaluated" "$(swept svc)" "$persons enfield"
after_sweep() { awk '/under profile enfield/ { s = 1 } s && / pass (done|failed): / { print $4 " " $5; exit }' "$tmp/svc.log"; }
sweep_pass_ended() { [ -n "$(after_sweep)" ]; }
poll_until 60 sweep_pass_ended
is "... and its pass went through" \
	"$(after_sweep)" \
	"pass done:"
ok "the reader connection is back" \
	poll_until 60 sh -c "[ \$(grep -c 'database (casewatchd reader): connected' '$tmp/svc.log') -ge 2 ]"
kill "$pid"
wait "$pid" 2>/dev/null
pid=
open_alerts svc
ok "the open alerts are those of the sweep page after page" cmp "$tmp/seq.alerts" "$tmp/svc.alerts"
ok "no transition was written twice" [ "$(q "SELECT count(*) FROM (SELECT alert_id, kind, from_state, to_state, at
	FROM casewatch.transition GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1) x")" -eq 0 ]
ok "nothing at error level in the service's log" sh -c "! grep -E ' (err|crit|alert|emerg): ' '$tmp/svc.log'"
tap_done
