#!/bin/sh
# daemon-watermark.sh - the change watermark outlives casewatchd: a restart
# with the same profile, calendar and version resumes from the stored
# watermark without a sweep, and still sees what changed while it was
# stopped, once; a restart under another profile, an edited profile, other
# retention settings, or after sweep_interval has elapsed sweeps every
# person. Across every restart (SIGTERM and SIGKILL) no transition is lost
# or written twice.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-wm.XXXXXX")
chmod 0755 "$tmp"
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
db=cw_wm
pg_load_records $db 200 0.5 2026-11-20T09:00:00Z || { echo "Bail out! cannot load generated records"; exit 1; }
q() { pg_psql -d $db -Atc "$1"; }
# The records were written a moment ago, inside the change overlap: date
# them a day back (the change-marker triggers set aside), so a pass that
# resumes reads only what changes from here on.
pg_psql -d $db -q <<'SQL' || { echo "Bail out! cannot date the records back"; exit 1; }
SET session_replication_role = replica;
DO $$
DECLARE t text;
BEGIN
	FOR t IN SELECT c.table_name FROM information_schema.columns c
		JOIN information_schema.tables r USING (table_schema, table_name)
		WHERE c.table_schema = 'records' AND c.column_name = 'changed_at'
		AND r.table_type = 'BASE TABLE' LOOP
		EXECUTE format('UPDATE records.%I SET changed_at = changed_at - interval ''1 day''', t);
	END LOOP;
END $$;
SQL

mkdir "$tmp/profiles"
cp "$CASEWATCH_SRCDIR/profiles/"*.json "$tmp/profiles/"
echo "2026-11-20T09:00:00Z" >"$tmp/clock"
# write_conf PROFILE [SWEEP_INTERVAL [POLICY_LINE]]
write_conf() {
	cat >"$tmp/c.conf" <<EOC
[database]
database = host=$PGHOST port=$PGPORT dbname=$db user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
[policy]
profile = $1
profile_dir = $tmp/profiles
${3:-}
[daemon]
poll_interval = 1s
sweep_interval = ${2:-6h}
test_clock_file = $tmp/clock
[socket]
socket_path = $tmp/cw.sock
socket_group =
[log]
log_target = stderr
log_level = info
log_rate_limit = 0
EOC
}
# start LOG: the daemon proper; wait_passes LOG N: N passes done.
start() {
	CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" 2>"$tmp/$1" &
	pid=$!
}
passes() { grep -c 'pass done: ' "$tmp/$1" || true; }
wait_passes() { poll_until 60 sh -c "[ \$(grep -c 'pass done: ' '$tmp/$1') -ge $2 ]"; }
stop() {
	kill -"${1:-TERM}" "$pid"
	wait "$pid" 2>/dev/null
	pid=
}
ntrans() { q "SELECT count(*) FROM casewatch.transition"; }
# Two transitions with the same alert, kind, states and time would be one written twice.
doubles() {
	q "SELECT count(*) FROM (SELECT 1 FROM casewatch.transition
		GROUP BY alert_id, kind, from_state, to_state, at HAVING count(*) > 1) x"
}

write_conf enfield
start first.log
ok "a first start sweeps" wait_passes first.log 2
ok "... saying why" grep -qF "a full sweep is due: no watermark is stored" "$tmp/first.log"
ok "... and evaluating every person" grep -qF "sweep: $(q "SELECT count(*) FROM records.person") persons evaluated under profile enfield" "$tmp/first.log"
stop
is "the watermark is stored" "$(q "SELECT count(*) FROM casewatch.watermark WHERE name = 'records'")" 1
is "... with the setup of the sweep" "$(q "SELECT profile || ' ' || casewatch_version || ' ' || length(profile_digest) || ' ' || length(calendar_digest) FROM casewatch.sweep")" \
	"enfield $(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$CASEWATCH_BUILDDIR/config.h") 16 16"
before=$(ntrans)
ok "the sweep raised alerts ($before transitions)" [ "$before" -gt 0 ]

