#!/bin/sh
# ctl-socket.sh - casewatchctl against the real casewatchd on a real
# PostgreSQL with generated records and a test clock: status, alerts (JSON,
# filters, the table), watch (replay then live, no gap, no repeat; cut off
# with its resume id), ack (allowed and refused), snooze holding back an
# escalation until it ends, the digest (text and HTML email), and a stopped
# daemon. Every expected value is read from casewatch's tables with SQL.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-ctl.XXXXXX")
# Readable by postgres and nobody (tests run as root in CI).
chmod 0755 "$tmp"
sock="$tmp/cw.sock"
pid=
watch_pid=
cleanup() {
	[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT

# The records: 600 generated children (two teams) dated around T0, which is
# also the daemon's clock to begin with.
t0=2026-03-04T09:00:00Z
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
for f in interface facts generate; do
	pg_psql -f "$CASEWATCH_SRCDIR/sql/records/$f.sql" >/dev/null || { echo "Bail out! cannot load $f.sql"; exit 1; }
done
pg_psql -c "SELECT * FROM records.generate(600, 0.25, '$t0')" >/dev/null || { echo "Bail out! records.generate"; exit 1; }
echo "$t0" >"$tmp/clock"

q() { pg_psql -Atc "$1"; }
me=$(id -un)

# write_conf ADMIN_USERS: who may ack and snooze besides root.
write_conf() {
	cat >"$tmp/c.conf" <<EOC
# written by tests/ctl-socket.sh
[policy]
profile = default
profile_dir = $CASEWATCH_SRCDIR/profiles
[database]
database = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
retry_base = 50ms
retry_cap = 250ms
[daemon]
poll_interval = 1s
test_clock_file = $tmp/clock
[socket]
socket_path = $sock
socket_mode = 0666
socket_group =
admin_users = $1
admin_groups =
[log]
log_target = stderr
log_level = info
EOC
}

# wait_until DESCRIPTION COMMAND...: up to 30 s for COMMAND to succeed.
wait_until() {
	what=$1
	shift
	i=0
	while [ $i -lt 300 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "# timed out waiting for: $what" >&2
	tail -5 "$tmp/log" | sed 's/^/# /' >&2
	return 1
}
log_has() { grep -qF -- "$1" "$tmp/log"; }
# passes: how many passes the daemon has finished.
passes() { "$ctl" status --json --socket "$sock" | jq -r .pass.passes; }
# two_more_passes: waits until two passes begun after this call have finished.
two_more_passes() {
	p0=$(passes)
	wait_until "two more passes" sh -c "[ \$('$ctl' status --json --socket '$sock' | jq -r .pass.passes) -ge $((p0 + 2)) ]"
}
# set_clock TIME: moves the daemon's clock.
set_clock() { echo "$1" >"$tmp/clock.new" && mv "$tmp/clock.new" "$tmp/clock"; }
start_daemon() {
	"$d" -c "$tmp/c.conf" >>"$tmp/log" 2>&1 &
	pid=$!
	wait_until "the socket" test -S "$sock"
}

# When not root, the refusal needs an allow list without the test's user:
# the daemon starts allowing it and is restarted without it (see below).
if [ "$(id -u)" -eq 0 ]; then write_conf ""; else write_conf "$me"; fi
: >"$tmp/log"
start_daemon || { echo "Bail out! casewatchd did not start"; exit 1; }
wait_until "the first sweep" log_has "sweep: " || { echo "Bail out! no sweep"; exit 1; }
two_more_passes

# ---- every command has --help ----
# ... and prints only that: the same text a bad option prints to stderr
# (after getopt's complaint), then stops without asking the daemon.
for c in status alerts watch ack snooze unack unsnooze audit digest; do
	ok "$c --help: exit 0 with its usage" sh -c "'$ctl' $c --help | grep -q '^usage: casewatchctl $c'"
	"$ctl" $c --help >"$tmp/help.out" 2>&1
	"$ctl" $c --no-such-option 2>&1 | sed '1{/unrecognized option/d}' >"$tmp/usage.err"
	ok "... nothing but its usage" cmp -s "$tmp/help.out" "$tmp/usage.err"
done

# ---- status ----
open_sql="SELECT count(*) FROM casewatch.alert WHERE announced_state IS NOT NULL"
# The open-alert counts are refreshed when asked for and older than a
# second: ask until they agree with the store.
counted() { [ "$("$ctl" status --json --socket "$sock" | jq -r .alerts.open)" = "$(q "$open_sql")" ]; }
ok "status: the open-alert counts catch up with the store" poll_until 30 counted
"$ctl" status --socket "$sock" >"$tmp/status.txt"
is "status: exit 0 when the database is connected" "$?" 0
ok "... and says so" grep -q '^database: .*, connected' "$tmp/status.txt"
"$ctl" status --json --socket "$sock" >"$tmp/status.json"
is "status --json: database connected" "$(jq -r .database.connected "$tmp/status.json")" true
is "... open alerts as counted in casewatch.alert" "$(jq -r .alerts.open "$tmp/status.json")" "$(q "$open_sql")"
is "... by state as in casewatch.alert" "$(jq -r '.alerts.by_state | to_entries | map("\(.key)=\(.value)") | join(" ")' "$tmp/status.json")" \
	"$(q "SELECT string_agg(announced_state || '=' || n, ' ' ORDER BY announced_state) FROM (SELECT announced_state, count(*) n FROM casewatch.alert WHERE announced_state IS NOT NULL GROUP BY 1) s")"
is "... the last transition id as in casewatch.transition" "$(jq -r .transitions.last_id "$tmp/status.json")" \
	"$(q "SELECT max(transition_id) FROM casewatch.transition")"
is "... the pass ran at the test clock's time" "$(jq -r .pass.last_at "$tmp/status.json")" "$t0"

# ---- alerts ----
"$ctl" alerts --json --socket "$sock" >"$tmp/alerts.json"
is "alerts --json: the count of open alerts in casewatch.alert" "$(jq -r .count "$tmp/alerts.json")" "$(q "$open_sql")"
is "... exactly those alerts" "$(jq -r '[.alerts[].alert_id | tonumber] | sort | map(tostring) | join(" ")' "$tmp/alerts.json")" \
	"$(q "SELECT string_agg(alert_id::text, ' ' ORDER BY alert_id) FROM casewatch.alert WHERE announced_state IS NOT NULL")"
is "... as of the daemon's clock" "$(jq -r .as_of "$tmp/alerts.json")" "$t0"
is "the records have two teams, both with open alerts" \
	"$(q "SELECT count(DISTINCT team_id) FROM casewatch.alert WHERE announced_state IS NOT NULL")" 2
"$ctl" alerts --json --team 2 --socket "$sock" >"$tmp/team2.json"
is "alerts --team 2: that team's count" "$(jq -r .count "$tmp/team2.json")" \
	"$(q "SELECT count(*) FROM casewatch.alert WHERE announced_state IS NOT NULL AND team_id = 2")"
is "... and no other team" "$(jq -r '[.alerts[].team] | unique | join(" ")' "$tmp/team2.json")" 2
is "alerts --rule NOTE-5WD --team 1,2 --ndjson: one line per alert of the rule" \
	"$("$ctl" alerts --rule NOTE-5WD --team 1,2 --ndjson --socket "$sock" | jq -r .rule_id | sort | uniq -c | tr -s ' ')" \
	" $(q "SELECT count(*) FROM casewatch.alert WHERE announced_state IS NOT NULL AND rule_id = 'NOTE-5WD'") NOTE-5WD"
"$ctl" alerts --socket "$sock" >"$tmp/table.txt"
# The table: "team CODE", then "  RULE (N)", a header, and N rows of 4 spaces and an id.
is "the table groups by team (by its code) and rule, with each group's count and rows" \
	"$(awk '/^team /{t=$2} /^  [^ ]/{r=$1; n=$2; gsub(/[()]/, "", n); print t, r, n} ' "$tmp/table.txt" | tr '\n' ';')" \
	"$(q "SELECT string_agg(code || ' ' || rule_id || ' ' || n, ';' ORDER BY team_id, rule_id) || ';' FROM (SELECT a.team_id, t.code, a.rule_id, count(*) n FROM casewatch.alert a JOIN records.team t USING (team_id) WHERE a.announced_state IS NOT NULL GROUP BY 1, 2, 3) s")"

# ---- teams by code (issue 13): T002 is what people see ----
code2=$(q "SELECT code FROM records.team WHERE team_id = 2")
is "the generated team 2 has the code T002" "$code2" T002
"$ctl" alerts --json --team T002 --socket "$sock" >"$tmp/t002.json"
is "alerts --team T002: exit 0" "$?" 0
is "... the same alerts as --team 2" "$(jq -c '[.alerts[].alert_id]' "$tmp/t002.json")" "$(jq -c '[.alerts[].alert_id]' "$tmp/team2.json")"
is "... each with the team's id and code" "$(jq -r '[.alerts[] | "\(.team) \(.team_code)"] | unique | join(";")' "$tmp/t002.json")" "2 T002"
is "alerts --team t002 (any case) --team 1 as well" \
	"$("$ctl" alerts --json --team t002,1 --socket "$sock" | jq -r .count)" "$(q "$open_sql")"
"$ctl" alerts --team T999 --socket "$sock" >"$tmp/out.txt" 2>"$tmp/err.txt"
is "alerts --team T999 (no such team): exit 1, not an empty success" "$?" 1
is "... nothing on stdout" "$(cat "$tmp/out.txt")" ""
ok "... saying the team is unknown and how teams are named" grep -qF \
	'filter.team[0]: "T999": no such team (name a team by its code, such as T001, or its id) (unknown_team)' "$tmp/err.txt"
"$ctl" alerts --json --team 99 --socket "$sock" >"$tmp/out.txt" 2>"$tmp/err.txt"
is "alerts --team 99 (no team has that id): exit 1" "$?" 1
"$ctl" ack --team T999 --rule NOTE-5WD --reason seen --socket "$sock" >"$tmp/out.txt" 2>"$tmp/err.txt"
is "ack --team T999: exit 1" "$?" 1
ok "... no such team" grep -qF '"T999": no such team' "$tmp/err.txt"
"$ctl" snooze --team T999 --until 2099-01-01T00:00 --reason later --socket "$sock" >"$tmp/out.txt" 2>"$tmp/err.txt"
is "snooze --team T999: exit 1" "$?" 1
"$ctl" watch --team T999 --since 0 --count 1 --socket "$sock" >"$tmp/out.txt" 2>"$tmp/err.txt"
is "watch --team T999 (a subscription filter): exit 1" "$?" 1
ok "... no such team" grep -qF '"T999": no such team' "$tmp/err.txt"
n2=$(q "SELECT count(*) FROM casewatch.transition WHERE team_id = 2")
"$ctl" watch --team T002 --since 0 --count "$n2" --socket "$sock" >"$tmp/t002.ndjson"
is "watch --team T002 --since 0: the transitions of team 2, each with its code" \
	"$(jq -r '"\(.id) \(.data.team) \(.data.team_code)"' "$tmp/t002.ndjson" | tr '\n' ';')" \
	"$(q "SELECT string_agg(transition_id || ' 2 T002', ';' ORDER BY transition_id) || ';' FROM casewatch.transition WHERE team_id = 2")"
ok "the log's transition lines name the team by its code, with its id and code as fields" \
	grep -qE ', team T002, due .* team=2 .*team_code=T002( |$)' "$tmp/log"
is "... and as many rows as open alerts" "$(grep -cE '^    [0-9]' "$tmp/table.txt")" "$(q "$open_sql")"
ok "... due times in London time with the zone (machine output, above, is UTC)" \
	grep -qE '^    [0-9]+ +[0-9]+ +[a-z_0-9]+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]+ [A-Z][a-z]{2} 20[0-9]{2} [0-9]{2}:[0-9]{2} (GMT|BST) ' "$tmp/table.txt"
ok "... each rule with its title" grep -qE '^  NOTE-5WD \([0-9]+\)  Case notes finalised within five working days$' "$tmp/table.txt"
ok "status shows its times in London time too" grep -qE '^last pass: +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]+ [A-Z][a-z]{2} 20[0-9]{2} [0-9]{2}:[0-9]{2} (GMT|BST),' "$tmp/status.txt"

# ---- watch: replay from 0 ----
n=$(q "SELECT count(*) FROM casewatch.transition")
"$ctl" watch --since 0 --count "$n" --socket "$sock" >"$tmp/replay.ndjson"
is "watch --since 0 --count N: exit 0" "$?" 0
is "... every transition in casewatch.transition, in order, once" \
	"$(jq -r '"\(.id) \(.type | ltrimstr("uk.casewatch.alert.")) \(.data.alert_id)"' "$tmp/replay.ndjson" | tr '\n' ';')" \
	"$(q "SELECT string_agg(transition_id || ' ' || kind || ' ' || alert_id, ';' ORDER BY transition_id) || ';' FROM casewatch.transition")"
last=$(q "SELECT max(transition_id) FROM casewatch.transition")

# ---- watch: live, from the last id, until the daemon stops (at the end) ----
"$ctl" watch --since "$last" --socket "$sock" >"$tmp/live.ndjson" 2>"$tmp/live.err" &
watch_pid=$!
wait_until "the watch's subscription" sh -c "[ \$('$ctl' status --json --socket '$sock' | jq -r .bus.subscribers) = 1 ]"
# Move the clock just past the earliest due time of an alert due soon: it becomes overdue.
soon=$(q "SELECT alert_id FROM casewatch.alert WHERE announced_state = 'due_soon' ORDER BY due_at, alert_id LIMIT 1")
t1=$(q "SELECT to_char((due_at + interval '1 minute') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM casewatch.alert WHERE alert_id = $soon")
set_clock "$t1"
live_ids() { jq -r .id "$tmp/live.ndjson" | tr '\n' ' '; }
sql_ids_after() { q "SELECT coalesce(string_agg(transition_id::text, ' ' ORDER BY transition_id) || ' ', '') FROM casewatch.transition WHERE transition_id > $1"; }
ok "moving the clock past alert $soon's due time escalates it" wait_until "alert $soon escalated" \
	sh -c "[ -n \"\$(psql -X -Atc \"SELECT 1 FROM casewatch.transition WHERE alert_id = $soon AND kind = 'escalated' AND to_state = 'overdue'\")\" ]"
# A repeat or a gap would also show in the comparison when the daemon stops.
wait_until "the live watch to catch up" sh -c "[ \"\$(jq -r .id '$tmp/live.ndjson' | tr '\n' ' ')\" = \"\$(psql -X -Atc \"SELECT coalesce(string_agg(transition_id::text, ' ' ORDER BY transition_id) || ' ', '') FROM casewatch.transition WHERE transition_id > $last\")\" ]"
is "... and the live watch received every transition after $last, in order, once" "$(live_ids)" "$(sql_ids_after "$last")"
is "... among them alert $soon becoming overdue" \
	"$(jq -r "select(.subject == \"alert/$soon\") | \"\(.type) \(.data.state)\"" "$tmp/live.ndjson")" \
	"uk.casewatch.alert.escalated overdue"

# ---- ack ----
# An alert with nothing left to happen by time (no next_at), and another.
acked=$(q "SELECT alert_id FROM casewatch.alert WHERE announced_state IS NOT NULL AND next_at IS NULL ORDER BY alert_id LIMIT 1")
refused=$(q "SELECT alert_id FROM casewatch.alert WHERE announced_state IS NOT NULL AND next_at IS NULL ORDER BY alert_id LIMIT 1 OFFSET 1")
"$ctl" ack --alert "$acked" --reason seen_in_supervision --socket "$sock" >"$tmp/ack.txt"
is "ack --alert $acked by an allowed peer: exit 0" "$?" 0
ok "... says it acknowledged it" grep -qx "changed: $acked" "$tmp/ack.txt"
is "... the alert is acknowledged by $me with the reason" \
	"$(q "SELECT acked_by || ' ' || ack_reason FROM casewatch.alert WHERE alert_id = $acked")" "$me seen_in_supervision"
is "... one audit row" "$(q "SELECT count(*) FROM casewatch.audit WHERE alert_id = $acked AND actor = '$me' AND action = 'acknowledge'")" 1
is "... and one acknowledged transition" "$(q "SELECT count(*) FROM casewatch.transition WHERE alert_id = $acked AND kind = 'acknowledged'")" 1
"$ctl" ack --alert "$acked" --alert 999999 --socket "$sock" >"$tmp/ack2.txt" 2>&1
is "ack of an already acknowledged and an unknown alert: exit 1" "$?" 1
ok "... naming both" sh -c "grep -qx 'already acknowledged, left as they were: $acked' '$tmp/ack2.txt' && grep -qx 'not open or unknown: 999999' '$tmp/ack2.txt'"
is "... and nothing more is audited" "$(q "SELECT count(*) FROM casewatch.audit WHERE alert_id = $acked")" 1
"$ctl" ack --alert "$acked" --reason "Seen by J Smith" --socket "$sock" 2>"$tmp/err.txt"
is "ack --reason with free text: exit 2 (a code is required)" "$?" 2

# refused RC UID: the checks of a refused ack (output in $tmp/refused.txt).
refused() {
	is "ack by a peer not allowed (uid $2): exit 4" "$1" 4
	ok "... telling it what to do" grep -q "ask an administrator to add your user (admin_users)" "$tmp/refused.txt"
	ok "... the refusal is in the daemon's log" log_has "alertbus: refused ack from uid $2"
	is "... and the alert is untouched" "$(q "SELECT count(*) FROM casewatch.alert WHERE alert_id = $refused AND acked_by IS NULL")" 1
	is "... not audited" "$(q "SELECT count(*) FROM casewatch.audit WHERE alert_id = $refused")" 0
}
# As root, the peer not allowed is nobody; otherwise the daemon is
# restarted without the test's user in its allow list, at the end.
# (A copy of casewatchctl in $tmp: the build tree may be where nobody
# cannot reach, e.g. a clone under /root.)
if [ "$(id -u)" -eq 0 ]; then
	cp "$ctl" "$tmp/casewatchctl"
	runuser -u nobody -- "$tmp/casewatchctl" ack --alert "$refused" --socket "$sock" >"$tmp/refused.txt" 2>&1
	refused "$?" "$(id -u nobody)"
fi

# ---- snooze ----
# Two overdue alerts with an escalation ahead: the first is snoozed past it.
now_sql="(SELECT '$t1'::timestamptz)"
pair=$(q "SELECT string_agg(alert_id::text, ' ' ORDER BY e, alert_id) FROM (SELECT alert_id, e FROM (SELECT alert_id, (SELECT min(t) FROM unnest(escalate_at) t WHERE t > $now_sql) e FROM casewatch.alert WHERE announced_state = 'overdue' AND alert_id NOT IN ($acked, $refused)) s WHERE e IS NOT NULL ORDER BY e, alert_id LIMIT 2) s2")
held=${pair%% *}
control=${pair##* }
esc() { q "SELECT min(t) FROM casewatch.alert, unnest(escalate_at) t WHERE alert_id = $1 AND t > $now_sql"; }
iso() { q "SELECT to_char(('$1'::timestamptz $2) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"; }
t2=$(q "SELECT to_char((greatest('$(esc "$held")'::timestamptz, '$(esc "$control")'::timestamptz) + interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
until=$(iso "$t2" "+ interval '1 day'")
ok "two overdue alerts with an escalation ahead: $held and $control" test -n "$held" -a -n "$control" -a "$held" != "$control"
"$ctl" snooze --alert "$held" --until "$until" --reason awaiting_court_date --socket "$sock" >"$tmp/snooze.txt"
is "snooze --alert $held --until $until: exit 0" "$?" 0
is "... stored with the reason" \
	"$(q "SELECT to_char(snoozed_until AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ' ' || snooze_reason FROM casewatch.alert WHERE alert_id = $held")" \
	"$until awaiting_court_date"
is "... audited" "$(q "SELECT count(*) FROM casewatch.audit WHERE alert_id = $held AND action = 'snooze' AND actor = '$me'")" 1
is "alerts --state snoozed lists it" "$("$ctl" alerts --state snoozed --ndjson --socket "$sock" | jq -r .alert_id | tr '\n' ' ')" "$held "
"$ctl" snooze --alert "$held" --until "$t0" --reason later --socket "$sock" 2>"$tmp/err.txt"
is "snooze until a time already past (by the daemon's clock): refused, exit 4" "$?" 4
escalations() { q "SELECT count(*) FROM casewatch.transition WHERE alert_id = $1 AND kind = 'escalated' AND at > '$t1'"; }
set_clock "$t2"
ok "past both escalation times ($t2): the other alert escalates" \
	wait_until "alert $control escalated" sh -c "[ \$(psql -X -Atc \"SELECT count(*) FROM casewatch.transition WHERE alert_id = $control AND kind = 'escalated' AND at > '$t1'\") -ge 1 ]"
two_more_passes
is "... the snoozed one is not announced as escalated" "$(escalations "$held")" 0
is "... and stays announced as overdue" "$(q "SELECT announced_state FROM casewatch.alert WHERE alert_id = $held")" overdue
t3=$(iso "$until" "+ interval '1 minute'")
set_clock "$t3"
ok "once the snooze has ended ($t3) it escalates" wait_until "alert $held escalated" \
	sh -c "[ \$(psql -X -Atc \"SELECT count(*) FROM casewatch.transition WHERE alert_id = $held AND kind = 'escalated' AND at > '$t1'\") -ge 1 ]"
two_more_passes
is "... once, to the state it has reached" \
	"$(q "SELECT count(*) || ' ' || max(to_state) FROM casewatch.transition WHERE alert_id = $held AND kind = 'escalated' AND at > '$t1'")" \
	"1 $(q "SELECT casewatch.obligation_state(warn_at, due_at, escalate_at, met_at, suspended, '$t3') FROM casewatch.alert WHERE alert_id = $held")"

# ---- alerts --by: counts per team, worker, rule, state ----
by_sql() { q "SELECT string_agg(k || ' ' || n, ';' ORDER BY k COLLATE \"C\") FROM (SELECT $1 AS k, count(*) n FROM casewatch.alert a LEFT JOIN records.person p ON p.person_id = a.person_id WHERE a.announced_state IS NOT NULL GROUP BY 1) s"; }
by_ctl() { "$ctl" alerts --by "$1" --json --socket "$sock" | jq -r --arg k "$1" '.groups | map("\(.[$k]) \(.open)") | sort | join(";")'; }
is "alerts --by team: open alerts per team, as in casewatch.alert" "$(by_ctl team)" "$(by_sql "a.team_id::text")"
is "alerts --by worker: per allocated worker" "$(by_ctl worker)" "$(by_sql "coalesce(p.allocated_worker_id::text, '')")"
is "alerts --by rule: per rule" "$(by_ctl rule)" "$(by_sql "a.rule_id")"
is "alerts --by state: per state" "$(by_ctl state)" "$(by_sql "a.announced_state")"
"$ctl" alerts --by rule --socket "$sock" >"$tmp/byrule.txt"
ok "... as a table for people, each rule with its title" grep -qE '^NOTE-5WD +Case notes finalised within five working days +[0-9]+ ' "$tmp/byrule.txt"

# ---- unack, unsnooze, audit ----
"$ctl" unack --alert "$acked" --socket "$sock" >"$tmp/unack.txt"
is "unack --alert $acked: exit 0" "$?" 0
ok "... says it took the acknowledgement back" grep -qx "changed: $acked" "$tmp/unack.txt"
is "... the alert is no longer acknowledged" "$(q "SELECT acked_by IS NULL AND acked_at IS NULL AND ack_reason IS NULL FROM casewatch.alert WHERE alert_id = $acked")" t
is "... audited with who and what was taken back" \
	"$(q "SELECT actor || ' ' || (detail ->> 'was_reason') FROM casewatch.audit WHERE alert_id = $acked AND action = 'unacknowledge'")" "$me seen_in_supervision"
is "... and an unacknowledged transition" "$(q "SELECT count(*) FROM casewatch.transition WHERE alert_id = $acked AND kind = 'unacknowledged'")" 1
"$ctl" unack --alert "$acked" --socket "$sock" >"$tmp/unack2.txt"
ok "unack again: nothing to take back" grep -qx "not acknowledged, left as they were: $acked" "$tmp/unack2.txt"
until2=$(iso "$t3" "+ interval '30 days'")
"$ctl" snooze --alert "$control" --until "$until2" --reason on_leave --socket "$sock" >/dev/null
"$ctl" unsnooze --alert "$control" --socket "$sock" >"$tmp/unsnooze.txt"
is "unsnooze --alert $control: exit 0" "$?" 0
is "... the snooze has ended" "$(q "SELECT snoozed_until IS NULL AND snooze_reason IS NULL FROM casewatch.alert WHERE alert_id = $control")" t
is "... audited" "$(q "SELECT actor || ' ' || (detail ->> 'was_reason') FROM casewatch.audit WHERE alert_id = $control AND action = 'unsnooze'")" "$me on_leave"
"$ctl" unack --alert "$acked" --reason because --socket "$sock" 2>/dev/null
is "unack takes no reason: exit 2" "$?" 2
"$ctl" audit --actor "$me" --json --socket "$sock" >"$tmp/audit.json"
is "audit --actor $me: every change, oldest first, as in casewatch.audit" \
	"$(jq -r '.entries | map("\(.action) \(.alert_id)") | join(";")' "$tmp/audit.json")" \
	"$(q "SELECT string_agg(action || ' ' || alert_id, ';' ORDER BY audit_id) FROM casewatch.audit WHERE actor = '$me'")"
ok "... times in UTC in JSON" sh -c "jq -r '.entries[].at' '$tmp/audit.json' | grep -qvE '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\$' && exit 1 || exit 0"
"$ctl" audit --since "$t3" --socket "$sock" >"$tmp/audit.txt"
is "audit --since $t3: only the changes from then on" "$(tail -n +2 "$tmp/audit.txt" | awk '{print $8}' | tr '\n' ' ')" \
	"$(q "SELECT string_agg(action, ' ' ORDER BY audit_id) || ' ' FROM casewatch.audit WHERE at >= '$t3'")"
ok "... in London time with the zone" grep -qE '^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]+ [A-Z][a-z]{2} 20[0-9]{2} [0-9]{2}:[0-9]{2} (GMT|BST) +[^ ]+ +unacknowledge ' "$tmp/audit.txt"

# ---- digest ----
# The digest itself is tested in ctl-digest.sh; here: it runs against this
# daemon, lists only the team's alerts, and makes an email.
"$ctl" digest --team 1 --socket "$sock" >"$tmp/digest.txt"
is "digest --team 1: exit 0" "$?" 0
ok "... opens with its summary" sh -c "sed -n 4p '$tmp/digest.txt' | grep -qx Summary"
is "... lists only team 1's alerts" \
	"$(sed -n 's/^  - alert \([0-9]*\),.*/\1/p' "$tmp/digest.txt" | sort -n | tr '\n' ' ')" \
	"$(q "SELECT coalesce(string_agg(alert_id::text, ' ' ORDER BY alert_id) || ' ', '') FROM casewatch.alert WHERE team_id = 1 AND announced_state IS NOT NULL AND alert_id IN ($(sed -n 's/^  - alert \([0-9]*\),.*/\1/p' "$tmp/digest.txt" | tr '\n' ',')0)")"
ok "... some of them" grep -qE '^  - alert [0-9]+,' "$tmp/digest.txt"
is "digest --team T001: the same digest as --team 1" "$("$ctl" digest --team T001 --socket "$sock" | md5sum)" "$(md5sum <"$tmp/digest.txt")"
"$ctl" digest --team T010 --socket "$sock" >"$tmp/out.txt" 2>&1
is "digest --team T010 (no such team): exit 1" "$?" 1
"$ctl" digest --team 1 --html --to tm1@example.gov.uk --subject "Team 1 this morning" --socket "$sock" >"$tmp/digest.eml"
is "digest --html: exit 0" "$?" 0
is "... an email: headers, a blank line, then HTML" \
	"$(sed -n '1,/^$/p' "$tmp/digest.eml" | tr '\n' '|')" \
	"Subject: Team 1 this morning|To: tm1@example.gov.uk|MIME-Version: 1.0|Content-Type: text/html; charset=utf-8|Content-Transfer-Encoding: 8bit||"
ok "... a complete HTML document" sh -c "sed '1,/^\$/d' '$tmp/digest.eml' | head -1 | grep -qx '<!DOCTYPE html>' && tail -1 '$tmp/digest.eml' | grep -qx '</body></html>'"
ok "nothing printed carries a name or an address from the records" \
	sh -c "! grep -l -e Given -e Family -e 'Example Street' '$tmp'/*.txt '$tmp'/*.json '$tmp'/*.ndjson '$tmp/digest.eml'"

# ---- the daemon stops ----
# Once the sinks have every transition in the store (the unack and unsnooze
# above are delivered at the next pass), so the watch has them all.
all_delivered() {
	[ "$(q "SELECT (SELECT last_id FROM casewatch.sink_cursor WHERE sink = 'syslog') =
		(SELECT max(transition_id) FROM casewatch.transition)")" = t ]
}
ok "every stored transition delivered before the stop" poll_until 30 all_delivered
kill -TERM "$pid"
wait "$pid"
pid=
wait "$watch_pid"
is "watch cut off by the daemon stopping: exit 3" "$?" 3
watch_pid=
last=$(q "SELECT max(transition_id) FROM casewatch.transition")
ok "... printing the id to resume from (the last transition, $last)" \
	grep -qx "casewatchctl: watch: resume with: casewatchctl watch --since $last" "$tmp/live.err"
is "... having printed every transition, in order, once" "$(live_ids)" "$(sql_ids_after "$(jq -r .id "$tmp/replay.ndjson" | tail -1)")"
"$ctl" status --socket "$sock" >/dev/null 2>"$tmp/down.txt"
is "status with casewatchd stopped: exit 3" "$?" 3
ok "... saying what to check" \
	grep -qF "cannot connect to $sock: No such file or directory: is casewatchd running? (systemctl status casewatchd)" "$tmp/down.txt"

if [ "$(id -u)" -ne 0 ]; then
	write_conf ""
	start_daemon
	wait_until "the database" "$ctl" status --socket "$sock"
	"$ctl" ack --alert "$refused" --socket "$sock" >"$tmp/refused.txt" 2>&1
	refused "$?" "$(id -u)"
fi
tap_done
