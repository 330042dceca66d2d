#!/bin/sh
# sql-retention.sh - 006_retention.sql on a real PostgreSQL: holds, the destruction workflow, the hash-chained register.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u

src=$CASEWATCH_SRCDIR
export PGTZ=UTC
trap pg_destroy EXIT
pg_start || { echo "Bail out! no PostgreSQL"; exit 1; }

for m in "$src"/sql/casewatch/[0-9][0-9][0-9]_*.sql; do
	pg_psql --single-transaction -f "$m" >/dev/null || { echo "Bail out! $m failed"; exit 1; }
done

# q SQL [psql options...]: run SQL, print unaligned; errors go to the output.
q() {
	printf '%s\n' "$1" | pg_psql -At 2>&1
}
# fails SQL PATTERN: the statement is refused with a message matching PATTERN.
fails() {
	out=$(printf '%s\n' "$1" | pg_psql -At 2>&1) && { echo "accepted: $out"; return 1; }
	printf '%s\n' "$out" | grep -q -- "$2" || { echo "refused otherwise: $out"; return 1; }
}
NOW="'2026-03-02 10:00+00'"

# --- holds ---------------------------------------------------------------------
is "a hold is placed (scope persons)" "$(q "SELECT casewatch.hold_place('persons', NULL, NULL, NULL, '{7,8}',
	'litigation', 'claim 2026/17, CPR 31', 'alice', '2026-03-01', NULL, $NOW)")" 1
is "a category hold" "$(q "SELECT casewatch.hold_place('category', 'looked_after', NULL, NULL, NULL,
	'inquiry', 'an inquiry, s.21 Inquiries Act 2005', 'alice', NULL, NULL, $NOW)")" 2
is "... starts today in London when no start is given" "$(q "SELECT starts FROM casewatch.hold WHERE hold_id = 2")" 2026-03-02
ok "a period scope needs its dates" fails "SELECT casewatch.hold_place('period', NULL, NULL, NULL, NULL,
	'inquiry', 'x', 'alice', NULL, NULL, $NOW)" hold_scope_period
ok "a reason is a code, not prose" fails "SELECT casewatch.hold_place('all', NULL, NULL, NULL, NULL,
	'Because I said so', 'x', 'alice', NULL, NULL, $NOW)" hold_reason_check
ok "a hold cannot end before it starts" fails "SELECT casewatch.hold_place('all', NULL, NULL, NULL, NULL,
	'inquiry', 'x', 'alice', '2026-03-01', '2026-02-01', $NOW)" hold_dates
is "lifting sets the end and who lifted it" \
	"$(q "SELECT concat_ws(' ', ends, lifted_by) FROM casewatch.hold_lift(1, 'bob', '2026-04-30', '2026-04-29 09:00+00')")" \
	"2026-04-30 bob"
ok "lifting again to a later day is refused" fails "SELECT casewatch.hold_lift(1, 'bob', '2026-05-30', $NOW)" "already ends"
is "every change is audited" "$(q "SELECT string_agg(concat_ws(':', hold_id, action, actor, ends), ' ' ORDER BY audit_id) FROM casewatch.hold_audit")" \
	"1:placed:alice 2:placed:alice 1:lifted:bob:2026-04-30"

# --- the workflow --------------------------------------------------------------
d() { q "SELECT state FROM casewatch.destruction_due($1, 'RET-CIN', '{RET-CIN}', '2026-03-04', ${2:-$NOW})"; }
is "due" "$(d 101)" due
is "found due again: unchanged" "$(d 101)" due
ok "approve before review is refused" fails "SELECT casewatch.destruction_approve(101, 'bob', $NOW)" "not reviewed"
is "reviewed: destroy" "$(q "SELECT concat_ws(' ', state, reviewed_by) FROM casewatch.destruction_review(101, 'alice', 'destroy', NULL, NULL, $NOW)")" \
	"reviewed alice"
