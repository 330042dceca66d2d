#!/bin/sh
# log-journal.sh - the journal side of casewatchd's log (issue 13): the
# message catalog parses as journalctl reads it, and every kind of event
# reaches the journal with its MESSAGE_ID. The journal is a capture: in a
# mount namespace of the test's own, /run is a fresh tmpfs whose
# /run/systemd/journal/socket is tests/syslog_capture, and check_log's
# journal case logs there (needs root and unshare; skipped otherwise).
. "$CASEWATCH_SRCDIR/tests/tap.sh"
b="$CASEWATCH_BUILDDIR"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-journal.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $1"
}

# The catalog, compiled into a scratch root as systemd would after install.
if command -v journalctl >/dev/null; then
	mkdir -p "$tmp/root/usr/lib/systemd/catalog"
	cp "$CASEWATCH_SRCDIR/systemd/casewatch.catalog" "$tmp/root/usr/lib/systemd/catalog/"
	journalctl --root="$tmp/root" --update-catalog >"$tmp/update.log" 2>&1
	is "journalctl --update-catalog takes casewatch.catalog" "$?" 0
	ok "... without a complaint" sh -c "! grep -i -e error -e invalid -e failed '$tmp/update.log'"
	journalctl --root="$tmp/root" --list-catalog >"$tmp/list" 2>&1
	sed -n 's/.*"\([0-9a-f]\{32\}\)" }.*/\1/p' "$CASEWATCH_SRCDIR/daemon/log.c" >"$tmp/ids"
	is "daemon/log.c names 15 MESSAGE_IDs" "$(wc -l <"$tmp/ids" | tr -d ' ')" 15
	missing=
	for id in $(cat "$tmp/ids"); do
		grep -q "^$id casewatch" "$tmp/list" || missing="$missing $id"
	done
	is "... every one with its subject in the compiled catalog (missing:$missing)" "$missing" ""
	ok "... with fields filled in by journalctl -x" grep -q "casewatch alert @ALERT_ID@ raised" "$tmp/list"
else
	skip "journalctl is not installed"
fi

# The journal itself.
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
	unshare -m sh -c '
		mount -t tmpfs tmpfs /run || exit 1
		mkdir -p /run/systemd/journal
		"$1/tests/syslog_capture" /run/systemd/journal/socket "$2/journal.txt" &
		cap=$!
		i=0
		while [ ! -S /run/systemd/journal/socket ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
		CASEWATCH_TEST_JOURNAL="$2/journal.txt" CK_TAP_LOG_FILE_NAME="$2/tap.txt" "$1/tests/check_log" >"$2/check.out" 2>&1
		rc=$?
		kill $cap
		exit $rc' sh "$b" "$tmp"
	is "every kind of event reaches the journal with its MESSAGE_ID" "$?" 0
	sed 's/^/# /' "$tmp/check.out" "$tmp/tap.txt" 2>/dev/null | grep -v '^# ok ' | head -20
else
	skip "needs root and unshare -m for a journal socket of its own"
fi
tap_done
