#!/bin/sh
# bench-report.sh - the hand-written SQL report (bench/report.sql) and casewatchd --once list the same overdue items.
#
# On 1,500 generated children, at four instants: mid-June 2026, months
# before many of the records' completions (a completion dated after now
# does not count yet: 013_future_met.sql), the records' own
# reference time, after Christmas 2026 (the Boxing Day substitute on
# Monday 28), and after Easter 2027 at 23:30 UTC in summer time (the London
# day already the next one). The first sweep fills an empty store, the
# later ones update the store the earlier left, as a running daemon does.
# At each, the report's rows and casewatch's stored alerts in state overdue
# or escalated_N are the same set of (person, rule, anchor, due time,
# state): one item more, less or a day off on either side fails.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-report.XXXXXX")
chmod 0755 "$tmp"
cleanup() {
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
export LC_ALL=C PGTZ=UTC
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
db=cw_report
pg_load_records $db 1500 0.42 2026-11-23T09:00:00Z || { echo "Bail out! cannot load generated records"; exit 1; }

cat >"$tmp/c.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
[policy]
profile = default
profile_dir = $CASEWATCH_SRCDIR/profiles
[daemon]
test_clock_file = $tmp/clock
[socket]
socket_path = $tmp/s.sock
socket_group =
[log]
log_target = stderr
log_level = info
log_rate_limit = 0
EOC

# compare NOW: one --once at NOW, then the report at NOW, both sorted.
compare() {
	echo "$1" >"$tmp/clock"
	CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" --once 2>"$tmp/once.log"
	is "casewatchd --once at $1 succeeds" "$?" 0
	psql -X -q -At -F' ' -d $db -v now="$1" \
		-v holidays="$CASEWATCH_SRCDIR/tests/data/bank-holidays-1990-2030.txt" \
		-f "$CASEWATCH_SRCDIR/bench/report.sql" 2>"$tmp/report.err" | sort >"$tmp/report.txt"
	ok "the report runs at $1" [ ! -s "$tmp/report.err" ]
	pg_psql -d $db -At -F' ' -c "SELECT person_id, rule_id, anchor_kind, anchor_id,
			to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), state
		FROM casewatch.alert WHERE state = 'overdue' OR state LIKE 'escalated\\_%'" |
		sort >"$tmp/casewatch.txt"
	ok "the report finds overdue items of every rule at $1" \
		[ "$(cut -d' ' -f2 "$tmp/report.txt" | sort -u | tr '\n' ' ')" = "CP-24H HAZARD-6M NOTE-5WD SUMMARY-3M " ]
	ok "... and escalated ones at both levels" sh -c "grep -q ' escalated_1\$' '$tmp/report.txt' &&
		grep -q ' escalated_2\$' '$tmp/report.txt' && grep -q ' overdue\$' '$tmp/report.txt'"
	is "item for item at $1: only in the report" "$(comm -23 "$tmp/report.txt" "$tmp/casewatch.txt" | head -5)" ""
	is "item for item at $1: only in casewatch" "$(comm -13 "$tmp/report.txt" "$tmp/casewatch.txt" | head -5)" ""
	echo "# at $1: $(wc -l <"$tmp/report.txt") overdue items in the report, $(wc -l <"$tmp/casewatch.txt") in casewatch"
}

# The report is independent of casewatch: the records tables only.
ok "bench/report.sql reads neither casewatch's schema nor the facts views" \
	sh -c "! grep -v '^--' '$CASEWATCH_SRCDIR/bench/report.sql' | grep -qiE 'casewatch\.|facts_|person_facts'"

compare 2026-06-15T23:30:00Z
compare 2026-11-23T09:00:00Z
compare 2026-12-29T12:00:00Z
compare 2027-03-30T23:30:00Z
tap_done
