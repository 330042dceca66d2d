#!/bin/sh
# sql-reconcile.sh - casewatch.reconcile_set() (003, 011 and 012: typed
# arrays, digests, set-based diff and writes, unchanged persons left out)
# writes exactly what casewatch.reconcile() (002, JSON) writes. A generated sequence of 80 steps (40 persons whose obligations
# appear, move, are met on time or late, are suspended, turn into findings,
# vanish and come back; sweeps and partial pages; time moving on, with
# advance(), acknowledgements and snoozes between steps) is replayed on
# three stores: through reconcile(), through reconcile_set() with every
# obligation, and through reconcile_set() leaving out the obligations of
# every person whose digest is the stored one, as casewatchd does. Their
# transition logs must agree row for row (ids aside), and so must the
# stored alerts. Then the checks: bad input is refused naming the
# obligation, and writes nothing.
. "$CASEWATCH_SRCDIR/tests/tap.sh"
. "$CASEWATCH_SRCDIR/tests/pg.sh"
set -u
src=$CASEWATCH_SRCDIR
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cw-rset.XXXXXX")
chmod 0755 "$tmp"
cleanup() {
	pg_destroy
	rm -rf "$tmp"
}
trap cleanup EXIT
pg_start || { echo "Bail out! cannot start PostgreSQL"; exit 1; }
# Every migration: reconcile_set() as released now (003, rewritten by 011 and 012).
for db in old new lean; do
	pg_psql -c "CREATE DATABASE $db" >/dev/null ||
		{ echo "Bail out! cannot create $db"; exit 1; }
	for f in "$src"/sql/casewatch/[0-9][0-9][0-9]_*.sql; do
		pg_psql -d $db --single-transaction -f "$f" >/dev/null ||
			{ echo "Bail out! cannot load $f into $db"; exit 1; }
	done
done
q() { pg_psql -d "$1" -Atc "$2"; }

# --- the sequence, generated once (in "old") and copied to "new" -----------
pg_psql -d old >/dev/null <<'EOF' || { echo "Bail out! cannot generate the steps"; exit 1; }
CREATE TABLE public.steps (step integer PRIMARY KEY, now timestamptz NOT NULL,
	ids bigint[] NOT NULL, obligations jsonb NOT NULL);
