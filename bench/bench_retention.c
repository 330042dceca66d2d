/* bench_retention.c - what the retention engine adds to the facts parser and the obligation engine, per person. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/facts.h"
#include "casewatch/obligation.h"
#include "casewatch/policy.h"
#include "casewatch/retention.h"
#include "bench_person.h"

/* The same synthetic persons as bench_obligation.c, with the child-in-need
 * episode closed and, for half of them, the plan or care closed too, so
 * that retention has periods to count. */
static json_t *person(int64_t id, int rows, cw_time now, uint32_t *x)
{
	json_t *doc = cw_bench_person(id, rows, now, x);

	json_object_set_new(doc, "involvements",
			    json_pack("[{sI ss ss ss}, {sI ss ss so}]", "id", (json_int_t)1, "category", "cin",
				      "start", "2020-06-01", "end", "2021-06-01", "id", (json_int_t)2, "category",
				      id % 4 ? "cp_plan" : "looked_after", "start", "2025-09-01", "end",
				      id % 2 ? json_null() : json_string("2026-01-01")));
	return doc;
}

/* Placed holds the daemon would pass: a few of every scope. */
static void holds_make(struct cw_hold *h, size_t n, const int64_t *ids)
{
	for (size_t i = 0; i < n; i++) {
		h[i] = (struct cw_hold){ .id = (int64_t)i + 1, .source = "HOLD-PLACED", .reason = "inquiry",
					 .scope = (enum cw_hold_scope)(i % CW_HOLD_SCOPE_COUNT), .category = "adoption",
					 .from = cw_day_from_ymd(1990, 1, 1), .to = cw_day_from_ymd(1991, 1, 1),
					 .persons = ids, .n_persons = 8, .starts = cw_day_from_ymd(2026, 1, 1),
					 .ends = CW_DAY_NONE };
		if (h[i].scope == CW_HOLD_ALL)
			h[i].starts = cw_day_from_ymd(2030, 1, 1); /* not yet: every person checks it */
	}
}

/* Times parse, obligations and retention over `n` persons under a profile. */
static int run(const char *name, const char *dir, const struct cw_calendar *cal, long n, int rows)
{
	static const int64_t ids[8] = { 3, 5, 7, 11, 13, 17, 19, 23 };
	struct cw_policy *p;
	struct cw_facts f;
	struct cw_obligations out;
	struct cw_retention *r = malloc(sizeof(*r));
	struct cw_hold holds[20];
	struct cw_compute_options opts = { .horizon = 90 * 86400 };
	cw_time now = 1795168800; /* 2026-11-20T10:00:00Z */
	double t_parse = 0, t_compute = 0, t_ret = 0, t;
	unsigned long states[CW_RET_STATE_COUNT] = { 0 };
	uint32_t x = 42;
	struct cw_error err;

	p = cw_bench_policy(name, dir);
	if (!p || !r)
		return 1;
	holds_make(holds, 20, ids);
	cw_facts_init(&f);
	cw_obligations_init(&out);
	for (long i = 0; i < n; i++) {
		json_t *doc = person(i + 1, rows, now, &x);

		t = cw_bench_now_s();
		if (!cw_facts_from_json(doc, &f, &err)) {
			fprintf(stderr, "bench_retention: %s\n", err.msg);
			return 1;
		}
		t_parse += cw_bench_now_s() - t;
		t = cw_bench_now_s();
		cw_obligations_compute(p, cal, &f, now, &opts, &out);
		t_compute += cw_bench_now_s() - t;
		t = cw_bench_now_s();
		cw_retention_compute(&f, p, holds, 20, cw_london_day(now), cal, r);
		t_ret += cw_bench_now_s() - t;
		states[r->state]++;
		json_decref(doc);
	}
	printf("%-10s %ld persons x %d events: parse %.2f us, obligations %.2f us, retention %.2f us per person "
	       "(+%.1f%% of parse and obligations); states:",
	       name, n, rows, 1e6 * t_parse / (double)n, 1e6 * t_compute / (double)n, 1e6 * t_ret / (double)n,
	       100.0 * t_ret / (t_parse + t_compute));
	for (int s = 0; s < CW_RET_STATE_COUNT; s++)
		printf(" %s %lu", cw_retention_state_name(s), states[s]);
	printf("\n");
	cw_obligations_free(&out);
	cw_facts_free(&f);
	cw_policy_free(p);
	free(r);
	return 0;
}

/* bench_retention [PERSONS [PROFILE-DIR]] */
int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	const char *dir = argc > 2 ? argv[2] : NULL;
	struct cw_error err;
	struct cw_calendar *cal = cw_calendar_new(NULL, &err);
	int rc = 0;

	if (!cal) {
		fprintf(stderr, "bench_retention: %s\n", err.msg);
		return 1;
	}
	rc |= run("southwark", dir, cal, n, 40);
	rc |= run("statutory-england", dir, cal, n, 40);
	cw_calendar_free(cal);
	return rc;
}
