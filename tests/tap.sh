# tap.sh - TAP output for shell tests, so `make check` names every step.
#   ok "name" COMMAND...          passes when COMMAND succeeds
#   is "name" GOT EXPECTED         passes when the two strings are equal
#   skip "name" "why"             a step whose setup did not happen (TAP SKIP)
#   tap_done                      prints the plan; the script's exit status
tap_n=0
tap_failed=0

ok() {
	name=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@" >"${TMPDIR:-/tmp}/tap.$$.out" 2>&1; then
		echo "ok $tap_n - $name"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $name"
		sed 's/^/# /' "${TMPDIR:-/tmp}/tap.$$.out"
	fi
	rm -f "${TMPDIR:-/tmp}/tap.$$.out"
}

is() {
	tap_n=$((tap_n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $tap_n - $1"
	else
		tap_failed=$((tap_failed + 1))
		echo "not ok $tap_n - $1"
		echo "#   got:      $2"
		echo "#   expected: $3"
	fi
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# poll_until SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds
# (0) or SECONDS have passed (1): wait for a daemon without fixed sleeps.
poll_until() {
	poll_n=$(($1 * 10))
	shift
	while [ "$poll_n" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		poll_n=$((poll_n - 1))
	done
	return 1
}
