#!/bin/sh
# rebuild-prefix.sh - a build folder configured again with another --prefix
# rebuilds what uses the paths configure decides (issue 13: the installed
# daemon looked in the old /usr/local). A scratch folder is configured with
# one prefix and built, then configured with another and built again; the
# binaries must name only the new paths, and a make with nothing changed
# must compile nothing.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-prefix.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
unset MAKEFLAGS MFLAGS MAKELEVEL
cd "$tmp" || exit 1
# paths.h is a BUILT_SOURCE: naming targets directly needs it named first.
targets="paths.h daemon/casewatchd ctl/casewatchctl"

"$CASEWATCH_SRCDIR/configure" --prefix=/opt/cw-one >configure.log 2>&1
is "configure --prefix=/opt/cw-one" "$?" 0
make -j2 $targets >make1.log 2>&1
is "... make" "$?" 0
ok "casewatchd looks for its settings under /opt/cw-one" \
	sh -c "daemon/casewatchd --help | grep -qF '/opt/cw-one/etc/casewatch/casewatch.conf'"
ok "... and its profiles" sh -c "strings daemon/casewatchd | grep -qxF /opt/cw-one/share/casewatch/profiles"

"$CASEWATCH_SRCDIR/configure" --prefix=/opt/cw-two >configure.log 2>&1
is "the same folder, configure --prefix=/opt/cw-two" "$?" 0
make -j2 $targets >make2.log 2>&1
is "... make" "$?" 0
ok "casewatchd now looks for its settings under /opt/cw-two" \
	sh -c "daemon/casewatchd --help | grep -qF '/opt/cw-two/etc/casewatch/casewatch.conf'"
is "... and names no path of the old prefix" "$(strings daemon/casewatchd ctl/casewatchctl | grep -c /opt/cw-one)" 0
# strings may join the holidays path to the literal before it: anchored at its end only.
ok "... its profiles, migrations, holidays under the new one" sh -c \
	"strings daemon/casewatchd | grep -qxF /opt/cw-two/share/casewatch/profiles &&
	 strings daemon/casewatchd | grep -qxF /opt/cw-two/share/casewatch/sql/casewatch &&
	 strings daemon/casewatchd | grep -q '/opt/cw-two/share/casewatch/holidays/one-off.json\$'"
ok "casewatchctl's default socket too" sh -c "strings ctl/casewatchctl | grep -qxF /opt/cw-two/var/run/casewatch/casewatch.sock"
ok "only what uses the paths was compiled again ($(grep -c 'CC ' make2.log) files)" \
	test "$(grep -c 'CC ' make2.log)" -lt "$(grep -c 'CC ' make1.log)"

make -j2 $targets >make3.log 2>&1
is "a make with nothing changed compiles nothing" "$(grep -c 'CC ' make3.log)" 0
tap_done
