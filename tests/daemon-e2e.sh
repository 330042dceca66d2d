#!/bin/sh
# daemon-e2e.sh - casewatchd end to end on a real PostgreSQL and a real syslog socket.
#
# Hand-written records (tests/data/e2e/fixtures.sql) for every rule kind of
# the e2e profile (default + one before_event, same_working_day, suspension
# and content rule): a record on time, late, missing and due soon per rule.
# casewatchd --once --json at a fixed test clock must raise exactly the
# expected alerts with the expected due times; then the daemon proper runs
# with a 1 s poll while the test moves its clock past warn, due and
# escalation times with no data change, is stopped with SIGTERM, loses its
# database mid-run and is killed with SIGKILL. Every transition must be
# written once, with increasing ids, and reach the syslog socket once, in
# id order, with its priority and structured data, and no name, address or
# free text from the records may appear anywhere the daemon writes.
#
# Every expected state and time below is worked out by hand (London is on
# BST, UTC+1, throughout: end of day 23:59:59 London = 22:59:59Z; Monday
# 25 May 2026 is the Spring bank holiday), never taken from a run.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u

d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
capture="$CASEWATCH_BUILDDIR/tests/syslog_capture"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-e2e.XXXXXX")
chmod 0755 "$tmp"
pid=
cap_pid=
filler_pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$filler_pid" ] && kill "$filler_pid" 2>/dev/null
	[ -n "$cap_pid" ] && kill -CONT "$cap_pid" 2>/dev/null && kill "$cap_pid" 2>/dev/null
	pg_destroy
	if [ "${CW_PG_KEEP:-0}" = 1 ]; then
		echo "# kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
for f in sql/records/interface.sql sql/records/facts.sql tests/data/e2e/fixtures.sql; do
	pg_psql -f "$CASEWATCH_SRCDIR/$f" >/dev/null || { echo "Bail out! cannot load $f"; exit 1; }
done
# The server's zone is London: the daemon must print UTC all the same.
# utc(t) is the test's own formatting of a time, "2026-06-03T08:00:00Z".
pg_psql >/dev/null <<'EOF' || { echo "Bail out! cannot set up the database"; exit 1; }
ALTER DATABASE postgres SET timezone = 'Europe/London';
CREATE FUNCTION public.utc(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), '-')
$$;
EOF

# The e2e profile extends default, found next to it.
mkdir "$tmp/profiles"
cp "$CASEWATCH_SRCDIR/profiles/default.json" "$CASEWATCH_SRCDIR/tests/data/e2e/e2e.json" "$tmp/profiles/"

"$capture" "$tmp/syslog.sock" "$tmp/syslog.log" &
cap_pid=$!
i=0
while [ ! -S "$tmp/syslog.sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$tmp/syslog.sock" ] || { echo "Bail out! syslog_capture did not bind"; exit 1; }

cat >"$tmp/c.conf" <<EOC
# written by tests/daemon-e2e.sh
[policy]
profile = e2e
profile_dir = $tmp/profiles
[database]
database = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER
connect_timeout = 2s
retry_base = 100ms
retry_cap = 400ms
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
[daemon]
poll_interval = 1s
test_clock_file = $tmp/clock
[socket]
socket_path = $tmp/cw.sock
socket_group =
[log]
log_target = syslog
syslog_socket = $tmp/syslog.sock
log_level = debug
log_rate_limit = 60s
EOC

