/* bench_retention.c - what the retention engine adds to the facts parser and the obligation engine, per person. */
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
#include "casewatch/retention.h"

/* The same synthetic persons as bench_obligation.c, with the child-in-need
 * episode closed and, for half of them, the plan or care closed too, so
 * that retention has periods to count. */
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
			    json_pack("[{sI ss ss ss}, {sI ss ss so}]", "id", (json_int_t)1, "category", "cin",
				      "start", "2020-06-01", "end", "2021-06-01", "id", (json_int_t)2, "category",
				      id % 4 ? "cp_plan" : "looked_after", "start", "2025-09-01", "end",
				      id % 2 ? json_null() : json_string("2026-01-01")));
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
	struct cw_policy_errors errs;
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

	cw_policy_errors_init(&errs);
	p = cw_policy_load(name, dir, &errs);
	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	cw_policy_errors_free(&errs);
	if (!p || !r)
		return 1;
	holds_make(holds, 20, ids);
	cw_facts_init(&f);
	cw_obligations_init(&out);
	for (long i = 0; i < n; i++) {
		json_t *doc = person(i + 1, rows, now, &x);

		t = now_s();
		if (!cw_facts_from_json(doc, &f, &err)) {
			fprintf(stderr, "bench_retention: %s\n", err.msg);
			return 1;
		}
		t_parse += now_s() - t;
		t = now_s();
		cw_obligations_compute(p, cal, &f, now, &opts, &out);
		t_compute += now_s() - t;
		t = now_s();
		cw_retention_compute(&f, p, holds, 20, cw_london_day(now), cal, r);
		t_ret += now_s() - t;
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
