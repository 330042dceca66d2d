#!/bin/sh
# man-pages.sh - the manual pages: lint-clean (mandoc -T lint, else man
# --warnings), casewatch.conf(5) describes every setting of daemon/conf.c's
# table, casewatchctl(1) every command and casewatchd(8) every option.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
man="$CASEWATCH_SRCDIR/docs"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
ctl="$CASEWATCH_BUILDDIR/ctl/casewatchctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# lint PAGE: no warning from mandoc (or from groff through man).
lint() {
	if command -v mandoc >/dev/null; then
		mandoc -T lint -W warning "$1"
	else
		MANWIDTH=80 man --warnings -l -Tutf8 "$1" 2>"$tmp/warn" >/dev/null && ! [ -s "$tmp/warn" ] ||
			{ cat "$tmp/warn"; return 1; }
	fi
}
for page in casewatchd.8 casewatch.conf.5 casewatchctl.1 casewatch-protocol.7; do
	ok "$page: no lint warning" lint "$man/$page"
done

# Every setting, as --describe-config lists the table ("name = " lines,
# commented out when at their default).
"$d" --describe-config | sed -n 's/^\(# \)\{0,1\}\([a-z_]*\) = .*/\2/p' >"$tmp/settings"
ok "the settings table has settings ($(wc -l <"$tmp/settings"))" test "$(wc -l <"$tmp/settings")" -gt 20
missing=
for s in $(cat "$tmp/settings"); do
	grep -qx ".It Cm $s" "$man/casewatch.conf.5" || missing="$missing $s"
done
is "casewatch.conf(5) describes every setting (missing:$missing)" "$missing" ""

# Every command of casewatchctl --help.
"$ctl" --help | sed -n 's/^  \([a-z]*\)  .*/\1/p' >"$tmp/commands"
missing=
for c in $(cat "$tmp/commands"); do
	grep -q "^\.It Cm $c\( \|$\)" "$man/casewatchctl.1" || missing="$missing $c"
done
is "casewatchctl(1) describes every command ($(wc -l <"$tmp/commands"); missing:$missing)" "$missing" ""

# Every long option of casewatchd --help.
"$d" --help | grep -o -- '--[a-z-]*' | sort -u >"$tmp/options"
missing=
for o in $(cat "$tmp/options"); do
	grep -qF -- "Fl \\${o#-}" "$man/casewatchd.8" || missing="$missing $o"
done
is "casewatchd(8) describes every option ($(wc -l <"$tmp/options"); missing:$missing)" "$missing" ""
tap_done