# --- helpers ---------------------------------------------------------------
q() { pg_psql -Atc "$1"; }
# set_clock TIME: the daemon's time, replaced at once (never half written).
set_clock() {
	printf '%s\n' "$1" >"$tmp/clock.new"
	mv "$tmp/clock.new" "$tmp/clock"
}
# wait_until COMMAND...: up to 30 s for COMMAND to succeed.
wait_until() {
	i=0
	while [ $i -lt 300 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
ntrans() { q "SELECT count(*) FROM casewatch.transition"; }
nsyslog() { grep -c ' transition \[casewatch@32473 ' "$tmp/syslog.log" || true; }
cursor() { q "SELECT coalesce((SELECT last_id FROM casewatch.sink_cursor WHERE sink = 'syslog'), 0)"; }
maxid() { q "SELECT coalesce(max(transition_id), 0) FROM casewatch.transition"; }
# settled N: N transitions stored, all delivered (cursor at the last) and in syslog.
settled() {
	[ "$(ntrans)" = "$1" ] && [ "$(cursor)" = "$(maxid)" ] && [ "$(nsyslog)" = "$1" ]
}
# passes LOG: passes the daemon finished so far.
passes() { grep -c 'pass done: ' "$1" || true; }
# wait_passes LOG N: N more passes finished.
wait_passes() {
	target=$(($(passes "$1") + $2))
	wait_until sh -c "[ \$(grep -c 'pass done: ' '$1') -ge $target ]"
}
# in_log LOG TEXT
in_log() { grep -qF -- "$2" "$1"; }
# start_daemon LOG: the daemon proper in the background (-f: also stderr).
start_daemon() {
	"$d" -c "$tmp/c.conf" -f >/dev/null 2>"$1" &
	pid=$!
}
# The transitions after id $1, one per line, sorted:
# person rule kind from>to severity audience due
after() {
	q "SELECT concat_ws(' ', person_id, rule_id, kind, coalesce(from_state, '-') || '>' || to_state,
		severity, audience, public.utc(due_at))
	   FROM casewatch.transition WHERE transition_id > $1" | LC_ALL=C sort
}
sorted() { LC_ALL=C sort; }

# === T0: --once --json =======================================================
# Wednesday 2026-06-03 10:00:00Z (11:00 BST).
set_clock 2026-06-03T10:00:00Z
"$d" -c "$tmp/c.conf" -f --once --json >"$tmp/once.json" 2>"$tmp/once.log"
is "--once --json exits 0" "$?" 0
is "--json: generated at the test clock, under profile e2e" \
	"$(jq -r '[.generated_at, .profile] | join(" ")' "$tmp/once.json")" "2026-06-03T10:00:00+00:00 e2e"

# Every obligation stored, with its state at T0 and its announced state
# (- : nobody told), warning and due time. Columns:
# person rule cycle_start state announced warn due
expected_store=$(sorted <<'EOF'
1101 CP-24H - met_on_time - 2026-06-02T05:00:00Z 2026-06-02T09:00:00Z
1102 CP-24H - met_late - 2026-05-30T06:00:00Z 2026-05-30T10:00:00Z
1103 CP-24H - overdue overdue 2026-06-03T04:00:00Z 2026-06-03T08:00:00Z
1104 CP-24H - due_soon due_soon 2026-06-03T08:00:00Z 2026-06-03T12:00:00Z
1201 NOTE-5WD - met_on_time - 2026-05-29T22:59:59Z 2026-06-01T22:59:59Z
1202 NOTE-5WD - met_late - 2026-05-29T22:59:59Z 2026-06-01T22:59:59Z
1203 NOTE-5WD - overdue overdue 2026-06-01T22:59:59Z 2026-06-02T22:59:59Z
1204 NOTE-5WD - due_soon due_soon 2026-06-02T22:59:59Z 2026-06-03T22:59:59Z
1205 NOTE-5WD - pending - 2026-06-03T22:59:59Z 2026-06-04T22:59:59Z
1301 SUMMARY-3M 2026-01-10T00:00:00Z met_on_time - 2026-03-27T23:59:59Z 2026-04-10T22:59:59Z
1301 SUMMARY-3M 2026-03-20T10:00:00Z pending - 2026-06-06T22:59:59Z 2026-06-20T22:59:59Z
1302 SUMMARY-3M 2026-01-05T00:00:00Z met_late - 2026-03-22T23:59:59Z 2026-04-05T22:59:59Z
1302 SUMMARY-3M 2026-04-20T10:00:00Z pending - 2026-07-06T22:59:59Z 2026-07-20T22:59:59Z
1303 SUMMARY-3M 2026-02-20T00:00:00Z overdue overdue 2026-05-06T22:59:59Z 2026-05-20T22:59:59Z
1304 SUMMARY-3M 2026-01-01T00:00:00Z met_on_time - 2026-03-18T23:59:59Z 2026-04-01T22:59:59Z
1304 SUMMARY-3M 2026-03-08T12:00:00Z due_soon due_soon 2026-05-25T22:59:59Z 2026-06-08T22:59:59Z
1401 HAZARD-6M 2026-01-15T00:00:00Z met_on_time - 2026-07-01T22:59:59Z 2026-07-15T22:59:59Z
1401 HAZARD-6M 2026-05-01T10:00:00Z pending - 2026-10-18T22:59:59Z 2026-11-01T23:59:59Z
1402 HAZARD-6M 2025-09-30T23:00:00Z met_late - 2026-03-18T23:59:59Z 2026-04-01T22:59:59Z
1402 HAZARD-6M 2026-04-10T10:00:00Z pending - 2026-09-26T22:59:59Z 2026-10-10T22:59:59Z
1403 HAZARD-6M 2025-11-20T00:00:00Z overdue overdue 2026-05-06T22:59:59Z 2026-05-20T22:59:59Z
1404 HAZARD-6M 2025-12-10T00:00:00Z due_soon due_soon 2026-05-27T22:59:59Z 2026-06-10T22:59:59Z
1501 ICPC-REPORT-2WD - met_on_time - 2026-05-20T22:59:59Z 2026-05-22T22:59:59Z
1502 ICPC-REPORT-2WD - met_late - 2026-05-26T22:59:59Z 2026-05-28T22:59:59Z
1503 ICPC-REPORT-2WD - overdue overdue 2026-05-29T22:59:59Z 2026-06-02T22:59:59Z
1504 ICPC-REPORT-2WD - due_soon due_soon 2026-06-01T22:59:59Z 2026-06-03T22:59:59Z
1601 CV-SIGHARM - met_on_time - 2026-06-01T22:59:59Z 2026-06-02T10:00:00Z
1602 CV-SIGHARM - met_late - 2026-05-29T22:59:59Z 2026-05-30T09:00:00Z
1603 CV-SIGHARM - overdue overdue 2026-06-02T22:59:59Z 2026-06-03T08:00:00Z
1604 CV-SIGHARM - due_soon due_soon 2026-06-02T22:59:59Z 2026-06-03T12:00:00Z
1605 CV-SIGHARM - pending - 2026-06-03T22:59:59Z 2026-06-04T08:00:00Z
1701 EH-REF-48H - met_on_time - 2026-06-03T05:00:00Z 2026-06-03T09:00:00Z
1702 EH-REF-48H - met_late - 2026-05-29T05:00:00Z 2026-05-29T09:00:00Z
1703 EH-REF-48H - overdue overdue 2026-06-03T02:00:00Z 2026-06-03T06:00:00Z
1704 EH-REF-48H - due_soon due_soon 2026-06-03T08:00:00Z 2026-06-03T12:00:00Z
1706 EH-REF-48H - suspended - 2026-05-31T05:00:00Z 2026-05-31T09:00:00Z
1801 HAZARD-FIELDS - overdue overdue - -
EOF
)
# How each was worked out (wd = working day; "end" = 23:59:59 London):
# CP-24H: due 24 h after the event, warning 4 h before.
#   1101 s47 Mon 06-01 09:00Z -> due Tue 06-02 09:00Z; record finalised Mon 15:00Z: on time.
#   1102 cp_activity Fri 05-29 10:00Z -> due Sat 05-30 10:00Z; finalised Mon 06-01: late.
#   1103 s47 Tue 06-02 08:00Z -> due Wed 06-03 08:00Z; no record: overdue at 10:00Z.
#   1104 cp_activity Tue 06-02 12:00Z -> due Wed 12:00Z, warn 08:00Z: due soon at 10:00Z.
# NOTE-5WD: 5 wd after the task's date at end of day, warning 1 wd before.
#   1201/1202 Fri 05-22: Tue 26 (Mon 25 is a bank holiday), Wed 27, Thu 28, Fri 29,
#     Mon 06-01 -> due Mon 06-01 end; warn 1 wd before = Fri 05-29 end.
#     1201's note finalised Thu 05-28 (on time), 1202's Tue 06-02 (late).
#   1203 Tue 05-26: Wed 27 .. Tue 06-02 -> due Tue 06-02 end; only a draft: overdue.
#   1204 Wed 05-27 -> due Wed 06-03 end, warn Tue 06-02 end: due soon.
#   1205 Thu 05-28 -> due Thu 06-04 end, warn Wed 06-03 end: pending at T0.
# SUMMARY-3M: 3 months from London midnight of the opening (cycle_start),
#   then from the last summary; end of day; warning 2 weeks before.
#   1301 cin 01-10 (GMT) -> due 04-10 end (BST: 22:59:59Z), warn 03-27 end
#     (GMT, before the clocks went forward on 03-29: 23:59:59Z); summary
#     03-20: on time; next cycle from 03-20 10:00Z -> due 06-20, warn 06-06.
#   1302 cin 01-05 -> due 04-05, warn 03-22 (GMT); summary 04-20: late;
#     next from 04-20 -> due 07-20, warn 07-06.
#   1303 cp_plan 02-20 -> due 05-20, warn 05-06; no summary: overdue.
#   1304 cin 01-01 -> due 04-01, warn 03-18 (GMT); summary 03-08 12:00Z on
#     time; next from 03-08 12:00Z -> due 06-08, warn 05-25: due soon.
# HAZARD-6M: 6 months from London midnight of the hazard's start, then from
#   its last review; warning 2 weeks before.
#   1401 start 01-15 -> due 07-15, warn 07-01; review 05-01: on time; next from
#     05-01 10:00Z -> due 11-01 end (GMT again: 23:59:59Z), warn 10-18 (BST).
#   1402 start 2025-10-01 (BST: midnight is 09-30 23:00Z) -> due 04-01, warn
#     03-18 (GMT); review 04-10: late; next from 04-10 -> due 10-10, warn 09-26.
#   1403 start 2025-11-20 -> due 05-20, warn 05-06; never reviewed: overdue.
#   1404 start 2025-12-10 -> due 06-10, warn 05-27: due soon.
# ICPC-REPORT-2WD: 2 wd before the conference's date at end of day, warning
#   2 wd before that.
#   1501 icpc Wed 05-27: Tue 26, (Mon 25 holiday), Fri 22 -> due Fri 05-22;
#     warn Thu 21, Wed 20 -> Wed 05-20; report finalised 05-21: on time.
#   1502 icpc Mon 06-01: Fri 29, Thu 28 -> due Thu 05-28, warn Tue 05-26;
#     report finalised Fri 05-29: late.
#   1503 icpc Thu 06-04 -> due Tue 06-02, warn Fri 05-29: overdue.
#   1504 icpc Fri 06-05 -> due Wed 06-03, warn Mon 06-01: due soon.
# CV-SIGHARM: warning at the end of the working day of the work, due 24 h after it.
#   1601 Mon 06-01 10:00Z -> warn Mon end, due Tue 10:00Z; cp_record Mon 16:00Z: on time.
#   1602 Fri 05-29 09:00Z -> warn Fri end, due Sat 09:00Z; case_note Mon: late.
#   1603 Tue 06-02 08:00Z -> due Wed 08:00Z: overdue.
#   1604 Tue 06-02 12:00Z -> warn Tue end, due Wed 12:00Z: due soon.
#   1605 Wed 06-03 08:00Z -> warn Wed end, due Thu 08:00Z: pending at T0.
# EH-REF-48H: 48 h, warning 4 h before; the clock stops from consent_requested
#   to consent_signed.
#   1701 Mon 06-01 09:00Z -> due Wed 09:00Z; episode Tue: on time.
#   1702 Wed 05-27 09:00Z -> due Fri 05-29 09:00Z; episode Mon 06-01: late.
#   1703 Mon 06-01 06:00Z -> due Wed 06:00Z: overdue.
#   1704 Sun 05-31 22:00Z, consent asked Mon 08:00Z, signed Mon 22:00Z: 14 h
#     stopped -> due 22:00Z + 48 h + 14 h = Wed 06-03 12:00Z (without the
#     suspension it would be overdue since Tue 22:00Z): due soon.
#   1706 Fri 05-29 09:00Z, consent asked 12:00Z, never signed: suspended
#     (stored with the times the referral alone gives).
# HAZARD-FIELDS: 1801's hazard has no start and no review date: a finding,
#   due from the moment it is found; HAZARD-6M ignores a hazard without a start.
is "T0: every obligation stored with its hand-computed state, warning and due time" \
	"$(q "SELECT concat_ws(' ', person_id, rule_id, public.utc(cycle_start), state,
		coalesce(announced_state, '-'), public.utc(warn_at), public.utc(due_at))
	      FROM casewatch.alert" | sorted)" "$expected_store"

# The alerts --json prints: the open ones above, exactly, in the daemon's
# format. person rule team kind state audience warn_at due_at
expected_json=$(sorted <<'EOF'
1103 CP-24H 7 obligation overdue worker 2026-06-03T04:00:00+00:00 2026-06-03T08:00:00+00:00
1104 CP-24H 7 obligation due_soon worker 2026-06-03T08:00:00+00:00 2026-06-03T12:00:00+00:00
1203 NOTE-5WD 8 obligation overdue worker 2026-06-01T22:59:59+00:00 2026-06-02T22:59:59+00:00
1204 NOTE-5WD 8 obligation due_soon worker 2026-06-02T22:59:59+00:00 2026-06-03T22:59:59+00:00
1303 SUMMARY-3M 7 obligation overdue worker 2026-05-06T22:59:59+00:00 2026-05-20T22:59:59+00:00
1304 SUMMARY-3M 7 obligation due_soon worker 2026-05-25T22:59:59+00:00 2026-06-08T22:59:59+00:00
1403 HAZARD-6M 8 obligation overdue worker 2026-05-06T22:59:59+00:00 2026-05-20T22:59:59+00:00
1404 HAZARD-6M 8 obligation due_soon worker 2026-05-27T22:59:59+00:00 2026-06-10T22:59:59+00:00
1503 ICPC-REPORT-2WD 7 obligation overdue worker 2026-05-29T22:59:59+00:00 2026-06-02T22:59:59+00:00
1504 ICPC-REPORT-2WD 7 obligation due_soon worker 2026-06-01T22:59:59+00:00 2026-06-03T22:59:59+00:00
1603 CV-SIGHARM 8 obligation overdue worker 2026-06-02T22:59:59+00:00 2026-06-03T08:00:00+00:00
1604 CV-SIGHARM 8 obligation due_soon worker 2026-06-02T22:59:59+00:00 2026-06-03T12:00:00+00:00
1703 EH-REF-48H 7 obligation overdue worker 2026-06-03T02:00:00+00:00 2026-06-03T06:00:00+00:00
1704 EH-REF-48H 7 obligation due_soon worker 2026-06-03T08:00:00+00:00 2026-06-03T12:00:00+00:00
1801 HAZARD-FIELDS 8 finding overdue worker null null
EOF
)
is "T0: --json lists exactly the open alerts, with their due times" \
	"$(jq -r '.alerts[] | [.person_id, .rule_id, .team_id, .kind, .state, .audience, .warn_at, .due_at]
		| map(tostring) | join(" ")' "$tmp/once.json" | sorted)" "$expected_json"
is "T0: --json alert ids are the stored ones" \
	"$(jq -r '.alerts[] | "\(.alert_id) \(.anchor_kind) \(.anchor_id)"' "$tmp/once.json" | sorted)" \
	"$(q "SELECT alert_id || ' ' || anchor_kind || ' ' || anchor_id FROM casewatch.alert
	      WHERE announced_state IS NOT NULL" | sorted)"

# The transitions: one raised per open alert, severity from the state (a
# finding: warning by default), to the worker.
expected_t0=$(sorted <<'EOF'
1103 CP-24H raised ->overdue warning worker 2026-06-03T08:00:00Z
1104 CP-24H raised ->due_soon info worker 2026-06-03T12:00:00Z
1203 NOTE-5WD raised ->overdue warning worker 2026-06-02T22:59:59Z
1204 NOTE-5WD raised ->due_soon info worker 2026-06-03T22:59:59Z
1303 SUMMARY-3M raised ->overdue warning worker 2026-05-20T22:59:59Z
1304 SUMMARY-3M raised ->due_soon info worker 2026-06-08T22:59:59Z
1403 HAZARD-6M raised ->overdue warning worker 2026-05-20T22:59:59Z
1404 HAZARD-6M raised ->due_soon info worker 2026-06-10T22:59:59Z
1503 ICPC-REPORT-2WD raised ->overdue warning worker 2026-06-02T22:59:59Z
1504 ICPC-REPORT-2WD raised ->due_soon info worker 2026-06-03T22:59:59Z
1603 CV-SIGHARM raised ->overdue warning worker 2026-06-03T08:00:00Z
1604 CV-SIGHARM raised ->due_soon info worker 2026-06-03T12:00:00Z
1703 EH-REF-48H raised ->overdue warning worker 2026-06-03T06:00:00Z
1704 EH-REF-48H raised ->due_soon info worker 2026-06-03T12:00:00Z
1801 HAZARD-FIELDS raised ->overdue warning worker -
EOF
)
is "T0: one raised transition per open alert" "$(after 0)" "$expected_t0"
ok "T0: --once delivered all of them to syslog before exiting" settled 15

# No data changes from here on: the records' change markers must not move.
markers() { q "SELECT max(changed_at)::text || ' ' || count(*) FROM records.changed_person"; }
markers_t0=$(markers)

# === the daemon proper, same clock: nothing new ================================
start_daemon "$tmp/log1"
ok "the daemon starts and runs passes" wait_passes "$tmp/log1" 2
ok "its first pass resumes from the watermark --once stored: no sweep" \
	in_log "$tmp/log1" "resuming from the stored watermark"
ok "... and evaluates no one" sh -c "! grep -q 'sweep: ' '$tmp/log1'"
is "the same clock after --once: no transition written twice" "$(ntrans)/$(nsyslog)" 15/15

# === T1: past three due times ================================================
# 2026-06-03T12:00:00Z: 1104, 1604 and 1704 fall due at 12:00Z exactly (the
# boundary belongs to overdue). Nothing else changes in (10:00Z, 12:00Z].
mark=$(maxid)
set_clock 2026-06-03T12:00:00Z
ok "T1: the transitions arrive with no data change" wait_until settled 18
is "T1: due soon -> overdue at the due time" "$(after "$mark")" "$(sorted <<'EOF'
1104 CP-24H escalated due_soon>overdue warning worker 2026-06-03T12:00:00Z
1604 CV-SIGHARM escalated due_soon>overdue warning worker 2026-06-03T12:00:00Z
1704 EH-REF-48H escalated due_soon>overdue warning worker 2026-06-03T12:00:00Z
EOF
)"

