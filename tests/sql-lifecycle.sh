#!/bin/sh
# sql-lifecycle.sh - the alert lifecycle (002_lifecycle.sql) and records.person_facts() on a real PostgreSQL.
#
# Every expected transition and every expected facts document below is
# worked out by hand from docs/lifecycle.md and FACTS.md, not taken from a
# run of the code.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u

src=$CASEWATCH_SRCDIR
export PGTZ=UTC
trap pg_destroy EXIT
pg_start || { echo "Bail out! no PostgreSQL"; exit 1; }

pg_psql -f "$src/sql/records/interface.sql" >/dev/null &&
	pg_psql -f "$src/sql/records/facts.sql" &&
	pg_psql -f "$src/sql/records/generate.sql" ||
	{ echo "Bail out! loading the records interface failed"; exit 1; }
# Every migration: the lifecycle functions as released now (002, the state
# and next-time functions rewritten by 011).
for f in "$src"/sql/casewatch/[0-9][0-9][0-9]_*.sql; do
	pg_psql --single-transaction -f "$f" >/dev/null ||
		{ echo "Bail out! loading $f failed"; exit 1; }
done

# q SQL [psql options...]: run SQL (psql variables allowed), print unaligned.
q() {
	sql=$1
	shift
	printf '%s\n' "$sql" | pg_psql -At "$@" 2>&1
}

# A transition list as "kind:from>to:severity:audience", space-separated.
TR="string_agg(concat(kind, ':', coalesce(from_state, '-'), '>', to_state, ':', severity, ':', audience), ' ' ORDER BY transition_id)"

# rec PERSONS JSON NOW: reconcile and list the transitions written.
rec() {
	q "SELECT coalesce($TR, '') FROM casewatch.reconcile('{$1}', :'ob', '$3')" -v "ob=$2"
}
# adv NOW [LIMIT]: advance and list the transitions written.
adv() {
	q "SELECT coalesce($TR, '') FROM casewatch.advance('$1', ${2:-100})"
}

# --- the state function ----------------------------------------------------
# name | warn_at, due_at, escalate_at, met_at, suspended, now | expected
W="'2026-11-20 10:00+00'"
D="'2026-11-20 12:00+00'"
E="ARRAY['2026-11-20 13:00+00', '2026-11-20 15:00+00']::timestamptz[]"
cases=$(cat <<EOF
no due time is pending|NULL, NULL, '{}', NULL, false, $W|pending
before warn_at is pending|$W, $D, '{}', NULL, false, '2026-11-20 09:59:59+00'|pending
at warn_at is due_soon|$W, $D, '{}', NULL, false, $W|due_soon
just before due_at is due_soon|$W, $D, '{}', NULL, false, '2026-11-20 11:59:59+00'|due_soon
no warn time, before due is pending|NULL, $D, '{}', NULL, false, '2026-11-20 11:00+00'|pending
at due_at is overdue|$W, $D, $E, NULL, false, $D|overdue
at the first escalation is escalated_1|$W, $D, $E, NULL, false, '2026-11-20 13:00+00'|escalated_1
between escalations stays escalated_1|$W, $D, $E, NULL, false, '2026-11-20 14:59:59+00'|escalated_1
after the last escalation is escalated_2|$W, $D, $E, NULL, false, '2026-12-31 00:00+00'|escalated_2
met exactly at due_at is on time|$W, $D, $E, $D, false, '2026-12-31 00:00+00'|met_on_time
met a second after due_at is late|$W, $D, $E, '2026-11-20 12:00:01+00', false, '2026-12-31 00:00+00'|met_late
suspended|$W, $D, $E, NULL, true, '2026-12-31 00:00+00'|suspended
met wins over suspended|$W, $D, $E, '2026-11-20 11:00+00', true, $D|met_on_time
a completion dated after now does not count yet|$W, $D, $E, '2026-11-20 12:30+00', false, '2026-11-20 12:10+00'|overdue
... it counts from its own time on|$W, $D, $E, '2026-11-20 12:30+00', false, '2026-11-20 12:30+00'|met_late
suspended with a completion ahead stays suspended|$W, $D, $E, '2026-11-20 14:00+00', true, $D|suspended
EOF
)
states=$(q "$(printf '%s\n' "$cases" | awk -F'|' '{ printf "%sSELECT %d, casewatch.obligation_state(%s)\n", (NR > 1 ? "UNION ALL " : ""), NR, $2 } END { print "ORDER BY 1" }')" -F' ')
n=0
while IFS='|' read -r name args want; do
	n=$((n + 1))
	is "state: $name" "$(printf '%s\n' "$states" | sed -n "${n}p")" "$n $want"
done <<EOF
$cases
EOF

# --- raise, idempotence, advance, escalate, resolve, reopen, withdraw ------
O1='{"person_id": 1, "rule_id": "VISIT-5D", "anchor_kind": "event", "anchor_id": 10,
 "team_id": 7, "audience": "worker", "warn_at": "2026-11-20T09:00:00Z",
 "due_at": "2026-11-21T09:00:00+00:00",
 "escalations": [{"at": "2026-11-22T09:00:00Z", "audience": "team_manager"},
                 {"at": "2026-11-25T09:00:00Z", "audience": "service_manager"}],
 "met_at": null, "met_by": null, "late_by_seconds": null, "suspended": false,
 "kind": "obligation", "severity": null}'
O2='{"person_id": 1, "rule_id": "CONTACT-5D", "anchor_kind": "event", "anchor_id": 11,
 "team_id": 7, "audience": "worker", "warn_at": "2026-11-26T09:00:00Z",
 "due_at": "2026-11-27T09:00:00Z"}'
O1MET=$(printf '%s' "$O1" | jq -c '.met_at = "2026-11-23T09:00:00Z" | .met_by = 100')

is "a new due_soon obligation is raised once, a pending one silently stored" \
	"$(rec 1 "[$O1, $O2]" '2026-11-20 10:00+00')" "raised:->due_soon:info:worker"
is "the same reconcile again writes nothing" "$(rec 1 "[$O1, $O2]" '2026-11-20 10:00+00')" ""
is "the same obligations in another order write nothing" \
	"$(rec 1 "[$O2, $O1]" '2026-11-20 11:00+00')" ""
