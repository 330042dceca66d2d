#!/bin/sh
# daemon-team.sh - team-level alerts on a real PostgreSQL (ROLLBACK-RATE, 002 §13):
# raised, escalated, withdrawn and resolved by casewatchd for a team with no
# person, seen by a socket subscriber and in `casewatchctl alerts`.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u
src=$CASEWATCH_SRCDIR
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-team.XXXXXX")
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
for f in interface facts; do
	pg_psql -f "$src/sql/records/$f.sql" >/dev/null || { echo "Bail out! cannot load $f.sql"; exit 1; }
done
q() { pg_psql -Atc "$1"; }

# Two teams, each with its manager (11, 21); a child in each, with a
# name and an address that must never leave the records.
q "INSERT INTO records.team (team_id, code, manager_id) VALUES (1, 'T1', 11), (2, 'T2', 21);
   INSERT INTO records.staff (staff_id, team_id, role) VALUES (11, 1, 'team_manager'),
	(12, 1, 'worker'), (21, 2, 'team_manager'), (22, 2, 'worker');
   INSERT INTO records.person (person_id, kind, date_of_birth, team_id, given_name, family_name, address)
	VALUES (101, 'child', '2015-01-01', 1, 'Zebedee', 'Quartermaine', '1 Secret Street'),
	(201, 'child', '2016-01-01', 2, 'Ysolde', 'Pemberton', '2 Hidden Lane');
   INSERT INTO records.rollback (rollback_id, person_id, team_id, requested_by, agreed_by, rolled_back_at)
	VALUES (1, 101, 1, 12, 11, '2026-11-03 10:00+00')" >/dev/null || { echo "Bail out! cannot load records"; exit 1; }

