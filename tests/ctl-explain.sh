#!/bin/sh
# ctl-explain.sh - casewatchctl explain --alert against the real casewatchd on a real
# PostgreSQL: a deadline alert and a recurring one explained from their own anchor
# instants (the explanation's due is the alert's due), text and --json; an unknown
# alert, a team-level alert, a person gone from the records and a bad id refused
# with their documented codes and exit statuses.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
src=$CASEWATCH_SRCDIR
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-ctlexp.XXXXXX")
chmod 0755 "$tmp"
sock="$tmp/cw.sock"
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
for f in interface facts; do
	pg_psql -f "$src/sql/records/$f.sql" >/dev/null || { echo "Bail out! cannot load $f.sql"; exit 1; }
done
echo 2026-01-20T12:00:00Z >"$tmp/clock"
cat >"$tmp/c.conf" <<EOC
[policy]
profile = default
profile_dir = $src/profiles
[database]
database = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER
migrations_dir = $src/sql/casewatch
retry_base = 50ms
retry_cap = 250ms
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
q() { pg_psql -Atc "$1"; }
# An ISO 8601 instant (either offset form) as Unix seconds.
epoch() { date -d "$1" +%s; }

# Person 4: a visit on Monday 12 January 2026 (NOTE-5WD: five working days,
# due at the end of Monday 19th) and a case open since 1 June 2025
# (SUMMARY-3M, recurring), and a hazard loaded on 5 January with its own
# review date, 15 February, before the six months (HAZARD-6M). Person 6 has
# a visit too, and goes.
q "INSERT INTO records.team (team_id, code) VALUES (1, 'T1');
   INSERT INTO records.person (person_id, kind, date_of_birth, team_id) VALUES
	(4, 'child', '2015-01-01', 1), (6, 'child', '2016-01-01', 1);
   INSERT INTO records.involvement (involvement_id, person_id, category, started_on) VALUES
	(41, 4, 'cin', '2025-06-01'), (61, 6, 'cin', '2025-06-01');
   INSERT INTO records.event (event_id, person_id, event_type, occurred_at) VALUES
	(42, 4, 'visit', '2026-01-12 10:00+00'), (62, 6, 'visit', '2026-01-12 10:00+00');
   INSERT INTO records.hazard (hazard_id, person_id, started_on, description, review_due_on, active) VALUES
	(43, 4, '2026-01-05', 'dog', '2026-02-15', true)" >/dev/null
"$d" -c "$tmp/c.conf" >"$tmp/log" 2>&1 &
pid=$!
poll_until 30 test -S "$sock" || { echo "Bail out! casewatchd did not start"; tail "$tmp/log"; exit 1; }
poll_until 30 sh -c "[ \$(psql -X -Atc \"SELECT count(*) FROM casewatch.alert WHERE rule_id = 'NOTE-5WD'\") -eq 2 ]" ||
	{ echo "Bail out! no alerts"; tail "$tmp/log"; exit 1; }
note=$(q "SELECT alert_id FROM casewatch.alert WHERE rule_id = 'NOTE-5WD' AND person_id = 4")
summary=$(q "SELECT alert_id FROM casewatch.alert WHERE rule_id = 'SUMMARY-3M' AND person_id = 4 AND state <> 'met_on_time' ORDER BY cycle_start DESC LIMIT 1")
hazard=$(q "SELECT alert_id FROM casewatch.alert WHERE rule_id = 'HAZARD-6M' AND person_id = 4")
gone=$(q "SELECT alert_id FROM casewatch.alert WHERE rule_id = 'NOTE-5WD' AND person_id = 6")

# --- a deadline alert, from its event's own instant --------------------------------
"$ctl" explain --alert "$note" --json --socket "$sock" >"$tmp/note.json"
is "explain --alert: exit 0" "$?" 0
is "... the alert, the profile in force and the daemon's now" \
	"$(jq -r '[.alert, .profile, .at] | join(" ")' "$tmp/note.json")" "$note default 2026-01-20T12:00:00+00:00"
