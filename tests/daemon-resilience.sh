#!/bin/sh
# daemon-resilience.sh - bad data holds back only its own person, and the
# store follows the records even across restarts:
#  - a person with rows a faulty records view gives no id is named in the
#    log with each row left out, and the rest of that person is reconciled;
#    a person whose alerts the store refuses is named and keeps its alerts;
#    every other person is reconciled in the same pass;
#  - an event dated 9999-12-30 (a due time past year 9999) is reported and
#    left out, not fatal to its page or the daemon;
#  - a records view that fails while reading facts gets its SQLSTATE logged,
#    never its message (which may quote a record), and time still moves the
#    stored alerts on;
#  - a person deleted while the daemon was stopped has its open alerts
#    withdrawn by the sweep after the next start.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-resil.XXXXXX")
chmod 0755 "$tmp"
cleanup() {
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
db=cw_resil
pg_load_records $db 300 0.3 2026-11-20T09:00:00Z || { echo "Bail out! cannot load generated records"; exit 1; }
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
[socket]
socket_path = $tmp/cw.sock
socket_group =
[log]
log_target = stderr
log_level = info
log_rate_limit = 0
EOC
once() { CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" --once >"$tmp/$1.log" 2>&1; }

# A clean run first: which persons have alerts when nothing is wrong.
persons_with_alerts() {
	q "SELECT string_agg(DISTINCT person_id::text, ' ' ORDER BY person_id::text) FROM casewatch.alert
		WHERE person_id NOT IN ($p_lie, $p_bad, $p_far)"
}
p_lie=$(q "SELECT min(person_id) FROM records.involvement WHERE category = 'cp_plan' AND ended_on IS NULL")
p_bad=$(q "SELECT min(person_id) FROM records.involvement WHERE category = 'cin' AND ended_on IS NULL
	AND person_id > $p_lie")
p_far=$(q "SELECT min(person_id) FROM records.person WHERE kind = 'child' AND person_id > $p_bad")
p_gone=$(q "SELECT max(person_id) FROM records.involvement WHERE category = 'cp_plan' AND ended_on IS NULL")
once clean
clean=$(persons_with_alerts)
ok "a clean run stores alerts for the persons the faults below leave alone" [ -n "$clean" ]
q "SET client_min_messages = warning; TRUNCATE casewatch.alert CASCADE" >/dev/null

# Faults: the records view gives p_lie's events no id; the store refuses
# p_bad's alerts (a trigger standing in for any refusal); p_far has an
# event on the last days a timestamp can hold.
q "CREATE OR REPLACE VIEW records.facts_event AS
	SELECT e.person_id, CASE WHEN e.person_id <> $p_lie THEN e.event_id END AS event_id,
		e.event_type, e.occurred_at, e.cancelled, e.related_event_id,
		(SELECT min(a.fee_paid_at) FROM records.access_request a WHERE a.event_id = e.event_id) AS fee_paid_at,
		e.until_18
	FROM records.event e" >/dev/null
lie_events=$(q "SELECT count(*) FROM records.event WHERE person_id = $p_lie")
q "CREATE FUNCTION public.refuse() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
	IF NEW.person_id = $p_bad THEN
		RAISE EXCEPTION 'refused by the test' USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END \$\$" >/dev/null
q "CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON casewatch.alert
	FOR EACH ROW EXECUTE FUNCTION public.refuse()" >/dev/null
q "INSERT INTO records.event (person_id, event_type, occurred_at)
	VALUES ($p_far, 'visit', '9999-12-30 10:00+00')" >/dev/null

once first
is "bad data: --once says a person was refused (exit 1)" "$?" 1
is "... after going through every phase: all transitions delivered" \
	"$(q "SELECT (SELECT transition_id FROM casewatch.sink_position WHERE sink = 'syslog')
		= (SELECT max(transition_id) FROM casewatch.transition)")" t
is "rows without an id: each named with its person, and left out ($lie_events events)" \
	"$(grep -cF "records: person $p_lie: events[" "$tmp/first.log")" "$lie_events"
ok "... as a missing id" grep -qF "records: person $p_lie: events[0]: id: missing (row left out)" \
	"$tmp/first.log"
is "... and the rest of that person is reconciled: alerts on its involvements, none on its events" \
	"$(q "SELECT count(*) FILTER (WHERE anchor_kind = 'involvement') > 0
		AND count(*) FILTER (WHERE anchor_kind = 'event') = 0
		FROM casewatch.alert WHERE person_id = $p_lie")" t
ok "a page the store refuses is retried person by person" \
	grep -qF "reconciling them one by one" "$tmp/first.log"
ok "... the refused person is named, with the store's reason" \
	grep -qF "person $p_bad: reconcile failed: refused by the test SQLSTATE 23514" "$tmp/first.log"
is "... the refused person has nothing stored" \
	"$(q "SELECT count(*) FROM casewatch.alert WHERE person_id = $p_bad")" 0
is "... while every other person is reconciled as in the clean run" "$(persons_with_alerts)" "$clean"
ok "the far-future event is reported with its person and left out" \
	grep -qE "person $p_far: [A-Z0-9-]+ on event [0-9]+: a time outside the years 1-9999, not stored" "$tmp/first.log"
is "... and the rest of that person is stored" \
	"$(q "SELECT count(*) > 0 FROM casewatch.alert WHERE person_id = $p_far")" t
ok "... and no placeholder time reached the store" \
	sh -c "! grep -q '0000-00-00' '$tmp/first.log'"
q "DROP TRIGGER refuse ON casewatch.alert" >/dev/null
open_before=$(q "SELECT count(*) FROM casewatch.alert WHERE announced_state IS NOT NULL")
ok "alerts were raised ($open_before open)" [ "$open_before" -gt 0 ]

# A view that fails on p_far's rows, quoting a record in its message.
q "CREATE FUNCTION public.fail_for(p bigint, t text) RETURNS text LANGUAGE plpgsql STABLE AS \$\$
BEGIN
	IF p = $p_far THEN
		RAISE EXCEPTION 'invalid input syntax for type date: \"SECRET-NAME Smith\"'
			USING ERRCODE = 'invalid_datetime_format';
	END IF;
	RETURN t;
END \$\$" >/dev/null
q "CREATE OR REPLACE VIEW records.facts_event AS
	SELECT e.person_id, e.event_id, public.fail_for(e.person_id, e.event_type) AS event_type,
		e.occurred_at, e.cancelled, e.related_event_id,
		(SELECT min(a.fee_paid_at) FROM records.access_request a WHERE a.event_id = e.event_id) AS fee_paid_at,
		e.until_18
	FROM records.event e" >/dev/null
# Time passes: escalations become due without any data change.
echo "2026-12-20T09:00:00Z" >"$tmp/clock"
due=$(q "SELECT count(*) FROM casewatch.alert WHERE next_at <= '2026-12-20T09:00:00Z'")
before=$(q "SELECT coalesce(max(transition_id), 0) FROM casewatch.transition")
# A sweep again (a new start), which reads the failing page.
once second
ok "a failing records view: logged with its SQLSTATE" \
	grep -qF "failed: SQLSTATE 22007 (the message is withheld" "$tmp/second.log"
ok "... never with its message" sh -c "! grep -q 'SECRET' '$tmp/second.log'"
moved=$(q "SELECT count(*) FROM casewatch.transition WHERE transition_id > $before AND kind = 'escalated'")
ok "... and time still moved the stored alerts on ($moved escalations of $due due rows)" \
	[ "$due" -gt 0 ] && [ "$moved" -gt 0 ]
is "... every due row moved" \
	"$(q "SELECT count(*) FROM casewatch.alert WHERE next_at <= '2026-12-20T09:00:00Z'")" 0

# Restore the view; delete a person while the daemon is stopped.
pg_psql -d $db -f "$CASEWATCH_SRCDIR/sql/records/facts.sql" >/dev/null
open_gone=$(q "SELECT count(*) FROM casewatch.alert WHERE person_id = $p_gone AND announced_state IS NOT NULL")
ok "person $p_gone has open alerts ($open_gone)" [ "$open_gone" -gt 0 ]
q "DELETE FROM records.person WHERE person_id = $p_gone" >/dev/null
before=$(q "SELECT coalesce(max(transition_id), 0) FROM casewatch.transition")
once third
is "a person deleted while stopped: the next start's sweep withdraws every open alert" \
	"$(q "SELECT count(*) FROM casewatch.alert WHERE person_id = $p_gone AND announced_state IS NOT NULL")" 0
is "... one withdrawn transition each" \
	"$(q "SELECT count(*) FROM casewatch.transition WHERE transition_id > $before
		AND person_id = $p_gone AND kind = 'withdrawn'")" "$open_gone"
is "... and no longer anything time could move" \
	"$(q "SELECT count(*) FROM casewatch.alert WHERE person_id = $p_gone AND next_at IS NOT NULL")" 0
is "the skipped and the refused persons are reconciled at the next sweep once all is well" \
	"$(q "SELECT count(DISTINCT person_id) FROM casewatch.alert WHERE person_id IN ($p_lie, $p_bad)")" 2
tap_done
