/* check_obligation.c - obligations from facts: due, warn and escalation times worked by hand. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/facts.h"
#include "casewatch/obligation.h"
#include "casewatch/policy.h"
#include "testutil.h"

static struct cw_calendar *cal;
static struct cw_policy *engine, *plain;

static void setup(void)
{
	cal = cw_test_calendar();
	engine = cw_test_policy(cw_test_srcpath("tests/data/engine/engine.json"), NULL);
	plain = cw_test_policy(cw_test_srcpath("tests/data/engine/engine-plain.json"), NULL);
	if (!engine || !plain)
		abort();
}

static void teardown(void)
{
	cw_policy_free(engine);
	cw_policy_free(plain);
	cw_calendar_free(cal);
}

/* An instant written by hand with its UTC offset (testutil.c). */
#define T(iso) cw_test_time(iso)

/* Facts from a JSON text, arrays it omits empty (testutil.c). */
#define facts(text, f) cw_test_facts((text), (f))

/* The obligation with that key, or NULL. */
static const struct cw_obligation *find(const struct cw_obligations *o, const char *key)
{
	for (size_t i = 0; i < o->count; i++)
		if (!strcmp(o->v[i].key, key))
			return &o->v[i];
	return NULL;
}

/* The obligation with that key; fails the test when there is none. */
static const struct cw_obligation *get(const struct cw_obligations *o, const char *key)
{
	const struct cw_obligation *x = find(o, key);

	if (!x) {
		for (size_t i = 0; i < o->count; i++)
			fprintf(stderr, "  have %s\n", o->v[i].key);
		ck_abort_msg("no obligation %s", key);
	}
	return x;
}

/* How many obligations a rule gave. */
static size_t count_rule(const struct cw_obligations *o, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < o->count; i++)
		n += !strcmp(o->v[i].rule_id, rule);
	return n;
}

/* The key of a recurring cycle. */
static const char *cycle_key(const char *prefix, cw_time start)
{
	static char buf[CW_OBLIGATION_KEY_MAX];

	snprintf(buf, sizeof(buf), "%s:%lld", prefix, (long long)start);
	return buf;
}

/* Fills a JSON template: each "%s" in turn takes the next argument (a
 * plain replacement, so templates need not be format literals). */
static void fill(char *out, size_t size, const char *tmpl, const char *a, const char *b)
{
	const char *args[2] = { a, b };
	size_t n = 0;
	int k = 0;

	for (const char *p = tmpl; *p && n + 1 < size; p++) {
		if (p[0] == '%' && p[1] == 's' && k < 2) {
			for (const char *q = args[k++]; q && *q && n + 1 < size; q++)
				out[n++] = *q;
			p++;
			continue;
		}
		out[n++] = *p;
	}
	out[n] = '\0';
}

#define STATUS(o, t, s) ck_assert_str_eq(cw_obligation_status_name(cw_obligation_status((o), T(t))), (s))

/* after_event, working days across Christmas. Task Fri 2025-12-19 15:00 GMT.
 * 5 wd: Mon 22, Tue 23, Wed 24 (3), Thu 25 and Fri 26 bank holidays, the
 * weekend, Mon 29 (4), Tue 30 (5) -> due Tue 2025-12-30 23:59:59 GMT.
 * warn 1 wd before: Mon 2025-12-29 23:59:59. Escalations from Tue 30:
 * 2 wd = Wed 31, (Thu 1 Jan holiday), Fri 2 Jan -> 2026-01-02 23:59:59;
 * 10 wd = 31, 2, 5, 6, 7, 8, 9, 12, 13, 14 -> Wed 2026-01-14 23:59:59. */
START_TEST(test_after_event_christmas)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 1001, \"events\": ["
	      " {\"id\": 10, \"type\": \"task\", \"at\": \"2025-12-19T15:00:00Z\"},"
	      " {\"id\": 11, \"type\": \"task\", \"at\": \"2025-12-19T16:00:00Z\"},"
	      " {\"id\": 12, \"type\": \"task\", \"at\": \"2025-12-19T17:00:00Z\"},"
	      " {\"id\": 13, \"type\": \"task\", \"at\": \"2025-12-19T18:00:00Z\", \"cancelled\": true}],"
	      " \"records\": ["
	      " {\"id\": 100, \"type\": \"case_note\", \"event_id\": 10, \"finalised_at\": \"2025-12-23T10:00:00Z\","
	      "  \"event_at\": \"2025-12-19T15:00:00Z\", \"entered_at\": \"2025-12-23T09:00:00Z\", \"author_id\": 5},"
	      " {\"id\": 101, \"type\": \"case_note\", \"event_id\": 11, \"finalised_at\": \"2026-01-05T09:00:00Z\","
	      "  \"event_at\": \"2025-12-19T16:00:00Z\", \"entered_at\": \"2026-01-05T08:00:00Z\", \"author_id\": 5},"
	      " {\"id\": 102, \"type\": \"case_note\", \"event_id\": 99, \"finalised_at\": \"2025-12-20T09:00:00Z\","
	      "  \"event_at\": \"2025-12-19T17:00:00Z\", \"entered_at\": \"2025-12-20T08:00:00Z\", \"author_id\": 5}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2025-12-22T10:00:00Z"), NULL, &out);
	ck_assert_uint_eq(count_rule(&out, "T-NOTE-5WD"), 3); /* not the cancelled task */

	o = get(&out, "1001:T-NOTE-5WD:event:12"); /* record 102 names another event */
	ck_assert_int_eq(o->anchor_at, T("2025-12-19T17:00:00Z"));
	ck_assert_int_eq(o->due_at, T("2025-12-30T23:59:59Z"));
	ck_assert_int_eq(o->warn_at, T("2025-12-29T23:59:59Z"));
	ck_assert_uint_eq(o->n_escalations, 2);
	ck_assert_int_eq(o->escalate_at[0], T("2026-01-02T23:59:59Z"));
	ck_assert_str_eq(o->escalate_to[0], "team_manager");
	ck_assert_int_eq(o->escalate_at[1], T("2026-01-14T23:59:59Z"));
	ck_assert_str_eq(o->escalate_to[1], "service_manager");
	ck_assert(!o->met);
	ck_assert_str_eq(o->audience, "worker");
	ck_assert_int_eq(o->next_at, T("2025-12-29T23:59:59Z"));
	STATUS(o, "2025-12-22T10:00:00Z", "pending");
	STATUS(o, "2025-12-30T09:00:00Z", "due_soon");
	STATUS(o, "2025-12-31T12:00:00Z", "overdue");
	STATUS(o, "2026-01-03T00:00:00Z", "escalated");
	ck_assert_int_eq(cw_obligation_escalation_level(o, T("2026-01-03T00:00:00Z")), 1);
	ck_assert_str_eq(cw_obligation_audience(o, T("2026-01-03T00:00:00Z")), "team_manager");
	ck_assert_int_eq(cw_obligation_next_change(o, T("2026-01-03T00:00:00Z")), T("2026-01-14T23:59:59Z"));
	ck_assert_int_eq(cw_obligation_escalation_level(o, T("2026-01-15T00:00:00Z")), 2);
	ck_assert_str_eq(cw_obligation_audience(o, T("2026-01-15T00:00:00Z")), "service_manager");
	ck_assert_int_eq(cw_obligation_next_change(o, T("2026-01-15T00:00:00Z")), CW_TIME_NONE);

	o = get(&out, "1001:T-NOTE-5WD:event:10");
	ck_assert(o->met);
	ck_assert_int_eq(o->met_by_kind, CW_MET_BY_RECORD);
	ck_assert_int_eq(o->met_by, 100);
	ck_assert_int_eq(o->late_by, 0);
	STATUS(o, "2025-12-23T10:00:00Z", "met_on_time");
	/* Finalised after this computation's now: the status changes then. */
	ck_assert_int_eq(o->next_at, T("2025-12-23T10:00:00Z"));
	ck_assert_int_eq(cw_obligation_next_change(o, T("2025-12-23T10:00:00Z")), CW_TIME_NONE);

	/* Met late: Mon 2026-01-05 09:00 is 5 d 9 h 0 min 1 s after the due time. */
	o = get(&out, "1001:T-NOTE-5WD:event:11");
	ck_assert(o->met);
	ck_assert_int_eq(o->met_by, 101);
	ck_assert_int_eq(o->late_by, 5 * 86400 + 9 * 3600 + 1);
	/* The record is dated after this computation's now: the obligation is
	 * overdue until the record's time, then met late. */
	STATUS(o, "2026-01-01T12:00:00Z", "overdue");
	STATUS(o, "2026-01-05T09:00:00Z", "met_late");
	ck_assert_int_eq(o->next_at, T("2025-12-29T23:59:59Z"));
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* The same facts in another document order give the same obligations,
 * keys and order (ties in time are broken by id). */