echo "2026-11-10T12:00:00Z" >"$tmp/clock"
cat >"$tmp/c.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER
migrations_dir = $src/sql/casewatch
[policy]
profile = enfield
profile_dir = $src/profiles
[daemon]
poll_interval = 1s
test_clock_file = $tmp/clock
[socket]
socket_path = $tmp/cw.sock
socket_group =
[log]
log_target = stderr
log_level = info
EOC
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" 2>"$tmp/log" &
pid=$!
sm_alerts() { "$ctl" alerts --audience service_manager --rule ROLLBACK-RATE --json --socket "$tmp/cw.sock" 2>/dev/null; }
# state_is TEAM WANT: the daemon answers, and "state counted unagreed" of
# the team's open ROLLBACK-RATE alert is WANT ("" when none).
state_is() {
	sm_alerts >"$tmp/state.json" || return 1
	[ "$(jq -r ".alerts[] | select(.team == \"$1\") | \"\(.state) \(.counted) \(.unagreed)\"" "$tmp/state.json")" = "$2" ]
}
ok "the first roll-back of the month raises an alert for team 1" poll_until 30 state_is 1 "overdue 1 0" || sed "s/^/# /" "$tmp/log"
"$ctl" watch --since 0 --socket "$tmp/cw.sock" >"$tmp/live.ndjson" 2>"$tmp/live.err" &
watch_pid=$!
sm_alerts >"$tmp/alerts.json"
is "... one team-level alert" "$(jq '[.alerts[] | select(.rule_id == "ROLLBACK-RATE")] | length' "$tmp/alerts.json")" 1
is "... with no person id" "$(jq -r '.alerts[0] | has("person_id")' "$tmp/alerts.json")" false
is "... the team's id and code" "$(jq -r '.alerts[0] | .team + " " + .team_code' "$tmp/alerts.json")" "1 T1"
is "... a finding of severity info, due at the roll-back" \
	"$(jq -r '.alerts[0] | .kind + " " + .severity + " " + .due' "$tmp/alerts.json")" "finding info 2026-11-03T10:00:00Z"
is "... stored with the team as its subject" \
	"$(q "SELECT anchor_kind || ' ' || anchor_id || ' ' || coalesce(person_id::text, 'none') || ' ' || cycle_start
	   FROM casewatch.alert WHERE rule_id = 'ROLLBACK-RATE'")" "team 1 none 2026-11-01 00:00:00+00"
# raised SUBJECT TYPE: the subscriber has seen a TYPE event of team 1's alert.
seen() { jq -e -s "[.[] | select(.data.rule_id == \"ROLLBACK-RATE\" and .data.team == \"$1\" and .type == \"uk.casewatch.alert.$2\")] | length == 1" "$tmp/live.ndjson" >/dev/null; }
ok "the subscriber gets the raise" poll_until 10 seen 1 raised
is "... with no person id and the service manager as audience" \
	"$(jq -r -s '[.[] | select(.data.rule_id == "ROLLBACK-RATE")][0].data | (has("person_id") | tostring) + " " + .audience + " " + .team_code' "$tmp/live.ndjson")" \
	"false service_manager T1"

# A second roll-back in the month, agreed: no longer exceptional (enfield's
# escalate_above is 1), escalated at that roll-back.
q "INSERT INTO records.rollback (rollback_id, person_id, team_id, requested_by, agreed_by, rolled_back_at)
   VALUES (2, 101, 1, 12, 11, '2026-11-09 15:00+00')" >/dev/null
ok "a second roll-back escalates team 1's alert" poll_until 30 state_is 1 "escalated_1 2 0"
ok "... the subscriber gets the escalation" poll_until 10 seen 1 escalated
is "... still the same alert, no second one" \
	"$(q "SELECT count(*) FROM casewatch.alert WHERE rule_id = 'ROLLBACK-RATE' AND anchor_id = 1")" 1

# The service manager acknowledges it like any alert.
a1=$(q "SELECT alert_id FROM casewatch.alert WHERE rule_id = 'ROLLBACK-RATE' AND anchor_id = 1")
"$ctl" ack --alert "$a1" --socket "$tmp/cw.sock" >/dev/null 2>&1
is "casewatchctl ack acknowledges a team-level alert" \
	"$(sm_alerts | jq -r ".alerts[] | select(.alert_id == \"$a1\") | .acknowledged")" true
ok "... the subscriber gets the acknowledgement" poll_until 10 seen 1 acknowledged

# Team 2: one roll-back nobody agreed (agreed_by null): escalated at once.
q "INSERT INTO records.rollback (rollback_id, person_id, team_id, requested_by, rolled_back_at)
   VALUES (3, 201, 2, 22, '2026-11-08 09:00+00')" >/dev/null
ok "an unagreed roll-back raises team 2's alert escalated" poll_until 30 state_is 2 "escalated_1 1 1"
ok "... the subscriber gets its raise" poll_until 10 seen 2 raised
# Agreed, but by someone not the team's manager: still not agreed.
q "UPDATE records.rollback SET agreed_by = 11, changed_at = clock_timestamp() WHERE rollback_id = 3" >/dev/null
is "... agreed by another team's manager it stays unagreed" "$(q "SELECT agreed FROM records.team_rollback WHERE rollback_id = 3")" f

# The records corrected: team 2's roll-back was never one. Withdrawn.
q "DELETE FROM records.rollback WHERE rollback_id = 3" >/dev/null
ok "team 2's alert is withdrawn when its roll-back goes" poll_until 30 state_is 2 ""
ok "... the subscriber gets the withdrawal" poll_until 10 seen 2 withdrawn
is "... the store says withdrawn" "$(q "SELECT state FROM casewatch.alert WHERE rule_id = 'ROLLBACK-RATE' AND anchor_id = 2")" withdrawn

# The month ends: team 1's November alert is resolved.
echo "2026-12-01T00:30:00Z" >"$tmp/clock"
ok "at the month's end team 1's alert is resolved" poll_until 30 state_is 1 ""
ok "... the subscriber gets the resolution" poll_until 10 seen 1 resolved
is "... the store says resolved, in order raised, escalated, acknowledged, resolved" \
	"$(q "SELECT string_agg(kind, ' ' ORDER BY transition_id) FROM casewatch.transition
	   WHERE rule_id = 'ROLLBACK-RATE' AND team_id = 1")" "raised escalated acknowledged resolved"
is "every team-level transition has no person" \
	"$(q "SELECT count(*) FROM casewatch.transition WHERE rule_id = 'ROLLBACK-RATE' AND person_id IS NOT NULL")" 0
is "the journal/syslog line of a team-level alert says no person" \
	"$(grep -c 'rule_id=ROLLBACK-RATE.*person_id=-' "$tmp/log" || true)" \
	"$(q "SELECT count(*) FROM casewatch.transition WHERE rule_id = 'ROLLBACK-RATE'")"

# A reload to a profile without the rule (default has no ROLLBACK-RATE):
# team 1's December alert is withdrawn at the next pass.
q "INSERT INTO records.rollback (rollback_id, person_id, team_id, requested_by, agreed_by, rolled_back_at)
   VALUES (4, 101, 1, 12, 11, '2026-12-01 00:10+00')" >/dev/null
ok "December's first roll-back raises team 1's December alert" poll_until 30 state_is 1 "overdue 1 0"
sed 's/^profile = enfield$/profile = default/' "$tmp/c.conf" >"$tmp/c.new" && mv "$tmp/c.new" "$tmp/c.conf"
kill -HUP "$pid"
ok "... a reload to a profile without the rule withdraws it" poll_until 30 state_is 1 ""
is "... in the store, and November's stays resolved" \
	"$(q "SELECT string_agg(to_char(cycle_start, 'YYYY-MM') || ' ' || state, ' ' ORDER BY cycle_start)
	   FROM casewatch.alert WHERE rule_id = 'ROLLBACK-RATE' AND anchor_id = 1")" "2026-11 resolved 2026-12 withdrawn"

# Privacy: nothing casewatch wrote names the children.
ok "no name or address in the log, the socket stream or the alerts" \
	sh -c "! grep -E 'Zebedee|Quartermaine|Ysolde|Pemberton|Secret|Hidden' '$tmp/log' '$tmp/live.ndjson' '$tmp/alerts.json'"
kill "$pid"
wait "$pid"
is "the daemon stops cleanly" "$?" 0
pid=
tap_done
