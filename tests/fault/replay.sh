#!/bin/sh
# replay.sh - `casewatchctl watch` killed (-9) at random moments, again and
# again, while time moves alerts on (and the test clock jumps a month back
# now and then, as a misset clock would); each time it is resumed from the last
# id it printed (`--since`). Every transition in casewatch.transition must
# have been printed exactly once over all the runs: gaps and duplicates are
# counted (issue 12: 0 and 0 over about 85,000 transitions, 492 reconnects).
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
. "$CASEWATCH_SRCDIR/tests/fault/common.sh"

runs=$([ "$long" = 1 ] && echo 500 || echo 30)
fault_setup cw_replay 400
start_daemon || { echo "Bail out! casewatchd did not start"; exit 1; }
poll_until 60 swept || { echo "Bail out! no first pass"; exit 1; }

# The fault: a reader killed after a random 0-299 ms.
random_ms() { od -An -N2 -tu2 /dev/urandom | tr -d ' ' | awk '{ printf "0.%03d", $1 % 300 }'; }
# The ids of the complete lines of a run's output (a kill may cut the last).
ids_of() {
	f=$1
	[ -s "$f" ] || return 0
	if [ -n "$(tail -c1 "$f")" ]; then sed '$d' "$f"; else cat "$f"; fi | jq -r .id
}
last=0
day=20
jumps=0
: >"$tmp/all.ids"
for i in $(seq "$runs"); do
	"$ctl" watch --since "$last" --socket "$sock" >"$tmp/run.ndjson" 2>/dev/null &
	w=$!
	# Time moves on every third run (escalations arrive live); every tenth
	# the test clock jumps a month back for a run, as a misset clock would.
	if [ $((i % 10)) = 5 ]; then
		echo "2026-11-${day}T09:00:00Z" >"$tmp/clock"
		jumps=$((jumps + 1))
	elif [ $((i % 3)) = 0 ] && [ "$day" -lt 28 ]; then
		day=$((day + 1))
		echo "2026-12-${day}T09:00:00Z" >"$tmp/clock"
	else
		echo "2026-12-${day}T09:00:00Z" >"$tmp/clock"
	fi
	sleep "$(random_ms)"
	kill -9 "$w" 2>/dev/null
	wait "$w" 2>/dev/null
	ids_of "$tmp/run.ndjson" >"$tmp/run.ids"
	cat "$tmp/run.ids" >>"$tmp/all.ids"
	[ -s "$tmp/run.ids" ] && last=$(tail -1 "$tmp/run.ids")
done
# The last reader is let finish: everything stored after its cursor.
stored() { q "SELECT count(*) FROM casewatch.transition WHERE transition_id > $last"; }
# Settled: the clock stopped at its last day, a pass since, and the daemon
# has published everything stored.
delivered() {
	[ "$("$ctl" status --json --socket "$sock" | jq -r .transitions.last_id)" = \
		"$(q "SELECT coalesce(max(transition_id), 0) FROM casewatch.transition")" ]
}
passes() { grep -c 'pass done' "$tmp/log"; }
p0=$(passes)
after_pass() { [ "$(passes)" -gt "$p0" ]; }
poll_until 60 after_pass
poll_until 60 delivered
rest=$(stored)
if [ "$rest" -gt 0 ]; then
	"$ctl" watch --since "$last" --count "$rest" --socket "$sock" >"$tmp/run.ndjson" 2>/dev/null
	ids_of "$tmp/run.ndjson" >>"$tmp/all.ids"
fi
q "SELECT transition_id FROM casewatch.transition ORDER BY 1" >"$tmp/store.ids"
sort -n "$tmp/all.ids" | uniq >"$tmp/got.ids"
lost=$(comm -23 "$tmp/store.ids" "$tmp/got.ids" | wc -l)
dups=$(($(wc -l <"$tmp/all.ids") - $(wc -l <"$tmp/got.ids")))
extra=$(comm -13 "$tmp/store.ids" "$tmp/got.ids" | wc -l)
figure "replay with $runs random disconnects and $jumps test-clock jumps back a month: $(wc -l <"$tmp/store.ids") transitions stored, $(wc -l <"$tmp/all.ids") printed; lost $lost, duplicated $dups, not in the store $extra"
ok "every stored transition was printed ($(wc -l <"$tmp/store.ids"))" [ "$lost" -eq 0 ]
is "... once" "$dups" 0
is "... and nothing that is not stored" "$extra" 0
ok "time moved alerts on while the readers came and went" \
	[ "$(q "SELECT count(*) FROM casewatch.transition WHERE kind = 'escalated'")" -gt 0 ]
tap_done