ok "the reviewer cannot approve her own decision" fails "SELECT casewatch.destruction_approve(101, 'alice', $NOW)" \
	"approver must not be the reviewer"
ok "... nor by writing the row directly" fails "UPDATE casewatch.destruction SET state = 'approved', approved_by = 'alice' WHERE person_id = 101" \
	destruction_four_eyes
is "approved by another person" "$(q "SELECT concat_ws(' ', state, approved_by) FROM casewatch.destruction_approve(101, 'bob', $NOW)")" \
	"approved bob"
is "confirmed destroyed: one register row" \
	"$(q "SELECT concat_ws(' ', seq, person_id, basis, due_on, reviewed_by, approved_by, destroyed_on, destroyed_by) FROM casewatch.destruction_confirm(101, '2026-03-20', 'council-process', '2026-03-21 08:00+00')")" \
	"1 101 RET-CIN 2026-03-02 alice bob 2026-03-20 council-process"
is "confirming twice writes nothing more" \
	"$(q "SELECT seq FROM casewatch.destruction_confirm(101, '2026-03-20', 'council-process', '2026-03-22 08:00+00'); SELECT count(*) FROM casewatch.destruction_register")" \
	"1
1"
is "a second person due" "$(d 102)" due
ok "... confirming it unapproved is refused" fails "SELECT casewatch.destruction_confirm(102, '2026-03-20', 'x', $NOW)" "not approved"
ok "extend needs a reason" fails "SELECT casewatch.destruction_review(102, 'alice', 'extend', '', '2027-01-01', $NOW)" "needs a reason"
ok "extend needs a later date" fails "SELECT casewatch.destruction_review(102, 'alice', 'extend', 'family court', '2026-03-01', $NOW)" "new date after today"
is "extended with a reason and a date" \
	"$(q "SELECT concat_ws(' ', state, extend_to) FROM casewatch.destruction_review(102, 'alice', 'extend', 'family court', '2027-01-01', $NOW)")" \
	"extended 2027-01-01"
is "still extended before its date" "$(d 102 "'2026-12-31 12:00+00'")" extended
is "due again from its date" "$(d 102 "'2027-01-01 12:00+00'")" due
ok "keep needs a reason" fails "SELECT casewatch.destruction_review(102, 'alice', 'keep', NULL, NULL, $NOW)" "needs a reason"
is "kept with a reason" "$(q "SELECT state FROM casewatch.destruction_review(102, 'carol', 'keep', 'historic interest', NULL, $NOW)")" kept
is "a third, withdrawn when the record reopens" "$(d 103; q "SELECT state FROM casewatch.destruction_withdraw(103, $NOW)")" "due
withdrawn"
is "... and due afresh when it falls due again" "$(d 103)" due

# --- the register: chained, append-only, verified ---------------------------------
for p in 104 105 106 107; do
	d $p >/dev/null
	q "SELECT casewatch.destruction_review($p, 'alice', 'destroy', NULL, NULL, $NOW);
	   SELECT casewatch.destruction_approve($p, 'bob', $NOW);
	   SELECT casewatch.destruction_confirm($p, '2026-03-25', 'council-process', '2026-03-26 08:00+00')" >/dev/null
done
is "five rows, chained in order" "$(q "SELECT string_agg(seq::text, ',' ORDER BY entry_id) FROM casewatch.destruction_register")" "1,2,3,4,5"
is "each row's prev_hash is its predecessor's hash" "$(q "SELECT count(*) FROM casewatch.destruction_register r
	JOIN casewatch.destruction_register p ON p.seq = r.seq - 1 WHERE r.prev_hash = p.hash")" 4