# === T2: past warn, due and escalation times =================================
# 2026-06-03T23:00:00Z, just after the end of Wednesday 3 June (22:59:59Z):
# - warnings: 1205 (NOTE-5WD, warn Wed end) and 1605 (CV-SIGHARM, warn at the
#   end of the working day of the work) are raised due soon;
# - due: 1204 (NOTE-5WD) and 1504 (ICPC-REPORT-2WD) become overdue;
# - first escalations to the team manager: 1303 (SUMMARY-3M, 2 weeks after
#   05-20), 1403 (HAZARD-6M, 2 weeks after 05-20), 1503 (ICPC-REPORT-2WD, 1 wd
#   after Tue 06-02 = Wed 06-03 end).
# Meanwhile the syslog reader stops, its queue full (the kernel holds
# net.unix.max_dgram_qlen datagrams; filler keeps it full): the daemon
# must wait for it, not drop the transitions.
mark=$(maxid)
kill -STOP "$cap_pid"
qlen=$(cat /proc/sys/net/unix/max_dgram_qlen 2>/dev/null || echo 10)
head -c $((16 * qlen)) /dev/zero | tr '\0' 'f' >"$tmp/filler"
socat -u -b 16 OPEN:"$tmp/filler" UNIX-SENDTO:"$tmp/syslog.sock" &
filler_pid=$!
set_clock 2026-06-03T23:00:00Z
ok "T2 with the syslog reader stopped: the transitions wait in the store for it" \
	wait_until in_log "$tmp/log1" "(full and not read for 2 s); "
