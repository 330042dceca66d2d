#!/bin/sh
# privacy.sh - names, addresses and free text planted in every such column
# of the records (and free text where a code belongs), then every output of
# casewatch searched for them: the daemon's log (stderr and syslog), --once
# --json, the socket's replies and events, casewatchctl's alerts, watch,
# status and digest. None may carry a marker (issue 12).
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
. "$CASEWATCH_SRCDIR/tests/fault/common.sh"
capture="$CASEWATCH_BUILDDIR/tests/syslog_capture"

fault_setup cw_privacy 300
# Every free-text column the records have, where it exists, marked.
q "DO \$\$
DECLARE c record;
BEGIN
	FOR c IN SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'records' AND data_type = 'text' AND column_name IN
		('given_name', 'family_name', 'address', 'postcode', 'name', 'display_name', 'body',
		 'late_reason', 'description', 'no_consent_reason', 'consented_by', 'consent_limits',
		 'not_informed_reason', 'counterpart_name', 'counterpart_job_title',
		 'counterpart_organisation', 'counterpart_phone', 'case_reference')
	LOOP
		EXECUTE format('UPDATE records.%I SET %I = %L || ctid::text', c.table_name, c.column_name,
			'ZQXMARK Jane Doe, 1 Secret Street ');
	END LOOP;
END \$\$" >/dev/null
planted=$(q "SELECT count(*) FROM records.person WHERE given_name LIKE 'ZQXMARK%'")
ok "markers planted ($planted persons, and every record, hazard, team and staff row)" [ "$planted" -gt 0 ]

sed -i 's/^log_target = stderr/log_target = syslog\nsyslog_socket = '"$(echo "$tmp" | sed 's/[\/&]/\\&/g')"'\/syslog.sock/' "$tmp/c.conf"
"$capture" "$tmp/syslog.sock" "$tmp/syslog.log" >/dev/null 2>&1 &
capture_pid=$!
trap 'kill $capture_pid 2>/dev/null; fault_cleanup' EXIT
poll_until 10 test -S "$tmp/syslog.sock"
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -f -c "$tmp/c.conf" --once --json >"$tmp/once.json" 2>"$tmp/once.log"
ok "--once --json ran" [ -s "$tmp/once.json" ]
CASEWATCH_DATADIR="$CASEWATCH_DATADIR" "$d" -f -c "$tmp/c.conf" >>"$tmp/log" 2>&1 &
pid=$!
poll_until 30 test -S "$sock"
poll_until 60 swept
echo "2026-12-10T09:00:00Z" >"$tmp/clock"
n=$(q "SELECT count(*) FROM casewatch.transition")
"$ctl" alerts --json --socket "$sock" >"$tmp/alerts.json"
"$ctl" alerts --socket "$sock" >"$tmp/alerts.txt"
"$ctl" status --json --socket "$sock" >"$tmp/status.json"
"$ctl" watch --since 0 --count "$n" --socket "$sock" >"$tmp/watch.ndjson"
"$ctl" digest --team 1 --socket "$sock" >"$tmp/digest.txt" 2>&1
"$ctl" digest --team 1 --html --to tm@example.gov.uk --socket "$sock" >"$tmp/digest.eml" 2>&1
printf '%s\n' '{"cmd":"hello","protocol":"1.0"}' '{"cmd":"alerts"}' '{"cmd":"subscribe","since":"0"}' |
	socat -t 3 - "UNIX-CONNECT:$sock" >"$tmp/socket.ndjson"
kill -TERM "$pid"
wait "$pid"
pid=
kill $capture_pid
outputs="$tmp/once.json $tmp/once.log $tmp/log $tmp/syslog.log $tmp/alerts.json $tmp/alerts.txt $tmp/status.json
	$tmp/watch.ndjson $tmp/digest.txt $tmp/digest.eml $tmp/socket.ndjson"
bytes=$(cat $outputs | wc -c)
ok "the outputs are there ($bytes bytes, $(wc -l <"$tmp/syslog.log") syslog lines, $(wc -l <"$tmp/watch.ndjson") events)" \
	[ -s "$tmp/syslog.log" ] && [ -s "$tmp/watch.ndjson" ] && [ -s "$tmp/alerts.json" ]
found=$(cat $outputs | grep -c -e ZQXMARK -e 'Jane Doe' -e 'Secret Street')
figure "privacy: $(echo $outputs | wc -w) outputs, $bytes bytes searched, markers found $found"
is "no output carries a planted name, address or free text" "$found" 0
tap_done