CREATE FUNCTION public.utc(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;
-- One person's obligations at now, at random.
CREATE FUNCTION public.gen_person(p bigint, now timestamptz) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	res jsonb := '[]';
	o jsonb;
	due timestamptz;
	met timestamptz;
	esc jsonb;
	t timestamptz;
	aud constant text[] := ARRAY['worker', 'team_manager', 'service_manager', 'records_officer'];
BEGIN
	FOR r IN 1 .. 4 LOOP
		FOR a IN 1 .. 2 LOOP
			CONTINUE WHEN random() < 0.5;
			IF random() < 0.15 THEN
				o := jsonb_build_object('person_id', p, 'rule_id', 'F' || r, 'anchor_kind', 'record',
					'anchor_id', p * 10 + a, 'team_id', 1 + p % 3, 'audience', aud[1 + r % 4],
					'warn_at', NULL, 'due_at', NULL, 'escalations', '[]'::jsonb, 'met_at', NULL,
					'met_by', NULL, 'suspended', false, 'kind', 'finding');
				IF random() < 0.5 THEN
					o := o || jsonb_build_object('severity', (ARRAY['info', 'notice', 'err'])[1 + (random() * 2)::int]);
				END IF;
			ELSE
				due := date_trunc('hour', now) + ((random() * 120 - 48)::int) * interval '1 hour';
				esc := '[]';
				t := due;
				FOR k IN 1 .. (random() * 2.4)::int LOOP
					t := t + ((1 + random() * 30)::int) * interval '1 hour';
					esc := esc || jsonb_build_object('at', utc(t), 'audience', aud[1 + k]);
				END LOOP;
				met := CASE WHEN random() < 0.3 THEN due + ((random() * 48 - 24)::int) * interval '1 hour' END;
				o := jsonb_build_object('person_id', p, 'rule_id', 'R' || r,
					'anchor_kind', (ARRAY['event', 'involvement', 'hazard', 'person'])[r],
					'anchor_id', CASE WHEN r = 4 THEN p ELSE p * 10 + a END,
					'cycle_start', CASE WHEN r = 4 THEN utc(timestamptz '2026-01-01 00:00+00' + a * interval '30 days') END,
					'team_id', CASE WHEN random() < 0.9 THEN 1 + p % 3 END, 'audience', aud[1 + (r + a) % 4],
					'warn_at', CASE WHEN random() < 0.7 THEN utc(due - ((random() * 24)::int) * interval '1 hour') END,
					'due_at', utc(due), 'escalations', esc, 'met_at', utc(met),
					'met_by', CASE WHEN met IS NOT NULL THEN p * 100 + r END,
					'suspended', met IS NULL AND random() < 0.1, 'kind', 'obligation');
				IF met > due AND random() < 0.5 THEN
					o := o || jsonb_build_object('late_by_seconds', extract(epoch FROM met - due)::bigint);
				END IF;
			END IF;
			res := res || o;
		END LOOP;
	END LOOP;
	RETURN res;
END;
$$;
DO $$
DECLARE
	cur jsonb[] := array_fill('[]'::jsonb, ARRAY[40]);
	now timestamptz := '2026-01-05 09:00+00';
	ids bigint[];
	ob jsonb;
BEGIN
	PERFORM setseed(0.42);
	FOR s IN 1 .. 80 LOOP
		now := now + ((random() * 30)::int) * interval '1 hour';
		-- a third of the persons change their obligations; some vanish
		FOR p IN 1 .. 40 LOOP
			IF random() < 0.33 THEN
				cur[p] := CASE WHEN random() < 0.1 THEN '[]'::jsonb ELSE gen_person(p, now) END;
			END IF;
		END LOOP;
		-- every fifth step a sweep of everyone; else a page of about half
		ids := ARRAY(SELECT p FROM generate_series(1, 40) p WHERE s % 5 = 1 OR random() < 0.5 ORDER BY p);
		ob := '[]';
		FOR i IN 1 .. coalesce(cardinality(ids), 0) LOOP
			ob := ob || cur[ids[i]];
		END LOOP;
		INSERT INTO steps VALUES (s, now, ids, ob);
	END LOOP;
END;
$$;
EOF
pg_psql -d old -c "\\copy public.steps TO '$tmp/steps.tsv'" >/dev/null
for db in new lean; do
	pg_psql -d $db -c "CREATE TABLE public.steps (step integer PRIMARY KEY, now timestamptz NOT NULL,
		ids bigint[] NOT NULL, obligations jsonb NOT NULL)" -c "\\copy public.steps FROM '$tmp/steps.tsv'" >/dev/null
done

# "new" reconciles through reconcile_set: the JSON of a step as the arrays
# the daemon sends, with a digest per person of their obligations. "lean"
# too, but leaving out the obligations of the persons whose digest is the
# one stored (p_omitted), as casewatchd does with the digests it read.
for db in new lean; do
	pg_psql -d $db >/dev/null <<'EOF' || { echo "Bail out! cannot create the array wrapper"; exit 1; }
CREATE FUNCTION public.digest_of(p bigint, ob jsonb) RETURNS bigint LANGUAGE sql AS $$
	SELECT ('x' || substr(md5(coalesce((SELECT jsonb_agg(x.v ORDER BY x.ord)::text
		FROM jsonb_array_elements(ob) WITH ORDINALITY x(v, ord)
		WHERE (x.v ->> 'person_id')::bigint = p), '')), 1, 16))::bit(64)::bigint
$$;
CREATE TABLE public.left_out (n bigint NOT NULL);
INSERT INTO public.left_out VALUES (0);
CREATE FUNCTION public.reconcile_arrays(ids bigint[], full_ob jsonb, now timestamptz,
	omitted bigint[] DEFAULT '{}')