kill -CONT "$cap_pid"
wait "$filler_pid"
filler_pid=
ok "T2: the transitions arrive with no data change" wait_until settled 25
is "T2: raised, overdue and escalated, each once" "$(after "$mark")" "$(sorted <<'EOF'
1205 NOTE-5WD raised ->due_soon info worker 2026-06-04T22:59:59Z
1605 CV-SIGHARM raised ->due_soon info worker 2026-06-04T08:00:00Z
1204 NOTE-5WD escalated due_soon>overdue warning worker 2026-06-03T22:59:59Z
1504 ICPC-REPORT-2WD escalated due_soon>overdue warning worker 2026-06-03T22:59:59Z
1303 SUMMARY-3M escalated overdue>escalated_1 err team_manager 2026-05-20T22:59:59Z
1403 HAZARD-6M escalated overdue>escalated_1 err team_manager 2026-05-20T22:59:59Z
1503 ICPC-REPORT-2WD escalated overdue>escalated_1 err team_manager 2026-06-02T22:59:59Z
EOF
)"
ok "T2: a further pass at the same time writes nothing" wait_passes "$tmp/log1" 2
is "... still 25 transitions, 25 syslog lines" "$(ntrans)/$(nsyslog)" 25/25

# === SIGTERM and restart =====================================================
kill -TERM "$pid"
wait "$pid"
is "SIGTERM: exit 0" "$?" 0
pid=
start_daemon "$tmp/log2"
ok "restarted: it runs passes again" wait_passes "$tmp/log2" 2
ok "... resuming from the stored watermark, without a sweep" \
	sh -c "grep -q 'resuming from the stored watermark' '$tmp/log2' && ! grep -q 'sweep: ' '$tmp/log2'"
