#!/bin/sh
# install-tree.sh - what `make install` puts on a server: installed into a
# scratch DESTDIR and checked file by file, then the sysusers.d file run by
# systemd-sysusers into a scratch root, so the groups the example
# configuration names exist once installed (issue 13).
. "$CASEWATCH_SRCDIR/tests/tap.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
b="$CASEWATCH_BUILDDIR"
# Our own make, not a part of the one running the tests.
unset MAKEFLAGS MFLAGS MAKELEVEL
dest="$tmp/dest"
# The paths configure chose, as the Makefile spells them out.
mkvar() { make -s -C "$b" --no-print-directory -f Makefile -f - print-var VAR="$1" <<'EOM'
print-var:
	@echo '$($(VAR))'
EOM
}

make -s -C "$b" install DESTDIR="$dest" >"$tmp/install.log" 2>&1
is "make install DESTDIR=... exits 0" "$?" 0
prefix=$(mkvar prefix)
sysconf=$(mkvar sysconfdir)
sysusers=$(mkvar sysusersdir)
pkgdata=$(mkvar pkgdatadir)
unitdir=$(mkvar systemdsystemunitdir)

ok "the daemon" test -x "$dest$prefix/sbin/casewatchd"
ok "casewatchctl" test -x "$dest$prefix/bin/casewatchctl"
ok "the service and socket units" test -f "$dest$unitdir/casewatchd.service" -a -f "$dest$unitdir/casewatchd.socket"
ok "the sysusers.d file" test -f "$dest$sysusers/casewatch.conf"
ok "the example configuration" test -f "$dest$sysconf/casewatch/casewatch.conf.example"
ok "the profiles" test -f "$dest$pkgdata/profiles/default.json"
ok "the schema migrations" test -f "$dest$pkgdata/sql/casewatch/001_initial.sql"
ok "the one-off bank holidays" test -f "$dest$pkgdata/holidays/one-off.json"
catalog=$(mkvar catalogdir)
ok "the journal message catalog, in systemd's catalog directory" test -f "$dest$catalog/casewatch.catalog"
case "$catalog" in
*/lib/systemd/catalog) ok "... which is systemd's, under the prefix" test "${catalog#"$prefix"}" != "$catalog" ;;
*) ok "... which is the one configure was given" true ;;
esac

# The man pages, where man finds them: the unit's Documentation= resolves.
mandir=$(mkvar mandir)
for page in casewatchd.8 casewatch.conf.5 casewatchctl.1 casewatch-protocol.7; do
	ok "man page $page" test -f "$dest$mandir/man${page##*.}/$page"
done
doc=$(sed -n 's/^Documentation=.*man:\([^ (]*\)(\([0-9]\)).*/\1.\2/p' "$dest$unitdir/casewatchd.service")
is "the service names its man page" "$doc" casewatchd.8
if command -v man >/dev/null; then
	ok "... which man finds in the installed tree" sh -c "MANPATH='$dest$mandir' man -w '$doc' | grep -qF '$dest$mandir/man8/casewatchd.8'"
fi

# The groups the example names (socket_group, admin_groups) are made by
# systemd-sysusers from the installed file, so the daemon neither fails on
# the socket's group nor logs that it ignores an admin group.
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$tmp/root/etc"
	systemd-sysusers --root="$tmp/root" "$dest$sysusers/casewatch.conf" >"$tmp/sysusers.log" 2>&1
	is "systemd-sysusers takes the installed file" "$?" 0
	"$b/daemon/casewatchd" --print-config --json -c "$CASEWATCH_SRCDIR/casewatch.conf.example" >"$tmp/example.json"
	for g in $(jq -r '.socket_group, .admin_groups' "$tmp/example.json" | tr ', ' '\n\n' | sort -u); do
		ok "... and creates the group $g the example configuration names" grep -q "^$g:" "$tmp/root/etc/group"
	done
	ok "... and the user casewatch the unit runs as" grep -q "^casewatch:" "$tmp/root/etc/passwd"
	ok "... whose unit says User=casewatch" grep -qx "User=casewatch" "$dest$unitdir/casewatchd.service"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP systemd-sysusers is not installed"
fi
tap_done