is "the pending obligation is stored as pending, due at its warn time" \
	"$(q "SELECT state || ' ' || coalesce(announced_state, '-') || ' ' || next_at FROM casewatch.alert WHERE rule_id = 'CONTACT-5D'")" \
	"pending - 2026-11-26 09:00:00+00"
is "advance before anything is due writes nothing" "$(adv '2026-11-21 08:59:59+00')" ""
is "advance across the due time: overdue" "$(adv '2026-11-21 09:00+00')" \
	"escalated:due_soon>overdue:warning:worker"
is "advance again at the same time writes nothing" "$(adv '2026-11-21 09:00+00')" ""
is "advance across the first escalation: escalated_1 to the team manager" \
	"$(adv '2026-11-22 09:00+00')" "escalated:overdue>escalated_1:err:team_manager"
is "next_due is the second escalation" "$(q "SELECT casewatch.next_due()")" "2026-11-25 09:00:00+00"
is "met late: resolved, told to whoever was told last" \
	"$(rec 1 "[$O1MET, $O2]" '2026-11-23 10:00+00')" \
	"resolved:escalated_1>met_late:notice:team_manager"
is "late_by is met_at - due_at: 48 hours" \
	"$(q "SELECT extract(epoch FROM late_by)::bigint FROM casewatch.transition WHERE kind = 'resolved' AND rule_id = 'VISIT-5D'")" \
	172800
is "the met obligation no longer moves with time" \
	"$(q "SELECT state || ' ' || coalesce(next_at::text, 'none') FROM casewatch.alert WHERE rule_id = 'VISIT-5D'")" \
	"met_late none"
is "reconciling the met obligation again writes nothing" \
	"$(rec 1 "[$O1MET, $O2]" '2026-11-23 10:30+00')" ""
is "unmet again (record deleted): raised again at its current state" \
	"$(rec 1 "[$O1, $O2]" '2026-11-23 11:00+00')" "raised:->escalated_1:err:team_manager"
is "both vanish: the announced one is withdrawn, the pending one dropped silently" \
	"$(rec 1 "[]" '2026-11-23 12:00+00')" "withdrawn:escalated_1>withdrawn:info:team_manager"
is "the vanished pending obligation is deleted" \
	"$(q "SELECT count(*) FROM casewatch.alert WHERE rule_id = 'CONTACT-5D'")" 0
is "the withdrawn one keeps its row for its history" \
	"$(q "SELECT state || ' ' || coalesce(announced_state, '-') FROM casewatch.alert WHERE rule_id = 'VISIT-5D'")" \
	"withdrawn -"
is "vanishing again writes nothing" "$(rec 1 "[]" '2026-11-23 12:00+00')" ""
is "a withdrawn obligation that comes back (event un-cancelled) is raised again" \
	"$(rec 1 "[$O1]" '2026-11-26 10:00+00')" "raised:->escalated_2:err:service_manager"
is "withdrawn again" "$(rec 1 "[]" '2026-11-26 10:00+00')" \
	"withdrawn:escalated_2>withdrawn:info:service_manager"
is "transitions carry the anchor, team and due time" \
	"$(q "SELECT concat_ws(' ', rule_id, person_id, anchor_kind, anchor_id, team_id, due_at) FROM casewatch.transition WHERE transition_id = (SELECT min(transition_id) FROM casewatch.transition)")" \
	"VISIT-5D 1 event 10 7 2026-11-21 09:00:00+00"

# --- met on time, given late_by, suspension, findings ----------------------
P4='{"person_id": 4, "rule_id": "CP-24H", "anchor_kind": "event", "anchor_id": 40,
 "team_id": 7, "audience": "worker", "warn_at": "2026-11-20T09:00:00Z",
 "due_at": "2026-11-20T12:00:00Z"}'
P4B='{"person_id": 4, "rule_id": "NOTE-5WD", "anchor_kind": "event", "anchor_id": 41,
 "team_id": 7, "audience": "worker", "warn_at": "2026-11-24T09:00:00Z",
 "due_at": "2026-11-25T09:00:00Z"}'
P4MET=$(printf '%s' "$P4" | jq -c '.met_at = "2026-11-20T11:00:00Z"')
P4BMET=$(printf '%s' "$P4B" | jq -c '.met_at = "2026-11-21T09:00:00Z"')
is "person 4: one due soon raised, one pending" "$(rec 4 "[$P4, $P4B]" '2026-11-20 10:00+00')" \
	"raised:->due_soon:info:worker"
is "met on time: resolved without late_by; a completion dated ahead: nothing yet" \
	"$(rec 4 "[$P4MET, $P4BMET]" '2026-11-20 11:30+00')" "resolved:due_soon>met_on_time:notice:worker"
is "no late_by on an on-time resolution" \
	"$(q "SELECT coalesce(late_by::text, 'null') FROM casewatch.transition WHERE rule_id = 'CP-24H' AND kind = 'resolved'")" null
is "the obligation completed ahead stays pending until then (013: as the engine counts it)" \
	"$(q "SELECT state || ' ' || next_at FROM casewatch.alert WHERE rule_id = 'NOTE-5WD'")" \
	"pending 2026-11-21 09:00:00+00"
adv '2026-11-21 09:00+00' >/dev/null
is "... at its time it is met on time, silently (nobody was told of it)" \
	"$(q "SELECT state || ' ' || (SELECT count(*) FROM casewatch.transition WHERE rule_id = 'NOTE-5WD')
		FROM casewatch.alert WHERE rule_id = 'NOTE-5WD'")" "met_on_time 0"
P5='{"person_id": 5, "rule_id": "CP-24H", "anchor_kind": "event", "anchor_id": 50,
 "team_id": 8, "audience": "worker", "due_at": "2026-11-20T12:00:00Z"}'
P5LATE=$(printf '%s' "$P5" | jq -c '.met_at = "2026-11-21T12:00:00Z" | .late_by_seconds = 28800')
is "overdue at first sight: raised straight to overdue" "$(rec 5 "[$P5]" '2026-11-20 13:00+00')" \
	"raised:->overdue:warning:worker"
is "met late with the engine's late_by (working time): it is kept" \
	"$(rec 5 "[$P5LATE]" '2026-11-21 13:00+00'; q "SELECT extract(epoch FROM late_by)::bigint FROM casewatch.transition WHERE person_id = 5 AND kind = 'resolved'")" \
	"resolved:overdue>met_late:notice:worker
