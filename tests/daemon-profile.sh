#!/bin/sh
# daemon-profile.sh - casewatchd and its policy profile: it refuses to start
# on an invalid profile, naming file and JSON path, and a reload (SIGHUP)
# that names an invalid profile keeps the old one while a valid one is
# loaded, and `casewatchctl status` names the profile in force after each
# (issue 13: it named the one the daemon started with). No database is
# needed: the profile is loaded before connecting, and the daemon keeps
# running (retrying) while the database is away.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
bad="$CASEWATCH_SRCDIR/tests/data/profiles/bad-semantic.json"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-dprof.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# write_conf PROFILE: a database nobody listens on, so the daemon retries.
write_conf() {
	cat >"$tmp/c.conf" <<EOC
[policy]
profile = $1
profile_dir = $CASEWATCH_SRCDIR/profiles
[database]
database = host=$tmp port=1 dbname=none user=none
retry_base = 200ms
retry_cap = 1s
[socket]
socket_path = $tmp/cw.sock
socket_group =
[log]
log_target = stderr
log_level = info
EOC
}

# wait_for TEXT: up to 10 s for a line of the daemon's log.
wait_for() {
	i=0
	while [ $i -lt 100 ]; do
		grep -qF -- "$1" "$tmp/log" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "timed out waiting for: $1" >&2
	tail -5 "$tmp/log" >&2
	return 1
}

write_conf "$bad"
"$d" -c "$tmp/c.conf" --once >"$tmp/once.log" 2>&1
is "an invalid profile: casewatchd refuses to start (exit 1)" "$?" 1
ok "... naming the file and the JSON path of each error" \
	grep -qF "profile: $bad: rules[0].period.unit: unknown unit \"fortnights\"" "$tmp/once.log"
ok "... all of them, not just the first" grep -qF "nation: unknown nation \"wales\"" "$tmp/once.log"
ok "... and saying why it stopped" grep -qF "cannot start: the profile or the calendar is invalid" "$tmp/once.log"
ok "... before touching the database" sh -c "! grep -q 'connected to database' '$tmp/once.log'"

write_conf default
"$d" -c "$tmp/c.conf" >"$tmp/log" 2>&1 &
pid=$!
ok "a valid profile: it starts" wait_for "profile default: 4 rules, nation england-and-wales"

# status_json: the status as JSON (exit 3 while the database is away).
status_json() {
	"$ctl" status --json --socket "$tmp/cw.sock" >"$tmp/status.json"
	[ $? -eq 3 ] && [ -s "$tmp/status.json" ]
}
# status_says FILTER VALUE: jq FILTER of the status is VALUE.
status_says() {
	status_json && [ "$(jq -r "$1" "$tmp/status.json")" = "$2" ]
}
ok "status names the profile it started with" poll_until 10 status_says .profile default
is "... and its file" "$(jq -r .profile_file "$tmp/status.json")" "$CASEWATCH_SRCDIR/profiles/default.json"
is "... and no refused reload" "$(jq -r .profile_refused "$tmp/status.json")" null

write_conf "$bad"
kill -HUP "$pid"
ok "a reload naming an invalid profile is refused" wait_for "reload: profile $bad is invalid, keeping default"
ok "... with the errors logged" wait_for "rules[0].period.unit: unknown unit"
ok "... the refusal carrying its MESSAGE_ID" \
	grep -qE "reload: profile $bad is invalid, keeping default .*message_id=039d48f6e3c142d9a42c286c03f9d6dc" "$tmp/log"
ok "... and the daemon carries on" kill -0 "$pid"
ok "status still names the profile in force" status_says .profile default
is "... and the one the reload refused" "$(jq -r .profile_refused.profile "$tmp/status.json")" "$bad"
"$ctl" status --socket "$tmp/cw.sock" >"$tmp/status.txt"
ok "... which the text status says too" grep -qF "refused profile $bad (invalid; see the log)" "$tmp/status.txt"

write_conf coventry
kill -HUP "$pid"
ok "a reload naming a valid profile loads it" wait_for "reload: profile coventry loaded; every person will be recomputed"
ok "... an accepted reload, with its MESSAGE_ID" \
	grep -qE "reload: profile coventry loaded.* message_id=e3bcaf6cc1be4d5a9e255975b57dcd96" "$tmp/log"
ok "status names the new profile" status_says .profile coventry
is "... and its file" "$(jq -r .profile_file "$tmp/status.json")" "$CASEWATCH_SRCDIR/profiles/coventry.json"
is "... and the refusal is over" "$(jq -r .profile_refused "$tmp/status.json")" null
"$ctl" status --socket "$tmp/cw.sock" >"$tmp/status.txt"
ok "the text status names it too" grep -qxF "profile:     coventry ($CASEWATCH_SRCDIR/profiles/coventry.json)" "$tmp/status.txt"

kill -TERM "$pid"
wait "$pid"
is "SIGTERM: exit 0" "$?" 0
pid=
tap_done