START_TEST(test_order_independent)
{
	struct cw_facts f, g;
	struct cw_obligations a, b;

	facts("{\"person_id\": 20, \"events\": ["
	      " {\"id\": 1, \"type\": \"visit\", \"at\": \"2026-03-02T10:00:00Z\"},"
	      " {\"id\": 2, \"type\": \"visit\", \"at\": \"2026-03-02T10:00:00Z\"},"
	      " {\"id\": 3, \"type\": \"task\", \"at\": \"2026-03-01T10:00:00Z\"}],"
	      " \"records\": ["
	      " {\"id\": 5, \"type\": \"visit_record\", \"finalised_at\": \"2026-03-03T10:00:00Z\"},"
	      " {\"id\": 4, \"type\": \"visit_record\", \"finalised_at\": \"2026-03-03T10:00:00Z\"}],"
	      " \"hazards\": [{\"id\": 2, \"start\": \"2026-02-01\", \"active\": true}, {\"id\": 1, \"start\": \"2026-01-01\", \"active\": true}]}",
	      &f);
	facts("{\"person_id\": 20, \"events\": ["
	      " {\"id\": 3, \"type\": \"task\", \"at\": \"2026-03-01T10:00:00Z\"},"
	      " {\"id\": 2, \"type\": \"visit\", \"at\": \"2026-03-02T10:00:00Z\"},"
	      " {\"id\": 1, \"type\": \"visit\", \"at\": \"2026-03-02T10:00:00Z\"}],"
	      " \"records\": ["
	      " {\"id\": 4, \"type\": \"visit_record\", \"finalised_at\": \"2026-03-03T10:00:00Z\"},"
	      " {\"id\": 5, \"type\": \"visit_record\", \"finalised_at\": \"2026-03-03T10:00:00Z\"}],"
	      " \"hazards\": [{\"id\": 1, \"start\": \"2026-01-01\", \"active\": true}, {\"id\": 2, \"start\": \"2026-02-01\", \"active\": true}]}",
	      &g);
	cw_obligations_init(&a);
	cw_obligations_init(&b);
	cw_obligations_compute(engine, cal, &f, T("2026-03-04T12:00:00Z"), NULL, &a);
	cw_obligations_compute(engine, cal, &g, T("2026-03-04T12:00:00Z"), NULL, &b);
	ck_assert_uint_eq(a.count, b.count);
	for (size_t i = 0; i < a.count; i++) {
		ck_assert_str_eq(a.v[i].key, b.v[i].key);
		ck_assert_int_eq(a.v[i].met_by, b.v[i].met_by);
	}
	/* Visit 1 takes the lower record id, visit 2 the other. */
	ck_assert_int_eq(get(&a, "20:T-VISIT-5D:event:1")->met_by, 4);
	ck_assert_int_eq(get(&a, "20:T-VISIT-5D:event:2")->met_by, 5);
	cw_obligations_free(&a);
	cw_obligations_free(&b);
	cw_facts_free(&f);
	cw_facts_free(&g);
}
END_TEST

/* Greedy pairing of visits and records that name no event (5 calendar days).
 * V20 Mon 2026-03-02 10:00, V21 Wed 03-04 10:00, V22 Fri 03-06 10:00, V23
 * Fri 03-20 10:00 (all GMT). Record 200 is about V21 (event_at) and
 * finalised first; record 201 is about V20. Exact event times pair them
 * crosswise. Record 202 has no event time, begun 03-06 11:00: V22's.
 * Due V22 = 03-11 23:59:59; 202 finalised 03-13 10:00 -> 1 d 10 h 1 s late. */
START_TEST(test_after_event_pairing)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 7, \"events\": ["
	      " {\"id\": 20, \"type\": \"visit\", \"at\": \"2026-03-02T10:00:00Z\"},"
	      " {\"id\": 21, \"type\": \"visit\", \"at\": \"2026-03-04T10:00:00Z\"},"
	      " {\"id\": 22, \"type\": \"visit\", \"at\": \"2026-03-06T10:00:00Z\"},"
	      " {\"id\": 23, \"type\": \"visit\", \"at\": \"2026-03-20T10:00:00Z\"}],"
	      " \"records\": ["
	      " {\"id\": 200, \"type\": \"visit_record\", \"event_at\": \"2026-03-04T10:00:00Z\","
	      "  \"entered_at\": \"2026-03-04T11:00:00Z\", \"finalised_at\": \"2026-03-04T12:00:00Z\", \"author_id\": 1},"
	      " {\"id\": 201, \"type\": \"visit_record\", \"event_at\": \"2026-03-02T10:00:00Z\","
	      "  \"entered_at\": \"2026-03-05T08:00:00Z\", \"finalised_at\": \"2026-03-05T09:00:00Z\", \"author_id\": 1},"
	      " {\"id\": 202, \"type\": \"visit_record\", \"entered_at\": \"2026-03-06T11:00:00Z\","
	      "  \"finalised_at\": \"2026-03-13T10:00:00Z\", \"author_id\": 1}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-03-26T12:00:00Z"), NULL, &out);
	o = get(&out, "7:T-VISIT-5D:event:20");
	ck_assert_int_eq(o->due_at, T("2026-03-07T23:59:59Z"));
	ck_assert_int_eq(o->warn_at, T("2026-03-06T23:59:59Z"));
	ck_assert_int_eq(o->met_by, 201);
	STATUS(o, "2026-03-26T12:00:00Z", "met_on_time");
	o = get(&out, "7:T-VISIT-5D:event:21");
	ck_assert_int_eq(o->met_by, 200);
	o = get(&out, "7:T-VISIT-5D:event:22");
	ck_assert_int_eq(o->due_at, T("2026-03-11T23:59:59Z"));
	ck_assert_int_eq(o->met_by, 202);
	ck_assert_int_eq(o->late_by, 86400 + 10 * 3600 + 1);
	STATUS(o, "2026-03-26T12:00:00Z", "met_late");
	/* V23 has nothing left: due 03-25 23:59:59, first escalation 2 wd later
	 * (Thu 26, Fri 27) -> Fri 2026-03-27 23:59:59 GMT. */
	o = get(&out, "7:T-VISIT-5D:event:23");
	ck_assert(!o->met);
	STATUS(o, "2026-03-26T12:00:00Z", "overdue");
	ck_assert_int_eq(o->next_at, T("2026-03-27T23:59:59Z"));
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* 24 hours are elapsed time across the spring change: S47 at Sat
 * 2026-03-28 10:00 GMT; clocks go forward Sun 29 March at 01:00 GMT, so
 * due Sun 10:00Z = 11:00 BST; warn 4 h earlier, 06:00Z; escalation 24 h
 * after due = Mon 30 10:00Z; 3 wd after Sun 29 = Mon, Tue, Wed 1 April at
 * 23:59:59 BST = 22:59:59Z. */
START_TEST(test_dst_24h)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 3, \"events\": [{\"id\": 1, \"type\": \"s47_enquiry\", \"at\": \"2026-03-28T10:00:00Z\"}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-03-28T12:00:00Z"), NULL, &out);
	o = get(&out, "3:T-CP-24H:event:1");
	ck_assert_int_eq(o->due_at, T("2026-03-29T11:00:00+01:00"));
	ck_assert_int_eq(o->due_at, T("2026-03-29T10:00:00Z"));
	ck_assert_int_eq(o->warn_at, T("2026-03-29T06:00:00Z"));
	ck_assert_int_eq(o->escalate_at[0], T("2026-03-30T10:00:00Z"));
	ck_assert_int_eq(o->escalate_at[1], T("2026-04-01T22:59:59Z"));
	ck_assert_int_eq(o->next_at, T("2026-03-29T06:00:00Z"));
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* Suspension: early-help referral Mon 2026-11-02 09:00 GMT, consent asked
 * at 10:00. Without consent the 48 h are suspended, with no time-driven
 * change. Consent signed Wed 11-04 10:00: the 48 h stopped for exactly
 * 48 h, so due = 09:00 + 48 h + 48 h = Fri 2026-11-06 09:00Z. */
