#!/bin/sh
# daemon-retention.sh - casewatchd's records-officer notices on a real PostgreSQL:
# upcoming, due, held (HOLD-SAR and a placed hold), released, withdrawn on reopening.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
src=$CASEWATCH_SRCDIR
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-ret.XXXXXX")
chmod 0755 "$tmp"
cleanup() {
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
pg_psql -c "ALTER DATABASE $PGDATABASE SET timezone = 'Europe/London'" >/dev/null
for f in interface facts; do
	pg_psql -f "$src/sql/records/$f.sql" >/dev/null || { echo "Bail out! cannot load $f.sql"; exit 1; }
done

# Southwark's schedule, the IICSA hold ended, Coventry's HOLD-SAR.
mkdir "$tmp/profiles"
for p in default southwark; do ln -s "$src/profiles/$p.json" "$tmp/profiles/$p.json"; done
cp "$src/tests/data/retention/lifted.json" "$tmp/profiles/"
cat >"$tmp/c.conf" <<EOC
[policy]
profile = lifted
profile_dir = $tmp/profiles
[database]
database = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER
connect_timeout = 2s
migrations_dir = $src/sql/casewatch
[daemon]
test_clock_file = $tmp/clock
[socket]
socket_path = $tmp/cw.sock
socket_group =
[log]
log_target = stderr
log_level = info
EOC

q() { pg_psql -Atc "$1"; }
# once TIME: one pass of casewatchd at that time.
once() {
	printf '%s\n' "$1" >"$tmp/clock"
	"$d" -c "$tmp/c.conf" --once >"$tmp/once.log" 2>&1
}
# notices PERSON: the person's records-officer alerts, "rule:state" by rule.
notices() {
	q "SELECT coalesce(string_agg(rule_id || ':' || state, ' ' ORDER BY rule_id), '')
	   FROM casewatch.alert WHERE person_id = $1 AND audience = 'records_officer'
	   AND state NOT IN ('resolved', 'withdrawn')"
}
# said PERSON: the transitions written for the person, oldest first.
said() {
	q "SELECT coalesce(string_agg(concat(rule_id, ':', kind, ':', coalesce(from_state, '-'), '>', to_state), ' '
	   ORDER BY transition_id), '') FROM casewatch.transition WHERE person_id = $1 AND audience = 'records_officer'"
}

q "INSERT INTO records.team (team_id, code) VALUES (1, 'T1');
   INSERT INTO records.person (person_id, kind, date_of_birth, team_id) VALUES
	(1, 'child', '2001-03-04', 1), (2, 'child', '1990-05-01', 1), (3, 'child', '1950-01-01', 1),
	(4, 'child', '1990-01-01', 1), (5, 'child', '2010-01-01', 1);
   INSERT INTO records.involvement (involvement_id, person_id, category, started_on, ended_on) VALUES
	(11, 1, 'cin', '2005-01-01', '2012-12-31'), (21, 2, 'cin', '1995-01-01', '1996-01-01'),
	(31, 3, 'cin', '1951-01-01', NULL), (41, 4, 'cin', '1995-01-01', '1996-01-01'),
	(51, 5, 'cin', '2012-01-01', '2015-01-01');
   INSERT INTO records.event (event_id, person_id, event_type, occurred_at) VALUES
	(42, 4, 'access_request', '2026-01-10 10:00+00')" >/dev/null

once 2026-01-20T12:00:00Z
is "a pass exits 0" "$?" 0
# Person 1: 25 years from birth end 2026-03-04, within 90 days: upcoming.
is "upcoming: due_soon 90 days before destroy_on" "$(notices 1)" "RET-CIN:due_soon"
is "... the alert's due time is the start of 2026-03-04 in London" \
	"$(q "SELECT due_at AT TIME ZONE 'Europe/London' FROM casewatch.alert WHERE person_id = 1")" "2026-03-04 00:00:00"
