#!/bin/sh
# crashes.sh - casewatchd killed with -9 at random points of its sweeps,
# and PostgreSQL stopped (fast) and killed (immediate) mid-sweep, then one
# clean pass: the alerts and transitions compared with an undisturbed run
# on a copy of the same records at the same time. Prints lost, extra and
# duplicated counts (issue 12: 0 of each over 65 kill -9s).
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
. "$CASEWATCH_SRCDIR/tests/fault/common.sh"

kills=${CW_FAULT_KILLS:-$([ "$long" = 1 ] && echo 50 || echo 5)}
outages=${CW_FAULT_OUTAGES:-$([ "$long" = 1 ] && echo 10 || echo 2)}
children=${CW_FAULT_CHILDREN:-$([ "$long" = 1 ] && echo 1500 || echo 600)}
fault_setup cw_crash "$children"
# The undisturbed twin: the same records, the same clock, one clean pass.
pg_psql -qc "CREATE DATABASE cw_ref TEMPLATE cw_crash"
sed 's/dbname=cw_crash/dbname=cw_ref/; s|^socket_path = .*|socket_path = '"$tmp"'/ref.sock|' "$tmp/c.conf" >"$tmp/ref.conf"
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/ref.conf" --once >"$tmp/ref.log" 2>&1
is "the undisturbed run passes (exit 0)" "$?" 0

# What a run leaves: each alert (by what it is about) with its state and
# due time, and each alert's transitions (kind and state) in order.
alerts_of() {
	pg_psql -d "$1" -Atc "SELECT person_id, rule_id, anchor_kind, anchor_id, announced_state, due_at
		FROM casewatch.alert ORDER BY 1, 2, 3, 4" | sort
}
transitions_of() {
	pg_psql -d "$1" -Atc "SELECT a.person_id, a.rule_id, a.anchor_kind, a.anchor_id, t.kind, t.to_state
		FROM casewatch.transition t JOIN casewatch.alert a USING (alert_id)
		WHERE t.kind IN ('raised', 'escalated', 'resolved', 'withdrawn')
		ORDER BY 1, 2, 3, 4, t.transition_id"
}
alerts_of cw_ref >"$tmp/ref.alerts"
transitions_of cw_ref >"$tmp/ref.trans"
ok "the undisturbed run stored alerts ($(wc -l <"$tmp/ref.alerts")) and transitions ($(wc -l <"$tmp/ref.trans"))" \
	[ -s "$tmp/ref.alerts" ]

# A random point in a sweep: the daemon is killed once it holds the writer
# lock (so it is sweeping), after a random 0-999 ms more. The delay is the
# fault being injected, not a wait for anything.
sweep_ms=$(sed -n 's/.*pass done: .* in \([0-9]*\) ms.*/\1/p' "$tmp/ref.log" | head -1)
figure "the undisturbed sweep: ${sweep_ms:-?} ms"
random_ms() {
	od -An -N2 -tu2 /dev/urandom | tr -d ' ' |
		awk -v max="$((${sweep_ms:-1000} + 1))" '{ ms = $1 % max; printf "%d.%03d", ms / 1000, ms % 1000 }'
}
mid=0
# killed_mid_sweep FROM_LINE: the killed daemon had not finished its sweep.
killed_mid_sweep() { ! tail -n +"$1" "$tmp/log" | grep -q 'sweep: '; }
locked() { [ "$(grep -c 'writer lock taken' "$tmp/log")" -gt "$1" ]; }
restored() { [ "$(grep -c 'database connection restored' "$tmp/log")" -gt "$1" ]; }
for i in $(seq "$kills"); do
	n=$(grep -c 'writer lock taken' "$tmp/log")
	from=$(($(wc -l <"$tmp/log") + 1))
	start_daemon
	poll_until 30 locked "$n" || { echo "# no writer lock on start $i"; kill -9 "$pid"; wait "$pid"; pid=; break; }
	sleep "$(random_ms)"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	pid=
	killed_mid_sweep "$from" && mid=$((mid + 1))
done
figure "kill -9: $kills daemons killed, $mid of them before their sweep was done, $(q "SELECT count(*) FROM casewatch.transition") transitions stored by them"

# PostgreSQL going away mid-sweep: stopped fast, or killed (immediate).
for i in $(seq "$outages"); do
	n=$(grep -c 'writer lock taken' "$tmp/log")
	r=$(grep -c 'database connection restored' "$tmp/log")
	start_daemon
	poll_until 30 locked "$n" || { echo "# no writer lock on outage $i"; kill -9 "$pid"; wait "$pid"; pid=; break; }
	sleep "$(random_ms)"
	if [ $((i % 2)) = 1 ]; then mode=fast; else mode=immediate; fi
	pg_as_owner "$CW_PG_BIN/pg_ctl" -D "$CW_PG_DIR/data" -m $mode -w stop >/dev/null 2>&1
	pg_run_server
	poll_until 60 restored "$r" || { echo "# outage $i ($mode): no reconnect logged"; tail -5 "$tmp/log" | sed 's/^/#   /'; }
	kill -TERM "$pid"
	wait "$pid"
	pid=
done
figure "outages: PostgreSQL stopped or killed $outages times mid-sweep; $(grep -c 'database connection restored' "$tmp/log") reconnects"
ok "the daemon reconnected after every outage" [ "$(grep -c 'database connection restored' "$tmp/log")" -ge "$outages" ]

# Then one clean pass, as after any crash.
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -c "$tmp/c.conf" --once >"$tmp/final.log" 2>&1
rc=$?
is "a clean pass after the crashes (exit 0)" "$rc" 0
[ "$rc" = 0 ] || tail -5 "$tmp/final.log" | sed 's/^/#   /' 
alerts_of cw_crash >"$tmp/crash.alerts"
transitions_of cw_crash >"$tmp/crash.trans"
lost=$(comm -23 "$tmp/ref.alerts" "$tmp/crash.alerts" | wc -l)
extra=$(comm -13 "$tmp/ref.alerts" "$tmp/crash.alerts" | wc -l)
tlost=$(comm -23 "$tmp/ref.trans" "$tmp/crash.trans" | wc -l)
textra=$(comm -13 "$tmp/ref.trans" "$tmp/crash.trans" | wc -l)
dup=$(q "SELECT count(*) FROM (SELECT alert_id, kind, to_state FROM casewatch.transition
	WHERE kind IN ('raised', 'escalated') GROUP BY 1, 2, 3 HAVING count(*) > 1) x")
figure "compared with the undisturbed run: alerts lost $lost, extra $extra; transitions lost $tlost, extra $textra; duplicated $dup"
is "no alert lost or extra" "$lost $extra" "0 0"
is "no transition lost, extra or duplicated" "$tlost $textra $dup" "0 0 0"
tap_done
