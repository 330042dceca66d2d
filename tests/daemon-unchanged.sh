#!/bin/sh
# daemon-unchanged.sh - a re-sweep leaves out the obligations of every
# person whose digest is the one the store held when their page was read
# (012_unchanged.sql), and writes nothing for them; and when the stored
# digest changes between that read and the page's write, the store refuses
# the page rather than taking the person for one who owes nothing, and the
# daemon sends the page's persons again whole: nothing is lost, withdrawn or
# written twice.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-unch.XXXXXX")
chmod 0755 "$tmp"
pid=
relays=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	[ -n "$relays" ] && kill $relays 2>/dev/null
	exec 3>&- 4>&- 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
db=cw_unch
pg_load_records $db 1500 0.5 2026-11-20T09:00:00Z || { echo "Bail out! cannot load generated records"; exit 1; }
q() { pg_psql -d $db -Atc "$1"; }
persons=$(q "SELECT count(*) FROM records.person")
echo "2026-11-20T09:00:00Z" >"$tmp/clock"
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
socket_path = $tmp/cw.sock
socket_group =
[log]
log_target = stderr
log_level = info
log_rate_limit = 0
EOC
once() { CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" --once 2>"$tmp/$1"; }
ntrans() { q "SELECT count(*) FROM casewatch.transition"; }
nopen() { q "SELECT count(*) FROM casewatch.alert WHERE state NOT IN ('resolved', 'withdrawn')"; }
doubles() {
	q "SELECT count(*) FROM (SELECT 1 FROM casewatch.transition
		GROUP BY alert_id, kind, from_state, to_state, at HAVING count(*) > 1) x"
}

ok "a first sweep goes through" once first.log
ok "... with every person's obligations sent (none stored before)" \
	grep -qE "pass done: $persons persons in [0-9]+ ms \(.*; 0 unchanged\)" "$tmp/first.log"
trans=$(ntrans)
open=$(nopen)
ok "... raising alerts ($trans transitions, $open open)" [ "$trans" -gt 0 ] && [ "$open" -gt 0 ]
ok "... over more than one page" [ "$persons" -gt 1000 ]

ok "a second sweep of the same records goes through" once second.log
ok "... leaving out every person's obligations as unchanged" \
	grep -qE "pass done: $persons persons in [0-9]+ ms \(.*; $persons unchanged\)" "$tmp/second.log"
is "... writing no transition" "$(ntrans)" "$trans"
is "... and leaving the open alerts as they were" "$(nopen)" "$open"

# One person changes: only they are sent.
changed=$(q "SELECT min(person_id) FROM records.person WHERE kind = 'child' AND allocated_worker_id IS NOT NULL")
q "INSERT INTO records.event (person_id, event_type, occurred_at)
	VALUES ($changed, 's47_enquiry', '2026-11-18T10:00:00Z')" >/dev/null
ok "a sweep after one person's new event goes through" once third.log
ok "... sending that person's obligations alone" \
	grep -qE "pass done: $persons persons in [0-9]+ ms \(.*; $((persons - 1)) unchanged\)" "$tmp/third.log"
ok "... whose new obligation is raised" \
	[ "$(q "SELECT count(*) FROM casewatch.transition WHERE person_id = $changed AND kind = 'raised'
		AND transition_id > $(q "SELECT max(transition_id) FROM casewatch.transition WHERE transition_id <= $trans")")" -ge 1 ]
trans=$(ntrans)
open=$(nopen)

# The race: the stored digest of a person with open alerts changes after
# the daemon read it with the page and before the page is written. The
# writer's lock (casewatch.writer_lock()) is held so that the daemon waits
# inside the page's reconcile_set(); the lock is relayed past the team step,
# which takes it first.
victim=$(q "SELECT d.person_id FROM casewatch.person_digest d JOIN casewatch.alert a USING (person_id)
	WHERE a.state NOT IN ('resolved', 'withdrawn') ORDER BY d.person_id LIMIT 1")
victim_digest=$(q "SELECT digest FROM casewatch.person_digest WHERE person_id = $victim")
victim_open=$(q "SELECT count(*) FROM casewatch.alert WHERE person_id = $victim AND state NOT IN ('resolved', 'withdrawn')")
lock=$(q "SELECT substring(prosrc from '[0-9]+') FROM pg_proc WHERE proname = 'writer_lock'")
ok "the writer's lock is known ($lock)" [ -n "$lock" ]
mkfifo "$tmp/a" "$tmp/b"
pg_psql -d $db -q <"$tmp/a" >"$tmp/a.out" 2>&1 &
relays=$!
pg_psql -d $db -q <"$tmp/b" >"$tmp/b.out" 2>&1 &
relays="$relays $!"
exec 3>"$tmp/a" 4>"$tmp/b"
echo "SET application_name = 'relay a'; SELECT pg_advisory_lock($lock);" >&3
holds() { [ "$(q "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity s USING (pid)
	WHERE l.locktype = 'advisory' AND l.objid = $lock AND l.granted AND s.application_name = '$1'")" = 1 ]; }
waits() { [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1'
	AND wait_event_type = 'Lock'")" = 1 ]; }
waiting_in() { [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'casewatchd'
	AND wait_event_type = 'Lock' AND query LIKE '%$1%'")" = 1 ]; }
ok "relay a holds the writer's lock" poll_until 30 holds 'relay a'
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" --once 2>"$tmp/race.log" &
pid=$!
ok "the daemon waits for it in the team step" poll_until 60 waiting_in reconcile_team
echo "SET application_name = 'relay b'; SELECT pg_advisory_lock($lock);" >&4
ok "... relay b queues behind it" poll_until 30 waits 'relay b'
echo "SELECT pg_advisory_unlock($lock);" >&3
ok "the daemon waits for it again, inside the first page's reconcile_set()" poll_until 60 waiting_in reconcile_set
ok "... while relay b holds it" holds 'relay b'
echo "UPDATE casewatch.person_digest SET digest = digest # 1 WHERE person_id = $victim;
	SELECT pg_advisory_unlock($lock);" >&4
wait "$pid"
rc=$?
pid=
is "the pass still goes through" "$rc" 0
ok "the store refused the page, naming the person" \
	grep -qF "reconcile: person $victim: its obligations were left out as unchanged, but the stored digest is not the one given" "$tmp/race.log"
ok "... and the daemon sent its persons again, one by one" \
	grep -qF "reconciling them one by one" "$tmp/race.log"
is "person $victim's open alerts stay open" \
	"$(q "SELECT count(*) FROM casewatch.alert WHERE person_id = $victim AND state NOT IN ('resolved', 'withdrawn')")" "$victim_open"
ok "... (there were some: $victim_open)" [ "$victim_open" -gt 0 ]
is "... and their digest is the one their obligations have" \
	"$(q "SELECT digest FROM casewatch.person_digest WHERE person_id = $victim")" "$victim_digest"
is "nothing was written: no transition" "$(ntrans)" "$trans"
is "... the same alerts open" "$(nopen)" "$open"
is "... none written twice" "$(doubles)" 0
ok "nothing at error level in the daemon's log" sh -c "! grep -q ' err: ' '$tmp/race.log'"
echo '\q' >&3
echo '\q' >&4
exec 3>&- 4>&-
wait $relays 2>/dev/null
relays=
tap_done