is "... raised for the records officer" "$(said 1)" "RET-CIN:raised:->due_soon"
is "due: every period ended, no hold" "$(notices 2)" "RET-CIN:overdue"
is "open: nothing" "$(notices 3)" ""
is "held by an open access request: HOLD-SAR, the due notice suspended" "$(notices 4)" "HOLD-SAR:overdue RET-CIN:suspended"
is "retained for years: nothing stored yet" "$(q "SELECT count(*) FROM casewatch.alert WHERE person_id = 5")" 0
ok "no notice names anyone: ids and rules only" sh -c "! grep -i 'Given\|Family\|Street' '$tmp/once.log'"

# A records officer places a hold on person 2.
is "hold placed" "$(q "SELECT casewatch.hold_place('persons', NULL, NULL, NULL, '{2}', 'litigation',
	'claim 2026/17', 'alice', '2026-01-20', NULL, '2026-01-20 13:00+00')")" 1
once 2026-01-20T14:00:00Z
is "held by the placed hold" "$(notices 2)" "HOLD-PLACED:overdue RET-CIN:suspended"
is "... the due notice withdrawn, the hold raised" "$(said 2)" \
	"RET-CIN:raised:->overdue HOLD-PLACED:raised:->overdue RET-CIN:withdrawn:overdue>suspended"

# Lifted on the 21st (it still covers that day); on the 22nd due again.
q "SELECT casewatch.hold_lift(1, 'bob', '2026-01-21', '2026-01-21 09:00+00')" >/dev/null
once 2026-01-21T12:00:00Z
is "still held on the hold's last day" "$(notices 2)" "HOLD-PLACED:overdue RET-CIN:suspended"
once 2026-01-22T12:00:00Z
is "released the day after: due again" "$(notices 2)" "RET-CIN:overdue"
is "... the hold's notice resolved, the due notice raised again" "$(said 2 | cut -d' ' -f4-)" \
	"HOLD-PLACED:resolved:overdue>resolved RET-CIN:raised:->overdue"

# The access request answered: person 4 due the day after the disclosure.
q "INSERT INTO records.record (record_id, person_id, record_type, event_id, entered_at, finalised_at)
   VALUES (43, 4, 'sar_disclosure', 42, '2026-01-23 10:00+00', '2026-01-23 11:00+00')" >/dev/null
once 2026-01-23T12:00:00Z
is "HOLD-SAR covers the day of the disclosure" "$(notices 4)" "HOLD-SAR:overdue RET-CIN:suspended"
once 2026-01-24T12:00:00Z
is "and ends after it: due" "$(notices 4)" "RET-CIN:overdue"

# A request the records list (records.access_request), withdrawn without a
# disclosure: held until it closed.
q "INSERT INTO records.person (person_id, kind, date_of_birth, team_id) VALUES (7, 'child', '1990-01-01', 1);
   INSERT INTO records.involvement (involvement_id, person_id, category, started_on, ended_on) VALUES (71, 7, 'cin', '1995-01-01', '1996-01-01');
   INSERT INTO records.access_request (request_id, person_id, received_at) VALUES (70, 7, '2026-01-20 10:00+00')" >/dev/null
once 2026-01-24T13:00:00Z
is "an open access request in the records: HOLD-SAR" "$(notices 7)" "HOLD-SAR:overdue RET-CIN:suspended"
q "UPDATE records.access_request SET closed_at = '2026-01-24 15:00+00' WHERE request_id = 70" >/dev/null
once 2026-01-25T12:00:00Z
is "withdrawn the day before: due" "$(notices 7)" "RET-CIN:overdue"

# Person 1 falls due by time alone; then the case reopens: withdrawn.
once 2026-03-04T00:30:00Z
is "on destroy_on: due" "$(notices 1)" "RET-CIN:overdue"
q "INSERT INTO records.involvement (involvement_id, person_id, category, started_on) VALUES (12, 1, 'cp_plan', '2026-03-04')" >/dev/null
once 2026-03-04T12:00:00Z
is "reopened: nothing due" "$(notices 1)" ""
is "... the notice withdrawn" "$(said 1 | awk '{print $NF}')" "RET-CIN:withdrawn:overdue>withdrawn"

