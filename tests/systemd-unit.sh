#!/bin/sh
# systemd-unit.sh - the service and socket units as installed: verified by
# systemd-analyze, and scored by `systemd-analyze security --offline=true`,
# which must stay at or below the targets (1.0 for the unit as shipped, 1.2
# with the TCP drop-in that opens IPv4/IPv6 to the database).
. "$CASEWATCH_SRCDIR/tests/tap.sh"
command -v systemd-analyze >/dev/null 2>&1 || { echo "1..0 # SKIP no systemd-analyze"; exit 0; }
target=1.0
target_tcp=1.2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-unit.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The units as make renders them, with ExecStart= on the built daemon (verify
# checks that it exists and is executable).
mkdir "$tmp/units"
for u in service socket; do
	sed -e "s|@sbindir[@]|$CASEWATCH_BUILDDIR/daemon|g" -e "s|@sysconfdir[@]|/etc|g" \
		-e "s|@docdir[@]|$CASEWATCH_SRCDIR/docs|g" \
		"$CASEWATCH_SRCDIR/systemd/casewatchd.$u.in" >"$tmp/units/casewatchd.$u"
done
ok "the units are rendered" test -s "$tmp/units/casewatchd.service"

# Documentation=man:casewatchd(8): verify runs man for it. Where the source
# tree has the page, man finds it through MANPATH; until it exists, exactly
# that one complaint is tolerated.
mkdir -p "$tmp/man/man8"
page=$(find "$CASEWATCH_SRCDIR" -name 'casewatchd.8' -o -name 'casewatchd.8.in' 2>/dev/null | head -1)
[ -n "$page" ] && cp "$page" "$tmp/man/man8/casewatchd.8"
(cd "$tmp/units" && MANPATH="$tmp/man:" systemd-analyze verify casewatchd.service casewatchd.socket) >"$tmp/verify" 2>&1
if [ -n "$page" ]; then
	is "systemd-analyze verify: no complaint" "$(cat "$tmp/verify")" ""
else
	echo "# no casewatchd(8) page in the tree yet: its missing-man-page message is tolerated"
	is "systemd-analyze verify: no complaint but the missing man page" \
		"$(grep -v "^casewatchd.service: Command 'man casewatchd(8)' failed with code 16\$" "$tmp/verify")" ""
fi

# score UNIT: the overall exposure systemd-analyze gives it.
score() {
	(cd "$tmp/units" && systemd-analyze security --offline=true "$1" 2>/dev/null) |
		sed -n 's/^→ Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p'
}
below() { awk -v s="$1" -v t="$2" 'BEGIN { exit !(s != "" && s + 0 <= t + 0) }'; }
s=$(score casewatchd.service)
echo "# exposure of casewatchd.service: $s"
ok "the unit's exposure ($s) is at most $target" below "$s" "$target"

# With the TCP drop-in, as docs/operations.md installs it.
mkdir "$tmp/units/casewatchd.service.d"
cp "$CASEWATCH_SRCDIR/systemd/tcp-database.conf" "$tmp/units/casewatchd.service.d/"
(cd "$tmp/units" && MANPATH="$tmp/man:" systemd-analyze verify casewatchd.service) >"$tmp/verify" 2>&1
is "with the TCP drop-in it still verifies" \
	"$(grep -v "^casewatchd.service: Command 'man casewatchd(8)' failed with code 16\$" "$tmp/verify")" ""
s=$(score casewatchd.service)
echo "# exposure with tcp-database.conf: $s"
ok "... and its exposure ($s) is at most $target_tcp" below "$s" "$target_tcp"
tap_done
