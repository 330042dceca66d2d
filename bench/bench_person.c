/* bench_person.c - what the engine benchmarks share: synthetic persons, a clock, a profile loader. */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "bench_person.h"

/* Event types and the record type that answers each (by reference). */
static const char *const event_types[][2] = {
	{ "task", "case_note" },		{ "visit", "visit_record" },
	{ "s47_enquiry", "cp_record" },		{ "contact", "case_note" },
	{ "supervision", "supervision_note" },	{ "cin_meeting", "cin_plan" },
	{ "lac_review", "lac_review_minutes" }, { "contact_referral", "referral_episode" },
	{ "significant_event", "chronology" },	{ "strategy_discussion", "strategy_record" },
};
#define N_TYPES (sizeof(event_types) / sizeof(event_types[0]))

double cw_bench_now_s(void)
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

json_t *cw_bench_stamp(cw_time t)
{
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S+00:00", &tm);
	return json_string(buf);
}

json_t *cw_bench_person(int64_t id, int rows, cw_time now, uint32_t *x)
{
	json_t *events = json_array(), *records = json_array(), *doc;
	cw_time t0 = now - 400 * 86400;
	int64_t rid = 1;

	for (int i = 0; i < rows; i++) {
		cw_time at = t0 + (cw_time)(rnd(x) % (400 * 86400));
		const char *const *ty = event_types[rnd(x) % N_TYPES];
		uint32_t fate = rnd(x) % 10;

		json_array_append_new(events, json_pack("{sI ss so sb so}", "id", (json_int_t)(i + 1), "type",
							ty[0], "at", cw_bench_stamp(at), "cancelled", fate == 9,
							"related_event_id", json_null()));
		if (fate >= 8)
			continue;
		cw_time fin = at + (cw_time)(fate < 6 ? rnd(x) % (3 * 86400) : rnd(x) % (30 * 86400));

		json_array_append_new(records, json_pack("{sI ss sI so so so sb sb sI}", "id", (json_int_t)rid++,
							 "type", ty[1], "event_id", (json_int_t)(i + 1),
							 "event_at", cw_bench_stamp(at), "entered_at",
							 cw_bench_stamp(fin - 600), "finalised_at", cw_bench_stamp(fin),
							 "late_flag", fate == 7, "has_late_reason", false, "author_id",
							 (json_int_t)55));
	}
	for (int i = 0; i < 4; i++)
		json_array_append_new(records, json_pack("{sI ss so so so sI}", "id", (json_int_t)rid++, "type",
							 i % 2 ? "case_summary" : "chronology", "entered_at",
							 cw_bench_stamp(t0 + i * 80 * 86400), "finalised_at",
							 cw_bench_stamp(t0 + i * 80 * 86400 + 3600), "event_at",
							 cw_bench_stamp(t0 + i * 80 * 86400), "author_id", (json_int_t)55));
	doc = json_pack("{sI ss ss ss sI sI}", "person_id", (json_int_t)id, "kind", "child", "date_of_birth",
			"2015-03-02", "nation", "england-and-wales", "team_id", (json_int_t)7, "worker_id",
			(json_int_t)55);
	json_object_set_new(doc, "events", events);
	json_object_set_new(doc, "records", records);
	json_object_set_new(doc, "hazards",
			    json_pack("[{sI ss ss sb sn sb s[o]}]", "id", (json_int_t)1, "start", "2025-05-01",
				      "review_due", "2025-11-01", "active", true, "ended", "has_description",
				      true, "reviews", cw_bench_stamp(now - 100 * 86400)));
	json_object_set_new(doc, "deletions", json_array());
	json_object_set_new(doc, "info_sharing", json_array());
	json_object_set_new(doc, "restricted_access", json_array());
	return doc;
}

struct cw_policy *cw_bench_policy(const char *name, const char *dir)
{
	struct cw_policy_errors errs;
	struct cw_policy *p;

	cw_policy_errors_init(&errs);
	p = cw_policy_load(name, dir, &errs);
	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	cw_policy_errors_free(&errs);
	return p;
}
