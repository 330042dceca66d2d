#!/bin/sh
# ctl-digest.sh - casewatchctl digest against the real casewatchd on a real
# PostgreSQL with generated records (one team of 800 children, over 1,000
# open alerts) and a test clock: the summary, workers, rules, caps and item
# lists checked against SQL over casewatch's tables; "since the last digest"
# across two digests with transitions between them (clock moved on, notes
# finalised on time and late); the audiences (service manager, records
# officer, worker); marking refused to a peer not allowed; and the HTML
# email: size, no scripts or remote images, rendered by headless Chromium.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-digest.XXXXXX")
chmod 0755 "$tmp"
sock="$tmp/cw.sock"
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT

t0=2026-03-04T09:00:00Z
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
# 800 children make two teams; the test's own records put them all in team 1.
pg_generate 800 0.25 "$t0" || { echo "Bail out! cannot load generated records"; exit 1; }
pg_psql -c "UPDATE records.person SET team_id = 1 WHERE team_id = 2" >/dev/null
echo "$t0" >"$tmp/clock"
q() { pg_psql -Atc "$1"; }

cat >"$tmp/c.conf" <<EOC
# written by tests/ctl-digest.sh
[policy]
profile = enfield
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
admin_users =
admin_groups =
[log]
log_target = stderr
log_level = info
EOC

passes() { "$ctl" status --json --socket "$sock" | jq -r .pass.passes; }
# two_more_passes: until two passes begun after this call have finished.
two_more_passes() {
	p0=$(passes)
	poll_until 60 sh -c "[ \$('$ctl' status --json --socket '$sock' | jq -r .pass.passes) -ge $((p0 + 2)) ]"
}
set_clock() { echo "$1" >"$tmp/clock.new" && mv "$tmp/clock.new" "$tmp/clock"; }

CASEWATCH_DATADIR="$CASEWATCH_SRCDIR/data" "$d" -c "$tmp/c.conf" >"$tmp/log" 2>&1 &
pid=$!
poll_until 30 test -S "$sock" || { echo "Bail out! casewatchd did not start"; exit 1; }
poll_until 120 grep -q "sweep: " "$tmp/log" || { echo "Bail out! no sweep"; exit 1; }
two_more_passes

# ---- the figures, as SQL computes them ----
now="'$t0'::timestamptz"
scope="FROM casewatch.alert a LEFT JOIN records.person p ON p.person_id = a.person_id WHERE a.team_id = 1"
open="$scope AND a.announced_state IS NOT NULL"
aud="casewatch.state_audience(a.announced_state, a.audience, a.escalate_to)"
rank="casewatch.state_rank(a.announced_state)"
ok "the team has over 1,000 open alerts" test "$(q "SELECT count(*) $open")" -gt 1000

"$ctl" digest --team T001 --json --socket "$sock" >"$tmp/d1.json"
is "digest --team T001 --json: exit 0" "$?" 0
j() { jq -r "$1" "$tmp/$2"; }
is "the team code names team 1" "$(j '.teams | map("\(.team)=\(.code)") | join(" ")' d1.json)" "1=T001"
is "summary: open, overdue, due soon, escalated, with the service manager, findings, as in casewatch.alert" \
	"$(j '.summary | "\(.open) \(.overdue) \(.due_soon) \(.escalated) \(.with_service_manager) \(.findings)"' d1.json)" \
	"$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE $rank >= 2 AND a.kind = 'obligation') || ' ' ||
		count(*) FILTER (WHERE $rank = 1) || ' ' || count(*) FILTER (WHERE $rank > 2) || ' ' ||
		count(*) FILTER (WHERE $aud = 'service_manager' AND a.kind = 'obligation') || ' ' ||
		count(*) FILTER (WHERE a.kind = 'finding') $open")"
