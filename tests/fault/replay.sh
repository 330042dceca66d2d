#!/bin/sh
# replay.sh - `casewatchctl watch` killed (-9) at random moments, again and
# again, while time moves alerts on (and the test clock jumps a month back
# now and then, as a misset clock would); each time it is resumed from the last
# id it printed (`--since`). Every transition in casewatch.transition must
# have been printed exactly once over all the runs: gaps and duplicates are
# counted (issue 12: 0 and 0 over about 85,000 transitions, 492 reconnects).
# Then PostgreSQL stopped (fast) and killed (immediate) in the middle of a
# long replay served from the store: the reader is told (replay_failed,
# db_unavailable), the daemon reconnects, and the reader resumed from the
# last id it printed gets every transition once.
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

# PostgreSQL stopped (fast) and killed (immediate) in the middle of a replay
# served from the store. The backlog is padded with copies of the stored
# transitions (new ids, the same alerts) to many times what the daemon queues
# ahead of a reader (max_output, 1 MiB, plus the socket's buffer), so the
# replay is still reading the store when PostgreSQL goes; the daemon is
# restarted before each round, so its in-memory ring is empty and every
# event comes from the database. The reader must be told (replay_failed,
# db_unavailable, resume_from), the daemon must reconnect, and resuming from
# the last id printed must give every transition once.
outages=$([ "$long" = 1 ] && echo 10 || echo 2)
backlog=$([ "$long" = 1 ] && echo 60000 || echo 30000)
n=$(q "SELECT count(*) FROM casewatch.transition")
copies=$(((backlog + n - 1) / n))
cols=$(q "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
	FROM information_schema.columns
	WHERE table_schema = 'casewatch' AND table_name = 'transition' AND column_name <> 'transition_id'")
q "INSERT INTO casewatch.transition ($cols)
	SELECT $cols FROM casewatch.transition t, generate_series(1, $copies) ORDER BY t.transition_id" >/dev/null
poll_until 120 delivered || echo "# the padded backlog was not delivered"
total=$(q "SELECT count(*) FROM casewatch.transition")
q "SELECT transition_id FROM casewatch.transition ORDER BY 1" >"$tmp/store.ids"
restored() { [ "$(grep -c 'database connection restored' "$tmp/log")" -gt "$1" ]; }
has_lines() { [ "$(wc -l <"$1")" -ge "$2" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }
told=0
reconnected=0
alive=0
lost=0
dups=0
extra=0
cut_at=
for i in $(seq "$outages"); do
	if [ $((i % 2)) = 1 ]; then mode=fast; else mode=immediate; fi
	# A fresh daemon: the ring holds nothing, the replay reads the store.
	kill -TERM "$pid"
	wait "$pid"
	start_daemon || { echo "# round $i: casewatchd did not start"; break; }
	poll_until 60 delivered
	r=$(grep -c 'database connection restored' "$tmp/log")
	"$ctl" watch --since 0 --socket "$sock" >"$tmp/out.ndjson" 2>"$tmp/out.err" &
	w=$!
	# The fault: once the first events have arrived the reader is held
	# (SIGSTOP) for a random 0-49 ms, so however fast the machine the replay
	# is far from done; then let go, and PostgreSQL goes a random 0-49 ms
	# later, while the daemon reads batch after batch as the reader drains.
	poll_until 30 has_lines "$tmp/out.ndjson" 1
	kill -STOP "$w"
	sleep "$(random_ms | awk '{ printf "%.3f", $1 / 6 }')"
	kill -CONT "$w"
	sleep "$(random_ms | awk '{ printf "%.3f", $1 / 6 }')"
	pg_as_owner "$CW_PG_BIN/pg_ctl" -D "$CW_PG_DIR/data" -m $mode -w stop >/dev/null 2>&1
	# Told: the stream ends with replay_failed, so the reader exits by itself.
	if poll_until 60 gone "$w"; then
		wait "$w"
		rc=$?
		grep -q 'db_unavailable' "$tmp/out.err" && [ "$rc" = 3 ] && told=$((told + 1))
	else
		echo "# round $i ($mode): the reader was not told (still running)"
		kill -9 "$w"
		wait "$w" 2>/dev/null
	fi
	sed 's/^/# round '"$i"' ('"$mode"'): /' "$tmp/out.err" | sed -n 1,2p
	kill -0 "$pid" 2>/dev/null && alive=$((alive + 1))
	pg_run_server
	poll_until 60 restored "$r" && reconnected=$((reconnected + 1))
	ids_of "$tmp/out.ndjson" >"$tmp/round.ids"
	last=$(tail -1 "$tmp/round.ids")
	cut_at="$cut_at ${last:-0}"
	rest=$(q "SELECT count(*) FROM casewatch.transition WHERE transition_id > ${last:-0}")
	if [ "$rest" -gt 0 ]; then
		"$ctl" watch --since "${last:-0}" --count "$rest" --socket "$sock" >"$tmp/out.ndjson" 2>/dev/null
		ids_of "$tmp/out.ndjson" >>"$tmp/round.ids"
	fi
	sort -n "$tmp/round.ids" | uniq >"$tmp/got.ids"
	lost=$((lost + $(comm -23 "$tmp/store.ids" "$tmp/got.ids" | wc -l)))
	dups=$((dups + $(wc -l <"$tmp/round.ids") - $(wc -l <"$tmp/got.ids")))
	extra=$((extra + $(comm -13 "$tmp/store.ids" "$tmp/got.ids" | wc -l)))
done
figure "PostgreSQL stopped or killed mid-replay $outages times (backlog $total transitions from the store; cut after ids:$cut_at): readers told $told, daemon alive $alive, reconnects $reconnected; after resuming lost $lost, duplicated $dups, not in the store $extra"
is "every reader was told (replay_failed, db_unavailable, exit 3)" "$told" "$outages"
is "the daemon kept running through every outage" "$alive" "$outages"
is "... and reconnected after each" "$reconnected" "$outages"
max=$(tail -1 "$tmp/store.ids")
partway=0
for c in $cut_at; do [ "$c" -gt 0 ] && [ "$c" -lt "$max" ] && partway=$((partway + 1)); done
is "each replay was cut part-way (after its first id, before the last)" "$partway" "$outages"
is "resumed from the last id printed: nothing lost, nothing twice, nothing not stored" "$lost $dups $extra" "0 0 0"
tap_done