RETURNS SETOF casewatch.transition LANGUAGE sql AS $$
	WITH o AS (SELECT x.v, x.ord FROM jsonb_array_elements(full_ob) WITH ORDINALITY x(v, ord)
		WHERE NOT (x.v ->> 'person_id')::bigint = ANY (omitted)),
	e AS (SELECT o.ord, e.i, e.v FROM o, jsonb_array_elements(coalesce(o.v -> 'escalations', '[]')) WITH ORDINALITY e(v, i)),
	d AS (SELECT p, public.digest_of(p, full_ob) AS dg FROM unnest(ids) p)
	SELECT * FROM casewatch.reconcile_set(
		ARRAY(SELECT p FROM d ORDER BY p), ARRAY(SELECT dg FROM d ORDER BY p),
		ARRAY(SELECT (v ->> 'person_id')::bigint FROM o ORDER BY ord),
		ARRAY(SELECT v ->> 'rule_id' FROM o ORDER BY ord),
		ARRAY(SELECT v ->> 'anchor_kind' FROM o ORDER BY ord),
		ARRAY(SELECT (v ->> 'anchor_id')::bigint FROM o ORDER BY ord),
		ARRAY(SELECT (v ->> 'cycle_start')::timestamptz FROM o ORDER BY ord),
		ARRAY(SELECT (v ->> 'team_id')::bigint FROM o ORDER BY ord),
		ARRAY(SELECT v ->> 'audience' FROM o ORDER BY ord),
		ARRAY(SELECT (v ->> 'warn_at')::timestamptz FROM o ORDER BY ord),
		ARRAY(SELECT (v ->> 'due_at')::timestamptz FROM o ORDER BY ord),
		ARRAY(SELECT (SELECT array_agg((e.v ->> 'at')::timestamptz ORDER BY e.i) FROM e WHERE e.ord = o.ord)::text
			FROM o ORDER BY ord),
		ARRAY(SELECT (SELECT array_agg(e.v ->> 'audience' ORDER BY e.i) FROM e WHERE e.ord = o.ord)::text
			FROM o ORDER BY ord),
		ARRAY(SELECT (v ->> 'met_at')::timestamptz FROM o ORDER BY ord),
		ARRAY(SELECT (v ->> 'met_by')::bigint FROM o ORDER BY ord),
		ARRAY(SELECT (v ->> 'late_by_seconds')::bigint FROM o ORDER BY ord),
		ARRAY(SELECT (v ->> 'suspended')::boolean FROM o ORDER BY ord),
		ARRAY(SELECT v ->> 'kind' FROM o ORDER BY ord),
		ARRAY(SELECT v ->> 'severity' FROM o ORDER BY ord),
		now, omitted)
$$;
CREATE FUNCTION public.reconcile_lean(ids bigint[], ob jsonb, now timestamptz)
RETURNS SETOF casewatch.transition LANGUAGE plpgsql AS $$
DECLARE
	same bigint[] := ARRAY(SELECT p FROM unnest(ids) p
		JOIN casewatch.person_digest d ON d.person_id = p AND d.digest = public.digest_of(p, ob));
BEGIN
	UPDATE public.left_out SET n = n + cardinality(same);
	RETURN QUERY SELECT * FROM public.reconcile_arrays(ids, ob, now, same);
END;
$$;
EOF
done

# replay DB FUNCTION: every step, then time to the step's now, and people
# acknowledging and snoozing now and then (the same in both stores).
replay() {
	pg_psql -d "$1" >/dev/null <<EOF
DO \$\$
DECLARE
	st record;
	n bigint;
BEGIN
	FOR st IN SELECT * FROM public.steps ORDER BY step LOOP
		SELECT count(*) INTO n FROM $2(st.ids, st.obligations, st.now);
		LOOP
			SELECT count(*) INTO n FROM casewatch.advance(st.now, 1000);
			EXIT WHEN NOT coalesce(casewatch.next_due() <= st.now, false);
		END LOOP;
		IF st.step % 7 = 0 THEN
			PERFORM count(*) FROM casewatch.acknowledge(jsonb_build_object('person_id', st.step % 40 + 1),
				'alice', 'seen', st.now);
		END IF;
		IF st.step % 11 = 0 THEN
			PERFORM count(*) FROM casewatch.snooze(jsonb_build_object('team_id', st.step % 3 + 1),
				'bob', 'court', st.now + interval '20 hours', st.now);
		END IF;
	END LOOP;
END;
\$\$;
EOF
}
ok "the sequence replays through reconcile() (JSON)" replay old casewatch.reconcile
ok "... and through reconcile_set() (arrays, digests)" replay new public.reconcile_arrays
ok "... and through reconcile_set() leaving the unchanged out" replay lean public.reconcile_lean
n_left=$(q lean "SELECT n FROM public.left_out")
ok "the lean replay left out many persons' obligations ($n_left)" [ "$n_left" -gt 200 ]

