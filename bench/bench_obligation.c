/* bench_obligation.c - persons and rules per second of the facts parser and the obligation engine. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/facts.h"
#include "casewatch/obligation.h"
#include "casewatch/policy.h"

/* Event types and the record type that answers each (by reference). */
static const char *const event_types[][2] = {
	{ "task", "case_note" },		{ "visit", "visit_record" },
	{ "s47_enquiry", "cp_record" },		{ "contact", "case_note" },
	{ "supervision", "supervision_note" },	{ "cin_meeting", "cin_plan" },
	{ "lac_review", "lac_review_minutes" }, { "contact_referral", "referral_episode" },
	{ "significant_event", "chronology" },	{ "strategy_discussion", "strategy_record" },
};
#define N_TYPES (sizeof(event_types) / sizeof(event_types[0]))

/* Wall-clock seconds, monotonic. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A deterministic pseudo-random number. */
static uint32_t rnd(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

/* An ISO timestamp `t` seconds after the epoch, UTC. */
static json_t *stamp(cw_time t)
{
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
	return json_string(buf);
}

/* One synthetic person: two involvements, a hazard, `rows` events each
 * answered (mostly on time, some late, some never) by a record, and a few
 * summaries and chronologies. */
static json_t *person(int64_t id, int rows, cw_time now, uint32_t *x)
{
	json_t *events = json_array(), *records = json_array(), *doc;
	cw_time t0 = now - 400 * 86400;
	int64_t rid = 1;

	for (int i = 0; i < rows; i++) {
		cw_time at = t0 + (cw_time)(rnd(x) % (400 * 86400));
		const char *const *ty = event_types[rnd(x) % N_TYPES];
		uint32_t fate = rnd(x) % 10;

		json_array_append_new(events, json_pack("{sI ss so sb so}", "id", (json_int_t)(i + 1), "type",
							ty[0], "at", stamp(at), "cancelled", fate == 9,
							"related_event_id", json_null()));
		if (fate >= 8)
			continue;
		cw_time fin = at + (cw_time)(fate < 6 ? rnd(x) % (3 * 86400) : rnd(x) % (30 * 86400));

		json_array_append_new(records, json_pack("{sI ss sI so so so sb sb sI}", "id", (json_int_t)rid++,
							 "type", ty[1], "event_id", (json_int_t)(i + 1),
							 "event_at", stamp(at), "entered_at", stamp(fin - 600),
							 "finalised_at", stamp(fin), "late_flag", fate == 7,
							 "has_late_reason", false, "author_id", (json_int_t)55));
	}
	for (int i = 0; i < 4; i++)
		json_array_append_new(records, json_pack("{sI ss so so so sI}", "id", (json_int_t)rid++, "type",
							 i % 2 ? "case_summary" : "chronology", "entered_at",
							 stamp(t0 + i * 80 * 86400), "finalised_at",
							 stamp(t0 + i * 80 * 86400 + 3600), "event_at",
							 stamp(t0 + i * 80 * 86400), "author_id", (json_int_t)55));
	doc = json_pack("{sI ss ss ss sI sI}", "person_id", (json_int_t)id, "kind", "child", "date_of_birth",
			"2015-03-02", "nation", "england-and-wales", "team_id", (json_int_t)7, "worker_id",
			(json_int_t)55);
	json_object_set_new(doc, "involvements",
			    json_pack("[{sI ss ss sn}, {sI ss ss sn}]", "id", (json_int_t)1, "category", "cin",
				      "start", "2025-06-01", "end", "id", (json_int_t)2, "category", "cp_plan",
				      "start", "2025-09-01", "end"));
	json_object_set_new(doc, "events", events);
	json_object_set_new(doc, "records", records);
	json_object_set_new(doc, "hazards",
			    json_pack("[{sI ss ss sb sn sb s[o]}]", "id", (json_int_t)1, "start", "2025-05-01",
				      "review_due", "2025-11-01", "active", true, "ended", "has_description",
				      true, "reviews", stamp(now - 100 * 86400)));
	json_object_set_new(doc, "deletions", json_array());
	json_object_set_new(doc, "info_sharing", json_array());
	json_object_set_new(doc, "restricted_access", json_array());
	return doc;
}

/* Times parse and compute over `n` persons under one profile. */
static int run(const char *name, const char *dir, const struct cw_calendar *cal, long n, int rows)
{
	struct cw_policy_errors errs;
	struct cw_policy *p;
	struct cw_facts f;
	struct cw_obligations out;
	struct cw_compute_options opts = { .horizon = 90 * 86400 };
	cw_time now = 1795168800; /* 2026-11-20T10:00:00Z */
	double t_parse = 0, t_compute = 0, t;
	unsigned long obligations = 0, rules = 0;
	uint32_t x = 42;
	struct cw_error err;

	cw_policy_errors_init(&errs);
	p = cw_policy_load(name, dir, &errs);
	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	cw_policy_errors_free(&errs);
	if (!p)
		return 1;
	cw_facts_init(&f);
	cw_obligations_init(&out);
	for (long i = 0; i < n; i++) {
		json_t *doc = person(i + 1, rows, now, &x);

		t = now_s();
		if (!cw_facts_from_json(doc, &f, &err)) {
			fprintf(stderr, "bench_obligation: %s\n", err.msg);
			return 1;
		}
		t_parse += now_s() - t;
		t = now_s();
		cw_obligations_compute(p, cal, &f, now, &opts, &out);
		t_compute += now_s() - t;
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