START_TEST(test_suspension)
{
	static const char *base = "{\"person_id\": 4, \"events\": ["
				  " {\"id\": 1, \"type\": \"early_help_referral\", \"at\": \"2026-11-02T09:00:00Z\"},"
				  " {\"id\": 2, \"type\": \"consent_requested\", \"at\": \"2026-11-02T10:00:00Z\"}%s]}";
	char text[512];
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	fill(text, sizeof(text), base, "", NULL);
	facts(text, &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-11-10T12:00:00Z"), NULL, &out);
	o = get(&out, "4:T-EH-48H:event:1");
	ck_assert(o->suspended);
	STATUS(o, "2026-11-10T12:00:00Z", "suspended");
	ck_assert_int_eq(o->next_at, CW_TIME_NONE);
	cw_facts_free(&f);

	fill(text, sizeof(text), base,
	     ", {\"id\": 3, \"type\": \"consent_signed\", \"at\": \"2026-11-04T10:00:00Z\"}", NULL);
	facts(text, &f);
	cw_obligations_compute(engine, cal, &f, T("2026-11-05T12:00:00Z"), NULL, &out);
	o = get(&out, "4:T-EH-48H:event:1");
	ck_assert(!o->suspended);
	ck_assert_int_eq(o->due_at, T("2026-11-06T09:00:00Z"));
	ck_assert_int_eq(o->warn_at, T("2026-11-06T05:00:00Z"));
	STATUS(o, "2026-11-05T12:00:00Z", "pending");
	ck_assert_int_eq(o->next_at, T("2026-11-06T05:00:00Z"));
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* Met by a planned event: strategy discussion Mon 2026-11-02 14:00, ICPC
 * planned Fri 11-20 10:00. 15 wd after Mon 2 Nov: 3-6 (4), 9-13 (9),
 * 16-20 (14), Mon 23 (15) -> due 2026-11-23 23:59:59 GMT. Before the
 * conference happens the obligation is pending; it is met at its time. */
START_TEST(test_met_by_planned_event)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 5, \"events\": ["
	      " {\"id\": 1, \"type\": \"strategy_discussion\", \"at\": \"2026-11-02T14:00:00Z\"},"
	      " {\"id\": 2, \"type\": \"icpc\", \"at\": \"2026-11-20T10:00:00Z\"}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-11-10T12:00:00Z"), NULL, &out);
	o = get(&out, "5:T-ICPC-15WD:event:1");
	ck_assert_int_eq(o->due_at, T("2026-11-23T23:59:59Z"));
	ck_assert_int_eq(o->met_by_kind, CW_MET_BY_EVENT);
	ck_assert_int_eq(o->met_by, 2);
	ck_assert_str_eq(o->audience, "team_manager");
	STATUS(o, "2026-11-10T12:00:00Z", "pending");
	ck_assert_int_eq(o->next_at, T("2026-11-20T10:00:00Z"));
	STATUS(o, "2026-11-20T10:00:00Z", "met_on_time");
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* before_event: ICPC Thu 2026-11-19 10:00. 2 wd before Thursday counts
 * back Wed 18 (1), Tue 17 (2) -> due Tue 2026-11-17 23:59:59 GMT; warn 2 wd
 * before that: Mon 16, Fri 13 -> 2026-11-13 23:59:59; escalation 1 wd after
 * Tue 17 -> Wed 2026-11-18 23:59:59. */
START_TEST(test_before_event)
{
	struct cw_facts f;
	struct cw_obligations out;
	struct cw_compute_options horizon = { .horizon = 90 * 86400 };
	const struct cw_obligation *o;

	facts("{\"person_id\": 6, \"events\": ["
	      " {\"id\": 39, \"type\": \"icpc\", \"at\": \"2024-05-09T10:00:00Z\"},"
	      " {\"id\": 40, \"type\": \"icpc\", \"at\": \"2026-11-19T10:00:00Z\"}],"
	      " \"records\": [{\"id\": 1, \"type\": \"conference_report\", \"event_id\": 39,"
	      "  \"event_at\": \"2024-05-09T10:00:00Z\", \"entered_at\": \"2024-05-01T10:00:00Z\","
	      "  \"finalised_at\": \"2024-05-02T10:00:00Z\", \"author_id\": 1}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-11-18T12:00:00Z"), NULL, &out);
	o = get(&out, "6:T-ICPC-REPORT:event:40");
	ck_assert_int_eq(o->anchor_at, T("2026-11-19T10:00:00Z"));
	ck_assert_int_eq(o->due_at, T("2026-11-17T23:59:59Z"));
	ck_assert_int_eq(o->warn_at, T("2026-11-13T23:59:59Z"));
	ck_assert_int_eq(o->escalate_at[0], T("2026-11-18T23:59:59Z"));
	STATUS(o, "2026-11-12T12:00:00Z", "pending");
	STATUS(o, "2026-11-16T12:00:00Z", "due_soon");
	STATUS(o, "2026-11-18T12:00:00Z", "overdue");
	ck_assert_int_eq(o->next_at, T("2026-11-18T23:59:59Z"));
	o = get(&out, "6:T-ICPC-REPORT:event:39");
	STATUS(o, "2026-11-18T12:00:00Z", "met_on_time");
	/* With a 90-day horizon the old, met conference is left out. */
	cw_obligations_compute(engine, cal, &f, T("2026-11-18T12:00:00Z"), &horizon, &out);
	ck_assert_ptr_null(find(&out, "6:T-ICPC-REPORT:event:39"));
	ck_assert_ptr_nonnull(find(&out, "6:T-ICPC-REPORT:event:40"));
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* before_event met by records naming no event, between the previous and
 * the next anchor: planned starts 2025-06-02 and Thu 2026-12-31; 6 w before
 * the second is Thu 2026-11-19 23:59:59 GMT. The 2025 record belongs to the
 * first arrangement; the 2026 one meets the second on time. */
START_TEST(test_before_event_window)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 8, \"events\": ["
	      " {\"id\": 1, \"type\": \"pf_planned_start\", \"at\": \"2025-06-02T09:00:00Z\"},"
	      " {\"id\": 2, \"type\": \"pf_planned_start\", \"at\": \"2026-12-31T10:00:00Z\"}],"
	      " \"records\": ["
	      " {\"id\": 10, \"type\": \"pf_record\", \"finalised_at\": \"2025-05-01T09:00:00Z\"},"
	      " {\"id\": 11, \"type\": \"pf_record\", \"finalised_at\": \"2026-11-10T09:00:00Z\"}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-11-12T12:00:00Z"), NULL, &out);
	o = get(&out, "8:T-PF-START:event:1");
	ck_assert_int_eq(o->met_by, 10);
	o = get(&out, "8:T-PF-START:event:2");
	ck_assert_int_eq(o->due_at, T("2026-11-19T23:59:59Z"));
	ck_assert_int_eq(o->met_by, 11);
	STATUS(o, "2026-11-12T12:00:00Z", "met_on_time");
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* same_working_day: work Fri 2026-11-20 16:00 GMT: due soon from the end
 * of that working day (Fri 23:59:59), overdue at +24 h (Sat 16:00). Work
 * on Sat 11-21 10:00: the next working day ends Mon 23:59:59, after the
 * 24 h (Sun 10:00), so there is no due-soon phase. */
START_TEST(test_same_working_day)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 9, \"events\": ["
	      " {\"id\": 1, \"type\": \"significant_harm_work\", \"at\": \"2026-11-20T16:00:00Z\"},"
	      " {\"id\": 2, \"type\": \"significant_harm_work\", \"at\": \"2026-11-21T10:00:00Z\"}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-11-20T20:00:00Z"), NULL, &out);
	o = get(&out, "9:T-SIGHARM:event:1");
	ck_assert_int_eq(o->warn_at, T("2026-11-20T23:59:59Z"));
	ck_assert_int_eq(o->due_at, T("2026-11-21T16:00:00Z"));
	ck_assert_int_eq(o->escalate_at[0], T("2026-11-22T16:00:00Z"));
	STATUS(o, "2026-11-20T20:00:00Z", "pending");
	STATUS(o, "2026-11-21T01:00:00Z", "due_soon");
	STATUS(o, "2026-11-21T17:00:00Z", "overdue");
	o = get(&out, "9:T-SIGHARM:event:2");
	ck_assert_int_eq(o->due_at, T("2026-11-22T10:00:00Z"));
	ck_assert_int_eq(o->warn_at, o->due_at);
	STATUS(o, "2026-11-22T09:00:00Z", "pending");
	STATUS(o, "2026-11-22T10:00:00Z", "overdue");
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* Recurring summaries, anchored on the opening and then on each summary.
 * CIN opened 2025-01-10 (London midnight, GMT) and a plan overlapping it
 * (one case). Summary 2025-03-20 10:00Z: cycle 1 due 2025-04-10 23:59:59
 * BST, on time. Summary 2025-07-25 09:00Z: cycle 2 from 03-20 10:00 due
 * 2025-06-20 23:59:59 BST (22:59:59Z), late by 34 d 10 h 0 min 1 s.
 * Cycle 3 from 07-25 09:00 due 2025-10-25 23:59:59 BST; first escalation
 * 2 w after Sat 25 Oct = Sat 2025-11-08 23:59:59 GMT. */