log_sql="SELECT kind, from_state, to_state, at, severity, rule_id, person_id, team_id, audience,
	due_at, actor, anchor_kind, anchor_id, cycle_start, late_by FROM casewatch.transition ORDER BY transition_id"
q old "$log_sql" >"$tmp/old.log"
q new "$log_sql" >"$tmp/new.log"
n_old=$(wc -l <"$tmp/old.log" | tr -d ' ')
ok "the replay wrote many transitions ($n_old)" [ "$n_old" -gt 300 ]
for k in raised escalated resolved withdrawn acknowledged snoozed; do
	ok "... among them $k ones" grep -q "^$k|" "$tmp/old.log"
done
q lean "$log_sql" >"$tmp/lean.log"
ok "the transition logs agree row for row, ids aside" cmp "$tmp/old.log" "$tmp/new.log"
ok "... the lean one too" cmp "$tmp/old.log" "$tmp/lean.log"
alerts_sql="SELECT rule_id, anchor_kind, anchor_id, person_id, team_id, audience, state, due_at, warn_at,
	next_at, resolved_at, late_by, acked_by, acked_at, snoozed_until, cycle_start, kind, finding_severity,
	escalate_at, escalate_to, met_at, met_by, suspended, announced_state
	FROM casewatch.alert ORDER BY person_id, rule_id, anchor_kind, anchor_id, cycle_start"
q old "$alerts_sql" >"$tmp/old.alerts"
q new "$alerts_sql" >"$tmp/new.alerts"
q lean "$alerts_sql" >"$tmp/lean.alerts"
ok "... and so do the stored alerts" cmp "$tmp/old.alerts" "$tmp/new.alerts"
ok "... the lean store's too" cmp "$tmp/old.alerts" "$tmp/lean.alerts"
is "... and the alert ids, written in the same order" \
	"$(q new "SELECT md5(string_agg(alert_id || ':' || transition_id, ',' ORDER BY transition_id)) FROM casewatch.transition")" \
	"$(q old "SELECT md5(string_agg(alert_id || ':' || transition_id, ',' ORDER BY transition_id)) FROM casewatch.transition")"
ok "digests were kept for the persons reconciled" \
	[ "$(q new "SELECT count(*) FROM casewatch.person_digest")" -ge 30 ]

# The same step again: unchanged digests, nothing due, nothing written.
last=$(q new "SELECT max(step) FROM public.steps")
before=$(q new "SELECT count(*) FROM casewatch.transition")
is "a step sent twice writes nothing the second time" \
	"$(q new "SELECT count(*) FROM public.steps s, public.reconcile_arrays(s.ids, s.obligations, s.now) WHERE s.step = $last")" 0
is "... no transition" "$(q new "SELECT count(*) FROM casewatch.transition")" "$before"

# --- bad input: the obligation named, nothing written ----------------------
bad() {
	q new "SELECT count(*) FROM casewatch.reconcile_set('{1}', '{7}', '{1}', '{R1}', $1, '2026-01-01 00:00+00')" 2>&1 |
		sed -n 's/^ERROR:  //p'
}
ok_arrays() { printf '%s' "'{event}', '{5}', '{NULL}', '{1}', '{worker}', '{NULL}', '{2026-01-02 00:00+00}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{f}', '{obligation}', '{NULL}'"; }
is "arrays of different lengths are refused" \
	"$(q new "SELECT count(*) FROM casewatch.reconcile_set('{1}', '{7}', '{1,1}', '{R1}', '{event}', '{5}', '{NULL}', '{1}', '{worker}', '{NULL}', '{2026-01-02 00:00+00}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{f}', '{obligation}', '{NULL}', now())" 2>&1 | sed -n 's/^ERROR:  //p')" \
	"reconcile: the obligation arrays differ in length"