28800"

P6='{"person_id": 6, "rule_id": "EH-REF-48H", "anchor_kind": "event", "anchor_id": 60,
 "team_id": 8, "audience": "worker", "warn_at": "2026-11-20T09:00:00Z",
 "due_at": "2026-11-21T09:00:00Z", "suspended": false}'
P6S=$(printf '%s' "$P6" | jq -c '.suspended = true')
is "suspension: raised first" "$(rec 6 "[$P6]" '2026-11-20 10:00+00')" "raised:->due_soon:info:worker"
is "suspended while consent is awaited: withdrawn" "$(rec 6 "[$P6S]" '2026-11-20 11:00+00')" \
	"withdrawn:due_soon>suspended:info:worker"
is "a suspended obligation does not move with time" "$(adv '2026-11-22 00:00+00' | grep -c EH-REF || true)" 0
is "suspended still: nothing" "$(rec 6 "[$P6S]" '2026-11-22 00:00+00')" ""
is "suspension lifted after the due time: raised overdue" "$(rec 6 "[$P6]" '2026-11-22 00:00+00')" \
	"raised:->overdue:warning:worker"

F7='{"person_id": 7, "rule_id": "HAZARD-FIELDS", "anchor_kind": "hazard", "anchor_id": 70,
 "team_id": 8, "audience": "team_manager", "kind": "finding", "severity": "notice"}'
is "a finding is raised at once with its own severity" "$(rec 7 "[$F7]" '2026-11-20 10:00+00')" \
	"raised:->overdue:notice:team_manager"
is "the finding again: nothing" "$(rec 7 "[$F7]" '2026-11-21 10:00+00')" ""
is "the finding disappears: resolved" "$(rec 7 "[]" '2026-11-21 11:00+00')" \
	"resolved:overdue>resolved:notice:team_manager"
is "the finding reappears: raised again" "$(rec 7 "[$F7]" '2026-11-21 12:00+00')" \
	"raised:->overdue:notice:team_manager"

P9='{"person_id": 9, "rule_id": "SUPER-5WD", "anchor_kind": "event", "anchor_id": 90,
 "team_id": 8, "audience": "worker", "warn_at": "2026-11-24T09:00:00Z",
 "due_at": "2026-11-25T09:00:00Z"}'
P9T=$(printf '%s' "$P9" | jq -c '.team_id = 9')
is "person 9: pending, nothing written" "$(rec 9 "[$P9]" '2026-11-20 10:00+00')" ""
is "the same data reconciled after its warn time is raised by reconcile itself" \
	"$(rec 9 "[$P9]" '2026-11-24 10:00+00')" "raised:->due_soon:info:worker"
is "a team change alone writes no transition" "$(rec 9 "[$P9T]" '2026-11-24 11:00+00')" ""
is "... but is stored, and the next transition carries the new team" \
	"$(rec 9 "[$P9T]" '2026-11-25 09:00+00'; q "SELECT team_id FROM casewatch.transition WHERE person_id = 9 ORDER BY transition_id DESC LIMIT 1")" \
	"escalated:due_soon>overdue:warning:worker
9"

# --- ordering, batching, replay, sink cursor -------------------------------
many=$(jq -nc '[range(20; 25) | {person_id: ., rule_id: "SW-24H", anchor_kind: "event",
	anchor_id: (. * 10), team_id: 9, audience: "worker",
	warn_at: "2026-11-30T09:00:00Z", due_at: "2026-12-01T09:00:00Z"}]')
is "five pending obligations: no transition" "$(rec 20,21,22,23,24 "$many" '2026-11-29 00:00+00')" ""
is "advance in batches of 2: 2, 2, 1, 0 transitions" \
	"$(for i in 1 2 3 4; do q "SELECT count(*) FROM casewatch.advance('2026-11-30 09:00+00', 2)"; done | tr '\n' ' ')" \
	"2 2 1 0 "
is "the five were raised for persons 20..24 in order" \
	"$(q "SELECT string_agg(person_id::text, ' ' ORDER BY transition_id) FROM casewatch.transition WHERE rule_id = 'SW-24H'")" \
	"20 21 22 23 24"
is "transition ids strictly increase in writing order, and the functions return them in order" \
	"$(q "SELECT array_agg(transition_id) = array_agg(transition_id ORDER BY transition_id) FROM casewatch.advance('2026-12-01 09:00+00', 100)")" t
is "transitions_after gives the next ids in order" \
	"$(q "SELECT string_agg(transition_id::text, ' ') FROM casewatch.transitions_after(3, 3)")" "4 5 6"
is "sink cursor: set to 6" "$(q "SELECT casewatch.sink_delivered('syslog', 6)")" 6
is "sink cursor never moves back" "$(q "SELECT casewatch.sink_delivered('syslog', 2)")" 6
is "sink cursor is readable as casewatch.sink_cursor" \
	"$(q "SELECT last_id FROM casewatch.sink_cursor WHERE sink = 'syslog'")" 6

# --- acknowledge and snooze ------------------------------------------------
P8='{"person_id": 8, "rule_id": "STRAT-1WD", "anchor_kind": "event", "anchor_id": 80,
 "team_id": 9, "audience": "worker", "warn_at": "2026-12-01T09:00:00Z",
 "due_at": "2026-12-02T09:00:00Z",
 "escalations": [{"at": "2026-12-03T09:00:00Z", "audience": "team_manager"},
                 {"at": "2026-12-05T09:00:00Z", "audience": "service_manager"}]}'
is "person 8 raised overdue" "$(rec 8 "[$P8]" '2026-12-02 10:00+00')" "raised:->overdue:warning:worker"
A8=$(q "SELECT alert_id FROM casewatch.alert WHERE person_id = 8")
is "acknowledge: one acknowledged transition by the actor" \
	"$(q "SELECT $TR || ' by ' || string_agg(actor, ',') FROM casewatch.acknowledge('{\"person_id\": 8}', 'alice', 'on it', '2026-12-02 11:00+00')")" \
	"acknowledged:overdue>overdue:info:worker by alice"
is "acknowledge again: nothing" \
	"$(q "SELECT count(*) FROM casewatch.acknowledge('{\"alert_id\": [$A8]}', 'alice', NULL, '2026-12-02 11:30+00')")" 0
