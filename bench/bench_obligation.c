/* bench_obligation.c - persons and rules per second of the facts parser and the obligation engine. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/facts.h"
#include "casewatch/obligation.h"
#include "casewatch/policy.h"
#include "bench_person.h"

/* A synthetic person (bench_person.c) with a child-in-need episode and a
 * protection plan, both open. */
static json_t *person(int64_t id, int rows, cw_time now, uint32_t *x)
{
	json_t *doc = cw_bench_person(id, rows, now, x);

	json_object_set_new(doc, "involvements",
			    json_pack("[{sI ss ss sn}, {sI ss ss sn}]", "id", (json_int_t)1, "category", "cin",
				      "start", "2025-06-01", "end", "id", (json_int_t)2, "category", "cp_plan",
				      "start", "2025-09-01", "end"));
	return doc;
}

/* Times parse and compute over `n` persons under one profile. */
static int run(const char *name, const char *dir, const struct cw_calendar *cal, long n, int rows)
{
	struct cw_policy *p;
	struct cw_facts f;
	struct cw_obligations out;
	struct cw_compute_options opts = { .horizon = 90 * 86400 };
	cw_time now = 1795168800; /* 2026-11-20T10:00:00Z */
	double t_parse = 0, t_compute = 0, t;
	unsigned long obligations = 0, rules = 0;
	uint32_t x = 42;
	struct cw_error err;

	p = cw_bench_policy(name, dir);
	if (!p)
		return 1;
	cw_facts_init(&f);
	cw_obligations_init(&out);
	for (long i = 0; i < n; i++) {
		json_t *doc = person(i + 1, rows, now, &x);

		t = cw_bench_now_s();
		if (!cw_facts_from_json(doc, &f, &err)) {
			fprintf(stderr, "bench_obligation: %s\n", err.msg);
			return 1;
		}
		t_parse += cw_bench_now_s() - t;
		t = cw_bench_now_s();
		cw_obligations_compute(p, cal, &f, now, &opts, &out);
		t_compute += cw_bench_now_s() - t;
		obligations += out.count;
		rules += out.rules_evaluated;
		json_decref(doc);
	}
	printf("%-18s %ld persons x %d events: parse %.0f persons/s, compute %.0f persons/s, "
	       "%.0f rules/s, %.1f obligations/person\n",
	       name, n, rows, (double)n / t_parse, (double)n / t_compute, (double)rules / t_compute,
	       (double)obligations / (double)n);
	cw_obligations_free(&out);
	cw_facts_free(&f);
	cw_policy_free(p);
	return 0;
}

/* bench_obligation [PERSONS [PROFILE-DIR]] */
int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	const char *dir = argc > 2 ? argv[2] : NULL;
	struct cw_error err;
	struct cw_calendar *cal = cw_calendar_new(NULL, &err);
	int rc = 0;

	if (!cal) {
		fprintf(stderr, "bench_obligation: %s\n", err.msg);
		return 1;
	}
	rc |= run("default", dir, cal, n, 40);
	rc |= run("enfield", dir, cal, n, 40);
	cw_calendar_free(cal);
	return rc;
}