is "... the engine's obligation: rule, anchor, state" \
	"$(jq -r '.obligation | [.person, .rule, .anchor, .state] | join(" ")' "$tmp/note.json")" "4 NOTE-5WD event:42 overdue"
is "... explained from the visit's instant" "$(epoch "$(jq -r .explanation.anchor_time "$tmp/note.json")")" \
	"$(epoch 2026-01-12T10:00:00Z)"
is "... due when the alert is due" "$(epoch "$(jq -r .explanation.due "$tmp/note.json")")" \
	"$(q "SELECT extract(epoch FROM due_at)::bigint FROM casewatch.alert WHERE alert_id = $note")"
is "... the obligation's due too" "$(jq -r .obligation.due "$tmp/note.json")" "2026-01-19T23:59:59+00:00"
ok "... with the reasoning in working days" jq -e '.explanation.reasoning | any(test("working day"))' "$tmp/note.json"
"$ctl" explain --alert "$note" --socket "$sock" >"$tmp/note.txt"
ok "as text: the alert's line" grep -Fx "alert $note: NOTE-5WD on event:42 of person 4, profile default, at 2026-01-20T12:00:00+00:00" "$tmp/note.txt"
ok "... its state" grep -Fx "  state:    overdue, told: worker" "$tmp/note.txt"
ok "... and the explanation's due" grep -E '^ +due: +2026-01-19 23:59:59 GMT' "$tmp/note.txt"

# --- a recurring alert, from its cycle's start -------------------------------------
"$ctl" explain --alert "$summary" --json --socket "$sock" >"$tmp/summary.json"
is "recurring: explained from the cycle's start" "$(epoch "$(jq -r .explanation.anchor_time "$tmp/summary.json")")" \
	"$(epoch "$(jq -r .obligation.anchor_at "$tmp/summary.json")")"
is "... which is the alert's cycle_start" \
	"$(jq -r '.obligation.anchor | split(":")[2]' "$tmp/summary.json")" \
	"$(q "SELECT extract(epoch FROM cycle_start)::bigint FROM casewatch.alert WHERE alert_id = $summary")"
is "... due when the alert is due" "$(epoch "$(jq -r .explanation.due "$tmp/summary.json")")" \
	"$(q "SELECT extract(epoch FROM due_at)::bigint FROM casewatch.alert WHERE alert_id = $summary")"

# --- an obligation its own circumstances move: the reasoning says so -------------
"$ctl" explain --alert "$hazard" --json --socket "$sock" >"$tmp/hazard.json"
is "hazard: the obligation is due on its own review date" "$(jq -r .obligation.due "$tmp/hazard.json")" \
	"2026-02-15T23:59:59+00:00"
is "... the rule's six months from the loading" "$(epoch "$(jq -r .explanation.due "$tmp/hazard.json")")" \
	"$(epoch 2026-07-05T23:59:59+01:00)"
ok "... and the reasoning gives the alert's own due" \
	jq -e '.explanation.reasoning | any(startswith("this alert'"'"'s obligation is due 2026-02-15T23:59:59+00:00 instead"))' \
	"$tmp/hazard.json"
is "... which is the store's" "$(epoch "$(jq -r .obligation.due "$tmp/hazard.json")")" \
	"$(q "SELECT extract(epoch FROM due_at)::bigint FROM casewatch.alert WHERE alert_id = $hazard")"
ok "NOTE-5WD's reasoning has no such line" \
	sh -c "! jq -e '.explanation.reasoning | any(startswith(\"this alert\"))' '$tmp/note.json' >/dev/null"