# While stopped: a person with open alerts leaves the records.
gone=$(q "SELECT person_id FROM casewatch.alert WHERE announced_state IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
open_gone=$(q "SELECT count(*) FROM casewatch.alert WHERE person_id = $gone AND announced_state IS NOT NULL")
ok "person $gone has open alerts ($open_gone)" [ "$open_gone" -gt 0 ]
q "DELETE FROM records.person WHERE person_id = $gone" >/dev/null
start second.log
ok "a restart with the same setup runs passes" wait_passes second.log 2
ok "... resuming from the stored watermark" grep -qF "resuming from the stored watermark" "$tmp/second.log"
ok "... without a sweep" sh -c "! grep -q 'sweep: ' '$tmp/second.log'"
ok "... evaluating only the persons changed since" \
	grep -qE "pass done: [1-9] persons in" "$tmp/second.log"
is "what changed while it was stopped is seen: each open alert of person $gone withdrawn once" \
	"$(q "SELECT count(*) FROM casewatch.transition WHERE person_id = $gone AND kind = 'withdrawn'")" "$open_gone"
is "... and nothing else written" "$(ntrans)" "$((before + open_gone))"

# A change inside the overlap window is read once, not on every pass of the window.
touched=$(q "SELECT min(person_id) FROM records.person WHERE kind = 'child' AND allocated_worker_id IS NOT NULL")
mark=$(passes second.log)
q "INSERT INTO records.record (person_id, record_type, author_id, entered_at, finalised_at)
	SELECT person_id, 'case_note', allocated_worker_id, now(), now() FROM records.person WHERE person_id = $touched" >/dev/null
ok "a changed person is read at the next pass" \
	poll_until 30 sh -c "tail -n +1 '$tmp/second.log' | grep 'pass done: ' | tail -n +$((mark + 1)) | grep -q 'pass done: 1 persons'"
mark=$(grep -n 'pass done: 1 persons' "$tmp/second.log" | tail -1 | cut -d: -f1)
ok "... and three passes later" wait_passes second.log "$(($(passes second.log) + 3))"
is "... none of them read it again, though it is still inside change_overlap" \
	"$(tail -n +"$((mark + 1))" "$tmp/second.log" | grep 'pass done: ' | grep -vc 'pass done: 0 persons')" 0
before=$(ntrans)
stop KILL

start third.log
ok "after SIGKILL: a restart resumes too" wait_passes third.log 2
ok "... without a sweep" sh -c "grep -q 'resuming from the stored watermark' '$tmp/third.log' && ! grep -q 'sweep: ' '$tmp/third.log'"
is "... and writes nothing again" "$(ntrans)" "$before"
stop

# Another profile: every person again.
write_conf default
start fourth.log
ok "a restart under another profile sweeps" wait_passes fourth.log 1
ok "... saying why" grep -qF "a full sweep is due: the profile is another one" "$tmp/fourth.log"
ok "... evaluating every person" grep -qE "sweep: [0-9]+ persons evaluated under profile default" "$tmp/fourth.log"
stop
is "the stored sweep names the profile" "$(q "SELECT profile FROM casewatch.sweep")" default

# The same profile name, its rules edited.
sed 's/"period": "5wd"/"period": "6wd"/' "$tmp/profiles/default.json" >"$tmp/profiles/default.json.new"
mv "$tmp/profiles/default.json.new" "$tmp/profiles/default.json"
ok "(the profile's text changed)" sh -c "! cmp -s '$tmp/profiles/default.json' '$CASEWATCH_SRCDIR/profiles/default.json'"
start fifth.log
ok "a restart after the profile was edited sweeps" wait_passes fifth.log 1
ok "... saying why" grep -qF "a full sweep is due: the profile changed" "$tmp/fifth.log"
stop

# sweep_interval counts from the stored sweep, not from the start.
q "UPDATE casewatch.sweep SET swept_at = swept_at - interval '2 hours'" >/dev/null
write_conf default 3h
start sixth.log
ok "a restart before sweep_interval has elapsed since the stored sweep: no sweep" wait_passes sixth.log 2
ok "... (resumed)" sh -c "grep -q 'resuming from the stored watermark' '$tmp/sixth.log' && ! grep -q 'sweep: ' '$tmp/sixth.log'"
stop
write_conf default 1h
start seventh.log
ok "a restart after sweep_interval has elapsed since the stored sweep sweeps" wait_passes seventh.log 1
ok "... saying why" grep -qF "a full sweep is due: sweep_interval has elapsed since the last sweep" "$tmp/seventh.log"
stop
# The retention settings move notices as the profile's rules do.
write_conf default 6h "retention_notice_window = 30d"
start eighth.log
ok "a restart with another retention_notice_window sweeps" wait_passes eighth.log 1
ok "... saying why" grep -qF "a full sweep is due: the profile changed" "$tmp/eighth.log"
stop
is "no transition was ever written twice" "$(doubles)" 0
is "every transition was delivered" \
	"$(q "SELECT (SELECT transition_id FROM casewatch.sink_position WHERE sink = 'syslog') = max(transition_id) FROM casewatch.transition")" t
tap_done
