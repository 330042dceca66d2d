/* check_explain.c - explanations: times, reasoning lines and the JSON shape. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "casewatch/explain.h"
#include "testutil.h"

static struct cw_calendar *cal;
static struct cw_policy *enfield, *coventry;

static struct cw_policy *load(const char *name)
{
	struct cw_policy_errors errs;
	struct cw_policy *p;

	cw_policy_errors_init(&errs);
	p = cw_policy_load(name, cw_test_srcpath("profiles"), &errs);
	ck_assert_msg(p != NULL, "%s: %s", name, errs.count ? errs.msg[0] : "?");
	cw_policy_errors_free(&errs);
	return p;
}

static void setup(void)
{
	struct cw_error err;

	cal = cw_calendar_new(NULL, &err);
	ck_assert_msg(cal != NULL, "calendar: %s", err.msg);
	enfield = load("enfield");
	coventry = load("coventry");
}

static void teardown(void)
{
	cw_policy_free(enfield);
	cw_policy_free(coventry);
	cw_calendar_free(cal);
}

static cw_time T(const char *iso)
{
	cw_time t;

	ck_assert_msg(cw_time_parse(iso, &t), "bad test timestamp %s", iso);
	return t;
}

static json_t *explain(struct cw_policy *p, const char *rule, const char *at)
{
	struct cw_error err;
	json_t *x = cw_explain(p, cw_policy_rule_find(p, rule), T(at), cal, cw_policy_nation(p), &err);

	ck_assert_msg(x != NULL, "%s: %s", rule, err.msg);
	return x;
}

/* True when some reasoning line contains every one of the needles. */
static bool reasoning_has(const json_t *x, const char *a, const char *b)
{
	size_t i;
	json_t *line;

	json_array_foreach(json_object_get(x, "reasoning"), i, line) {
		const char *s = json_string_value(line);

		if (strstr(s, a) && (!b || strstr(s, b)))
			return true;
	}
	return false;
}

static const char *S(const json_t *x, const char *key)
{
	const char *s = json_string_value(json_object_get(x, key));

	ck_assert_msg(s != NULL, "no string member %s", key);
	return s;
}

/* NOTE-5WD from Wednesday 23 December 2026: five working days skip
 * Christmas Day, the substitute Boxing Day (28th) and New Year's Day. */
START_TEST(bank_holidays_by_name)
{
	json_t *x = explain(enfield, "NOTE-5WD", "2026-12-23T15:30:00+00:00");
	char *text;

	ck_assert_str_eq(S(x, "rule"), "NOTE-5WD");
	ck_assert_str_eq(S(x, "due"), "2027-01-04T23:59:59Z");
	/* warn 1 wd before Monday 4 January: Thursday 31 December. */
	ck_assert_str_eq(S(x, "warn"), "2026-12-31T23:59:59Z");
	ck_assert(reasoning_has(x, "2026-12-25", "Christmas Day"));
	ck_assert(reasoning_has(x, "2026-12-28", "Boxing Day"));
	ck_assert(reasoning_has(x, "2027-01-01", "New Year"));
	ck_assert(reasoning_has(x, "Saturday 2026-12-26", "weekend"));
	ck_assert(reasoning_has(x, "3 bank holidays", NULL));
	text = cw_explain_text(x);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "Christmas Day"));
	ck_assert_ptr_nonnull(strstr(text, "All recording must be finalised within five working days of the event."));
	ck_assert_ptr_nonnull(strstr(text, "002_a865893a38efb71d.txt"));
	free(text);
	json_decref(x);
}
END_TEST

START_TEST(json_fields)
{
	json_t *x = explain(enfield, "CP-24H", "2026-06-03T10:00:00+01:00");
	const json_t *esc, *src;

	ck_assert_str_eq(S(x, "due"), "2026-06-04T09:00:00Z");
	ck_assert_str_eq(S(x, "warn"), "2026-06-04T05:00:00Z");
	ck_assert_str_eq(S(x, "kind"), "after_event");
	ck_assert_str_eq(S(x, "audience"), "worker");
	esc = json_object_get(x, "escalations");
	ck_assert_uint_eq(json_array_size(esc), 2);
	/* 24 h after the due time, then 3 wd: Thursday 4 June + 3 wd = Tuesday 9 June. */
	ck_assert_str_eq(S(json_array_get(esc, 0), "at"), "2026-06-05T09:00:00Z");
	ck_assert_str_eq(S(json_array_get(esc, 0), "audience"), "team_manager");
	ck_assert_str_eq(S(json_array_get(esc, 1), "at"), "2026-06-09T22:59:59Z");
	ck_assert_str_eq(S(json_array_get(esc, 1), "audience"), "service_manager");
	ck_assert_str_eq(S(json_array_get(esc, 1), "after"), "3wd");
	src = json_object_get(x, "source");
	ck_assert_str_eq(S(src, "document"), "002_a865893a38efb71d.txt");
	ck_assert_ptr_nonnull(strstr(S(x, "words"), "within 24 hours"));
	ck_assert(json_is_array(json_object_get(x, "reasoning")));
	json_decref(x);
}
END_TEST