# A failing retention step never stops the pass: the persons are still evaluated.
q "ALTER FUNCTION casewatch.retention_gone(timestamptz, text) RENAME TO retention_gone_off;
   INSERT INTO records.person (person_id, kind, date_of_birth, team_id) VALUES (8, 'child', '1990-01-01', 1);
   INSERT INTO records.involvement (involvement_id, person_id, category, started_on, ended_on) VALUES (81, 8, 'cin', '1995-01-01', '1996-01-01')" >/dev/null
once 2026-03-04T13:00:00Z
is "retention_gone failing: --once reports the failed step (exit 1) ..." "$?" 1
is "... and evaluates the persons" "$(notices 8)" "RET-CIN:overdue"
ok "... logging what failed" grep -q "pass: retention: persons gone from the records: .*retention_gone" "$tmp/once.log"
q "ALTER FUNCTION casewatch.retention_gone_off(timestamptz, text) RENAME TO retention_gone" >/dev/null

# Person 2 reviewed, approved by someone else, then deleted by the council's
# process, which records it in records.destruction: confirmed, registered.
q "SELECT casewatch.destruction_due(2, 'RET-CIN', '{RET-CIN}', '2015-05-01', '2026-03-04 13:00+00');
   SELECT casewatch.destruction_review(2, 'alice', 'destroy', NULL, NULL, '2026-03-04 13:05+00');
   SELECT casewatch.destruction_approve(2, 'bob', '2026-03-04 13:10+00');
   DELETE FROM records.person WHERE person_id = 2;
   INSERT INTO records.destruction (person_id, category, destroyed_on, destroyed_by) VALUES (2, 'cin', '2026-03-05', 77)" >/dev/null
once 2026-03-06T12:00:00Z
is "approved and gone: destroyed" "$(q "SELECT state FROM casewatch.destruction WHERE person_id = 2")" destroyed
is "... one register row with the council's date and who" \
	"$(q "SELECT concat_ws(' ', seq, person_id, basis, reviewed_by, approved_by, destroyed_on, destroyed_by) FROM casewatch.destruction_register")" \
	"1 2 RET-CIN alice bob 2026-03-05 77"
is "... its notices withdrawn, no NO-EARLY-DESTROY" "$(notices 2)" ""
is "the register verifies" "$(q "SELECT ok FROM casewatch.register_verify()")" t

# Person 4 deleted without any approval: NO-EARLY-DESTROY, open until acknowledged.
q "DELETE FROM records.person WHERE person_id = 4" >/dev/null
once 2026-03-06T13:00:00Z
is "gone without approval: NO-EARLY-DESTROY" "$(notices 4)" "NO-EARLY-DESTROY:overdue"
is "... raised once, the due notice withdrawn" "$(said 4 | tr ' ' '\n' | tail -2 | tr '\n' ' ')" \
	"NO-EARLY-DESTROY:raised:->overdue RET-CIN:withdrawn:overdue>withdrawn "
is "... marked vanished" "$(q "SELECT state FROM casewatch.destruction WHERE person_id = 4")" vanished
once 2026-03-07T13:00:00Z
is "still open a pass later, raised only once for each audience" \
	"$(notices 4) $(q "SELECT string_agg(audience || ':' || kind, ' ' ORDER BY audience) FROM casewatch.transition WHERE person_id = 4 AND rule_id = 'NO-EARLY-DESTROY'")" \
	"NO-EARLY-DESTROY:overdue records_officer:raised service_manager:raised"
is "... the service manager's on the deletion of the person, overdue since it was found gone" \
	"$(q "SELECT concat_ws(' ', kind, anchor_kind, anchor_id, state, due_at AT TIME ZONE 'UTC') FROM casewatch.alert WHERE person_id = 4 AND audience = 'service_manager'")" \
	"obligation deletion 4 overdue 2026-03-06 13:00:00"
is "no register row for it" "$(q "SELECT count(*) FROM casewatch.destruction_register WHERE person_id = 4")" 0