ok "... under the same clock" in_log "$tmp/log2" "now 2026-06-03T23:00:00Z"
is "after a restart: no transition written or delivered twice" "$(ntrans)/$(nsyslog)" 25/25

# === PostgreSQL stops mid-run; the clock moves while it is down =============
# T3 = 2026-06-04T08:00:00Z: first escalations of 1103 (CP-24H, due + 24 h),
# 1603 (CV-SIGHARM, due + 24 h) and 1703 (EH-REF-48H, Wed 06:00Z + 24 h);
# 1605 (CV-SIGHARM) falls due 24 h after the work (Wed 08:00Z).
mark=$(maxid)
lines_before=$(wc -l <"$tmp/log2")
pg_stop
ok "the database stops: the daemon says so" wait_until in_log "$tmp/log2" "database connection lost"
set_clock 2026-06-04T08:00:00Z
ok "... and keeps trying" wait_until sh -c "[ \$(grep -c 'database: attempt' '$tmp/log2') -ge 5 ]"
ok "... while it keeps running" kill -0 "$pid"
outage=$(tail -n +"$((lines_before + 1))" "$tmp/log2")
lost=$(printf '%s\n' "$outage" | grep -c 'warning: database connection lost: ')
ok "the loss is logged once ($lost lines of libpq's message)" test "$lost" -ge 1 -a "$lost" -le 3
# libpq's messages span lines: each is one message, logged line by line.
is "the failing reconnects are logged once" \
	"$(printf '%s\n' "$outage" | grep -c 'err: cannot connect to database: connection to server')" 1