# --- refusals ------------------------------------------------------------------------
"$ctl" explain --alert 999999 --socket "$sock" >/dev/null 2>"$tmp/err"
is "an unknown alert: exit 4" "$?" 4
ok "... not_found, said so" grep -F "no such alert" "$tmp/err"
printf '%s\n' '{"cmd":"hello","protocol":"1.0"}' '{"cmd":"explain","alert":"999999","id":1}' \
	'{"cmd":"explain","alert":"x","id":2}' '{"cmd":"explain","alert":"1","action":"x","id":3}' |
	socat -t 5 - "UNIX-CONNECT:$sock" | tail -n +2 >"$tmp/raw"
is "on the socket: not_found, bad_request, bad_request" "$(jq -r .error.code "$tmp/raw" | tr '\n' ' ')" \
	"not_found bad_request bad_request "
"$ctl" explain --alert 12x --socket "$sock" >/dev/null 2>&1
is "a bad id: usage, exit 2" "$?" 2
"$ctl" explain --alert "$note" --rule NOTE-5WD --socket "$sock" >/dev/null 2>&1
is "--alert with --rule: usage, exit 2" "$?" 2

# A team-level alert (ROLLBACK-RATE's kind of row) has no person to explain.
team=$(q "INSERT INTO casewatch.alert (rule_id, anchor_kind, anchor_id, person_id, team_id, kind, audience, state)
	VALUES ('ROLLBACK-RATE', 'team', 1, NULL, 1, 'finding', 'service_manager', 'overdue') RETURNING alert_id" | head -1)
"$ctl" explain --alert "$team" --socket "$sock" >/dev/null 2>"$tmp/err"
is "a team-level alert: exit 4" "$?" 4
ok "... not_explainable, saying it is a team's" grep -F "alert $team is ROLLBACK-RATE of a team" "$tmp/err"

# Person 6 gone from the records: the alert is still in the store.
q "DELETE FROM records.event WHERE person_id = 6; DELETE FROM records.involvement WHERE person_id = 6;
   DELETE FROM records.person WHERE person_id = 6" >/dev/null
"$ctl" explain --alert "$gone" --socket "$sock" >/dev/null 2>"$tmp/err"
is "a person gone from the records: exit 4" "$?" 4
ok "... person_gone, naming the person by id" grep -F "alert $gone: person 6 is gone from the records" "$tmp/err"
printf '%s\n' '{"cmd":"hello","protocol":"1.0"}' "{\"cmd\":\"explain\",\"alert\":\"$gone\",\"id\":1}" |
	socat -t 5 - "UNIX-CONNECT:$sock" | tail -n +2 >"$tmp/raw"
is "... code person_gone" "$(jq -r .error.code "$tmp/raw")" person_gone

# Reading the facts fails with the server quoting a record's value (as a
# failed cast does): the client and the log get the SQLSTATE only.
q "CREATE OR REPLACE FUNCTION records.person_facts(p_person_id bigint) RETURNS json LANGUAGE plpgsql AS
   \$\$BEGIN RAISE EXCEPTION 'invalid input syntax: \"SECRET-NAME Smith\"' USING ERRCODE = '22P02'; END\$\$" >/dev/null
printf '%s\n' '{"cmd":"hello","protocol":"1.0"}' "{\"cmd\":\"explain\",\"alert\":\"$note\",\"id\":1}" \
	'{"cmd":"retention","action":"explain","person":"1","id":2}' |
	socat -t 5 - "UNIX-CONNECT:$sock" | tail -n +2 >"$tmp/raw"
is "facts unreadable: explain and retention explain answer internal" "$(jq -r .error.code "$tmp/raw" | tr '\n' ' ')" \
	"internal internal "
ok "... naming the SQLSTATE" grep -qF "SQLSTATE 22P02" "$tmp/raw"
ok "... and no record text on the socket" sh -c "! grep -q SECRET '$tmp/raw'"
ok "... or in the log" sh -c "grep -q 'reading a person.s facts failed: SQLSTATE 22P02' '$tmp/log' && ! grep -q SECRET '$tmp/log'"
kill "$pid"
wait "$pid"
is "casewatchd stops cleanly" "$?" 0
pid=
tap_done