START_TEST(test_recurring_summary)
{
	static const char *doc =
		"{\"person_id\": 1001, \"involvements\": ["
		" {\"id\": 1, \"category\": \"cin\", \"start\": \"2025-01-10\", \"end\": %s},"
		" {\"id\": 2, \"category\": \"cp_plan\", \"start\": \"2025-02-01\", \"end\": %s}],"
		" \"records\": ["
		" {\"id\": 1, \"type\": \"case_summary\", \"finalised_at\": \"2025-03-20T10:00:00Z\"},"
		" {\"id\": 2, \"type\": \"case_summary\", \"finalised_at\": \"2025-07-25T09:00:00Z\"}]}";
	struct cw_compute_options horizon = { .horizon = 30 * 86400 };
	char text[1024];
	struct cw_facts f;
	struct cw_obligations out, again;
	const struct cw_obligation *o;
	cw_time c1 = T("2025-01-10T00:00:00Z"), c2 = T("2025-03-20T10:00:00Z"), c3 = T("2025-07-25T09:00:00Z");

	fill(text, sizeof(text), doc, "null", "null");
	facts(text, &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2025-11-01T12:00:00Z"), NULL, &out);
	ck_assert_uint_eq(count_rule(&out, "T-SUMMARY-3M"), 3);
	o = get(&out, cycle_key("1001:T-SUMMARY-3M:involvement:1", c1));
	ck_assert_int_eq(o->cycle_start, c1);
	ck_assert_int_eq(o->due_at, T("2025-04-10T23:59:59+01:00"));
	ck_assert_int_eq(o->met_by, 1);
	STATUS(o, "2025-11-01T12:00:00Z", "met_on_time");
	o = get(&out, cycle_key("1001:T-SUMMARY-3M:involvement:1", c2));
	ck_assert_int_eq(o->due_at, T("2025-06-20T22:59:59Z"));
	ck_assert_int_eq(o->met_by, 2);
	ck_assert_int_eq(o->late_by, 34 * 86400 + 10 * 3600 + 1);
	STATUS(o, "2025-11-01T12:00:00Z", "met_late");
	o = get(&out, cycle_key("1001:T-SUMMARY-3M:involvement:1", c3));
	ck_assert(!o->met);
	ck_assert_int_eq(o->due_at, T("2025-10-25T23:59:59+01:00"));
	ck_assert_int_eq(o->warn_at, T("2025-10-11T23:59:59+01:00"));
	ck_assert_int_eq(o->escalate_at[0], T("2025-11-08T23:59:59Z"));
	ck_assert_int_eq(o->escalate_at[1], T("2025-11-25T23:59:59Z"));
	STATUS(o, "2025-11-01T12:00:00Z", "overdue");
	ck_assert_int_eq(o->next_at, T("2025-11-08T23:59:59Z"));

	/* Recomputing gives the same keys in the same order. */
	cw_obligations_init(&again);
	cw_obligations_compute(engine, cal, &f, T("2025-11-01T12:00:00Z"), NULL, &again);
	ck_assert_uint_eq(again.count, out.count);
	for (size_t i = 0; i < out.count; i++)
		ck_assert_str_eq(again.v[i].key, out.v[i].key);

	/* A 30-day horizon keeps only the unmet cycle. */
	cw_obligations_compute(engine, cal, &f, T("2025-11-01T12:00:00Z"), &horizon, &out);
	ck_assert_uint_eq(count_rule(&out, "T-SUMMARY-3M"), 1);
	ck_assert_ptr_nonnull(find(&out, cycle_key("1001:T-SUMMARY-3M:involvement:1", c3)));
	/* The day after the second summary, a 30-day horizon still keeps its
	 * cycle (due 20 June, more than 30 days back, but met yesterday: it
	 * resolves as met late) and drops the first (due and met in spring). */
	cw_obligations_compute(engine, cal, &f, T("2025-07-26T12:00:00Z"), &horizon, &out);
	ck_assert_ptr_null(find(&out, cycle_key("1001:T-SUMMARY-3M:involvement:1", c1)));
	o = get(&out, cycle_key("1001:T-SUMMARY-3M:involvement:1", c2));
	ck_assert_int_eq(o->late_by, 34 * 86400 + 10 * 3600 + 1);
	STATUS(o, "2025-07-26T12:00:00Z", "met_late");
	ck_assert_ptr_nonnull(find(&out, cycle_key("1001:T-SUMMARY-3M:involvement:1", c3)));
	cw_facts_free(&f);

	/* Case closed 2025-09-30: past cycles stay, no current cycle runs. */
	fill(text, sizeof(text), doc, "\"2025-09-30\"", "\"2025-09-01\"");
	facts(text, &f);
	cw_obligations_compute(engine, cal, &f, T("2025-11-01T12:00:00Z"), NULL, &out);
	ck_assert_uint_eq(count_rule(&out, "T-SUMMARY-3M"), 2);
	ck_assert_ptr_null(find(&out, cycle_key("1001:T-SUMMARY-3M:involvement:1", c3)));
	cw_obligations_free(&out);
	cw_obligations_free(&again);
	cw_facts_free(&f);
}
END_TEST

/* A summary finalised at the very instant the case opened (London
 * midnight of 2026-09-27 is 2026-09-26T23:00Z, BST) is the opening itself:
 * one cycle from the opening, due 3 m later on Sun 2026-12-27 at 23:59:59
 * GMT, not a zero-length cycle sharing its key with the next (seen on
 * generated records). */
START_TEST(test_recurring_completion_at_opening)
{
	static const char *doc =
		"{\"person_id\": 310, \"involvements\": ["
		" {\"id\": 1241, \"category\": \"cp_plan\", \"start\": \"2026-09-27\", \"end\": null}],"
		" \"records\": ["
		" {\"id\": 7, \"type\": \"case_summary\", \"finalised_at\": \"2026-09-26T23:00:00+00:00\"}]}";
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;
	cw_time opened = T("2026-09-26T23:00:00Z");

	facts(doc, &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-11-23T10:00:00Z"), NULL, &out);
	ck_assert_uint_eq(count_rule(&out, "T-SUMMARY-3M"), 1);
	o = get(&out, cycle_key("310:T-SUMMARY-3M:involvement:1241", opened));
	ck_assert(!o->met);
	ck_assert_int_eq(o->due_at, T("2026-12-27T23:59:59Z"));
	STATUS(o, "2026-11-23T10:00:00Z", "pending");
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* A significant event makes a chronology update due (event_period 5 wd):
 * looked after from 2026-01-05; significant event Mon 2026-02-02 10:00 ->
 * due Mon 2026-02-09 23:59:59 GMT; chronology 02-05 meets it and the first
 * cycle (due 2026-04-05 23:59:59 BST); the next cycle runs from 02-05. */
START_TEST(test_recurring_significant_event)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 11, \"involvements\": ["
	      " {\"id\": 3, \"category\": \"looked_after\", \"start\": \"2026-01-05\"}],"
	      " \"events\": [{\"id\": 30, \"type\": \"significant_event\", \"at\": \"2026-02-02T10:00:00Z\"}],"
	      " \"records\": [{\"id\": 1, \"type\": \"chronology\", \"finalised_at\": \"2026-02-05T09:00:00Z\"}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-02-10T12:00:00Z"), NULL, &out);
	o = get(&out, "11:T-CHRON-3M:event:30");
	ck_assert_int_eq(o->due_at, T("2026-02-09T23:59:59Z"));
	ck_assert_int_eq(o->met_by, 1);
	STATUS(o, "2026-02-10T12:00:00Z", "met_on_time");
	o = get(&out, cycle_key("11:T-CHRON-3M:involvement:3", T("2026-01-05T00:00:00Z")));
	ck_assert_int_eq(o->due_at, T("2026-04-05T23:59:59+01:00"));
	ck_assert_int_eq(o->met_by, 1);
	o = get(&out, cycle_key("11:T-CHRON-3M:involvement:3", T("2026-02-05T09:00:00Z")));
	ck_assert(!o->met);
	ck_assert_int_eq(o->due_at, T("2026-05-05T23:59:59+01:00"));
	ck_assert_uint_eq(count_rule(&out, "T-CHRON-3M"), 3);
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* Hazard reviews: loaded 2025-05-01 (London midnight = 04-30 23:00Z),
 * reviewed 2025-10-01 09:00Z: cycle 1 due 2025-11-01 23:59:59 GMT, met.
 * Cycle 2 due 2026-04-01 23:59:59 BST; warn 2 w before, 2026-03-18 23:59:59
 * GMT. A hazard without a start date has no review cycle. */
START_TEST(test_recurring_hazard)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 12, \"hazards\": ["
	      " {\"id\": 5, \"start\": \"2025-05-01\", \"review_due\": \"2025-11-01\", \"active\": true,"
	      "  \"has_description\": true, \"reviews\": [\"2025-10-01T09:00:00Z\"]},"
	      " {\"id\": 6, \"start\": null, \"review_due\": null, \"active\": true,"
	      "  \"has_description\": false, \"reviews\": []}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-03-20T12:00:00Z"), NULL, &out);
	ck_assert_uint_eq(count_rule(&out, "T-HAZARD-6M"), 2);
	o = get(&out, cycle_key("12:T-HAZARD-6M:hazard:5", T("2025-04-30T23:00:00Z")));
	ck_assert_int_eq(o->due_at, T("2025-11-01T23:59:59Z"));
	ck_assert_int_eq(o->met_by_kind, CW_MET_BY_HAZARD_REVIEW);
	ck_assert_int_eq(o->met_by, 5);
	ck_assert_int_eq(o->met_at, T("2025-10-01T09:00:00Z"));
	o = get(&out, cycle_key("12:T-HAZARD-6M:hazard:5", T("2025-10-01T09:00:00Z")));
	ck_assert_int_eq(o->due_at, T("2026-04-01T22:59:59Z"));
	ck_assert_int_eq(o->warn_at, T("2026-03-18T23:59:59Z"));
	STATUS(o, "2026-03-20T12:00:00Z", "due_soon");
	ck_assert_int_eq(o->next_at, T("2026-04-01T22:59:59Z"));
	/* ... and HAZARD-FIELDS reports the second hazard. */
	o = get(&out, "12:T-HAZARD-FIELDS:hazard:6");
	ck_assert_str_eq(o->detail, "start_date,description,review_date");
	STATUS(o, "2026-03-20T12:00:00Z", "violation");
	ck_assert_ptr_null(find(&out, "12:T-HAZARD-FIELDS:hazard:5"));
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* First occurrences: became looked after Mon 2026-01-05 10:00. First review
 * within 20 wd: 6-9 Jan (4), 12-16 (9), 19-23 (14), 26-30 (19), Mon 2 Feb
 * (20) -> 2026-02-02 23:59:59 GMT; held 01-28. Second within 3 m of it:
 * 2026-04-28 23:59:59 BST; held 04-20 10:00Z. Then every 6 m: 2026-10-20
 * 23:59:59 BST. */
