#!/bin/sh
# daemon-metrics.sh - the Prometheus endpoint of a real casewatchd on a real
# PostgreSQL: off unless configured, its page read strictly (the exposition
# format, tests/metrics-lint.awk, since Debian's promtool comes only with the
# whole Prometheus server), and its values against the store: transitions by
# kind, open alerts by rule and state, leadership, a pass's duration, the
# lag of a change, a subscriber, a socket error and a database reconnect.
# No label may carry a person id.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
d="$CASEWATCH_BUILDDIR/daemon/casewatchd"
lint="$CASEWATCH_SRCDIR/tests/metrics-lint.awk"
allowed=version,libevent,libpq,le,result,kind,rule,state,of,code
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-met.XXXXXX")
chmod 0755 "$tmp"
sock="$tmp/cw.sock"
pid= sub_pid=
cleanup() {
	[ -n "$sub_pid" ] && kill "$sub_pid" 2>/dev/null
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT

# The linter itself must refuse a broken page.
printf '%s\n' '# HELP x_seconds a histogram' '# TYPE x_seconds histogram' 'x_seconds_bucket{le="1"} 5' \
	'x_seconds_bucket{le="2"} 3' 'x_seconds_bucket{le="+Inf"} 4' 'x_seconds_sum 1' 'x_seconds_count 5' \
	'# HELP y a counter' '# TYPE y counter' 'y{person_id="77031"} 1' >"$tmp/bad.txt"
awk -v allowed="$allowed" -f "$lint" "$tmp/bad.txt" >"$tmp/bad.out"
is "the linter refuses a broken page" "$?" 1
ok "... a bucket count that falls" grep -qF "bucket count falls in x_seconds at le 2" "$tmp/bad.out"
ok "... +Inf not equal to _count" grep -qF "+Inf bucket 4 is not _count 5" "$tmp/bad.out"
ok "... a counter not named *_total" grep -qF "counter y is not named *_total" "$tmp/bad.out"
ok "... a person id in a label" grep -qF "label person_id is not one of the allowed" "$tmp/bad.out"

t0=2026-03-04T09:00:00Z
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
pg_generate 200 0.25 "$t0" || { echo "Bail out! cannot load generated records"; exit 1; }
echo "$t0" >"$tmp/clock"
q() { pg_psql -Atc "$1"; }
sql_true() { [ "$(psql -X -Atc "$1")" = t ]; }

# A port of our own: the pid spreads parallel runs apart.
port=$((20000 + $$ % 20000))
write_conf() {
	cat >"$tmp/c.conf" <<EOC
[policy]
profile = default
profile_dir = $CASEWATCH_SRCDIR/profiles
[database]
database = host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER
migrations_dir = $CASEWATCH_SRCDIR/sql/casewatch
retry_base = 50ms
retry_cap = 250ms
[daemon]
poll_interval = 1s
test_clock_file = $tmp/clock
[socket]
socket_path = $sock
socket_mode = 0666
socket_group =
[log]
log_target = stderr
log_level = info
$1
EOC
}
# scrape [PATH]: the HTTP response (headers and page) into $tmp/resp, the page into $tmp/page.
scrape() {
	printf 'GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "${1:-/metrics}" |
		socat -t 5 - TCP:127.0.0.1:$port >"$tmp/resp" 2>/dev/null || return 1
	tr -d '\r' <"$tmp/resp" | sed '1,/^$/d' >"$tmp/page"
}
# metric SERIES: the value of one series (exact text before the value).
metric() { scrape && awk -v s="$1" '$1 == s { print $2 }' "$tmp/page"; }
metric_is() { [ "$(metric "$1")" = "$2" ]; }

# Off unless configured: no listener, no log line (on a database of its own,
# so the counts below are those of the daemon that serves them).
pg_psql -qc "CREATE DATABASE cw_off"
for f in interface facts; do
	pg_psql -d cw_off -f "$CASEWATCH_SRCDIR/sql/records/$f.sql" >/dev/null
done
write_conf ""
sed -i "s/dbname=$PGDATABASE/dbname=cw_off/" "$tmp/c.conf"
"$d" -c "$tmp/c.conf" 2>"$tmp/log0" &
pid=$!
ok "without metrics_listen casewatchd starts" poll_until 20 grep -qF "writer lock taken" "$tmp/log0"
ok "... and serves no metrics" sh -c "! grep -q 'metrics: serving' '$tmp/log0'"
kill "$pid"
wait "$pid"
pid=

write_conf "[metrics]
metrics_listen = $port"
"$d" -c "$tmp/c.conf" 2>"$tmp/log" &
pid=$!
ok "with metrics_listen = $port it serves on loopback" poll_until 20 grep -qF "metrics: serving http://127.0.0.1:$port/metrics" "$tmp/log"
ok "... and sweeps" poll_until 30 grep -qF "sweep: " "$tmp/log"
ok "every transition is delivered" poll_until 20 sql_true \
	"SELECT last_id = (SELECT max(transition_id) FROM casewatch.transition) FROM casewatch.sink_cursor WHERE sink = 'syslog'"
ok "a scrape answers" scrape
ok "... 200 with the text format's content type" sh -c "head -1 '$tmp/resp' | grep -q ' 200 ' && grep -qi '^Content-Type: text/plain; version=0.0.4' '$tmp/resp'"
awk -v allowed="$allowed" -f "$lint" "$tmp/page" >"$tmp/lint.out"
is "the page is valid exposition format, with only code labels" "$(cat "$tmp/lint.out")" ""
ok "it has every family" sh -c "for f in casewatch_build_info casewatch_pass_duration_seconds casewatch_change_lag_seconds \
	casewatch_transitions_total casewatch_open_alerts casewatch_database_up casewatch_database_reconnects_total \
	casewatch_leader casewatch_subscribers casewatch_subscriber_queue_bytes casewatch_subscriber_cutoffs_total \
	casewatch_socket_errors_total casewatch_transitions_pruned_total; do grep -q \"^# TYPE \$f \" '$tmp/page' || { echo \$f; exit 1; }; done"
# Every label value on the page but the buckets' bounds, one per line.
grep -o '[a-z_]*="[^"]*"' "$tmp/page" | grep -v '^le=' | sed 's/^[a-z_]*="//; s/"$//' | sort -u >"$tmp/values"
q "SELECT person_id FROM records.person" | sort -u >"$tmp/persons"
is "no label value is a person id" "$(comm -12 "$tmp/values" "$tmp/persons")" ""

for k in raised escalated resolved withdrawn; do
	want=$(q "SELECT count(*) FROM casewatch.transition WHERE kind = '$k'")
	ok "casewatch_transitions_total{kind=\"$k\"} is the store's count ($want)" poll_until 10 metric_is "casewatch_transitions_total{kind=\"$k\"}" "$want"
done
q "SELECT 'casewatch_open_alerts{rule=\"' || rule_id || '\",state=\"' || announced_state || '\"} ' || count(*)
	FROM casewatch.alert WHERE announced_state IS NOT NULL GROUP BY rule_id, announced_state ORDER BY 1" >"$tmp/open.want"
open_match() { scrape && grep '^casewatch_open_alerts{' "$tmp/page" | sort | diff - "$tmp/open.sorted"; }
sort "$tmp/open.want" >"$tmp/open.sorted"
ok "open alerts by rule and state are the store's ($(wc -l <"$tmp/open.want") series)" poll_until 15 open_match
is "it is the leader" "$(metric casewatch_leader)" 1
is "its database is up" "$(metric casewatch_database_up)" 1
passes=$(metric 'casewatch_pass_duration_seconds_count')
ok "passes were timed ($passes)" [ "$passes" -ge 1 ]

# A change to one person is evaluated within a pass or two: the lag is observed.
lag0=$(metric casewatch_change_lag_seconds_count)
q "UPDATE records.person SET changed_at = now() WHERE person_id = (SELECT min(person_id) FROM records.person)" >/dev/null
lag_moved() { [ "$(metric casewatch_change_lag_seconds_count)" -gt "$lag0" ]; }
ok "a changed person's lag is observed" poll_until 10 lag_moved
ok "... within the lowest buckets (under 5 s)" sh -c "[ \"\$(awk '\$1 == \"casewatch_change_lag_seconds_bucket{le=\\\"5\\\"}\" { print \$2 }' '$tmp/page')\" -gt 0 ]"

# A subscriber, and a socket error.
(printf '%s\n' '{"cmd":"hello","protocol":"1.0"}' '{"cmd":"subscribe"}'; sleep 30) | socat - UNIX-CONNECT:"$sock" >/dev/null &
sub_pid=$!
ok "a subscriber is counted" poll_until 10 metric_is casewatch_subscribers 1
printf '%s\n' '{"cmd":"hello","protocol":"1.0"}' 'not json' | socat - UNIX-CONNECT:"$sock" >/dev/null
ok "an invalid line on the socket is counted by its code" poll_until 10 metric_is 'casewatch_socket_errors_total{code="invalid_json"}' 1

# The database restarts: one reconnect.
pg_restart
ok "a database restart counts one reconnect" poll_until 20 metric_is casewatch_database_reconnects_total 1
ok "... and the database is up again" poll_until 20 metric_is casewatch_database_up 1
awk -v allowed="$allowed" -f "$lint" "$tmp/page" >"$tmp/lint.out"
is "the page is still valid" "$(cat "$tmp/lint.out")" ""

scrape /other
ok "another path is 404" sh -c "head -1 '$tmp/resp' | grep -q ' 404 '"
write_conf "[metrics]
metrics_listen = localhost:$port"
"$d" -c "$tmp/c.conf" --check-config >"$tmp/check.out" 2>&1
ok "a host name is refused (it would need a blocking DNS look-up)" grep -qF 'metrics_listen: "localhost" is not an IPv4 address' "$tmp/check.out"
kill -TERM "$pid"
wait "$pid"
is "the daemon stops cleanly (exit 0; under the sanitizers, nothing leaked)" "$?" 0
pid=
tap_done