is "no flood: nothing else at warning level or above during the outage" \
	"$(printf '%s\n' "$outage" | grep -E ' (warning|err): ' |
		grep -v -e 'warning: database connection lost: ' -e 'err: cannot connect to database: ')" ""
pg_run_server || { echo "Bail out! cannot restart PostgreSQL"; exit 1; }
ok "the database is back: the daemon reconnects by itself" \
	wait_until in_log "$tmp/log2" "database connection restored after"
ok "T3: the transitions due during the outage arrive" wait_until settled 29
is "T3: each of them once" "$(after "$mark")" "$(sorted <<'EOF'
1103 CP-24H escalated overdue>escalated_1 err team_manager 2026-06-03T08:00:00Z
1603 CV-SIGHARM escalated overdue>escalated_1 err team_manager 2026-06-03T08:00:00Z
1703 EH-REF-48H escalated overdue>escalated_1 err team_manager 2026-06-03T06:00:00Z
1605 CV-SIGHARM escalated due_soon>overdue warning worker 2026-06-04T08:00:00Z
EOF
)"

# === SIGKILL, the clock moves, restart =======================================
# T4 = 2026-06-04T12:00:00Z: first escalations of 1104, 1604 and 1704 (due
# Wed 12:00Z + 24 h). Nothing else falls in (08:00Z, 12:00Z].
mark=$(maxid)
kill -9 "$pid"
wait "$pid" 2>/dev/null
pid=
set_clock 2026-06-04T12:00:00Z
start_daemon "$tmp/log3"
ok "after SIGKILL and a restart: the transitions due since arrive" wait_until settled 32
is "T4: each of them once" "$(after "$mark")" "$(sorted <<'EOF'
1104 CP-24H escalated overdue>escalated_1 err team_manager 2026-06-03T12:00:00Z
1604 CV-SIGHARM escalated overdue>escalated_1 err team_manager 2026-06-03T12:00:00Z
1704 EH-REF-48H escalated overdue>escalated_1 err team_manager 2026-06-03T12:00:00Z
EOF
)"
ok "T4: further passes write nothing" wait_passes "$tmp/log3" 2
is "... still 32 transitions, 32 syslog lines" "$(ntrans)/$(nsyslog)" 32/32
kill -TERM "$pid"
wait "$pid"
is "SIGTERM: exit 0" "$?" 0
pid=
kill "$cap_pid"
wait "$cap_pid"
cap_pid=

