#!/bin/sh
# daemon-config.sh - casewatchd's command line: --check-config, --print-config,
# --describe-config, --help, --version, exit codes and messages.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
conf="$CASEWATCH_SRCDIR/tests/data/conf"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-dconf.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$d" --check-config -c "$conf/good.conf" >"$tmp/out" 2>&1
is "--check-config on a good file exits 0" "$?" 0
is "... and says OK" "$(cat "$tmp/out")" "$conf/good.conf: OK"

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
cp "$tmp/out" "$tmp/printed.conf"
ok "its output is itself a valid file" "$d" --check-config -c "$tmp/printed.conf"

is "--print-config --json" "$("$d" --print-config --json -c "$conf/good.conf" | jq -r .socket_mode)" 0600

"$d" --describe-config >"$tmp/described.conf"
is "--describe-config exits 0" "$?" 0
ok "... documents every setting with its default" grep -qx "# Default: 30s; a reload (SIGHUP) applies a change." "$tmp/described.conf"
ok "the shipped example is valid" "$d" --check-config -c "$CASEWATCH_SRCDIR/casewatch.conf.example"

is "--version" "$("$d" --version)" "casewatchd $(sed -n 's/^AC_INIT(\[casewatch\], \[\([^]]*\)\].*/\1/p' "$CASEWATCH_SRCDIR/configure.ac")"
ok "--help exits 0 and explains --once" sh -c "'$d' --help | grep -q -- '--once'"
"$d" --no-such-option >/dev/null 2>&1
is "an unknown option exits 2" "$?" 2

tap_done