START_TEST(clock_change_and_clamping)
{
	json_t *x = explain(enfield, "CP-24H", "2026-03-28T10:00:00+00:00");

	ck_assert_str_eq(S(x, "due"), "2026-03-29T10:00:00Z");
	ck_assert(reasoning_has(x, "clocks went forward", "2026-03-29"));
	json_decref(x);
	/* Starting after the change on the same day crosses none. */
	x = explain(enfield, "CP-24H", "2026-03-29T10:00:00+01:00");
	ck_assert_str_eq(S(x, "due"), "2026-03-30T09:00:00Z");
	ck_assert(!reasoning_has(x, "clocks went", NULL));
	json_decref(x);
	/* Autumn: 24 h from 12:00 BST on Saturday 24 October 2026. */
	x = explain(enfield, "CP-24H", "2026-10-24T12:00:00+01:00");
	ck_assert_str_eq(S(x, "due"), "2026-10-25T11:00:00Z");
	ck_assert(reasoning_has(x, "clocks went back", "2026-10-25"));
	json_decref(x);
	/* SUMMARY-3M from 30 November: February has no 30th. */
	x = explain(enfield, "SUMMARY-3M", "2026-11-30T10:00:00+00:00");
	ck_assert_str_eq(S(x, "due"), "2027-02-28T23:59:59Z");
	ck_assert(reasoning_has(x, "clamped", "28"));
	json_decref(x);
}
END_TEST

START_TEST(before_event_and_same_day)
{
	/* ICPC on Tuesday 7 April 2026: 2 wd before skips Easter. */
	json_t *x = explain(enfield, "ICPC-REPORT-2WD", "2026-04-07T10:00:00+01:00");

	ck_assert_str_eq(S(x, "due"), "2026-04-01T22:59:59Z");
	ck_assert(reasoning_has(x, "2026-04-03", "Good Friday"));
	ck_assert(reasoning_has(x, "2026-04-06", "Easter Monday"));
	json_decref(x);
	/* Significant-harm work on a Wednesday afternoon: warn at the end of
	 * that working day, overdue 24 h after. */
	x = explain(coventry, "CV-SIGHARM", "2026-06-03T15:00:00+01:00");
	ck_assert_str_eq(S(x, "warn"), "2026-06-03T22:59:59Z");
	ck_assert_str_eq(S(x, "due"), "2026-06-04T14:00:00Z");
	json_decref(x);
}
END_TEST

/* A profile whose day ends at 17:00 (tests/data/profiles/override.json):
 * Monday 1 June 2026 + 3 wd = Thursday 4 June, 17:00 BST. */
START_TEST(end_of_day_from_profile)
{
	struct cw_policy_errors errs;
	struct cw_policy *p;
	json_t *x;

	cw_policy_errors_init(&errs);
	p = cw_policy_load("override", cw_test_srcpath("tests/data/profiles"), &errs);
	ck_assert_ptr_nonnull(p);
	cw_policy_errors_free(&errs);
	x = explain(p, "T-NOTE-5WD", "2026-06-01T09:00:00+01:00");
	ck_assert_str_eq(S(x, "due"), "2026-06-04T16:00:00Z");
	ck_assert(reasoning_has(x, "17:00:00 London time", NULL));
	json_decref(x);
	cw_policy_free(p);
}
END_TEST

START_TEST(no_deadline_rules)
{
	struct cw_policy *p = load("southwark");
	struct cw_error err;

	ck_assert_ptr_null(cw_explain(p, cw_policy_rule_find(p, "RET-CIN"), T("2026-01-01T00:00:00Z"), cal,
				      CW_NATION_ENGLAND_WALES, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "RET-CIN is a retention rule"));
	ck_assert_ptr_null(cw_explain(p, cw_policy_rule_find(p, "CONF-REVIEW"), T("2026-01-01T00:00:00Z"),
				      cal, CW_NATION_ENGLAND_WALES, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "no period"));
	cw_policy_free(p);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = tcase_create("explain");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bank_holidays_by_name);
	tcase_add_test(tc, json_fields);
	tcase_add_test(tc, clock_change_and_clamping);
	tcase_add_test(tc, before_event_and_same_day);
	tcase_add_test(tc, end_of_day_from_profile);
	tcase_add_test(tc, no_deadline_rules);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