# === the whole history =======================================================
is "no data changed while time moved" "$(markers)" "$markers_t0"
is "transitions per alert, as worked out above" \
	"$(q "SELECT a.person_id || ' ' || a.rule_id || ' ' || count(*)
	      FROM casewatch.transition t JOIN casewatch.alert a USING (alert_id)
	      GROUP BY a.person_id, a.rule_id" | sorted)" "$(sorted <<'EOF'
1103 CP-24H 2
1104 CP-24H 3
1203 NOTE-5WD 1
1204 NOTE-5WD 2
1205 NOTE-5WD 1
1303 SUMMARY-3M 2
1304 SUMMARY-3M 1
1403 HAZARD-6M 2
1404 HAZARD-6M 1
1503 ICPC-REPORT-2WD 2
1504 ICPC-REPORT-2WD 2
1603 CV-SIGHARM 2
1604 CV-SIGHARM 3
1605 CV-SIGHARM 2
1703 EH-REF-48H 2
1704 EH-REF-48H 3
1801 HAZARD-FIELDS 1
EOF
)"
is "no transition row repeats another" \
	"$(q "SELECT count(*) FROM (SELECT alert_id, kind, from_state, to_state FROM casewatch.transition
	      GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) d")" 0
is "ids increase with time" \
	"$(q "SELECT count(*) FROM (SELECT at < lag(at) OVER (ORDER BY transition_id) AS back
	      FROM casewatch.transition) x WHERE back")" 0
