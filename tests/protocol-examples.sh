#!/bin/sh
# protocol-examples.sh - runs docs/protocol.md's examples against the real
# casewatchd (on a real PostgreSQL, with a test clock) and compares their
# output with the document, so the document cannot drift from the daemon.
#
# The data are the hand-written records below; every expected value is in
# the document, worked out by hand from them and the default profile's
# CP-24H rule (due 24 h after the event, warned 4 h before, escalated to
# the team manager 24 h after the due time). November: London is on GMT.
#   alert 1: person 77031 (team 2, worker 21), s47_enquiry 2026-11-21 13:00Z
#            -> due 2026-11-22T13:00:00Z, escalation 1 at 2026-11-23T13:00:00Z
#   alert 2: person 77044 (team 3, worker 31), cp_activity 2026-11-22 15:30Z
#            -> warned 2026-11-23T11:30:00Z, due 2026-11-23T15:30:00Z
# The daemon runs first at T0 = 2026-11-23T12:00:00Z (transition 1: alert 1
# raised overdue; 2: alert 2 raised due soon), then is restarted at
# T1 = 2026-11-23T15:00:00Z (3: alert 1 escalated to escalated_1). Its poll
# interval is an hour, so each start makes exactly one pass; the restart
# also makes replays from cursor 0 come from the database, and from cursor
# 2 from the in-memory log fed by the live delivery, so both sources are
# checked against the same document.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u

doc="$CASEWATCH_SRCDIR/docs/protocol.md"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
dir=$(mktemp -d "${TMPDIR:-/tmp}/cw-protocol.XXXXXX")
# Readable by postgres (tests run as root in CI).
chmod 0755 "$dir"
sock="$dir/casewatch.sock"
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	pg_destroy
	rm -rf "$dir"
}
trap cleanup EXIT

ok "socat and jq are installed (scripts/install-deps)" sh -c 'command -v socat && command -v jq'

pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
for f in interface facts; do
	pg_psql -f "$CASEWATCH_SRCDIR/sql/records/$f.sql" >/dev/null || { echo "Bail out! cannot load $f.sql"; exit 1; }
done
pg_psql >/dev/null <<'EOF' || { echo "Bail out! cannot load the example records"; exit 1; }
INSERT INTO records.team (team_id, code, name, manager_id, service_manager_id) VALUES
	(2, 'N2', 'not read', 22, 90), (3, 'S1', 'not read', 32, 90);
INSERT INTO records.staff (staff_id, team_id, role) VALUES
	(21, 2, 'worker'), (22, 2, 'team_manager'), (31, 3, 'worker'), (32, 3, 'team_manager'),
	(90, NULL, 'service_manager');
INSERT INTO records.person (person_id, kind, date_of_birth, team_id, allocated_worker_id) VALUES
	(77031, 'child', DATE '2016-04-12', 2, 21), (77044, 'child', DATE '2019-09-30', 3, 31);
INSERT INTO records.event (event_id, person_id, event_type, occurred_at, recorded_by) VALUES
	(501, 77031, 's47_enquiry', '2026-11-21 13:00Z', 21),
	(502, 77044, 'cp_activity', '2026-11-22 15:30Z', 31);
EOF

# Root may change state unless denied; another user must be allowed by name.
admins=
[ "$(id -u)" -eq 0 ] || admins=$(id -un)
cat >"$dir/c.conf" <<EOC
# written by tests/protocol-examples.sh
[policy]
profile = default
profile_dir = $CASEWATCH_SRCDIR/profiles
[database]
database = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
[daemon]
poll_interval = 1h
test_clock_file = $dir/clock
[socket]
socket_path = $sock
socket_mode = 0666
socket_group =
admin_users = $admins
admin_groups =
[log]
log_target = stderr
log_level = info
EOC

