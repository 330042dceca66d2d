#!/bin/sh
# daemon-dates.sh - a record dated in the year 1 costs its person nothing
# else (issue 12, defect 1): every time that crosses a boundary (engine to
# store, syslog, --json) is ISO 8601 with a four-digit year, so the store
# takes a due time of 0001-01-08; a time outside the years 1-9999 is
# reported with its record's id and left out; the person's other alerts are
# stored and the pass succeeds.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-dates.XXXXXX")
chmod 0755 "$tmp"
cleanup() {
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
db=cw_dates
pg_load_records $db 120 0.3 2026-11-20T09:00:00Z || { echo "Bail out! cannot load generated records"; exit 1; }
q() { pg_psql -d $db -Atc "$1"; }

echo "2026-11-20T09:00:00Z" >"$tmp/clock"
cat >"$tmp/c.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
[policy]
profile = enfield
profile_dir = $CASEWATCH_SRCDIR/profiles
[daemon]
test_clock_file = $tmp/clock
[log]
log_target = stderr
log_level = info
log_rate_limit = 0
EOC

# A child with open work, and a second whose only planted row is dated in
# the year 1; each keeps its generated (valid) rows.
p_old=$(q "SELECT min(person_id) FROM records.involvement WHERE category = 'cp_plan' AND ended_on IS NULL")
p_b=$(q "SELECT min(person_id) FROM records.involvement WHERE category = 'cin' AND ended_on IS NULL
	AND person_id <> $p_old")
ev=$(q "INSERT INTO records.event (person_id, event_type, occurred_at)
	VALUES ($p_old, 'strategy_discussion', '0001-01-01 00:00+00') RETURNING event_id")
inv=$(q "INSERT INTO records.involvement (person_id, category, started_on)
	VALUES ($p_old, 'cin', '0001-01-01') RETURNING involvement_id")
haz=$(q "INSERT INTO records.hazard (person_id, started_on, description, review_due_on)
	VALUES ($p_b, '0001-01-01', 'x', '0001-01-01') RETURNING hazard_id")
ok "planted rows dated 0001-01-01 (event $ev, involvement $inv, hazard $haz)" \
	[ -n "$ev" ] && [ -n "$inv" ] && [ -n "$haz" ]

CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" --once --json >"$tmp/once.json" 2>"$tmp/once.log"
is "--once succeeds with rows dated in the year 1 (exit 0)" "$?" 0
ok "no page was refused by the store" sh -c "! grep -qE 'reconcile failed|one by one|expected a timestamp' '$tmp/once.log'"
ok "the child's obligations on its valid rows are stored" \
	[ "$(q "SELECT count(*) FROM casewatch.alert WHERE person_id = $p_old
		AND NOT (anchor_kind = 'event' AND anchor_id = $ev)
		AND NOT (anchor_kind = 'involvement' AND anchor_id = $inv)")" -gt 0 ]
ok "... and so are the second child's" \
	[ "$(q "SELECT count(*) FROM casewatch.alert WHERE person_id = $p_b
		AND NOT (anchor_kind = 'hazard' AND anchor_id = $haz)")" -gt 0 ]
ok "an obligation due in the year 1 is stored with its four-digit year" \
	[ "$(q "SELECT count(*) FROM casewatch.alert WHERE person_id IN ($p_old, $p_b)
		AND extract(year FROM due_at) = 1")" -gt 0 ]
ok "a time before the year 1 is reported with its record's id and left out" \
	grep -qE "person ($p_old|$p_b): [A-Z0-9-]+ on (event $ev|involvement $inv|hazard $haz): a time outside the years 1-9999, not stored" "$tmp/once.log"
ok "syslog lines carry the year 1 as 0001" grep -qE "due 0001-[0-9]{2}-[0-9]{2}T" "$tmp/once.log"
ok "--json carries it as 0001" grep -qE '"0001-[0-9]{2}-[0-9]{2}' "$tmp/once.json"
ok "no year written without its leading zeros anywhere" \
	sh -c "! grep -qE '(^|[^0-9])[0-9]{1,3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:' '$tmp/once.log' '$tmp/once.json'"
tap_done
