#!/bin/sh
# daemon-config.sh - casewatchd's command line: --check-config (the file and
# everything it names that the daemon loads), --print-config,
# --describe-config, --help, --version, exit codes and messages.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
conf="$CASEWATCH_SRCDIR/tests/data/conf"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-dconf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# write_conf FILE PROFILE [LINES...]: a file the daemon could start with, on
# the source tree's profiles and migrations, no socket group or admin
# group unless LINES (under [socket]) set them.
write_conf() {
	f=$1
	profile=$2
	shift 2
	{
		echo 'database = "host=/run/postgresql dbname=records"'
		echo '[database]'
		echo "migrations_dir = ${migrations:-$CASEWATCH_SRCDIR/sql/casewatch}"
		echo '[policy]'
		echo "profile = $profile"
		echo "profile_dir = ${profiles:-$CASEWATCH_SRCDIR/profiles}"
		echo '[socket]'
		case "$*" in *socket_group*) ;; *) echo 'socket_group = ""' ;; esac
		case "$*" in *admin_groups*) ;; *) echo 'admin_groups = ""' ;; esac
		for line in "$@"; do echo "$line"; done
	} >"$f"
}

write_conf "$tmp/ok.conf" enfield
"$d" --check-config -c "$tmp/ok.conf" >"$tmp/out" 2>&1
is "--check-config on a file the daemon can start with exits 0" "$?" 0
is "... and says OK" "$(cat "$tmp/out")" "$tmp/ok.conf: OK"

# Issue 13: the file is well formed but names what the daemon cannot load.
write_conf "$tmp/c.conf" enfeld
"$d" --check-config -c "$tmp/c.conf" >"$tmp/out" 2>"$tmp/err"
is "a misspelt profile (profile = enfeld): exit 1" "$?" 1
is "... nothing on stdout" "$(cat "$tmp/out")" ""
ok "... naming the profile and the file it looked for" grep -qF \
	"$tmp/c.conf: profile enfeld: $CASEWATCH_SRCDIR/profiles/enfeld.json: cannot open: No such file or directory" "$tmp/err"
ok "... and listing the profiles there are" grep -qF \
	"$tmp/c.conf: profile enfeld: the profiles in $CASEWATCH_SRCDIR/profiles are: brighton-hove, coventry, default, enfield," "$tmp/err"

profiles="$CASEWATCH_SRCDIR/tests/data/profiles" write_conf "$tmp/c.conf" bad-extends
"$d" --check-config -c "$tmp/c.conf" >"$tmp/out" 2>"$tmp/err"
is "a profile whose extends is missing: exit 1" "$?" 1
ok "... naming the missing base" grep -qF 'extends: unknown profile "nonexistent"' "$tmp/err"

profiles="$CASEWATCH_SRCDIR/tests/data/profiles" write_conf "$tmp/c.conf" bad-semantic
"$d" --check-config -c "$tmp/c.conf" >"$tmp/out" 2>"$tmp/err"
is "an invalid profile: exit 1" "$?" 1
ok "... naming file and JSON path" grep -qF 'bad-semantic.json: rules[0].period.unit: unknown unit "fortnights"' "$tmp/err"

mkdir -p "$tmp/data/holidays"
echo '{"england-and-wales": {"division": "england-and-wales", "events": [' >"$tmp/data/holidays/one-off.json"
write_conf "$tmp/c.conf" default
CASEWATCH_DATADIR="$tmp/data" "$d" --check-config -c "$tmp/c.conf" >"$tmp/out" 2>"$tmp/err"
is "a broken one-off holidays file: exit 1" "$?" 1
ok "... naming the calendar and the file" grep -qF "$tmp/c.conf: calendar: $tmp/data/holidays/one-off.json" "$tmp/err"

mkdir "$tmp/empty"
migrations="$tmp/empty" write_conf "$tmp/c.conf" default
"$d" --check-config -c "$tmp/c.conf" >"$tmp/out" 2>"$tmp/err"
is "a migrations directory without migrations: exit 1" "$?" 1
ok "... saying so" grep -qF "$tmp/c.conf: migrations_dir: migrations directory $tmp/empty: no NNN_name.sql files" "$tmp/err"
migrations="$tmp/none" write_conf "$tmp/c.conf" default
"$d" --check-config -c "$tmp/c.conf" >"$tmp/out" 2>"$tmp/err"
is "a missing migrations directory: exit 1" "$?" 1
ok "... saying so" grep -qF "$tmp/c.conf: migrations_dir: migrations directory $tmp/none: No such file or directory" "$tmp/err"

