#!/bin/sh
# protocol-examples.sh - runs docs/protocol.md's examples against a live alert
# socket and compares their output with the document, so it cannot go stale.
set -u
. "$CASEWATCH_SRCDIR/tests/tap.sh"

doc="$CASEWATCH_SRCDIR/docs/protocol.md"
driver="$CASEWATCH_BUILDDIR/tests/alertbus_driver"
dir=$(mktemp -d "${TMPDIR:-/tmp}/cw-protocol.XXXXXX")
sock="$dir/casewatch.sock"
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$dir"
}
trap cleanup EXIT

ok "socat and jq are installed (scripts/install-deps)" sh -c 'command -v socat && command -v jq'

# The example data: three transitions; this user may ack and snooze.
"$driver" --socket "$sock" --allow-uid "$(id -u)" 2>"$dir/driver.log" &
pid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
ok "the example socket is up" test -S "$sock"

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
ok "docs/protocol.md has runnable examples ($count)" test "$count" -ge 8

# Two output lines agree: equal text, or equal JSON values once the daemon's
# version (which changes with each release) is set aside.
same_line() {
	[ "$1" = "$2" ] && return 0
	jq -n --argjson g "$1" --argjson w "$2" \
		'def norm: if type == "object" and has("version") then .version = "*" else . end;
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
		echo "expected $wl lines, got $gl:"
		cat "$dir/$n.got"
		return 1
	fi
	k=1
	while [ $k -le "$wl" ]; do
		g=$(sed -n "${k}p" "$dir/$n.got")
		w=$(sed -n "${k}p" "$dir/$n.want")
		if ! same_line "$g" "$w"; then
			echo "line $k differs"
			echo "  got:      $g"
			echo "  expected: $w"
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

ok "the driver is still running" kill -0 "$pid"
tap_done