is "verify: a sound chain" "$(q "SELECT concat_ws(' ', ok, rows_checked) FROM casewatch.register_verify()")" "t 5"
head=$(q "SELECT seq || ' ' || encode(hash, 'hex') FROM casewatch.register_head()")
hseq=${head% *}
hhash=${head#* }
is "the head" "$hseq" 5
is "a writer cannot choose its own seq or hash" "$(q "INSERT INTO casewatch.destruction_register (seq, person_id,
	categories, basis, due_on, destroyed_on, destroyed_by, recorded_at, prev_hash, hash)
	VALUES (99, 1, '{}', 'RET-CIN', '2026-01-01', '2026-01-01', 'x', '2026-01-02 10:00+00', '\x00', '\x00')
	RETURNING seq, length(hash)")" "6|32"
is "... and the chain still verifies" "$(q "SELECT ok FROM casewatch.register_verify()")" t
head=$(q "SELECT seq || ' ' || encode(hash, 'hex') FROM casewatch.register_head()")
hseq=${head% *}
hhash=${head#* }

# The daemon's role: everything on the schema, and still no edit.
q "CREATE ROLE cw_daemon LOGIN; GRANT USAGE ON SCHEMA casewatch TO cw_daemon;
   GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA casewatch TO cw_daemon;
   GRANT USAGE ON ALL SEQUENCES IN SCHEMA casewatch TO cw_daemon" >/dev/null
ok "the daemon's role cannot update a register row" fails "SET ROLE cw_daemon; UPDATE casewatch.destruction_register SET destroyed_by = 'mallory' WHERE seq = 2" "append-only: UPDATE refused"
ok "the daemon's role cannot delete one" fails "SET ROLE cw_daemon; DELETE FROM casewatch.destruction_register WHERE seq = 2" "append-only: DELETE refused"
ok "nor can the owner" fails "DELETE FROM casewatch.destruction_register" "append-only: DELETE refused"
ok "nor truncate" fails "TRUNCATE casewatch.destruction_register" "append-only: TRUNCATE refused"

# Tampering past the trigger (a superuser turning triggers off) is caught.
tamper() { q "SET session_replication_role = replica; $1" >/dev/null; }
tamper "UPDATE casewatch.destruction_register SET destroyed_by = 'mallory' WHERE seq = 3"
is "verify: an edited row is named" "$(q "SELECT concat_ws(' | ', ok, bad_seq, problem) FROM casewatch.register_verify()")" \
	"f | 3 | entry 3 (seq 3) was edited: its hash does not match its contents"
tamper "UPDATE casewatch.destruction_register SET destroyed_by = 'council-process' WHERE seq = 3"
is "verify: put back, sound again" "$(q "SELECT ok FROM casewatch.register_verify()")" t
tamper "UPDATE casewatch.destruction_register SET seq = 100 WHERE seq = 4;
	UPDATE casewatch.destruction_register SET seq = 4 WHERE seq = 5;
	UPDATE casewatch.destruction_register SET seq = 5 WHERE seq = 100"
is "verify: a reordered chain is named" "$(q "SELECT concat_ws(' | ', ok, bad_seq, problem) FROM casewatch.register_verify()")" \
	"f | 5 | entry 4 has seq 5 where 4 was expected: rows reordered"
tamper "UPDATE casewatch.destruction_register SET seq = 100 WHERE seq = 4;
	UPDATE casewatch.destruction_register SET seq = 4 WHERE seq = 5;
	UPDATE casewatch.destruction_register SET seq = 5 WHERE seq = 100"
is "verify: put back, sound again" "$(q "SELECT ok FROM casewatch.register_verify()")" t
tamper "DELETE FROM casewatch.destruction_register WHERE seq = 2"
is "verify: a deleted row is named" "$(q "SELECT concat_ws(' | ', ok, bad_seq, problem) FROM casewatch.register_verify()")" \
	"f | 3 | entry 3 has seq 3 where 2 was expected: row 2 deleted"
tamper "DELETE FROM casewatch.destruction_register WHERE seq >= 3"
is "verify: the last rows deleted pass alone ..." "$(q "SELECT ok FROM casewatch.register_verify()")" t
is "... and are caught against the head an auditor kept" \
	"$(q "SELECT concat_ws(' | ', ok, problem) FROM casewatch.register_verify($hseq, '\\x$hhash')")" \
	"f | the register ends at seq 1 but the head kept says 6: rows 2 to 6 deleted"
# --- a placed hold withdraws the open decisions it covers (010) ------------------
# This store has no records beside it, so a review records no involvements:
# a category or period hold cannot be decided and covers (conservative);
# a listed-person hold is decided by the person id alone.
H="'2026-05-02 10:00+00'"
for p in 301 302 303; do
	q "SELECT casewatch.destruction_due($p, 'RET-CIN', '{RET-CIN}', '2026-03-04', $H);
	   SELECT casewatch.destruction_review($p, 'alice', 'destroy', NULL, NULL, $H);
	   SELECT casewatch.destruction_approve($p, 'bob', $H)" >/dev/null
done
is "a hold listing another person: nothing withdrawn" \
	"$(q "SELECT casewatch.hold_withdrawn(casewatch.hold_place('persons', NULL, NULL, NULL, '{999}', 'litigation', 'x', 'carol', NULL, NULL, $H))")" ""
is "a hold listing 301: withdrawn as it is placed" \
	"$(q "SELECT casewatch.hold_withdrawn(casewatch.hold_place('persons', NULL, NULL, NULL, '{301}', 'litigation', 'x', 'carol', NULL, NULL, $H))")" 301
is "... the row withdrawn, reviewer and approver kept" \
	"$(q "SELECT concat_ws(' ', state, reviewed_by, approved_by) FROM casewatch.destruction WHERE person_id = 301")" "withdrawn alice bob"
is "a hold starting tomorrow: nothing withdrawn today" \
	"$(q "SELECT casewatch.hold_withdrawn(casewatch.hold_place('all', NULL, NULL, NULL, NULL, 'inquiry', 'x', 'carol', '2026-05-03', NULL, $H))")" ""
is "a category hold, no involvements recorded: 302, 303 and 103 (left due above) withdrawn (cannot be decided)" \
	"$(q "SELECT casewatch.hold_withdrawn(casewatch.hold_place('category', 'fostering', NULL, NULL, NULL, 'inquiry', 'x', 'carol', NULL, NULL, $H))")" 103,302,303
is "... audited" "$(q "SELECT string_agg(concat_ws(':', action, actor, person_id), ' ' ORDER BY audit_id) FROM casewatch.hold_audit WHERE action = 'withdrew'")" \
	"withdrew:carol:301 withdrew:carol:103 withdrew:carol:302 withdrew:carol:303"
ok "confirming a withdrawn decision is refused" fails "SELECT casewatch.destruction_confirm(302, '2026-05-02', 'x', $H)" "not approved"
# hold_covers from what a review recorded: categories and the span of the involvements.
cov() {
	q "SELECT casewatch.hold_covers(ROW(1, '$1', $2, $3, $4, NULL, 'inquiry', 'x', 'a', $H, '2026-05-01', NULL, NULL, NULL)::casewatch.hold,
		ROW(7, 'approved', 'RET-CIN', '{RET-CIN}', '2026-03-04', $H, 'destroy', NULL, NULL, 'a', $H, 'b', $H, NULL, NULL, NULL, $H,
		'{cin,early_help}', '1995-01-01', '1997-01-01')::casewatch.destruction, '2026-05-02')"
}
is "covers: a category the person had" "$(cov category "'early_help'" NULL NULL)" t
is "... not one it had not" "$(cov category "'fostering'" NULL NULL)" f
is "... a period overlapping the span" "$(cov period NULL "'1996-06-01'" "'2000-01-01'")" t
is "... a period after it" "$(cov period NULL "'1997-01-02'" NULL)" f
is "... a period before it" "$(cov period NULL "'1990-01-01'" "'1994-12-31'")" f
tap_done