# wait_until COMMAND...: up to 20 s for COMMAND to succeed.
wait_until() {
	i=0
	while [ $i -lt 200 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
q() { pg_psql -Atc "$1"; }
# delivered N: N transitions written and all of them delivered.
delivered() {
	[ "$(q "SELECT count(*) FROM casewatch.transition")" = "$1" ] &&
		[ "$(q "SELECT coalesce((SELECT last_id FROM casewatch.sink_cursor WHERE sink = 'syslog'), 0)")" = "$1" ]
}
# start_at TIME N: the daemon at TIME until it has delivered N transitions.
start_at() {
	echo "$1" >"$dir/clock"
	"$d" -c "$dir/c.conf" >>"$dir/log" 2>&1 &
	pid=$!
	wait_until test -S "$sock" && wait_until delivered "$2"
}
stop() {
	kill "$pid" && wait "$pid"
	pid=
}

start_at 2026-11-23T12:00:00Z 2 || { tail -5 "$dir/log" | sed 's/^/# /'; echo "Bail out! first run"; exit 1; }
ok "the first run stops cleanly" stop
start_at 2026-11-23T15:00:00Z 3 || { tail -5 "$dir/log" | sed 's/^/# /'; echo "Bail out! second run"; exit 1; }
# status's open-alert counts are refreshed when asked for and older than
# 1 s: ask until they are those of the second run (two open alerts, one
# escalated).
counted() {
	printf '%s\n' '{"cmd":"hello","protocol":"1.0"}' '{"cmd":"status"}' | socat - "UNIX-CONNECT:$sock" |
		tail -1 | jq -e '.alerts.open == 2 and .alerts.by_state.escalated_1 == 1' >/dev/null
}
ok "status counts the second run's alerts" poll_until 30 counted

# Every command hello lists (from the daemon's command table) has its
# section here and its entry in casewatch-protocol(7).
printf '%s\n' '{"cmd":"hello","protocol":"1.0"}' | socat - "UNIX-CONNECT:$sock" |
	jq -r '.capabilities[] | select(. != "resume")' >"$dir/capabilities"
ok "hello lists the records officers' commands and explain" \
	sh -c "grep -cxE 'hold|destruction|register|retention|explain' '$dir/capabilities' | grep -qx 5"
undocumented=
for c in $(cat "$dir/capabilities"); do
	grep -qE "^###.*\`$c\`" "$doc" || undocumented="$undocumented protocol.md:$c"
	grep -qF ".It Ql {\"cmd\":\"$c\"" "$CASEWATCH_SRCDIR/docs/casewatch-protocol.7" ||
		undocumented="$undocumented casewatch-protocol.7:$c"
done
is "every command hello lists is documented" "$undocumented" ""

# Each ```protocol-example block: "$ " lines (and their "\" continuations)
# are the command, the other lines its expected output.
awk -v dir="$dir" '
/^```protocol-example[ \t]*$/ { n++; inex = 1; cont = 0; print NR > (dir "/" n ".line"); next }
inex && /^```/ { inex = 0; next }
inex {
	if (cont || substr($0, 1, 2) == "$ ") {
		line = cont ? $0 : substr($0, 3)
		cont = (line ~ /\\$/)
		print line > (dir "/" n ".cmd")
	} else
		print > (dir "/" n ".want")
}
END { print n + 0 > (dir "/count") }' "$doc"
count=$(cat "$dir/count")
ok "docs/protocol.md has runnable examples ($count)" test "$count" -ge 9

# Two output lines agree: equal text, or equal JSON values once what
# legitimately varies is set aside, on both sides, member by member (each
# must still be there): the daemon's version (hello), the host name in an
# event's source, and in status the database connection's start and the
# server's version, the profile's file, the last pass's duration, and the
# bytes queued for clients (the hello reply may still be); and "busy" with a query
# queued reads as "ready" (the open-alert counts may be being refreshed at
# that instant).
same_line() {
	[ "$1" = "$2" ] && return 0
	jq -n --argjson g "$1" --argjson w "$2" '
		def star(k): if type == "object" and has(k) then .[k] = "*" else . end;
		def norm:
			if type != "object" then .
			else (if .server == "casewatchd" then star("version") else . end)
			| (if has("specversion") and (.source | type) == "string" and (.source | startswith("casewatch://"))
			   then .source = "casewatch://casewatch-host" else . end)
			| (if (.database | type) == "object" then .database |= (star("since") | star("server_version")
			   | if .state == "busy" then .state = "ready" | .queued = 0 else . end) else . end)
			| (if (.pass | type) == "object" then .pass |= star("last_ms") | star("profile_file") else . end)
			| (if (.bus | type) == "object" then .bus |= star("output_bytes") else . end)
			end;
		($g | norm) == ($w | norm)' 2>/dev/null | grep -qx true
}

# Runs example $1 and compares its output with the document's.
check_example() {
	n=$1
	sed "s|/run/casewatch/casewatch.sock|$sock|g" "$dir/$n.cmd" >"$dir/$n.sh"
	sh "$dir/$n.sh" >"$dir/$n.got" 2>&1
	touch "$dir/$n.want"
	gl=$(wc -l <"$dir/$n.got")
	wl=$(wc -l <"$dir/$n.want")
	if [ "$gl" -ne "$wl" ]; then
		echo "# expected $wl lines, got $gl:"
		sed 's/^/#   /' "$dir/$n.got"
		return 1
	fi
	k=1
	while [ $k -le "$wl" ]; do
		g=$(sed -n "${k}p" "$dir/$n.got")
		w=$(sed -n "${k}p" "$dir/$n.want")
		if ! same_line "$g" "$w"; then
			echo "# line $k differs"
			echo "#   got:      $g"
			echo "#   expected: $w"
			return 1
		fi
		k=$((k + 1))
	done
}

n=1
while [ $n -le "$count" ]; do
	ok "example $n (docs/protocol.md line $(cat "$dir/$n.line"))" check_example $n
	n=$((n + 1))
done

ok "the daemon is still running" kill -0 "$pid"
tap_done