START_TEST(test_recurring_first)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 13, \"involvements\": ["
	      " {\"id\": 1, \"category\": \"looked_after\", \"start\": \"2026-01-05\"}],"
	      " \"events\": ["
	      " {\"id\": 1, \"type\": \"became_looked_after\", \"at\": \"2026-01-05T10:00:00Z\"},"
	      " {\"id\": 2, \"type\": \"lac_review\", \"at\": \"2026-01-28T10:00:00Z\"},"
	      " {\"id\": 3, \"type\": \"lac_review\", \"at\": \"2026-04-20T10:00:00Z\"}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-06-01T12:00:00Z"), NULL, &out);
	o = get(&out, cycle_key("13:T-LACR:event:1", T("2026-01-05T10:00:00Z")));
	ck_assert_int_eq(o->due_at, T("2026-02-02T23:59:59Z"));
	ck_assert_int_eq(o->met_by, 2);
	o = get(&out, cycle_key("13:T-LACR:event:1", T("2026-01-28T10:00:00Z")));
	ck_assert_int_eq(o->due_at, T("2026-04-28T23:59:59+01:00"));
	ck_assert_int_eq(o->met_by, 3);
	o = get(&out, cycle_key("13:T-LACR:event:1", T("2026-04-20T10:00:00Z")));
	ck_assert_int_eq(o->due_at, T("2026-10-20T23:59:59+01:00"));
	STATUS(o, "2026-06-01T12:00:00Z", "pending");
	ck_assert_uint_eq(count_rule(&out, "T-LACR"), 3);
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* Period by age: born 2021-06-15; placement 2026-01-05 (aged 4: 6 m) ->
 * due 2026-07-05 23:59:59 BST. An assessment on 2026-06-01 starts a cycle
 * at age 4 (6 m: 2026-12-01 23:59:59 GMT); one on 2026-06-20 starts it at
 * age 5 (1 y: 2027-06-20 23:59:59 BST). */