write_conf "$tmp/c.conf" default 'socket_group = cw-no-such-group'
"$d" --check-config -c "$tmp/c.conf" >"$tmp/out" 2>"$tmp/err"
is "a socket group that does not exist: exit 1" "$?" 1
ok "... saying so" grep -qF "$tmp/c.conf: socket_group: no group \"cw-no-such-group\" on this system" "$tmp/err"

write_conf "$tmp/c.conf" default 'admin_users = root cw-no-such-user' 'admin_groups = cw-no-such-group'
"$d" --check-config -c "$tmp/c.conf" >"$tmp/out" 2>"$tmp/err"
is "admin names that do not exist are only warned about: exit 0" "$?" 0
ok "... the user" grep -qxF "warning: $tmp/c.conf: admin_users: no user \"cw-no-such-user\"; the daemon will ignore it" "$tmp/err"
ok "... the group" grep -qF "admin_groups: no group \"cw-no-such-group\"" "$tmp/err"
is "... and not about the ones that exist" "$(grep -c root "$tmp/err")" 0

write_conf "$tmp/c.conf" enfeld 'admin_groups = cw-no-such-group'
"$d" --check-config --json -c "$tmp/c.conf" >"$tmp/out" 2>&1
is "--check-config --json on a misspelt profile exits 1" "$?" 1
is "... valid is false" "$(jq -r .valid "$tmp/out")" false
is "... two errors about the profile" "$(jq '[.errors[] | select(contains("profile enfeld"))] | length' "$tmp/out")" 2
is "... and the warning" "$(jq -r '.warnings | length' "$tmp/out")" 1

"$d" --check-config -c "$conf/errors.conf" >"$tmp/out" 2>"$tmp/err"
is "--check-config on a bad file exits 1" "$?" 1
is "... printing nothing on stdout" "$(cat "$tmp/out")" ""
is "... and every problem on stderr, one per line" "$(wc -l <"$tmp/err" | tr -d ' ')" 13
ok "... each naming file and line" grep -qF "$conf/errors.conf:4: connect_timeout: \"5 parsecs\" is not a duration (e.g. 30s, 5m, 1h)" "$tmp/err"
ok "... and the missing required setting" grep -qF "$conf/errors.conf: database: required setting missing" "$tmp/err"

"$d" --check-config --json -c "$conf/errors.conf" >"$tmp/out" 2>&1
is "--check-config --json exits 1 on a bad file" "$?" 1
is "... valid is false" "$(jq -r .valid "$tmp/out")" false
is "... 13 errors" "$(jq '.errors | length' "$tmp/out")" 13

"$d" --check-config -c "$tmp/none.conf" >"$tmp/out" 2>&1
is "--check-config on a missing file exits 1" "$?" 1
ok "... saying so" grep -qF "$tmp/none.conf: cannot open: No such file or directory" "$tmp/out"

"$d" --print-config -c "$conf/good.conf" >"$tmp/out" 2>&1
is "--print-config exits 0" "$?" 0
ok "... masks the password" grep -qxF "database = host=/run/postgresql dbname=records password='*********'" "$tmp/out"
ok "... fills in defaults" grep -qx "connect_timeout = 10s" "$tmp/out"
ok "... shows set values" grep -qx "poll_interval = 90s" "$tmp/out"
"$d" --print-config -c "$tmp/ok.conf" >"$tmp/printed.conf"
ok "its output is itself a valid file" "$d" --check-config -c "$tmp/printed.conf"

is "--print-config --json" "$("$d" --print-config --json -c "$conf/good.conf" | jq -r .socket_mode)" 0600

"$d" --describe-config >"$tmp/described.conf"
is "--describe-config exits 0" "$?" 0
ok "... documents every setting with its default" grep -qx "# Default: 30s; a reload (SIGHUP) applies a change." "$tmp/described.conf"
# The example's paths are an installation's: point them at the source tree,
# and its socket group (made by systemd-sysusers) at the test's own group.
sed -e "s|^# profile_dir = .*|profile_dir = $CASEWATCH_SRCDIR/profiles|" \
	-e "s|^# migrations_dir = .*|migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch|" \
	-e "s|^# socket_group = .*|socket_group = $(id -gn)|" \
	"$CASEWATCH_SRCDIR/casewatch.conf.example" >"$tmp/example.conf"
ok "the shipped example is valid" "$d" --check-config -c "$tmp/example.conf"

is "--version" "$("$d" --version)" "casewatchd $(sed -n 's/^AC_INIT(\[casewatch\], \[\([^]]*\)\].*/\1/p' "$CASEWATCH_SRCDIR/configure.ac")"
ok "--help exits 0 and explains --once" sh -c "'$d' --help | grep -q -- '--once'"
"$d" --no-such-option >/dev/null 2>&1
is "an unknown option exits 2" "$?" 2

tap_done