is "the acknowledgement is audited with its reason" \
	"$(q "SELECT concat_ws(' ', actor, action, alert_id = $A8, detail ->> 'reason') FROM casewatch.audit")" \
	"alice acknowledge t on it"
is "an acknowledged alert still escalates" "$(adv '2026-12-03 09:00+00')" \
	"escalated:overdue>escalated_1:err:team_manager"
is "escalation clears the acknowledgement" \
	"$(q "SELECT announced_state || ' ' || coalesce(acked_by, 'unacknowledged') FROM casewatch.alert WHERE alert_id = $A8")" \
	"escalated_1 unacknowledged"
is "snooze: one snoozed transition" \
	"$(q "SELECT $TR FROM casewatch.snooze('{\"alert_id\": $A8}', 'bob', 'waiting for court', '2026-12-06 09:00+00', '2026-12-03 10:00+00')")" \
	"snoozed:escalated_1>escalated_1:info:team_manager"
is "a snoozed alert's escalation is held" "$(adv '2026-12-05 09:00+00')" ""
is "... its state moved on, the announcement did not; it wakes when the snooze ends" \
	"$(q "SELECT concat_ws(' ', state, announced_state, next_at) FROM casewatch.alert WHERE alert_id = $A8")" \
	"escalated_2 escalated_1 2026-12-06 09:00:00+00"
is "the held escalation is written when the snooze ends" "$(adv '2026-12-06 09:00+00')" \
	"escalated:escalated_1>escalated_2:err:service_manager"
is "the snooze is audited with its reason and end" \
	"$(q "SELECT concat_ws(' ', actor, detail ->> 'reason', (detail ->> 'until')::timestamptz) FROM casewatch.audit WHERE action = 'snooze'")" \
	"bob waiting for court 2026-12-06 09:00:00+00"
P8MET=$(printf '%s' "$P8" | jq -c '.met_at = "2026-12-06T10:00:00Z"')
q "SELECT count(*) FROM casewatch.snooze('{\"person_id\": 8}', 'bob', 'again', '2026-12-20 00:00+00', '2026-12-06 09:30+00')" >/dev/null
is "resolution is never held by a snooze" "$(rec 8 "[$P8MET]" '2026-12-06 11:00+00')" \
	"resolved:escalated_2>met_late:notice:service_manager"
is "snooze without a reason is refused" \
	"$(q "SELECT count(*) FROM casewatch.snooze('{\"person_id\": 6}', 'bob', ' ', '2027-01-01 00:00+00', '2026-12-06 09:30+00')" | grep -c 'a reason is required')" 1
is "snooze until the past is refused" \
	"$(q "SELECT count(*) FROM casewatch.snooze('{\"person_id\": 6}', 'bob', 'x', '2026-12-01 00:00+00', '2026-12-06 09:30+00')" | grep -c 'must be after now')" 1
is "an unknown filter key is refused by name" \
	"$(q "SELECT count(*) FROM casewatch.acknowledge('{\"child\": 6}', 'bob', NULL, '2026-12-06 09:30+00')" | grep -c 'unknown key "child"')" 1
is "an empty filter is refused" \
	"$(q "SELECT count(*) FROM casewatch.acknowledge('{}', 'bob', NULL, '2026-12-06 09:30+00')" | grep -c 'non-empty object')" 1
is "the filter matches open alerts only (person 8's is resolved)" \
	"$(q "SELECT count(*) FROM casewatch.acknowledge('{\"person_id\": 8}', 'bob', NULL, '2026-12-06 12:00+00')")" 0

# --- bad input names its JSON path and writes nothing ----------------------
before=$(q "SELECT count(*) FROM casewatch.transition")
q "CREATE FUNCTION public.reconcile_error(persons bigint[], ob jsonb) RETURNS text
LANGUAGE plpgsql AS \$\$
BEGIN
	PERFORM casewatch.reconcile(persons, ob, '2026-12-10 00:00+00');
	RETURN 'no error';
EXCEPTION WHEN invalid_parameter_value THEN
	RETURN SQLERRM;
END;
\$\$;" >/dev/null
X='"person_id": 30, "rule_id": "X", "anchor_kind": "event", "anchor_id": 1, "audience": "worker"'
# name | obligations of person 30 | the error must contain
cases=$(cat <<EOF
a bad time names its path|[{$X, "due_at": "tomorrow"}]|obligations[0].due_at: expected a timestamp with a UTC offset, got "tomorrow"
a time without a UTC offset is refused|[{$X, "due_at": "2026-12-01T09:00:00"}]|obligations[0].due_at: expected a timestamp
an impossible date names the element and the value|[{$X}, {$X, "rule_id": "Y", "due_at": "2026-13-01T00:00:00Z"}]|obligations[1]: date/time field value out of range: "2026-13-01T00:00:00Z"
a person outside the batch is refused|[{$X, "person_id": 31}]|obligations[0].person_id: 31 is not one of the persons reconciled
an unknown key is refused|[{$X, "due": null}]|obligations[0]: unknown key "due"
an unknown audience is refused|[{$X, "audience": "mayor"}]|obligations[0].audience: expected one of
an unknown anchor kind is refused|[{$X, "anchor_kind": "dog"}]|obligations[0].anchor_kind: expected one of
a missing anchor id is refused|[{$X, "anchor_id": null}]|obligations[0].anchor_id: missing
a fractional id is refused|[{$X, "anchor_id": 1.5}]|obligations[0].anchor_id: expected a whole number
warn after due is refused|[{$X, "warn_at": "2026-12-02T00:00:00Z", "due_at": "2026-12-01T00:00:00Z"}]|obligations[0].warn_at: after due_at
an escalation before the due time is refused|[{$X, "due_at": "2026-12-02T00:00:00Z", "escalations": [{"at": "2026-12-01T00:00:00Z", "audience": "team_manager"}]}]|obligations[0].escalations[0].at: must be set, after due_at
a negative lateness is refused|[{$X, "late_by_seconds": -1}]|obligations[0].late_by_seconds
a key given twice is refused|[{$X}, {$X}]|obligations: person 30, rule X, event 1 given twice
not an array is refused|{$X}|obligations: expected a JSON array
EOF
)
errors=$(q "$(printf '%s\n' "$cases" | awk -F'|' '{ printf "%sSELECT %d, public.reconcile_error(%s, $j$%s$j$)\n", (NR > 1 ? "UNION ALL " : ""), NR, "'"'"'{30}'"'"'", $2 } END { print "ORDER BY 1" }')" -F'|')
contains() {
	case "$1" in *"$2"*) return 0 ;; esac
	echo "got: $1"
	return 1
}
n=0
while IFS='|' read -r name json want; do
	n=$((n + 1))
	ok "$name" contains "$(printf '%s\n' "$errors" | sed -n "${n}p")" "$n|reconcile: $want"