START_TEST(test_recurring_age)
{
	static const char *doc =
		"{\"person_id\": 14, \"date_of_birth\": \"2021-06-15\", \"involvements\": ["
		" {\"id\": 1, \"category\": \"looked_after\", \"start\": \"2026-01-05\"}],"
		" \"events\": [{\"id\": 1, \"type\": \"placement\", \"at\": \"2026-01-05T10:00:00Z\"}],"
		" \"records\": [{\"id\": 1, \"type\": \"health_assessment\", \"finalised_at\": \"%s\"}]}";
	char text[512];
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	fill(text, sizeof(text), doc, "2026-06-01T09:00:00Z", NULL);
	facts(text, &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-07-01T12:00:00Z"), NULL, &out);
	o = get(&out, cycle_key("14:T-HEALTH:event:1", T("2026-01-05T10:00:00Z")));
	ck_assert_int_eq(o->due_at, T("2026-07-05T23:59:59+01:00"));
	o = get(&out, cycle_key("14:T-HEALTH:event:1", T("2026-06-01T09:00:00Z")));
	ck_assert_int_eq(o->due_at, T("2026-12-01T23:59:59Z"));
	cw_facts_free(&f);

	fill(text, sizeof(text), doc, "2026-06-20T09:00:00Z", NULL);
	facts(text, &f);
	cw_obligations_compute(engine, cal, &f, T("2026-07-01T12:00:00Z"), NULL, &out);
	o = get(&out, cycle_key("14:T-HEALTH:event:1", T("2026-06-20T09:00:00Z")));
	ck_assert_int_eq(o->due_at, T("2027-06-20T23:59:59+01:00"));
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* Birthday anchor: born 29 February 2008; the 17th birthday in 2025 (not
 * a leap year) is taken as 28 February 2025; 3 m later = 2025-05-28
 * 23:59:59 BST. Only for care leavers (applies_to). */
START_TEST(test_birthday_leap)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 15, \"date_of_birth\": \"2008-02-29\", \"involvements\": ["
	      " {\"id\": 1, \"category\": \"leaving_care\", \"start\": \"2024-03-01\"}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2025-06-01T12:00:00Z"), NULL, &out);
	o = get(&out, cycle_key("15:T-BIRTHDAY:birthday:17", T("2025-02-28T00:00:00Z")));
	ck_assert_int_eq(o->anchor_at, T("2025-02-28T00:00:00Z"));
	ck_assert_int_eq(o->due_at, T("2025-05-28T23:59:59+01:00"));
	STATUS(o, "2025-06-01T12:00:00Z", "overdue");
	ck_assert_int_eq(o->next_at, CW_TIME_NONE); /* no escalations on this rule */
	cw_facts_free(&f);

	/* Not a care leaver: the rule does not apply. */
	facts("{\"person_id\": 15, \"date_of_birth\": \"2008-02-29\"}", &f);
	cw_obligations_compute(engine, cal, &f, T("2025-06-01T12:00:00Z"), NULL, &out);
	ck_assert_uint_eq(count_rule(&out, "T-BIRTHDAY"), 0);
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* Content findings: violations with stable keys and no time transitions. */
START_TEST(test_content)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 16, \"involvements\": ["
	      " {\"id\": 1, \"category\": \"cin\", \"start\": \"2025-01-10\"}],"
	      " \"events\": [{\"id\": 1, \"type\": \"task\", \"at\": \"2026-11-02T10:00:00Z\"},"
	      "  {\"id\": 2, \"type\": \"visit\", \"at\": null}],"
	      " \"records\": ["
	      " {\"id\": 1, \"type\": \"chronology\", \"finalised_at\": \"2026-01-01T10:00:00Z\","
	      "  \"event_at\": \"2026-01-01T09:00:00Z\", \"entered_at\": \"2026-01-01T09:30:00Z\", \"author_id\": 3},"
	      " {\"id\": 2, \"type\": \"genogram\", \"finalised_at\": null},"
	      " {\"id\": 3, \"type\": \"case_note\", \"event_id\": 1, \"finalised_at\": \"2026-11-20T10:00:00Z\","
	      "  \"entered_at\": \"2026-11-20T09:00:00Z\"},"
	      " {\"id\": 4, \"type\": \"case_note\", \"event_id\": 1, \"finalised_at\": \"2026-11-03T10:00:00Z\","
	      "  \"entered_at\": \"nonsense\", \"event_at\": \"2026-11-02T10:00:00Z\", \"author_id\": 3}],"
	      " \"deletions\": ["
	      " {\"record_id\": 50, \"deleted_at\": \"2026-11-01T10:00:00Z\", \"deleted_by\": 9,"
	      "  \"deleted_by_role\": \"worker\", \"has_reason\": true},"
	      " {\"record_id\": 51, \"deleted_at\": \"2026-11-01T10:00:00Z\", \"deleted_by\": 9,"
	      "  \"deleted_by_role\": \"service_manager\", \"has_reason\": false},"
	      " {\"record_id\": 52, \"deleted_at\": \"2026-11-01T10:00:00Z\", \"deleted_by\": 9,"
	      "  \"deleted_by_role\": \"team_manager\", \"has_reason\": true}],"
	      " \"info_sharing\": ["
	      " {\"id\": 1, \"kind\": \"sharing\", \"missing\": [\"reason\", \"lawful_basis\"]},"
	      " {\"id\": 2, \"kind\": \"request_received\", \"missing\": [\"requester\", \"method\"]},"
	      " {\"id\": 3, \"kind\": \"sharing\", \"missing\": [\"lawful_basis\"]}],"
	      " \"restricted_access\": ["
	      " {\"id\": 1, \"record_id\": 200, \"accessed_by\": 31, \"allowed\": false},"
	      " {\"id\": 2, \"record_id\": 200, \"accessed_by\": 32, \"allowed\": true}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-11-21T12:00:00Z"), NULL, &out);

	o = get(&out, "16:T-MIN-CONTENT:person:16");
	ck_assert(o->violation);
	ck_assert_str_eq(o->detail, "genogram,assessment,plan,support_summary");
	STATUS(o, "2026-11-21T12:00:00Z", "violation");
	ck_assert_int_eq(o->next_at, CW_TIME_NONE);
	ck_assert_int_eq(o->due_at, CW_TIME_NONE);

	/* EVENT-TIME: record 3 lacks event time and author; record 4's entry
	 * time is malformed (a parse problem, absorbed); event 2 has no time. */
	o = get(&out, "16:T-EVENT-TIME:record:3");
	ck_assert_str_eq(o->detail, "event_at,author_id");
	o = get(&out, "16:T-EVENT-TIME:record:4");
	ck_assert_str_eq(o->detail, "entered_at");
	o = get(&out, "16:T-EVENT-TIME:event:2");
	ck_assert_str_eq(o->detail, "at: missing");
	ck_assert_ptr_null(find(&out, "16:T-EVENT-TIME:record:1"));
	ck_assert_uint_eq(out.n_problems, 0);

	/* LATE-FLAG: task Mon 2026-11-02; 5 wd -> Mon 11-09 23:59:59. Record 4
	 * (11-03) meets it on time; record 3 is not needed... both name the
	 * event: the earliest, 4, meets it, so no late record. */
	o = get(&out, "16:T-NOTE-5WD:event:1");
	ck_assert_int_eq(o->met_by, 4);
	ck_assert_uint_eq(count_rule(&out, "T-LATE-FLAG"), 0);

	o = get(&out, "16:T-DELETE-REASON:deletion:50");
	ck_assert_str_eq(o->detail, "deleted_by_role");
	ck_assert_str_eq(o->audience, "team_manager");
	o = get(&out, "16:T-DELETE-REASON:deletion:51");
	ck_assert_str_eq(o->detail, "reason");
	ck_assert_ptr_null(find(&out, "16:T-DELETE-REASON:deletion:52"));

	o = get(&out, "16:T-SHARE-FIELDS:sharing:1");
	ck_assert_str_eq(o->detail, "reason");
	o = get(&out, "16:T-SHARE-FIELDS:sharing:2");
	ck_assert_str_eq(o->detail, "requester");
	ck_assert_ptr_null(find(&out, "16:T-SHARE-FIELDS:sharing:3"));

	o = get(&out, "16:T-RESTRICTED:access:1");
	ck_assert_str_eq(o->detail, "staff 31,record 200");
	ck_assert_str_eq(o->audience, "service_manager");
	ck_assert_ptr_null(find(&out, "16:T-RESTRICTED:access:2"));

	/* Per-team and retention rules give nothing per person. */
	ck_assert_uint_eq(count_rule(&out, "T-ROLLBACK"), 0);
	ck_assert_uint_eq(count_rule(&out, "T-RET"), 0);
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* LATE-FLAG: a note finalised after its due time without a late flag or
 * reason is a finding; with a reason it is not. Task Mon 2026-11-02 10:00:
 * 5 wd -> due Mon 2026-11-09 23:59:59 GMT. */
START_TEST(test_late_flag)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 17, \"events\": ["
	      " {\"id\": 1, \"type\": \"task\", \"at\": \"2026-11-02T10:00:00Z\"},"
	      " {\"id\": 2, \"type\": \"task\", \"at\": \"2026-11-02T11:00:00Z\"}],"
	      " \"records\": ["
	      " {\"id\": 1, \"type\": \"case_note\", \"event_id\": 1, \"finalised_at\": \"2026-11-12T10:00:00Z\","
	      "  \"event_at\": \"2026-11-02T10:00:00Z\", \"entered_at\": \"2026-11-12T09:00:00Z\", \"author_id\": 3},"
	      " {\"id\": 2, \"type\": \"case_note\", \"event_id\": 2, \"finalised_at\": \"2026-11-12T10:00:00Z\","
	      "  \"event_at\": \"2026-11-02T11:00:00Z\", \"entered_at\": \"2026-11-12T09:00:00Z\", \"author_id\": 3,"
	      "  \"has_late_reason\": true}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(engine, cal, &f, T("2026-11-21T12:00:00Z"), NULL, &out);
	o = get(&out, "17:T-NOTE-5WD:event:1");
	ck_assert_int_eq(o->due_at, T("2026-11-09T23:59:59Z"));
	ck_assert_int_eq(o->late_by, 2 * 86400 + 10 * 3600 + 1);
	o = get(&out, "17:T-LATE-FLAG:record:1");
	ck_assert_str_eq(o->detail, "late_flag");
	ck_assert_ptr_null(find(&out, "17:T-LATE-FLAG:record:2"));
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* Without a data-quality rule, parse problems go back to the caller; the
 * profile's end of day (17:00) sets day-based due times: task Mon
 * 2026-11-02 10:00 + 5 wd = Mon 2026-11-09 17:00 GMT. */
