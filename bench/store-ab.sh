#!/bin/sh
# store-ab.sh - casewatch.reconcile_set() of this tree against another's, in turns on one cluster.
#
#   bench/store-ab.sh BASE-TREE [PAGES [ROUNDS]]   (PAGES of 500 persons, default 20; ROUNDS default 2)
#
# One throwaway PostgreSQL cluster, two stores: "base" with BASE-TREE's
# migrations, "head" with this tree's, the same generated pages (the
# generator of tests/sql-reconcile.sh, about four obligations a person,
# arrays built beforehand as the daemon sends them). Each round empties
# both stores and times, store after store (the order swapped every round),
# a first sweep into the empty store, a re-sweep of the same obligations
# (digests kept), a re-sweep with the digests forgotten (every person
# diffed) and a re-sweep 40 days later (time moves rows, digests kept).
# Each page is one transaction. Prints one line per measure and store, in
# ms, and whether the two stores' transitions agree.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
base=${1:?usage: bench/store-ab.sh BASE-TREE [PAGES [ROUNDS]]}
pages=${2:-20}
rounds=${3:-2}
. "$top/tests/pg.sh"
trap pg_destroy EXIT INT TERM
pg_start
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
for db in base head; do
	pg_psql -c "CREATE DATABASE $db" >/dev/null
	tree=$top
	[ $db = base ] && tree=$base
	for f in "$tree"/sql/casewatch/[0-9][0-9][0-9]_*.sql; do
		pg_psql -d $db --single-transaction -f "$f" >/dev/null
	done
done
sed -n '/^CREATE FUNCTION public.utc/,/^\$\$;$/p; /^CREATE FUNCTION public.gen_person/,/^\$\$;$/p' \
	"$top/tests/sql-reconcile.sh" >"${CW_PG_DIR}/gen.sql"
for db in base head; do
	pg_psql -d $db -q -f "${CW_PG_DIR}/gen.sql"
	pg_psql -d $db -q <<EOF
SELECT setseed(0.42);
CREATE TABLE public.pages AS
	SELECT pg, ARRAY(SELECT p FROM generate_series(pg * 500 + 1, pg * 500 + 500) p) AS ids,
		(SELECT jsonb_agg(e ORDER BY (e ->> 'person_id')::bigint)
		 FROM generate_series(pg * 500 + 1, pg * 500 + 500) p,
			jsonb_array_elements(public.gen_person(p, '2026-03-01 09:00+00')) e) AS ob
	FROM generate_series(0, $pages - 1) pg;
CREATE TABLE public.pages_arr AS
SELECT pg, d.ids, d.digests, a.*
FROM public.pages,
LATERAL (SELECT array_agg(p ORDER BY p) AS ids, array_agg(('x' || substr(md5(coalesce((SELECT jsonb_agg(v)::text
		FROM jsonb_array_elements(ob) v WHERE (v ->> 'person_id')::bigint = p), '')), 1, 16))::bit(64)::bigint
		ORDER BY p) AS digests FROM unnest(ids) p) d,
LATERAL (SELECT
	array_agg((v ->> 'person_id')::bigint ORDER BY o) AS person, array_agg(v ->> 'rule_id' ORDER BY o) AS rule,
	array_agg(v ->> 'anchor_kind' ORDER BY o) AS anchor_kind, array_agg((v ->> 'anchor_id')::bigint ORDER BY o) AS anchor_id,
	array_agg((v ->> 'cycle_start')::timestamptz ORDER BY o) AS cycle_start, array_agg((v ->> 'team_id')::bigint ORDER BY o) AS team,
	array_agg(v ->> 'audience' ORDER BY o) AS audience, array_agg((v ->> 'warn_at')::timestamptz ORDER BY o) AS warn,
	array_agg((v ->> 'due_at')::timestamptz ORDER BY o) AS due,
	array_agg((SELECT array_agg((e ->> 'at')::timestamptz ORDER BY i)
		FROM jsonb_array_elements(coalesce(v -> 'escalations', '[]')) WITH ORDINALITY y(e, i))::text ORDER BY o) AS esc_at,
	array_agg((SELECT array_agg(e ->> 'audience' ORDER BY i)
		FROM jsonb_array_elements(coalesce(v -> 'escalations', '[]')) WITH ORDINALITY y(e, i))::text ORDER BY o) AS esc_to,
	array_agg((v ->> 'met_at')::timestamptz ORDER BY o) AS met_at, array_agg((v ->> 'met_by')::bigint ORDER BY o) AS met_by,
	array_agg((v ->> 'late_by_seconds')::bigint ORDER BY o) AS late, array_agg((v ->> 'suspended')::boolean ORDER BY o) AS suspended,
	array_agg(v ->> 'kind' ORDER BY o) AS kind, array_agg(v ->> 'severity' ORDER BY o) AS severity
	FROM jsonb_array_elements(ob) WITH ORDINALITY x(v, o)) a;
EOF
done
obligations=$(pg_psql -d head -Atc "SELECT sum(cardinality(person)) FROM public.pages_arr")
echo "# $pages pages of 500 persons, $obligations obligations, $rounds rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
# timed DB AT: reconcile_set() over every page at clock AT, a page a transaction; prints ms.
timed() {
	pg_psql -d "$1" -At <<EOF | tail -1
CREATE OR REPLACE PROCEDURE public.run() LANGUAGE plpgsql AS \$\$
DECLARE
	pgs integer[] := ARRAY(SELECT pg FROM public.pages ORDER BY pg);
	n bigint;
BEGIN
	FOR i IN 1 .. cardinality(pgs) LOOP
		SELECT count(*) INTO n FROM public.pages_arr a, casewatch.reconcile_set(a.ids, a.digests,
			a.person, a.rule, a.anchor_kind, a.anchor_id, a.cycle_start, a.team, a.audience,
			a.warn, a.due, a.esc_at, a.esc_to, a.met_at, a.met_by, a.late, a.suspended, a.kind,
			a.severity, '$2') WHERE a.pg = pgs[i];
		COMMIT;
	END LOOP;
END;
\$\$;
SELECT extract(epoch FROM clock_timestamp())::numeric AS t \\gset t0_
CALL public.run();
SELECT round((extract(epoch FROM clock_timestamp())::numeric - :t0_t) * 1000);
EOF
}
r=1
while [ $r -le $rounds ]; do
	order="base head"
	[ $((r % 2)) = 0 ] && order="head base"
	for db in $order; do
		pg_psql -d $db -qc "TRUNCATE casewatch.alert CASCADE"
	done
	for m in first same forgotten later; do
		for db in $order; do
			at='2026-03-01 09:00+00'
			case $m in
			forgotten) pg_psql -d $db -qc "DELETE FROM casewatch.person_digest" ;;
			later) at='2026-04-10 09:00+00' ;;
			esac
			printf 'round %s  %-10s %-5s %8s ms\n' $r $m $db "$(timed $db "$at")"
		done
	done
	r=$((r + 1))
done
log="SELECT kind, from_state, to_state, severity, audience, rule_id, person_id, anchor_kind, anchor_id,
	cycle_start, due_at, late_by, at FROM casewatch.transition ORDER BY transition_id"
pg_psql -d base -Atc "$log" >"$CW_PG_DIR/base.log"
pg_psql -d head -Atc "$log" >"$CW_PG_DIR/head.log"
same=$(cmp -s "$CW_PG_DIR/base.log" "$CW_PG_DIR/head.log" && echo yes || echo NO)
echo "# the two stores' transitions (last round) agree: $same ($(wc -l <"$CW_PG_DIR/head.log" | tr -d ' ') each)"