done <<EOF
$cases
EOF
is "refused input wrote no transition" "$(q "SELECT count(*) FROM casewatch.transition")" "$before"
is "schema versions 1 to 3 recorded" \
	"$(q "SELECT string_agg(version::text, ',' ORDER BY version) FROM casewatch.schema_version WHERE version <= 3")" "1,2,3"

# --- the state functions without a subquery (011) ---------------------------
# 011 counts the escalation steps reached with width_bucket() and takes the
# next one by position; 002 counted and took min() over the array. Over
# every combination of a grid (no, one, two or three ascending steps, equal
# times among them, a null array; instants on and around every boundary),
# both give the same state and the same next time. (The reference has
# 013's rule too: a completion counts from its own time on, and until
# then its time is one that moves the row.)
same_states=$(q "
WITH b(t) AS (SELECT '2026-01-01 00:00+00'::timestamptz + n * interval '1 hour' FROM generate_series(0, 6) n),
esc(e) AS (VALUES (NULL::timestamptz[]), ('{}'), ('{2026-01-01 03:00+00}'),
	('{2026-01-01 03:00+00,2026-01-01 03:00+00}'), ('{2026-01-01 03:00+00,2026-01-01 05:00+00}'),
	('{2026-01-01 02:00+00,2026-01-01 04:00+00,2026-01-01 04:00+00}')),
g AS (SELECT w.t AS warn, d.t AS due, e.e AS esc, m.m AS met, s.s AS susp, n.t - interval '1 second' * k.k AS now
	FROM b w, b d, esc e, (VALUES (NULL::timestamptz), ('2026-01-01 02:00+00')) m(m),
	(VALUES (false), (true)) s(s), b n, (VALUES (0), (1)) k(k)
	WHERE w.t <= d.t AND (e.e IS NULL OR cardinality(e.e) = 0 OR e.e[1] >= d.t)),
o AS (SELECT g.*, casewatch.obligation_state(warn, due, esc, met, susp, now) AS new_state,
	CASE WHEN met <= now THEN CASE WHEN due IS NULL OR met <= due THEN 'met_on_time' ELSE 'met_late' END
		WHEN susp THEN 'suspended' WHEN due IS NULL OR now IS NULL THEN 'pending'
		WHEN now < due THEN CASE WHEN warn <= now THEN 'due_soon' ELSE 'pending' END
		ELSE coalesce('escalated_' || nullif((SELECT count(*) FROM unnest(esc) t WHERE t <= now), 0), 'overdue')
		END AS old_state FROM g),
r AS (SELECT o.*, ROW(NULL, 'R', 'person', 1, 0, 1, NULL, 'worker', new_state, due, warn, NULL, NULL,
	NULL, NULL, NULL, NULL, NULL, now(), now(), NULL, 'obligation', NULL, coalesce(esc, '{}'),
	(SELECT coalesce(array_agg('worker'::text), '{}') FROM unnest(esc)), met, NULL, susp, NULL, NULL)::casewatch.alert AS a
	FROM o)
SELECT count(*) || ' ' || count(*) FILTER (WHERE new_state IS DISTINCT FROM old_state
	OR casewatch.alert_next_at(a, now) IS DISTINCT FROM (CASE WHEN new_state IN
		('met_on_time', 'met_late', 'resolved', 'withdrawn') THEN NULL
		WHEN new_state = 'suspended' THEN CASE WHEN met > now THEN met END
		ELSE (SELECT min(t) FROM unnest(ARRAY[warn, due, met] || coalesce(esc, '{}')) t WHERE t > now) END))
	|| ' ' || count(DISTINCT new_state)
FROM r")
set -- $same_states
ok "the grid covers many cases and states ($1 cases, ${3:-0} states)" [ "${1:-0}" -gt 5000 ] && [ "${3:-0}" -ge 7 ]
is "... on which 011's state and next time (with 013's) equal 002's (with 013's rule)" "${2:-x}" 0

# --- kept open-alert counts (003) -------------------------------------------
# After raising, escalating, resolving, withdrawing, acknowledging and
# snoozing above, the kept counts are what a scan of the alerts finds.
counted="SELECT coalesce(string_agg(announced_state || '=' || n || '/' || a, ' ' ORDER BY announced_state), '')
	FROM (SELECT announced_state, count(*) n, count(*) FILTER (WHERE acked_at IS NOT NULL) a
	FROM casewatch.alert WHERE announced_state IS NOT NULL GROUP BY 1) s"
kept="SELECT coalesce(string_agg(announced_state || '=' || alerts || '/' || acked, ' ' ORDER BY announced_state), '')
	FROM casewatch.open_count WHERE alerts > 0 OR acked > 0"
q "SELECT count(*) FROM casewatch.acknowledge(jsonb_build_object('alert_id',
	(SELECT min(alert_id) FROM casewatch.alert WHERE announced_state IS NOT NULL AND acked_at IS NULL)),
	'carol', NULL, '2026-12-06 12:00+00')" >/dev/null
ok "there are open and acknowledged alerts to count" \
	[ "$(q "SELECT count(*) FILTER (WHERE acked_at IS NOT NULL) > 0 AND count(*) > 1 FROM casewatch.alert WHERE announced_state IS NOT NULL")" = t ]
is "the kept open-alert counts equal a scan of casewatch.alert" "$(q "$kept")" "$(q "$counted")"
q "DELETE FROM casewatch.audit; DELETE FROM casewatch.transition;
	DELETE FROM casewatch.alert WHERE alert_id = (SELECT min(alert_id) FROM casewatch.alert WHERE announced_state IS NOT NULL)" >/dev/null