START_TEST(test_problems_returned)
{
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;
	char buf[CW_FACTS_PROBLEM_STRLEN];

	facts("{\"person_id\": 18, \"events\": ["
	      " {\"id\": 1, \"type\": \"task\", \"at\": \"2026-11-02T10:00:00Z\"},"
	      " {\"id\": 2, \"type\": \"task\", \"at\": null}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(plain, cal, &f, T("2026-11-03T12:00:00Z"), NULL, &out);
	o = get(&out, "18:T-NOTE-5WD:event:1");
	ck_assert_int_eq(o->due_at, T("2026-11-09T17:00:00Z"));
	ck_assert_int_eq(o->warn_at, T("2026-11-06T17:00:00Z"));
	ck_assert_uint_eq(out.count, 1);
	ck_assert_uint_eq(out.n_problems, 1);
	cw_facts_problem_format(&f, out.problems[0], buf);
	ck_assert_str_eq(buf, "person 18: event 2: at: missing");
	cw_obligations_free(&out);
	cw_facts_free(&f);
}
END_TEST

/* The person's nation decides the working days: St Andrew's Day, Mon
 * 2026-11-30, is a Scottish bank holiday only. Task Fri 2026-11-27 10:00
 * + 5 wd: England Mon 30, Tue 1, Wed 2, Thu 3, Fri 4 December; Scotland
 * skips Mon 30 and ends on Mon 7 December (23:59:59 GMT). */
START_TEST(test_nation)
{
	static const char *doc = "{\"person_id\": 19, \"nation\": \"%s\", \"events\": ["
				 " {\"id\": 1, \"type\": \"task\", \"at\": \"2026-11-27T10:00:00Z\"}]}";
	char text[256];
	struct cw_facts f;
	struct cw_obligations out;

	cw_obligations_init(&out);
	fill(text, sizeof(text), doc, "england-and-wales", NULL);
	facts(text, &f);
	cw_obligations_compute(engine, cal, &f, T("2026-11-27T12:00:00Z"), NULL, &out);
	ck_assert_int_eq(get(&out, "19:T-NOTE-5WD:event:1")->due_at, T("2026-12-04T23:59:59Z"));
	cw_facts_free(&f);
	fill(text, sizeof(text), doc, "scotland", NULL);
	facts(text, &f);
	cw_obligations_compute(engine, cal, &f, T("2026-11-27T12:00:00Z"), NULL, &out);
	ck_assert_int_eq(get(&out, "19:T-NOTE-5WD:event:1")->due_at, T("2026-12-07T23:59:59Z"));
	cw_facts_free(&f);
	cw_obligations_free(&out);
}
END_TEST

/* A shipped profile by name from the source tree's profiles/. */
static struct cw_policy *shipped(const char *name)
{
	char dir[4096];
	struct cw_policy_errors errs;
	struct cw_policy *p;

	snprintf(dir, sizeof(dir), "%s", cw_test_srcpath("profiles"));
	cw_policy_errors_init(&errs);
	p = cw_policy_load(name, dir, &errs);
	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msg[i]);
	cw_policy_errors_free(&errs);
	ck_assert_msg(p != NULL, "profile %s does not load", name);
	return p;
}

/* Enfield (on the default profile), now Wed 2026-11-18 12:00 GMT.
 * NOTE-5WD: task Mon 11-16 09:00 + 5 wd (17, 18, 19, 20, 23) -> Mon
 * 2026-11-23 23:59:59; warn 1 wd before, Fri 11-20 23:59:59; escalations
 * 2 wd after (24, 25) Wed 11-25 and 10 wd after (24 ... Dec 7) Mon 12-07.
 * CP-24H: S47 Tue 11-17 09:00 -> due Wed 11-18 09:00, record 10:30: 90 min
 * late. EH-REF-48H: consent asked, not given: suspended. ICPC-REPORT-2WD:
 * conference Thu 11-26 -> Tue 11-24 23:59:59, warn 2 wd before: Fri 11-20.
 * SUMMARY-3M and CHRON-3M: CIN opened 2026-06-01 (BST midnight = 05-31
 * 23:00Z) with nothing since: due 2026-09-01 23:59:59 BST; escalations 2 w
 * (09-15) and 1 m (10-01) after: now with the service manager. */