is "the syslog cursor is at the last transition" "$(cursor)" "$(maxid)"

# Syslog, as received: each transition exactly once, in id order, RFC 5424
# with PRI = facility daemon (3) * 8 + the log priority, one step below the
# alert's own severity and never err (docs/operations.md: an escalated
# alert, err, is logged as a warning 4, an overdue one a notice 5, the rest
# info 6), and the structured data of the transition row with the alert's
# severity and the team's code.
got=$(sed -n 's/^\(<[0-9]*>1\) [0-9T:.-]*Z [^ ]* casewatchd [0-9]* transition \[casewatch@32473\(\( [a-z_]*="[^"]*"\)*\)\] .*$/\1\2/p' \
	"$tmp/syslog.log" | sed 's/="\([^"]*\)"/=\1/g')
# Each line ends with its kind's MESSAGE_ID (systemd/casewatch.catalog).
raised_id=$(sed -n 's/.*"raised", "\([0-9a-f]\{32\}\)".*/\1/p' "$CASEWATCH_SRCDIR/daemon/log.c")
is "syslog: every transition line carries its kind's message_id" \
	"$(printf '%s\n' "$got" | grep -c ' kind=raised .* message_id='"$raised_id"'$')" \
	"$(q "SELECT count(*) FROM casewatch.transition WHERE kind = 'raised'")"
got=$(printf '%s\n' "$got" | sed 's/ message_id=[0-9a-f]*$//')
want=$(q "SELECT '<' || (24 + CASE severity WHEN 'err' THEN 4 WHEN 'warning' THEN 5
		ELSE 6 END) || '>1'
	|| ' rule_id=' || rule_id || ' alert_id=' || alert_id || ' person_id=' || person_id
	|| ' team=' || coalesce(t.team_id::text, '-') || ' due=' || public.utc(due_at)
	|| ' state=' || to_state || coalesce(' team_code=' || tm.code, '')
	|| ' transition_id=' || transition_id || ' kind=' || kind
	|| ' audience=' || audience || ' severity=' || severity
	FROM casewatch.transition t LEFT JOIN records.team tm USING (team_id) ORDER BY transition_id")
is "syslog: one line per transition, in id order, with priority and fields" "$got" "$want"
is "syslog: the first line, spelt out" "$(printf '%s\n' "$got" | head -1)" \
	"<29>1 rule_id=CP-24H alert_id=$(q "SELECT alert_id FROM casewatch.alert WHERE person_id = 1103") person_id=1103 team=7 due=2026-06-03T08:00:00Z state=overdue team_code=T7 transition_id=$(q "SELECT min(transition_id) FROM casewatch.transition") kind=raised audience=worker severity=warning"
is "syslog: priorities seen: warning (28, escalated), notice (29, overdue), info (30); never err" \
	"$(printf '%s\n' "$got" | cut -d' ' -f1 | sort -u | tr '\n' ' ')" "<28>1 <29>1 <30>1 "

# Privacy: the markers are in the records, and nowhere casewatch writes.
is "the fixtures do carry the marker strings" \
	"$(q "SELECT (SELECT count(*) FROM records.person WHERE given_name LIKE 'SECRET-NAME%'
		AND address LIKE 'SECRET-ADDRESS%')
	   + (SELECT count(*) FROM records.record WHERE body LIKE 'SECRET-TEXT%')
	   + (SELECT count(*) FROM records.hazard WHERE description LIKE 'SECRET-TEXT%')")" 51
for f in syslog.log once.json once.log log1 log2 log3; do
	ok "no marker string in $f" sh -c "! grep -n 'SECRET' '$tmp/$f'"
done
is "no marker string in casewatch's own tables" \
	"$(q "SELECT (SELECT count(*) FROM casewatch.alert a WHERE a::text LIKE '%SECRET%')
	   + (SELECT count(*) FROM casewatch.transition t WHERE t::text LIKE '%SECRET%')")" 0

tap_done