is "... after a delete" "$(q "$kept")" "$(q "$counted")"
q "UPDATE casewatch.alert SET acked_at = NULL, acked_by = NULL" >/dev/null
is "... after an update of many rows" "$(q "$kept")" "$(q "$counted")"
q "SET client_min_messages = warning; TRUNCATE casewatch.alert CASCADE" >/dev/null
is "... and after a truncate" "$(q "SELECT count(*) FROM casewatch.open_count WHERE alerts <> 0 OR acked <> 0")" 0
is "status counts snoozed alerts through their index, not a scan of casewatch.alert" \
	"$(q "SET enable_seqscan = off; EXPLAIN SELECT count(*) FROM casewatch.alert a WHERE a.announced_state IS NOT NULL
		AND a.snoozed_until IS NOT NULL AND a.snoozed_until > now()" | grep -c 'alert_snoozed_idx')" 1

# --- person_facts: a hand-built person ---------------------------------------
q "
INSERT INTO records.team (team_id, code, name, manager_id, service_manager_id)
	VALUES (7, 'CIN-N', 'SECRET-NAME team', 51, 52);
INSERT INTO records.staff (staff_id, team_id, role, display_name) VALUES
	(51, 7, 'team_manager', 'SECRET-NAME'), (52, NULL, 'service_manager', 'SECRET-NAME'),
	(55, 7, 'worker', 'SECRET-NAME'), (60, 7, 'worker', NULL), (61, NULL, 'iro', NULL);