START_TEST(test_enfield)
{
	struct cw_policy *p = shipped("enfield");
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;
	cw_time opened = T("2026-05-31T23:00:00Z");

	facts("{\"person_id\": 2001, \"kind\": \"child\", \"involvements\": ["
	      " {\"id\": 1, \"category\": \"cin\", \"start\": \"2026-06-01\"}],"
	      " \"events\": ["
	      " {\"id\": 1, \"type\": \"task\", \"at\": \"2026-11-16T09:00:00Z\"},"
	      " {\"id\": 2, \"type\": \"s47_enquiry\", \"at\": \"2026-11-17T09:00:00Z\"},"
	      " {\"id\": 3, \"type\": \"early_help_referral\", \"at\": \"2026-11-17T10:00:00Z\"},"
	      " {\"id\": 4, \"type\": \"consent_requested\", \"at\": \"2026-11-17T11:00:00Z\"},"
	      " {\"id\": 5, \"type\": \"icpc\", \"at\": \"2026-11-26T10:00:00Z\"}],"
	      " \"records\": [{\"id\": 1, \"type\": \"cp_record\", \"event_id\": 2,"
	      "  \"event_at\": \"2026-11-17T09:00:00Z\", \"entered_at\": \"2026-11-18T10:00:00Z\","
	      "  \"finalised_at\": \"2026-11-18T10:30:00Z\", \"author_id\": 4}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(p, cal, &f, T("2026-11-18T12:00:00Z"), NULL, &out);

	o = get(&out, "2001:NOTE-5WD:event:1");
	ck_assert_int_eq(o->due_at, T("2026-11-23T23:59:59Z"));
	ck_assert_int_eq(o->warn_at, T("2026-11-20T23:59:59Z"));
	ck_assert_int_eq(o->escalate_at[0], T("2026-11-25T23:59:59Z"));
	ck_assert_int_eq(o->escalate_at[1], T("2026-12-07T23:59:59Z"));
	STATUS(o, "2026-11-18T12:00:00Z", "pending");
	ck_assert_int_eq(o->next_at, T("2026-11-20T23:59:59Z"));

	o = get(&out, "2001:CP-24H:event:2");
	ck_assert_int_eq(o->due_at, T("2026-11-18T09:00:00Z"));
	ck_assert_int_eq(o->late_by, 5400);
	STATUS(o, "2026-11-18T12:00:00Z", "met_late");

	o = get(&out, "2001:EH-REF-48H:event:3");
	STATUS(o, "2026-11-18T12:00:00Z", "suspended");
	ck_assert_int_eq(o->next_at, CW_TIME_NONE);

	o = get(&out, "2001:ICPC-REPORT-2WD:event:5");
	ck_assert_int_eq(o->due_at, T("2026-11-24T23:59:59Z"));
	ck_assert_int_eq(o->warn_at, T("2026-11-20T23:59:59Z"));

	o = get(&out, cycle_key("2001:SUMMARY-3M:involvement:1", opened));
	ck_assert_int_eq(o->due_at, T("2026-09-01T23:59:59+01:00"));
	ck_assert_int_eq(o->escalate_at[0], T("2026-09-15T23:59:59+01:00"));
	ck_assert_int_eq(o->escalate_at[1], T("2026-10-01T23:59:59+01:00"));
	ck_assert_int_eq(cw_obligation_escalation_level(o, T("2026-11-18T12:00:00Z")), 2);
	ck_assert_str_eq(o->audience, "service_manager");
	ck_assert_int_eq(o->next_at, CW_TIME_NONE);
	o = get(&out, cycle_key("2001:CHRON-3M:involvement:1", opened));
	ck_assert_int_eq(o->due_at, T("2026-09-01T23:59:59+01:00"));
	ck_assert_uint_eq(count_rule(&out, "NOTE-5WD"), 1);
	cw_obligations_free(&out);
	cw_facts_free(&f);
	cw_policy_free(p);
}
END_TEST

/* Coventry: CV-SIGHARM, work Thu 2026-11-19 15:00 GMT: due soon from Thu
 * 23:59:59, due Fri 15:00, escalations 24 h later (Sat 15:00) and 3 wd
 * after Fri 20 (23, 24, 25) -> Wed 11-25 23:59:59. CV-2WD replaces
 * NOTE-5WD: task Thu 19 + 2 wd (Fri 20, Mon 23) -> Mon 11-23 23:59:59.
 * PR-RECORDED: an open CIN case with no statement of parental
 * responsibility. */
START_TEST(test_coventry)
{
	struct cw_policy *p = shipped("coventry");
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 2002, \"involvements\": ["
	      " {\"id\": 1, \"category\": \"cin\", \"start\": \"2026-06-01\"}],"
	      " \"events\": ["
	      " {\"id\": 1, \"type\": \"significant_harm_work\", \"at\": \"2026-11-19T15:00:00Z\"},"
	      " {\"id\": 2, \"type\": \"task\", \"at\": \"2026-11-19T15:00:00Z\"}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(p, cal, &f, T("2026-11-19T16:00:00Z"), NULL, &out);
	o = get(&out, "2002:CV-SIGHARM:event:1");
	ck_assert_int_eq(o->warn_at, T("2026-11-19T23:59:59Z"));
	ck_assert_int_eq(o->due_at, T("2026-11-20T15:00:00Z"));
	ck_assert_int_eq(o->escalate_at[0], T("2026-11-21T15:00:00Z"));
	ck_assert_int_eq(o->escalate_at[1], T("2026-11-25T23:59:59Z"));
	o = get(&out, "2002:CV-2WD:event:2");
	ck_assert_int_eq(o->due_at, T("2026-11-23T23:59:59Z"));
	ck_assert_uint_eq(count_rule(&out, "NOTE-5WD"), 0);
	o = get(&out, "2002:PR-RECORDED:person:2002");
	ck_assert_str_eq(o->detail, "pr_statement");
	cw_obligations_free(&out);
	cw_facts_free(&f);
	cw_policy_free(p);
}
END_TEST

/* Statutory England ST-NEEDS-16: born 2010-01-15, a care leaver; 16th
 * birthday 2026-01-15 (GMT midnight), due 3 m later 2026-04-15 23:59:59
 * BST; the assessment of 2026-03-01 meets it on time. */
START_TEST(test_statutory_birthday)
{
	struct cw_policy *p = shipped("statutory-england");
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 2003, \"date_of_birth\": \"2010-01-15\", \"involvements\": ["
	      " {\"id\": 1, \"category\": \"leaving_care\", \"start\": \"2025-09-01\"}],"
	      " \"records\": [{\"id\": 1, \"type\": \"needs_assessment\", \"finalised_at\": \"2026-03-01T10:00:00Z\"}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(p, cal, &f, T("2026-06-01T12:00:00Z"), NULL, &out);
	o = get(&out, "2003:ST-NEEDS-16:birthday:16");
	ck_assert_int_eq(o->anchor_at, T("2026-01-15T00:00:00Z"));
	ck_assert_int_eq(o->due_at, T("2026-04-15T23:59:59+01:00"));
	ck_assert_int_eq(o->met_by, 1);
	STATUS(o, "2026-06-01T12:00:00Z", "met_on_time");
	cw_obligations_free(&out);
	cw_facts_free(&f);
	cw_policy_free(p);
}
END_TEST

/* Statutory England ST-LAC-VISIT: placement Mon 2026-01-05 10:00; first
 * visit within 1 w -> 2026-01-12 23:59:59 GMT; the visit of Fri 01-09
 * 10:00 and the record of that visit are one completion, so the next cycle
 * runs from 01-09 10:00 for 6 w -> Fri 2026-02-20 23:59:59 GMT. */
START_TEST(test_statutory_visits)
{
	struct cw_policy *p = shipped("statutory-england");
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 2006, \"involvements\": ["
	      " {\"id\": 1, \"category\": \"looked_after\", \"start\": \"2026-01-05\"}],"
	      " \"events\": ["
	      " {\"id\": 1, \"type\": \"placement\", \"at\": \"2026-01-05T10:00:00Z\"},"
	      " {\"id\": 2, \"type\": \"visit\", \"at\": \"2026-01-09T10:00:00Z\"}],"
	      " \"records\": [{\"id\": 1, \"type\": \"visit_record\", \"event_id\": 2,"
	      "  \"finalised_at\": \"2026-01-10T10:00:00Z\"}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(p, cal, &f, T("2026-02-01T12:00:00Z"), NULL, &out);
	ck_assert_uint_eq(count_rule(&out, "ST-LAC-VISIT"), 2);
	o = get(&out, cycle_key("2006:ST-LAC-VISIT:event:1", T("2026-01-05T10:00:00Z")));
	ck_assert_int_eq(o->due_at, T("2026-01-12T23:59:59Z"));
	ck_assert_int_eq(o->met_by_kind, CW_MET_BY_EVENT);
	ck_assert_int_eq(o->met_by, 2);
	o = get(&out, cycle_key("2006:ST-LAC-VISIT:event:1", T("2026-01-09T10:00:00Z")));
	ck_assert_int_eq(o->due_at, T("2026-02-20T23:59:59Z"));
	ck_assert(!o->met);
	cw_obligations_free(&out);
	cw_facts_free(&f);
	cw_policy_free(p);
}
END_TEST

/* Southwark: SW-24H, task Mon 2026-11-16 09:00 -> due Tue 09:00; the note
 * finalised Wed 11-18 10:00 says nothing of being late (LATE-FLAG) and has
 * no author (EVENT-TIME). */
START_TEST(test_southwark)
{
	struct cw_policy *p = shipped("southwark");
	struct cw_facts f;
	struct cw_obligations out;
	const struct cw_obligation *o;

	facts("{\"person_id\": 2004, \"events\": [{\"id\": 1, \"type\": \"task\", \"at\": \"2026-11-16T09:00:00Z\"}],"
	      " \"records\": [{\"id\": 7, \"type\": \"case_note\", \"event_id\": 1,"
	      "  \"event_at\": \"2026-11-16T09:00:00Z\", \"entered_at\": \"2026-11-18T09:00:00Z\","
	      "  \"finalised_at\": \"2026-11-18T10:00:00Z\"}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(p, cal, &f, T("2026-11-18T12:00:00Z"), NULL, &out);
	o = get(&out, "2004:SW-24H:event:1");
	ck_assert_int_eq(o->due_at, T("2026-11-17T09:00:00Z"));
	ck_assert_int_eq(o->late_by, 86400 + 3600);
	ck_assert_str_eq(get(&out, "2004:LATE-FLAG:record:7")->detail, "late_flag");
	ck_assert_str_eq(get(&out, "2004:EVENT-TIME:record:7")->detail, "author_id");
	cw_obligations_free(&out);
	cw_facts_free(&f);
	cw_policy_free(p);
}
END_TEST

/* Hull SHARE-FIELDS (004 §3.1, §3.3) and Brighton & Hove MIN-CONTENT. */
START_TEST(test_hull_brighton)
{
	struct cw_policy *hull = shipped("hull"), *bh = shipped("brighton-hove");
	struct cw_facts f;
	struct cw_obligations out;

	facts("{\"person_id\": 2005, \"involvements\": ["
	      " {\"id\": 1, \"category\": \"looked_after\", \"start\": \"2026-01-05\"}],"
	      " \"records\": ["
	      " {\"id\": 1, \"type\": \"chronology\", \"finalised_at\": \"2026-02-01T10:00:00Z\"},"
	      " {\"id\": 2, \"type\": \"genogram\", \"finalised_at\": \"2026-02-01T10:00:00Z\"},"
	      " {\"id\": 3, \"type\": \"assessment\", \"finalised_at\": \"2026-02-01T10:00:00Z\"},"
	      " {\"id\": 4, \"type\": \"plan\", \"finalised_at\": \"2026-02-01T10:00:00Z\"}],"
	      " \"info_sharing\": ["
	      " {\"id\": 1, \"kind\": \"sharing\", \"missing\": [\"reason\", \"lawful_basis\"]},"
	      " {\"id\": 2, \"kind\": \"request_made\", \"missing\": [\"counterpart_name\"]}]}",
	      &f);
	cw_obligations_init(&out);
	cw_obligations_compute(hull, cal, &f, T("2026-03-01T12:00:00Z"), NULL, &out);
	ck_assert_str_eq(get(&out, "2005:SHARE-FIELDS:sharing:1")->detail, "reason");
	ck_assert_str_eq(get(&out, "2005:SHARE-FIELDS:sharing:2")->detail, "counterpart_name");
	cw_obligations_compute(bh, cal, &f, T("2026-03-01T12:00:00Z"), NULL, &out);
	ck_assert_str_eq(get(&out, "2005:MIN-CONTENT:person:2005")->detail, "support_summary");
	cw_obligations_free(&out);
	cw_facts_free(&f);
	cw_policy_free(hull);
	cw_policy_free(bh);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("obligation");
	TCase *tc = tcase_create("compute");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_after_event_christmas);
	tcase_add_test(tc, test_after_event_pairing);
	tcase_add_test(tc, test_order_independent);
	tcase_add_test(tc, test_dst_24h);
	tcase_add_test(tc, test_suspension);
	tcase_add_test(tc, test_met_by_planned_event);
	tcase_add_test(tc, test_before_event);
	tcase_add_test(tc, test_before_event_window);
	tcase_add_test(tc, test_same_working_day);
	tcase_add_test(tc, test_recurring_summary);
	tcase_add_test(tc, test_recurring_completion_at_opening);
	tcase_add_test(tc, test_recurring_significant_event);
	tcase_add_test(tc, test_recurring_hazard);
	tcase_add_test(tc, test_recurring_first);
	tcase_add_test(tc, test_recurring_age);
	tcase_add_test(tc, test_birthday_leap);
	tcase_add_test(tc, test_content);
	tcase_add_test(tc, test_late_flag);
	tcase_add_test(tc, test_problems_returned);
	tcase_add_test(tc, test_nation);
	suite_add_tcase(s, tc);

	tc = tcase_create("profiles");
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_enfield);
	tcase_add_test(tc, test_coventry);
	tcase_add_test(tc, test_statutory_birthday);
	tcase_add_test(tc, test_statutory_visits);
	tcase_add_test(tc, test_southwark);
	tcase_add_test(tc, test_hull_brighton);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