is "an unknown audience is named with its obligation" \
	"$(bad "'{event}', '{5}', '{NULL}', '{1}', '{nobody}', '{NULL}', '{2026-01-02 00:00+00}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{f}', '{obligation}', '{NULL}'")" \
	"reconcile: obligations[0].audience: expected one of worker, team_manager, service_manager, records_officer, operations, got nobody"
is "a warning after the due time is refused" \
	"$(bad "'{event}', '{5}', '{NULL}', '{1}', '{worker}', '{2026-01-03 00:00+00}', '{2026-01-02 00:00+00}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{NULL}', '{f}', '{obligation}', '{NULL}'")" \
	"reconcile: obligations[0].warn_at: after due_at"
is "an escalation before the due time is refused" \
	"$(bad "'{event}', '{5}', '{NULL}', '{1}', '{worker}', '{NULL}', '{2026-01-02 00:00+00}', '{\"{2026-01-01 00:00+00}\"}', '{\"{team_manager}\"}', '{NULL}', '{NULL}', '{NULL}', '{f}', '{obligation}', '{NULL}'")" \
	"reconcile: obligations[0].escalations: must be set, after due_at and after the step before"
is "an obligation of a person not reconciled is refused" \
	"$(q new "SELECT count(*) FROM casewatch.reconcile_set('{1}', '{7}', '{2}', '{R1}', $(ok_arrays), now())" 2>&1 | sed -n 's/^ERROR:  //p')" \
	"reconcile: obligations[0].person_id: 2 is not one of the persons reconciled"
is "an obligation given twice is refused" \
	"$(q new "SELECT count(*) FROM casewatch.reconcile_set('{1}', '{7}', '{1,1}', '{R1,R1}', '{event,event}', '{5,5}', '{NULL,NULL}', '{1,1}', '{worker,worker}', '{NULL,NULL}', '{2026-01-02 00:00+00,2026-01-02 00:00+00}', '{NULL,NULL}', '{NULL,NULL}', '{NULL,NULL}', '{NULL,NULL}', '{NULL,NULL}', '{f,f}', '{obligation,obligation}', '{NULL,NULL}', now())" 2>&1 | sed -n 's/^ERROR:  //p')" \
	"reconcile: obligations: person 1, rule R1, event 5 given twice"
# A person left out must still have the digest given: were they taken for
# a person who owes nothing, all their open alerts would go.
empty="'{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}'"
p1=$(q new "SELECT d.person_id FROM casewatch.person_digest d WHERE EXISTS (SELECT 1 FROM casewatch.alert a
	WHERE a.person_id = d.person_id AND a.state NOT IN ('resolved', 'withdrawn')) ORDER BY d.person_id LIMIT 1")
d1=$(q new "SELECT digest FROM casewatch.person_digest WHERE person_id = $p1")
open1=$(q new "SELECT count(*) FROM casewatch.alert WHERE person_id = $p1 AND state NOT IN ('resolved', 'withdrawn')")
left_out() {
	pg_psql -d new -Atc "\\set VERBOSITY verbose" \
		-c "SELECT count(*) FROM casewatch.reconcile_set('{$1}', '{$2}', $empty, now(), '{$1}')" 2>&1 |
		sed -n 's/^ERROR:  //p'
}
is "a person left out with another digest than the stored one is refused, to be sent again whole" \
	"$(left_out "$p1" "$(q new "SELECT $d1 # 1")")" \
	"40001: reconcile: person $p1: its obligations were left out as unchanged, but the stored digest is not the one given (changed since it was read); send them"
is "... and so is one with no stored digest at all" "$(left_out 999 7)" \
	"40001: reconcile: person 999: its obligations were left out as unchanged, but the stored digest is not the one given (changed since it was read); send them"
is "... their open alerts stay" \
	"$(q new "SELECT count(*) FROM casewatch.alert WHERE person_id = $p1 AND state NOT IN ('resolved', 'withdrawn')")" "$open1"
ok "... (they had some: $open1)" [ "$open1" -gt 0 ]
is "with the stored digest given, nothing is written" \
	"$(q new "SELECT count(*) FROM casewatch.reconcile_set('{$p1}', '{$d1}', $empty,
		(SELECT max(now) FROM public.steps), '{$p1}')")" 0
is "refused input wrote nothing" "$(q new "SELECT count(*) FROM casewatch.transition")" "$before"
tap_done
