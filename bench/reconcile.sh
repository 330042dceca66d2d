#!/bin/sh
# reconcile.sh - the store's side of a sweep: casewatch.reconcile() (JSON)
# against casewatch.reconcile_set() (typed arrays, digests), same input.
#
#   bench/reconcile.sh [PAGES]        (PAGES of 500 persons, default 20)
#
# Starts a throwaway PostgreSQL cluster with two casewatch stores, generates
# PAGES pages of 500 persons with about four obligations each (the
# generator of tests/sql-reconcile.sh), and times, in each store, a first
# sweep into the empty store and a re-sweep of the same obligations; for
# reconcile_set also a re-sweep with the digests forgotten (every person
# diffed). The arrays are built beforehand, as the daemon builds them, so
# only the functions are timed. Prints one line per measure, in ms.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
pages=${1:-20}
. "$top/tests/pg.sh"
trap pg_destroy EXIT INT TERM
pg_start
for db in old new; do
	pg_psql -c "CREATE DATABASE $db" >/dev/null
	for f in 001_initial 002_lifecycle 003_incremental; do
		pg_psql -d $db --single-transaction -f "$top/sql/casewatch/$f.sql" >/dev/null
	done
done
# The generator, from the replay test.
sed -n '/^CREATE FUNCTION public.utc/,/^\$\$;$/p; /^CREATE FUNCTION public.gen_person/,/^\$\$;$/p' \
	"$top/tests/sql-reconcile.sh" >"${CW_PG_DIR}/gen.sql"
for db in old new; do
	pg_psql -d $db -q -f "${CW_PG_DIR}/gen.sql"
	pg_psql -d $db -q <<EOF
SELECT setseed(0.42);
CREATE TABLE public.pages AS
	SELECT pg, ARRAY(SELECT p FROM generate_series(pg * 500 + 1, pg * 500 + 500) p) AS ids,
		(SELECT jsonb_agg(e ORDER BY (e ->> 'person_id')::bigint)
		 FROM generate_series(pg * 500 + 1, pg * 500 + 500) p,
			jsonb_array_elements(public.gen_person(p, '2026-03-01 09:00+00')) e) AS ob
	FROM generate_series(0, $pages - 1) pg;
EOF
done
# The arrays, as the daemon sends them (digest: md5 of the person's JSON).
pg_psql -d new -q <<'EOF'
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
obligations=$(pg_psql -d old -Atc "SELECT sum(jsonb_array_length(ob)) FROM public.pages")
echo "# $pages pages of 500 persons, $obligations obligations"
# timed DB SQL: runs SQL once per page, each page its own transaction, prints ms.
timed() {
	pg_psql -d "$1" -At <<EOF | tail -1
\\timing off
CREATE OR REPLACE PROCEDURE public.run() LANGUAGE plpgsql AS \$\$
DECLARE
	pgs integer[] := ARRAY(SELECT pg FROM public.pages ORDER BY pg);
	n bigint;
BEGIN
	FOR i IN 1 .. cardinality(pgs) LOOP
		$2
		COMMIT;
	END LOOP;
END;
\$\$;
SELECT extract(epoch FROM clock_timestamp())::numeric AS t \\gset t0_
CALL public.run();
SELECT round((extract(epoch FROM clock_timestamp())::numeric - :t0_t) * 1000);
EOF
}
json="SELECT count(*) INTO n FROM public.pages p, casewatch.reconcile(p.ids, p.ob, '2026-03-01 09:00+00') WHERE p.pg = pgs[i];"
arrays="SELECT count(*) INTO n FROM public.pages_arr a, casewatch.reconcile_set(a.ids, a.digests, a.person, a.rule,
	a.anchor_kind, a.anchor_id, a.cycle_start, a.team, a.audience, a.warn, a.due, a.esc_at, a.esc_to,
	a.met_at, a.met_by, a.late, a.suspended, a.kind, a.severity, '2026-03-01 09:00+00') WHERE a.pg = pgs[i];"
printf '%-44s %8s ms\n' "reconcile() JSON, first sweep" "$(timed old "$json")"
printf '%-44s %8s ms\n' "reconcile() JSON, re-sweep" "$(timed old "$json")"
printf '%-44s %8s ms\n' "reconcile_set() arrays, first sweep" "$(timed new "$arrays")"
printf '%-44s %8s ms\n' "reconcile_set() arrays, re-sweep" "$(timed new "$arrays")"
pg_psql -d new -qc "DELETE FROM casewatch.person_digest"
printf '%-44s %8s ms\n' "reconcile_set() arrays, re-sweep, no digests" "$(timed new "$arrays")"
log="SELECT kind, to_state, rule_id, person_id, due_at FROM casewatch.transition ORDER BY transition_id"
pg_psql -d old -Atc "$log" >"$CW_PG_DIR/old.log"
pg_psql -d new -Atc "$log" >"$CW_PG_DIR/new.log"
same=$(cmp -s "$CW_PG_DIR/old.log" "$CW_PG_DIR/new.log" && echo yes || echo NO)
echo "# the two stores' transitions agree: $same ($(wc -l <"$CW_PG_DIR/new.log" | tr -d ' ') each)"