# destruction_grace: person 10 due, approved on 7 March, still in the
# records ten days later is DESTROY-LIST overdue; withdrawn once destroyed.
sed -i '/^\[policy\]/a destruction_grace = 10d' "$tmp/c.conf"
q "INSERT INTO records.person (person_id, kind, date_of_birth, team_id) VALUES (10, 'child', '1990-01-01', 1);
   INSERT INTO records.involvement (involvement_id, person_id, category, started_on, ended_on) VALUES (101, 10, 'cin', '1995-01-01', '1996-01-01')" >/dev/null
once 2026-03-07T12:00:00Z
is "person 10 due" "$(notices 10)" "RET-CIN:overdue"
q "SELECT casewatch.destruction_decide(10, 'alice', 'destroy', NULL, NULL, '2026-03-07 13:00+00');
   SELECT casewatch.destruction_approve(10, 'bob', '2026-03-07 13:10+00')" >/dev/null
once 2026-03-08T12:00:00Z
is "approved: DESTROY-LIST stored, due ten days after the approval, not told yet" \
	"$(q "SELECT concat_ws(' ', state, announced_state IS NULL, audience, due_at AT TIME ZONE 'UTC') FROM casewatch.alert WHERE person_id = 10 AND rule_id = 'DESTROY-LIST'")" \
	"pending t records_officer 2026-03-17 13:10:00"
once 2026-03-17T13:00:00Z
is "... still nothing just before the grace ends" "$(said 10)" "RET-CIN:raised:->overdue"
once 2026-03-17T13:20:00Z
is "still in the records when the grace has run out: DESTROY-LIST overdue" "$(notices 10)" \
	"DESTROY-LIST:overdue RET-CIN:overdue"
is "... raised for the records officer" "$(said 10 | awk '{print $NF}')" "DESTROY-LIST:raised:->overdue"
q "DELETE FROM records.person WHERE person_id = 10" >/dev/null
once 2026-03-18T12:00:00Z
is "the council deletes it: destroyed, registered" \
	"$(q "SELECT concat_ws(' ', d.state, r.approved_by) FROM casewatch.destruction d JOIN casewatch.destruction_register r USING (person_id) WHERE person_id = 10")" \
	"destroyed bob"
is "... DESTROY-LIST withdrawn, no NO-EARLY-DESTROY" "$(notices 10) $(said 10 | tr ' ' '\n' | grep DESTROY-LIST | tail -1)" \
	" DESTROY-LIST:withdrawn:overdue>withdrawn"

# retention_notice_window = 30d: person 9 (destroy_on 2026-04-20) is told
# 30 days before, not 90.
sed -i '/^\[policy\]/a retention_notice_window = 30d' "$tmp/c.conf"
q "INSERT INTO records.person (person_id, kind, date_of_birth, team_id) VALUES (9, 'child', '2001-04-20', 1);
   INSERT INTO records.involvement (involvement_id, person_id, category, started_on, ended_on) VALUES (91, 9, 'cin', '2005-01-01', '2012-12-31')" >/dev/null
once 2026-03-18T13:00:00Z
is "a 30-day window: 33 days ahead, stored but not told" \
	"$(q "SELECT concat_ws(' ', state, warn_at AT TIME ZONE 'Europe/London', due_at AT TIME ZONE 'Europe/London') FROM casewatch.alert WHERE person_id = 9")" \
	"pending 2026-03-21 00:00:00 2026-04-20 00:00:00"
is "... nothing said" "$(said 9)" ""
once 2026-03-21T00:30:00Z
is "... upcoming from 30 days before" "$(said 9)" "RET-CIN:raised:->due_soon"
printf '[policy]\nretention_notice_window = 36h\n' >"$tmp/bad.conf"
"$d" -c "$tmp/bad.conf" --check-config >"$tmp/bad.out" 2>&1
ok "a window that is not whole days is refused, naming the line" grep -q "bad.conf:2: retention_notice_window: 36h is not a whole number of days" "$tmp/bad.out"
tap_done
