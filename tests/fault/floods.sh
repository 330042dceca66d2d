#!/bin/sh
# floods.sh - hostile socket clients against the real casewatchd (issue 12):
# 300 connections at once, 64 subscribers that never read, clients that
# send `alerts` and read nothing, garbage, a 16 MiB line, and `casewatchctl
# watch` into a stalled pipe. Through each, the daemon keeps serving others,
# its memory and open files stay bounded, and afterwards they are back.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
. "$CASEWATCH_SRCDIR/tests/fault/common.sh"

fault_setup cw_floods 300 "client_buffer_limit = 65536"
start_daemon || { echo "Bail out! casewatchd did not start"; exit 1; }
poll_until 60 swept || { echo "Bail out! no first pass"; exit 1; }
ok "the daemon serves status" poll_until 10 served
alerts=$(q "SELECT count(*) FROM casewatch.alert WHERE announced_state IS NOT NULL")
rss0=$(rss)
fds0=$(fds)
figure "before: RSS ${rss0} kB, ${fds0} fds, ${alerts} open alerts"
peak=$rss0
note_peak() { r=$(rss); [ "$r" -gt "$peak" ] && peak=$r; return 0; }
# ---- 300 connections at once, held silent ----
mkfifo "$tmp/hold.fifo"
"$fc" hold "$sock" 300 120 <"$tmp/hold.fifo" >"$tmp/hold.out" &
fcpid=$!
exec 8>"$tmp/hold.fifo"
poll_until 30 test -s "$tmp/hold.out"
figure "connection flood: $(cat "$tmp/hold.out")"
is "300 connections: max_clients (64) held, the rest refused with too_many_clients" \
	"$(sed 's/.*held=\([0-9]*\) refused=\([0-9]*\).*/\1 \2/' "$tmp/hold.out")" "64 236"
note_peak
exec 8>&-
wait $fcpid
fds_now() { [ "$(fds)" -eq "$fds0" ]; }
ok "... once they close, the daemon's fds are back to $fds0" poll_until 10 fds_now

# ---- 64 subscribers that never read ----
mkfifo "$tmp/subs.fifo"
"$fc" subscribe "$sock" 64 120 <"$tmp/subs.fifo" >"$tmp/subs.out" &
fcpid=$!
exec 8>"$tmp/subs.fifo"
poll_until 30 test -s "$tmp/subs.out"
figure "silent subscribers: $(cat "$tmp/subs.out")"
subs() { "$ctl" status --json --socket "$sock" | jq -r .bus.subscribers; }
is "64 silent subscribers: 56 subscribed, one slot in eight kept for commands" "$(subs)" 56
ok "... and a command is still served" served
echo "2026-12-05T09:00:00Z" >"$tmp/clock"
moved() { [ "$(q "SELECT count(*) FROM casewatch.transition WHERE kind = 'escalated'")" -gt 0 ]; }
ok "... while time moves alerts on (transitions for them to ignore)" poll_until 30 moved
note_peak
exec 8>&-
wait $fcpid
ok "... once they close, the daemon's fds are back to $fds0" poll_until 10 fds_now

# ---- clients sending `alerts` and reading nothing ----
n=$([ "$long" = 1 ] && echo 40 || echo 20)
mkfifo "$tmp/unread.fifo"
"$fc" unread "$sock" $n 120 <"$tmp/unread.fifo" >"$tmp/unread.out" &
fcpid=$!
exec 8>"$tmp/unread.fifo"
poll_until 30 test -s "$tmp/unread.out"
queued() { "$ctl" status --json --socket "$sock" | jq -r .bus.output_bytes; }
ok "$n unread clients: another client is served" served
q1=$(queued)
note_peak
figure "unread replies: $(cat "$tmp/unread.out"), ${q1} bytes queued, RSS ${rss0} -> $(rss) kB"
ok "... the daemon holds at most one reply past the limit for each ($q1 bytes)" \
	[ "$q1" -le $((n * (65536 + 300 * alerts + 4096))) ]
ok "... and its memory grew by less than 64 MB (not checked under ASan)" rss_below $(($(rss) - rss0)) 65536
if [ "$long" = 1 ]; then
	cut() { grep -q 'bytes of replies unread for the idle timeout' "$tmp/log"; }
	ok "... they are cut off after the idle timeout (30 s)" poll_until 45 cut
fi
exec 8>&-
wait $fcpid
ok "... once they close, the daemon's fds are back to $fds0" poll_until 10 fds_now

# ---- garbage and a 16 MiB line ----
for i in 1 2 3; do
	"$fc" garbage "$sock" 1048576 >"$tmp/garbage.out"
	figure "$(cat "$tmp/garbage.out")"
done
ok "1 MiB of random bytes, three times: answered with errors" grep -q 'errors_seen=1' "$tmp/garbage.out"
"$fc" line "$sock" 16777216 >"$tmp/line.out"
is "a 16 MiB line: line_too_long, and the next request answered" "$?" 0
figure "$(cat "$tmp/line.out")"
note_peak
ok "... the daemon still serves others" served

# ---- casewatchctl watch into a stalled pipe ----
mkfifo "$tmp/stall.fifo"
("$ctl" watch --since 0 --socket "$sock" 2>"$tmp/watch.err"; echo "exit $?" >"$tmp/watch.rc") >"$tmp/stall.fifo" &
# The reader opens the pipe and never reads it.
exec 7<"$tmp/stall.fifo"
echo "2027-01-20T09:00:00Z" >"$tmp/clock"
busy_out() { [ "$(queued)" -gt 0 ]; }
ok "watch into a stalled pipe: the daemon holds its output back" poll_until 30 busy_out
q2=$(queued)
note_peak
figure "stalled watch: ${q2} bytes queued, RSS $(rss) kB, $(q "SELECT count(*) FROM casewatch.transition") transitions stored"
ok "... at most the 64 KiB limit and one batch ($q2 bytes)" [ "$q2" -le $((65536 + 256 * 1024)) ]
ok "... and serves others meanwhile" served
exec 7<&-
ended() { [ -s "$tmp/watch.rc" ]; }
ok "... closing the pipe ends the watch" poll_until 30 ended
ok "... and the daemon's fds are back to $fds0" poll_until 10 fds_now

rss1=$(rss)
fds1=$(fds)
figure "after: RSS ${rss0} -> ${rss1} kB (peak ${peak} kB), fds ${fds0} -> ${fds1}"
ok "the daemon is still running" kill -0 "$pid"
ok "its memory afterwards is within 32 MB of before (not checked under ASan)" rss_below $((rss1 - rss0)) 32768
tap_done