is "summary: due this week (obligations not overdue, due within 7 days)" "$(j .summary.due_this_week d1.json)" \
	"$(q "SELECT count(*) $scope AND a.kind = 'obligation' AND a.met_at IS NULL AND NOT a.suspended
		AND (a.announced_state IS NOT NULL OR a.state IN ('pending', 'due_soon')) AND $rank < 2
		AND a.due_at >= $now AND a.due_at < $now + interval '7 days'")"
is "summary: no history a week back yet" "$(j .summary.overdue_week_ago d1.json)" null
is "by worker: staff id, role, overdue and due soon; unallocated last" \
	"$(j '.workers | map("\(.worker // "none") \(.role // "-") \(.overdue) \(.due_soon)") | join(";")' d1.json)" \
	"$(q "SELECT string_agg(coalesce(w::text, 'none') || ' ' || coalesce(role, '-') || ' ' || o || ' ' || s, ';'
		ORDER BY w IS NULL, o DESC, s DESC, w) FROM (SELECT p.allocated_worker_id w,
		count(*) FILTER (WHERE $rank >= 2) o, count(*) FILTER (WHERE $rank = 1) s $open AND a.kind = 'obligation'
		GROUP BY 1) x LEFT JOIN records.staff st ON st.staff_id = x.w")"
is "by rule: counts by state, each with the rule's title" \
	"$(j '.rules | map("\(.rule_id) \(.due_soon) \(.overdue) \(.escalated) \(.rule_title != null)") | sort | join(";")' d1.json)" \
	"$(q "SELECT string_agg(rule_id || ' ' || s || ' ' || o || ' ' || e || ' true', ';' ORDER BY rule_id COLLATE \"C\")
		FROM (SELECT a.rule_id, count(*) FILTER (WHERE $rank = 1) s, count(*) FILTER (WHERE $rank = 2) o,
		count(*) FILTER (WHERE $rank > 2) e $open GROUP BY 1) x")"
is "findings: by rule, with the records to fix" \
	"$(j '.findings | map("\(.rule_id) \(.count)") | sort | join(";")' d1.json)" \
	"$(q "SELECT string_agg(rule_id || ' ' || n, ';' ORDER BY rule_id COLLATE \"C\") FROM (SELECT a.rule_id, count(*) n $open AND a.kind = 'finding' AND a.person_id IS NOT NULL GROUP BY 1) x")"
is "with your service manager: the escalated items, capped at 50, oldest first" \
	"$(j '"\(.escalated_total) " + (.escalated | map(.alert_id) | join(" "))' d1.json)" \
	"$(q "SELECT count(*) || ' ' || (SELECT string_agg(alert_id::text, ' ' ORDER BY due_at, alert_id) FROM (SELECT a.alert_id, a.due_at $open
		AND a.kind = 'obligation' AND $aud = 'service_manager' ORDER BY a.due_at, a.alert_id LIMIT 50) y)
		$open AND a.kind = 'obligation' AND $aud = 'service_manager'")"
# The first digest: "since" is the last day, so everything raised at T0 is new.
is "first digest: since means the last day" "$(j .since_from d1.json)" a_day
new_sql="$open AND a.kind = 'obligation' AND $aud IN ('worker', 'team_manager') AND EXISTS (SELECT 1 FROM casewatch.transition t
	WHERE t.alert_id = a.alert_id AND t.transition_id > SINCE AND t.kind IN ('raised', 'escalated'))"
is "... new: those raised or escalated in it, for the team" "$(j .new_total d1.json)" \
	"$(q "SELECT count(*) $(echo "$new_sql" | sed 's/SINCE/0/')")"

# ---- the text: sections in order, caps, fits one screen ----
"$ctl" digest --team 1 --max-items 7 --socket "$sock" >"$tmp/d1.txt"
is "digest --team 1 --max-items 7: exit 0" "$?" 0
is "sections in order" "$(grep -E '^[A-Z][A-Za-z :]+( \([0-9]+\))?$' "$tmp/d1.txt" | sed 's/ ([0-9]*)$//' | tr '\n' ';')" \
	"Summary;By worker;By rule;New since the last digest;Longest overdue;With your service manager;Data quality: what to fix;"
head_lines=$(sed -n '1,/^New since the last digest/p' "$tmp/d1.txt" | wc -l)
ok "the summary, workers and rules fit one screen before the first item list ($head_lines lines)" test "$head_lines" -le 50
items_of() { sed -n "/^$1/,/^\$/p" "$tmp/d1.txt" | sed -n 's/^  - alert \([0-9]*\),.*/\1/p' | tr '\n' ' '; }
is "the new items: 7 at most" "$(items_of 'New since' | wc -w)" 7
is "with your service manager: the 7 oldest" "$(items_of 'With your service manager')" \
	"$(q "SELECT string_agg(alert_id::text, ' ' ORDER BY due_at, alert_id) || ' ' FROM (SELECT a.alert_id, a.due_at $open
		AND a.kind = 'obligation' AND $aud = 'service_manager' ORDER BY a.due_at, a.alert_id LIMIT 7) y")"
ok "... and how to see the rest" grep -qx "  and $(($(j .escalated_total d1.json) - 7)) more: casewatchctl alerts --team T001 --audience service_manager" "$tmp/d1.txt"
ok "items name the rule by title and id, the person, the worker, due in words and London time" \
	grep -qE '^  - alert [0-9]+, [A-Z0-9-]+ \([^)]+\), person [0-9]+, (staff [0-9]+|unallocated): overdue by [0-9]+ (day|hour|minute)s? \(due (Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]+ [A-Z][a-z]{2} 20[0-9]{2} [0-9]{2}:[0-9]{2} (GMT|BST)\)' "$tmp/d1.txt"
ok "data quality is worded as what to fix" grep -qE '^  - fix [a-z ]+ [0-9]+ of person [0-9]+ \(alert [0-9]+\)$' "$tmp/d1.txt"

# ---- "since the last digest": mark, transitions, the next digest ----
"$ctl" digest --team T001 --mark --json --socket "$sock" >"$tmp/m1.json"
is "digest --mark: exit 0" "$?" 0
c1=$(q "SELECT transition_id FROM casewatch.digest_cursor WHERE recipient = 'team_manager:1'")
is "... the recipient's cursor is the last transition it covered" "$c1" "$(q "SELECT max(transition_id) FROM casewatch.transition")"
is "... as the digest says" "$(j .upto m1.json)" "$c1"
# Between the digests: a note finalised for a NOTE-5WD alert due soon (on
# time) and one overdue (late), and the clock moved past the earliest due
# soon alerts' due times (newly overdue).
soon=$(q "SELECT a.alert_id || ' ' || a.person_id || ' ' || a.anchor_id FROM casewatch.alert a WHERE a.team_id = 1 AND a.rule_id = 'NOTE-5WD' AND a.announced_state = 'due_soon' ORDER BY a.alert_id LIMIT 1")
late=$(q "SELECT a.alert_id || ' ' || a.person_id || ' ' || a.anchor_id FROM casewatch.alert a WHERE a.team_id = 1 AND a.rule_id = 'NOTE-5WD' AND a.announced_state = 'overdue' ORDER BY a.alert_id LIMIT 1")
ok "a NOTE-5WD alert due soon ($soon) and one overdue ($late)" test -n "$soon" -a -n "$late"
t1=$(q "SELECT to_char(max(due_at) + interval '1 minute', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM (SELECT due_at FROM casewatch.alert WHERE team_id = 1 AND announced_state = 'due_soon' AND alert_id <> ${soon%% *} ORDER BY due_at LIMIT 5) x")
finalise() {
	set -- $1
	pg_psql -c "INSERT INTO records.record (person_id, record_type, event_id, author_id, event_at, entered_at, finalised_at)
		SELECT $2, 'case_note', $3, 4, e.occurred_at, '$t0', '$t0' FROM records.event e WHERE e.event_id = $3" >/dev/null
}
finalise "$soon"
finalise "$late"
set_clock "$t1"
poll_until 30 sh -c "[ \$(psql -X -Atc \"SELECT count(*) FROM casewatch.transition WHERE kind = 'resolved' AND alert_id IN (${soon%% *}, ${late%% *})\") -eq 2 ]"
two_more_passes
"$ctl" digest --team T001 --json --socket "$sock" >"$tmp/d2.json"
is "the next digest starts after the cursor" "$(j '"\(.since_from) \(.since)"' d2.json)" "last_digest $c1"
after="FROM casewatch.transition t JOIN casewatch.alert a ON a.alert_id = t.alert_id WHERE a.team_id = 1 AND t.transition_id > $c1"
is "... resolved since then: on time and late" "$(j '"\(.summary.resolved_on_time) \(.summary.resolved_late)"' d2.json)" \
	"$(q "SELECT count(*) FILTER (WHERE t.to_state = 'met_on_time') || ' ' || count(*) FILTER (WHERE t.to_state = 'met_late') $after AND t.kind = 'resolved'")"
ok "... among them the two notes (one on time, one late)" test "$(j .summary.resolved_on_time d2.json)" -ge 1 -a "$(j .summary.resolved_late d2.json)" -ge 1
is "... newly overdue since then (obligations, as overdue counts them)" "$(j .summary.newly_overdue d2.json)" \
	"$(q "SELECT count(DISTINCT t.alert_id) $after AND t.kind IN ('raised', 'escalated') AND casewatch.state_rank(t.to_state) >= 2 AND casewatch.state_rank(t.from_state) < 2 AND a.kind = 'obligation'")"
ok "... some" test "$(j .summary.newly_overdue d2.json)" -ge 5
is "... the new items: open ones raised or escalated since then, most escalated then oldest first" \
	"$(j '"\(.new_total) " + (.new | map(.alert_id) | join(" "))' d2.json)" \
	"$(q "SELECT count(*) || ' ' || coalesce((SELECT string_agg(alert_id::text, ' ' ORDER BY r DESC, due_at NULLS FIRST, alert_id) FROM (SELECT a.alert_id, $rank r, a.due_at
		$(echo "$new_sql" | sed "s/SINCE/$c1/") ORDER BY 2 DESC, a.due_at NULLS FIRST, a.alert_id LIMIT 50) y), '') $(echo "$new_sql" | sed "s/SINCE/$c1/")")"
is "... the rest of the overdue items: the longest overdue, capped at 50" \
	"$(j '"\(.overdue_total) " + (.overdue | map(.alert_id) | join(" "))' d2.json)" \
	"$(q "SELECT count(*) || ' ' || (SELECT string_agg(alert_id::text, ' ' ORDER BY due_at, alert_id) FROM (SELECT a.alert_id, a.due_at $open AND $rank >= 2
		AND a.kind = 'obligation' AND $aud IN ('worker', 'team_manager') AND a.alert_id NOT IN (SELECT a.alert_id $(echo "$new_sql" | sed "s/SINCE/$c1/"))
		ORDER BY a.due_at, a.alert_id LIMIT 50) y) $open AND $rank >= 2 AND a.kind = 'obligation' AND $aud IN ('worker', 'team_manager')
		AND a.alert_id NOT IN (SELECT a.alert_id $(echo "$new_sql" | sed "s/SINCE/$c1/"))")"
is "--since $c1 gives the same digest" \
	"$("$ctl" digest --team T001 --since "$c1" --json --socket "$sock" | jq -c '[.summary, .new]')" "$(jq -c '[.summary, .new]' "$tmp/d2.json")"
is "a digest not marked leaves the cursor" "$(q "SELECT transition_id FROM casewatch.digest_cursor WHERE recipient = 'team_manager:1'")" "$c1"
"$ctl" digest --team T001 --socket "$sock" >"$tmp/d2.txt"
ok "the text says since when" grep -qE "^As of .* (GMT|BST)\. Since the last digest: .* (GMT|BST) \(transition $c1\)\.$" "$tmp/d2.txt"
ok "... and the resolutions" grep -qE "^  Resolved +[0-9]+  [0-9]+ on time, [0-9]+ late$" "$tmp/d2.txt"
"$ctl" digest --team T001 --since 999999999 --socket "$sock" >/dev/null 2>"$tmp/err.txt"
is "--since after the last transition: refused, exit 4" "$?" 4

# ---- marking needs the right to change alerts ----
if [ "$(id -u)" -eq 0 ]; then
	cp "$ctl" "$tmp/casewatchctl"
	runuser -u nobody -- "$tmp/casewatchctl" digest --team 1 --mark --socket "$sock" >/dev/null 2>"$tmp/refused.txt"
	is "digest --mark by a peer not allowed: exit 4" "$?" 4
	ok "... saying why" grep -q "may not mark a digest as sent" "$tmp/refused.txt"
	runuser -u nobody -- "$tmp/casewatchctl" digest --team 1 --socket "$sock" >/dev/null
	is "... while it may read the digest" "$?" 0
fi

# ---- the other audiences ----
"$ctl" digest --audience service_manager --json --socket "$sock" >"$tmp/sm.json"
is "service manager: the teams furthest behind" "$(j '.teams_behind | map("\(.code) \(.overdue) \(.with_service_manager)") | join(";")' sm.json)" \
	"$(q "SELECT string_agg(casewatch.team_code(team_id) || ' ' || o || ' ' || s, ';' ORDER BY o DESC, s DESC, team_id) FROM (SELECT a.team_id,
		count(*) FILTER (WHERE $rank >= 2) o, count(*) FILTER (WHERE $aud = 'service_manager') s FROM casewatch.alert a
		WHERE a.announced_state IS NOT NULL AND a.kind = 'obligation' AND a.team_id IS NOT NULL GROUP BY 1) x")"
is "... the items escalated to the service manager, and only those" \
	"$(j '[.new[], .overdue[]] | map(.audience) | unique | join(" ")' sm.json)" service_manager
is "... all of them counted" "$(j '.new_total + .overdue_total' sm.json)" \
	"$(q "SELECT count(*) FROM casewatch.alert a WHERE a.announced_state IS NOT NULL AND a.kind = 'obligation' AND $aud = 'service_manager' AND $rank >= 2")"
"$ctl" digest --audience service_manager --socket "$sock" >"$tmp/sm.txt"
ok "... as text, with the teams table" grep -q '^Teams furthest behind$' "$tmp/sm.txt"
"$ctl" digest --audience records_officer --socket "$sock" >"$tmp/ro.txt"
ok "records officer: the retention notices section says none yet" \
	sh -c "grep -qx 'Retention notices (0)' '$tmp/ro.txt' && grep -q '^  None yet' '$tmp/ro.txt'"
w=$(q "SELECT p.allocated_worker_id $open AND p.allocated_worker_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
"$ctl" digest --worker "$w" --json --socket "$sock" >"$tmp/w.json"
is "worker $w: their own open alerts" "$(j .summary.open w.json)" \
	"$(q "SELECT count(*) FROM casewatch.alert a JOIN records.person p ON p.person_id = a.person_id WHERE a.announced_state IS NOT NULL AND p.allocated_worker_id = $w")"
is "... and nobody else's" "$(j '[.new[], .overdue[]] | map(.worker) | unique | join(" ")' w.json)" "$w"
is "... those escalated to the service manager apart, counted" \
	"$(j '"\([.new[], .overdue[]] | map(select(.audience == "service_manager")) | length) \(.escalated_total)"' w.json)" \
	"0 $(q "SELECT count(*) FROM casewatch.alert a JOIN records.person p ON p.person_id = a.person_id WHERE a.announced_state IS NOT NULL AND a.kind = 'obligation' AND p.allocated_worker_id = $w AND $aud = 'service_manager'")"

# ---- against a week ago ----
# Eight days on, the store holds transitions a week old: the digest says
# how many obligations were overdue then, from each alert's last transition
# up to that time.
t8=$(q "SELECT to_char('$t1'::timestamptz + interval '8 days', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
set_clock "$t8"
two_more_passes
poll_until 60 sh -c "[ -z \"\$(psql -X -Atc \"SELECT 1 FROM casewatch.alert WHERE next_at <= '$t8' LIMIT 1\")\" ]"
two_more_passes
"$ctl" digest --team T001 --json --socket "$sock" >"$tmp/d8.json"
is "eight days on: overdue a week ago, from the transitions" "$(j .summary.overdue_week_ago d8.json)" \
	"$(q "SELECT count(*) FROM (SELECT DISTINCT ON (t.alert_id) t.kind, t.to_state FROM casewatch.transition t
		JOIN casewatch.alert a ON a.alert_id = t.alert_id WHERE a.team_id = 1 AND a.kind = 'obligation'
		AND t.at <= '$t8'::timestamptz - interval '7 days' ORDER BY t.alert_id, t.transition_id DESC) w
		WHERE w.kind NOT IN ('resolved', 'withdrawn') AND casewatch.state_rank(w.to_state) >= 2")"
ok "... some" test "$(j .summary.overdue_week_ago d8.json)" -gt 0
"$ctl" digest --team T001 --socket "$sock" >"$tmp/d8.txt"
now8=$(j .summary.overdue d8.json)
wk8=$(j .summary.overdue_week_ago d8.json)
if [ "$now8" -gt "$wk8" ]; then change="up $((now8 - wk8))"; elif [ "$now8" -lt "$wk8" ]; then change="down $((wk8 - now8))"; else change="same 0"; fi
ok "... and the text says the change ($change)" grep -qE "^  Overdue +$now8  a week ago $wk8: $change\$" "$tmp/d8.txt"

# ---- the HTML email ----
"$ctl" digest --team T001 --html --to tm1@example.gov.uk --socket "$sock" >"$tmp/d.eml"
is "digest --html: exit 0" "$?" 0
size=$(wc -c <"$tmp/d.eml")
ok "... under 100 KB for a team of $(q "SELECT count(*) $open") open alerts ($size bytes)" test "$size" -lt 102400
sed '1,/^$/d' "$tmp/d.eml" >"$tmp/d.html"
ok "... a whole HTML document" sh -c "head -1 '$tmp/d.html' | grep -qx '<!DOCTYPE html>' && tail -1 '$tmp/d.html' | grep -qx '</body></html>'"
ok "... no scripts, no images, no style sheets, nothing fetched" sh -c "! grep -qiE '<script|<img|<link|<style|src=|url\\(|https?://' '$tmp/d.html'"
ok "... laid out with tables and inline styles" sh -c "grep -q '<table role=\"presentation\"' '$tmp/d.html' && grep -q 'style=\"' '$tmp/d.html'"
ok "... the counts drawn as bars" grep -q 'bgcolor="#b3261e"' "$tmp/d.html"
# ---- the service manager's team-level alerts (ROLLBACK-RATE) ----
# A roll-back in team 1 this month that nobody agreed: team 1's alert is
# open and escalated ("must be agreed by the appropriate Team Manager").
q "INSERT INTO records.rollback (person_id, team_id, requested_by, rolled_back_at)
   SELECT min(person_id), 1, 4, date_trunc('month', '$t8'::timestamptz AT TIME ZONE 'Europe/London')
	AT TIME ZONE 'Europe/London' + interval '1 hour' FROM records.person WHERE team_id = 1" >/dev/null
two_more_passes
"$ctl" digest --audience service_manager --json --socket "$sock" >"$tmp/smt.json"
team_sql="FROM casewatch.alert a JOIN casewatch.team_count k USING (alert_id) WHERE a.person_id IS NULL
	AND a.anchor_kind = 'team' AND a.announced_state IS NOT NULL"
is "service manager: the team-level alerts, as in the store" \
	"$(j '.team_alerts | map("\(.code) \(.rule_id) \(.period) \(.counted) \(.unagreed) \(.escalated)") | sort | join(";")' smt.json)" \
	"$(q "SELECT string_agg(casewatch.team_code(a.anchor_id) || ' ' || a.rule_id || ' '
		|| to_char(a.cycle_start AT TIME ZONE 'Europe/London', 'YYYY-MM') || ' ' || k.counted || ' ' || k.unagreed
		|| ' ' || (casewatch.state_rank(a.announced_state) > 2), ';' ORDER BY 1) $team_sql")"
ok "... team 1 escalated, with its unagreed roll-back" \
	jq -e '.team_alerts | map(select(.code == "T001" and .escalated and .unagreed >= 1 and (has("person_id") | not))) | length == 1' "$tmp/smt.json"
is "... all counted" "$(j .team_alerts_total smt.json)" "$(q "SELECT count(*) $team_sql")"
is "... and not among the records to fix" "$(j '[.findings[] | select(.rule_id == "ROLLBACK-RATE")] | length' smt.json)" 0
"$ctl" digest --audience service_manager --socket "$sock" >"$tmp/smt.txt"
ok "... as text: the section and team 1's row" \
	sh -c "grep -qE '^Team-level alerts \([0-9]+\)$' '$tmp/smt.txt' && grep -qE '^  T001 +ROLLBACK-RATE +[0-9]{4}-[0-9]{2} +[0-9]+ +[1-9][0-9]* +escalated' '$tmp/smt.txt'"
"$ctl" digest --audience service_manager --html --to sm@example.gov.uk --socket "$sock" >"$tmp/smt.eml"
ok "... as HTML: the section" grep -q 'Team-level alerts (' "$tmp/smt.eml"
"$ctl" digest --team T001 --json --socket "$sock" >"$tmp/tmt.json"
is "a team manager's digest has no team-level section" "$(j 'has("team_alerts")' tmt.json)" false

ok "nothing printed carries a name or an address from the records" \
	sh -c "! grep -lE -e 'Given[0-9]' -e 'Family[0-9]' -e 'Example Street' '$tmp'/*.txt '$tmp'/*.json '$tmp'/*.eml"
# Rendered by Chromium, next to a blank page of the same size: a blank
# screenshot compresses to almost nothing, the digest does not.
chromium=$(command -v chromium || command -v chromium-browser)
shot() {
	rm -rf "$tmp/profile" && mkdir "$tmp/profile"
	"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir="$tmp/profile" --screenshot="$2" \
		--window-size=820,1400 "file://$1" >"$tmp/chromium.log" 2>&1
}
if [ -n "$chromium" ]; then
	echo '<!DOCTYPE html><html><body></body></html>' >"$tmp/blank.html"
	shot "$tmp/d.html" "$tmp/d.png"
	shot "$tmp/blank.html" "$tmp/blank.png"
	ok "Chromium renders the digest to a PNG" sh -c "head -c 8 '$tmp/d.png' | od -An -tx1 | tr -d ' \n' | grep -qx 89504e470d0a1a0a"
	ok "... 820 pixels wide" sh -c "[ \$(od -An -tu1 -j16 -N4 '$tmp/d.png' | awk '{print \$1*16777216+\$2*65536+\$3*256+\$4}') -eq 820 ]"
	bsize=$(wc -c <"$tmp/blank.png")
	dsize=$(wc -c <"$tmp/d.png")
	ok "... not blank ($dsize bytes against $bsize for a blank page)" test "$dsize" -gt $((bsize * 10))
else
	echo "ok $((tap_n + 1)) # SKIP chromium is not installed (scripts/install-deps)"
	tap_n=$((tap_n + 1))
fi

kill -TERM "$pid"
wait "$pid"
pid=
tap_done