INSERT INTO records.person (person_id, kind, date_of_birth, nation, team_id,
	allocated_worker_id, given_name, family_name, address, postcode) VALUES
	(1001, 'child', '2015-03-02', 'england-and-wales', 7, 55,
		'SECRET-NAME', 'SECRET-NAME', 'SECRET-NAME road', 'SECRET-NAME'),
	(1002, 'adult', NULL, 'scotland', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO records.involvement (involvement_id, person_id, category, started_on, ended_on,
	order_date, outcome) VALUES
	(2, 1001, 'youth_justice', '2024-01-01', '2024-06-30', NULL, 'reprimand'),
	(1, 1001, 'cin', '2025-01-10', NULL, NULL, NULL);
INSERT INTO records.event (event_id, person_id, event_type, occurred_at, cancelled,
	related_event_id) VALUES
	(10, 1001, 'visit', '2026-11-20 10:00+00', false, NULL),
	(11, 1001, 'contact', NULL, true, 10),
	(12, 1001, 'access_request', '2026-11-02 09:00+00', false, NULL);
INSERT INTO records.event (event_id, person_id, event_type, occurred_at, until_18) VALUES
	(13, 1001, 'placement', '2026-10-01 12:00+00', true);
INSERT INTO records.access_request (request_id, person_id, event_id, received_at, fee_paid_at) VALUES
	(40, 1001, 12, '2026-11-02 09:00+00', '2026-11-05 14:00+00');
INSERT INTO records.forget_request (request_id, person_id, received_at, received_by, description) VALUES
	(3, 1001, '2026-08-01 09:00+00', 55, 'SECRET-TEXT forget');
INSERT INTO records.record (record_id, person_id, record_type, event_id, author_id, event_at,
	entered_at, finalised_at, late_flag, late_reason, confidential, body) VALUES
	(100, 1001, 'visit_record', 10, 55, '2026-11-20 10:00+00', '2026-11-21 09:00+00',
		'2026-11-21 09:30:00.5+00', false, NULL, false, 'SECRET-NAME said'),
	(101, 1001, 'case_note', NULL, NULL, NULL, '2026-11-22 08:00+00', NULL, true,
		'SECRET-NAME was ill', true, NULL),
	(102, 1001, 'case_note', NULL, 55, NULL, NULL, NULL, true, '  ', false, 'SECRET-NAME');
INSERT INTO records.hazard (hazard_id, person_id, started_on, description, review_due_on,
	active, ended_on) VALUES
	(5, 1001, '2025-05-01', 'SECRET-NAME dog', '2025-11-01', true, NULL),
	(6, 1001, NULL, NULL, NULL, false, '2026-01-31');
INSERT INTO records.hazard_review (review_id, hazard_id, person_id, reviewed_at, reviewer_id) VALUES
	(2, 5, 1001, '2025-10-01 09:00+00', 55), (3, 5, 1001, '2025-06-01 09:00+00', 55);
INSERT INTO records.deletion (deletion_id, record_id, person_id, record_type, deleted_by,
	deleted_at, reason) VALUES
	(1, 300, 1001, 'case_note', 51, '2026-10-01 12:00+00', 'SECRET-NAME duplicate'),
	(2, 301, 1001, 'case_note', 99, '2026-10-02 12:00+00', NULL);
INSERT INTO records.info_sharing (sharing_id, person_id, direction, occurred_at, recorded_by,
	entered_at, signed, reason, request_summary, case_reference, with_consent,
	no_consent_reason, consented_by, consent_limits, subject_informed, not_informed_reason,
	counterpart_name, counterpart_job_title, counterpart_organisation, counterpart_phone,
	identity_check, decided_to_share, decision_reason, information_type, method, outcome,
	receipt_confirmation) VALUES
	(8, 1001, 'shared', '2026-09-01 10:00+00', 55, NULL, true, 'SECRET-NAME risk', NULL, NULL,
		false, NULL, NULL, NULL, true, NULL, 'SECRET-NAME', 'GP', 'NHS', NULL,
		NULL, NULL, NULL, 'health', 'email', 'seen', 'phoned back'),
	(9, 1001, 'request_received', '2026-09-02 10:00+00', NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	(10, 1001, 'request_made', '2026-09-03 10:00+00', 55, NULL, true, 'r', 's', NULL,
		true, NULL, 'mother', NULL, NULL, NULL, 'n', 'j', 'o', 'p',
		'ring back', false, NULL, NULL, NULL, 'none', NULL);
INSERT INTO records.restriction (restriction_id, person_id, record_id, reason, restricted_on,
	lifted_on, decided_by) VALUES
	(1, 1001, NULL, 'adoption_matched', '2026-01-01', NULL, 52),
	(2, 1001, 100, 'temporary', '2026-07-01', '2026-08-01', 52);
INSERT INTO records.restriction_grant (grant_id, restriction_id, person_id, staff_id)
	VALUES (1, 1, 1001, 61);
INSERT INTO records.access_request (request_id, person_id, event_id, received_at, closed_at) VALUES
	(4, 1001, NULL, '2026-03-01 10:00+00', NULL),
	(3, 1001, NULL, '2026-01-05 10:00+00', '2026-02-01 12:00+00');
INSERT INTO records.restricted_access (access_id, person_id, record_id, accessed_by, accessed_at) VALUES
	(4, 1001, NULL, 60, '2026-02-01 10:00+00'),
	(5, 1001, NULL, 61, '2026-02-01 10:00+00'),
	(6, 1001, NULL, 55, '2026-02-01 10:00+00'),
	(7, 1001, NULL, 60, '2025-12-31 23:30+00'),
	(8, 1001, 100, 61, '2026-06-30 23:30+00'),
	(9, 1001, 100, 61, '2026-06-30 22:30+00');
" >/dev/null

# Worked out by hand from FACTS.md, the rows above and the Hull lists in
# facts.sql. Access 8 is 00:30 on 1 July in London, when restriction 2
# (no grant for 61) is in force; access 9 is 23:30 on 30 June.
cat >"${TMPDIR:-/tmp}/facts-expected.$$" <<'EOF'
{"person_id": 1001, "kind": "child", "date_of_birth": "2015-03-02", "date_of_death": null,
 "nation": "england-and-wales", "team_id": 7, "worker_id": 55,
 "involvements": [
  {"id": 1, "category": "cin", "start": "2025-01-10", "end": null, "order_date": null, "outcome": null},
  {"id": 2, "category": "youth_justice", "start": "2024-01-01", "end": "2024-06-30",
   "order_date": null, "outcome": "reprimand"}],
 "events": [
  {"id": 10, "type": "visit", "at": "2026-11-20T10:00:00+00:00", "cancelled": false, "related_event_id": null,
   "fee_paid_at": null, "until_18": false},
  {"id": 11, "type": "contact", "at": null, "cancelled": true, "related_event_id": 10, "fee_paid_at": null,
   "until_18": false},
  {"id": 12, "type": "access_request", "at": "2026-11-02T09:00:00+00:00", "cancelled": false,
   "related_event_id": null, "fee_paid_at": "2026-11-05T14:00:00+00:00", "until_18": false},
  {"id": 13, "type": "placement", "at": "2026-10-01T12:00:00+00:00", "cancelled": false,
   "related_event_id": null, "fee_paid_at": null, "until_18": true}],
 "records": [
  {"id": 100, "type": "visit_record", "event_id": 10, "event_at": "2026-11-20T10:00:00+00:00",
   "entered_at": "2026-11-21T09:00:00+00:00", "finalised_at": "2026-11-21T09:30:00.5+00:00",
   "late_flag": false, "has_late_reason": false, "author_id": 55, "confidential": false},
  {"id": 101, "type": "case_note", "event_id": null, "event_at": null,
   "entered_at": "2026-11-22T08:00:00+00:00", "finalised_at": null,
   "late_flag": true, "has_late_reason": true, "author_id": null, "confidential": true},
  {"id": 102, "type": "case_note", "event_id": null, "event_at": null, "entered_at": null,
   "finalised_at": null, "late_flag": true, "has_late_reason": false, "author_id": 55,
   "confidential": false}],
 "hazards": [
  {"id": 5, "start": "2025-05-01", "review_due": "2025-11-01", "active": true, "ended": null,
   "has_description": true,
   "reviews": ["2025-06-01T09:00:00+00:00", "2025-10-01T09:00:00+00:00"]},
  {"id": 6, "start": null, "review_due": null, "active": false, "ended": "2026-01-31",
   "has_description": false, "reviews": []}],
 "deletions": [
  {"record_id": 300, "deleted_at": "2026-10-01T12:00:00+00:00", "deleted_by": 51,
   "deleted_by_role": "team_manager", "has_reason": true},
  {"record_id": 301, "deleted_at": "2026-10-02T12:00:00+00:00", "deleted_by": 99,
   "deleted_by_role": null, "has_reason": false}],
 "info_sharing": [
  {"id": 8, "kind": "sharing", "at": "2026-09-01T10:00:00+00:00",
   "missing": ["no_consent_reason", "counterpart_phone"]},
  {"id": 9, "kind": "request_received", "at": "2026-09-02T10:00:00+00:00",
   "missing": ["recorded_by", "signed", "reason", "request_summary", "with_consent",
    "subject_informed", "counterpart_name", "counterpart_job_title", "counterpart_organisation",
    "counterpart_phone", "identity_check", "decided_to_share", "decision_reason", "outcome"]},
  {"id": 10, "kind": "request_made", "at": "2026-09-03T10:00:00+00:00",
   "missing": ["consent_limits", "decision_reason"]}],
 "restricted_access": [
  {"id": 4, "record_id": null, "accessed_by": 60, "accessed_by_role": "worker", "allowed": false, "at": "2026-02-01T10:00:00+00:00"},
  {"id": 5, "record_id": null, "accessed_by": 61, "accessed_by_role": "iro", "allowed": true, "at": "2026-02-01T10:00:00+00:00"},
  {"id": 6, "record_id": null, "accessed_by": 55, "accessed_by_role": "worker", "allowed": true, "at": "2026-02-01T10:00:00+00:00"},
  {"id": 7, "record_id": null, "accessed_by": 60, "accessed_by_role": "worker", "allowed": true, "at": "2025-12-31T23:30:00+00:00"},
  {"id": 8, "record_id": 100, "accessed_by": 61, "accessed_by_role": "iro", "allowed": false, "at": "2026-06-30T23:30:00+00:00"},
  {"id": 9, "record_id": 100, "accessed_by": 61, "accessed_by_role": "iro", "allowed": true, "at": "2026-06-30T22:30:00+00:00"}],
 "forget_requests": [{"id": 3, "received_at": "2026-08-01T09:00:00+00:00"}],
 "access_requests": [
  {"id": 3, "event_id": null, "received_at": "2026-01-05T10:00:00+00:00", "closed_at": "2026-02-01T12:00:00+00:00"},
  {"id": 4, "event_id": null, "received_at": "2026-03-01T10:00:00+00:00", "closed_at": null},
  {"id": 40, "event_id": 12, "received_at": "2026-11-02T09:00:00+00:00", "closed_at": null}]}
EOF
expected=$(jq -S . "${TMPDIR:-/tmp}/facts-expected.$$")
rm -f "${TMPDIR:-/tmp}/facts-expected.$$"
is "person_facts of the hand-built person is exactly the expected document" \
	"$(q "SELECT records.person_facts(1001)" | jq -S .)" "$expected"
is "the same in a London session (timestamps still UTC)" \
	"$(PGTZ=Europe/London q "SELECT records.person_facts(1001)" | jq -S .)" "$expected"
is "persons_facts gives the same document" \
	"$(q "SELECT facts FROM records.persons_facts('{1001}')" | jq -S .)" "$expected"
is "a person with nothing has empty arrays, never absent ones" \
	"$(q "SELECT records.person_facts(1002)" | jq -c '[.kind, .nation, .team_id, .date_of_birth, .involvements, .events, .records, .hazards, .deletions, .info_sharing, .restricted_access, .forget_requests, .access_requests]')" \
	'["adult","scotland",null,null,[],[],[],[],[],[],[],[],[]]'
is "no such person: null" "$(q "SELECT coalesce(records.person_facts(999999)::text, 'null')")" null
is "persons_facts skips unknown ids and orders by person_id" \
	"$(q "SELECT string_agg(person_id::text, ' ') FROM records.persons_facts('{1002, 999999, 1001}')")" \
	"1001 1002"

# --- generated persons: valid facts, and no free text ever -------------------
q "SELECT count(*) FROM records.generate(300, 0.7, '2026-11-23 09:00+00')" >/dev/null
# Every text column that is not a vocabulary code gets the marker.
q "
CREATE TABLE public.freetext AS
	SELECT table_name::text, column_name::text FROM information_schema.columns
	WHERE table_schema = 'records' AND data_type = 'text'
	AND table_name IN (SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'records' AND table_type = 'BASE TABLE')
	AND (table_name, column_name) NOT IN (('vocabulary', 'kind'), ('vocabulary', 'code'),
		('vocabulary', 'meaning'), ('tombstone', 'relation'), ('team', 'code'),
		('staff', 'role'), ('person', 'kind'), ('person', 'nation'),
		('involvement', 'category'), ('involvement', 'outcome'), ('event', 'event_type'),
		('record', 'record_type'), ('deletion', 'record_type'),
		('info_sharing', 'direction'), ('restriction', 'reason'),
		('destruction', 'category'));
DO \$\$
DECLARE c record;
BEGIN
	FOR c IN SELECT * FROM public.freetext LOOP
		EXECUTE format('UPDATE records.%I SET %I = %L || coalesce(%I, %L)',
			c.table_name, c.column_name, 'SECRET-NAME ', c.column_name, '');
	END LOOP;
END;
\$\$;" >/dev/null
# The free-text columns of interface.sql, listed by hand.
is "the marker went into every free-text column of the interface" \
	"$(q "SELECT string_agg(table_name || '.' || column_name, ' ' ORDER BY table_name, column_name) FROM public.freetext")" \
	"deletion.reason forget_request.description hazard.description info_sharing.case_reference info_sharing.consent_limits info_sharing.consented_by info_sharing.counterpart_job_title info_sharing.counterpart_name info_sharing.counterpart_organisation info_sharing.counterpart_phone info_sharing.decision_reason info_sharing.identity_check info_sharing.information_type info_sharing.method info_sharing.no_consent_reason info_sharing.not_informed_reason info_sharing.outcome info_sharing.reason info_sharing.receipt_confirmation info_sharing.request_summary person.address person.family_name person.given_name person.postcode record.body record.late_reason staff.display_name team.name"
is "... and is really there" \
	"$(q "SELECT count(*) > 0 FROM records.record WHERE body LIKE 'SECRET-NAME%' AND late_reason LIKE 'SECRET-NAME%'")" t
npersons=$(q "SELECT count(*) FROM records.person")
facts=$(q "SELECT records.person_facts(person_id) FROM records.person ORDER BY person_id")
is "the marker never appears in person_facts for any person" \
	"$(printf '%s\n' "$facts" | grep -c 'SECRET' || true)" 0
is "nor in persons_facts" \
	"$(q "SELECT facts FROM records.persons_facts(ARRAY(SELECT person_id FROM records.person))" | grep -c 'SECRET' || true)" 0
is "every generated person's facts parse and have every key with its type" \
	"$(printf '%s\n' "$facts" | jq -c 'select((.person_id | type) == "number"
		and (.kind | IN("child", "carer", "adult"))
		and ([.date_of_birth, .date_of_death] | all(. == null or test("^\\d{4}-\\d{2}-\\d{2}$")))
		and (.nation | type) == "string" and has("team_id") and has("worker_id")
		and ([.involvements, .events, .records, .hazards, .deletions, .info_sharing,
			.restricted_access, .access_requests] | all(type == "array"))
		and (.events | all(has("id") and has("type") and has("at") and has("cancelled")
			and has("related_event_id")))
		and (.records | all(has("id") and has("type") and has("event_id") and has("event_at")
			and has("entered_at") and has("finalised_at") and (.late_flag | type) == "boolean"
			and (.has_late_reason | type) == "boolean" and has("author_id")
			and (.confidential | type) == "boolean"))
		and (.hazards | all((.has_description | type) == "boolean" and (.reviews | type) == "array"))
		and (.deletions | all((.has_reason | type) == "boolean" and has("deleted_by_role")))
		and (.info_sharing | all((.missing | type) == "array" and
			(.kind | IN("sharing", "request_received", "request_made"))))
		and (.restricted_access | all((.allowed | type) == "boolean")))' | wc -l | tr -d ' ')" \
	"$npersons"
is "every timestamp is printed in UTC" \
	"$(printf '%s\n' "$facts" | grep -o '"[0-9-]*T[0-9:.]*[+-][0-9:]*"' | grep -vc '+00:00"$' || true)" 0
is "person_facts and persons_facts agree on every generated person" \
	"$(q "SELECT count(*) FROM records.person p JOIN records.persons_facts(ARRAY(SELECT person_id FROM records.person)) f USING (person_id) WHERE f.facts::text = records.person_facts(p.person_id)::text")" \
	"$npersons"

tap_done
