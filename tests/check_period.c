/* check_period.c - periods: parsing, and due times worked out by hand. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "casewatch/period.h"
#include "testutil.h"

static struct cw_calendar *cal;

static void setup(void)
{
	struct cw_error err;

	cal = cw_calendar_new(NULL, &err);
	ck_assert_msg(cal != NULL, "calendar: %s", err.msg);
}

static void teardown(void)
{
	cw_calendar_free(cal);
}

/* An instant from an ISO string with an explicit offset (hand-written). */
static cw_time T(const char *iso)
{
	cw_time t;

	ck_assert_msg(cw_time_parse(iso, &t), "bad test timestamp %s", iso);
	return t;
}

static struct cw_period P(const char *text)
{
	struct cw_period p;
	struct cw_error err;

	ck_assert_msg(cw_period_parse(text, &p, &err), "%s: %s", text, err.msg);
	return p;
}

/* Asserts due == expected, printing both in London time on failure. */
static void is_time(cw_time got, const char *expected)
{
	char g[CW_TIME_STRLEN];

	cw_time_format(got, g);
	ck_assert_msg(got == T(expected), "got %s, expected %s", g, expected);
}

static cw_time due(const char *period, const char *anchor, enum cw_nation n, int eod)
{
	struct cw_period p = P(period);

	return cw_period_due(&p, T(anchor), cal, n, eod);
}

static cw_time before(const char *period, const char *event, enum cw_nation n, int eod)
{
	struct cw_period p = P(period);

	return cw_period_before(&p, T(event), cal, n, eod);
}

#define EW CW_NATION_ENGLAND_WALES
#define EOD CW_END_OF_DAY_DEFAULT

START_TEST(parse_each_unit)
{
	static const struct {
		const char *text;
		int amount;
		enum cw_period_unit unit;
	} cases[] = {
		{ "24h", 24, CW_UNIT_HOURS }, { "5wd", 5, CW_UNIT_WORKDAYS }, { "30d", 30, CW_UNIT_DAYS },
		{ "6w", 6, CW_UNIT_WEEKS },   { "3m", 3, CW_UNIT_MONTHS },    { "1y", 1, CW_UNIT_YEARS },
		{ "0d", 0, CW_UNIT_DAYS },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cw_period p = P(cases[i].text);
		char back[CW_PERIOD_STRLEN];

		ck_assert_int_eq(p.amount, cases[i].amount);
		ck_assert_int_eq(p.unit, cases[i].unit);
		cw_period_format(&p, back);
		ck_assert_str_eq(back, cases[i].text);
	}
}
END_TEST

START_TEST(parse_rejects)
{
	static const char *const bad[] = { "", "5", "wd", "5 wd", "-1d", "5WD", "5fortnights", "1.5d", "d5", "99999999999h" };
	struct cw_period p;
	struct cw_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!cw_period_parse(bad[i], &p, &err), "accepted \"%s\"", bad[i]);
	ck_assert(!cw_period_parse("2fortnights", &p, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown unit \"fortnights\""));
}
END_TEST

START_TEST(parse_json_forms)
{
	struct cw_period p;
	struct cw_error err;
	json_t *v;

	v = json_pack("{s:i, s:s}", "amount", 5, "unit", "wd");
	ck_assert(cw_period_from_json(v, &p, &err));
	ck_assert_int_eq(p.amount, 5);
	ck_assert_int_eq(p.unit, CW_UNIT_WORKDAYS);
	json_decref(v);
	v = json_string("6w");
	ck_assert(cw_period_from_json(v, &p, &err));
	ck_assert_int_eq(p.amount, 6);
	ck_assert_int_eq(p.unit, CW_UNIT_WEEKS);
	json_decref(v);
	v = json_pack("{s:i, s:s}", "amount", 2, "unit", "fortnights");
	ck_assert(!cw_period_from_json(v, &p, &err));
	ck_assert_str_eq(err.msg, ".unit: unknown unit \"fortnights\" (expected h, wd, d, w, m, y)");
	json_decref(v);
	v = json_pack("{s:i, s:s}", "amount", -1, "unit", "d");
	ck_assert(!cw_period_from_json(v, &p, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, ".amount: -1 is out of range"));
	json_decref(v);
	v = json_pack("{s:s}", "unit", "d");
	ck_assert(!cw_period_from_json(v, &p, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, ".amount: missing"));
	json_decref(v);
	v = json_integer(5);
	ck_assert(!cw_period_from_json(v, &p, &err));
	json_decref(v);
}
END_TEST

START_TEST(time_of_day)
{
	int s;

	ck_assert(cw_period_parse_time_of_day("17:00", &s));
	ck_assert_int_eq(s, 17 * 3600);
	ck_assert(cw_period_parse_time_of_day("23:59:59", &s));
	ck_assert_int_eq(s, 86399);
	ck_assert(cw_period_parse_time_of_day("00:00", &s));
	ck_assert_int_eq(s, 0);
	ck_assert(!cw_period_parse_time_of_day("24:00", &s));
	ck_assert(!cw_period_parse_time_of_day("7:00", &s));
	ck_assert(!cw_period_parse_time_of_day("17:60", &s));
	ck_assert(!cw_period_parse_time_of_day("17h00", &s));
}
END_TEST

/* Spring 2026: the clocks go forward at 01:00 GMT on Sunday 29 March. */
START_TEST(hours_across_spring_change)
{
	/* 10:00 GMT Saturday + 24 h = 10:00 UTC Sunday = 11:00 BST. */
	is_time(due("24h", "2026-03-28T10:00:00+00:00", EW, EOD), "2026-03-29T11:00:00+01:00");
	/* 00:30 GMT + 2 h spans the lost hour: 02:30 UTC = 03:30 BST. */
	is_time(due("2h", "2026-03-29T00:30:00+00:00", EW, EOD), "2026-03-29T03:30:00+01:00");
}
END_TEST

/* Autumn 2026: the clocks go back at 02:00 BST on Sunday 25 October. */
START_TEST(hours_across_autumn_change)
{
	/* 12:00 BST Saturday (11:00 UTC) + 24 h = 11:00 UTC = 11:00 GMT Sunday. */
	is_time(due("24h", "2026-10-24T12:00:00+01:00", EW, EOD), "2026-10-25T11:00:00+00:00");
	/* 00:30 BST + 2 h = 01:30 GMT, the second 01:30 of the night. */
	is_time(due("2h", "2026-10-25T00:30:00+01:00", EW, EOD), "2026-10-25T01:30:00+00:00");
}
END_TEST

/* Christmas 2026: 25 Dec is a Friday, Boxing Day a Saturday (substitute
 * Monday 28), New Year's Day 2027 a Friday. */
START_TEST(workdays_over_christmas)
{
	/* Wed 23 Dec + 5 wd: Thu 24, Tue 29, Wed 30, Thu 31, Mon 4 Jan. */
	is_time(due("5wd", "2026-12-23T15:30:00+00:00", EW, EOD), "2027-01-04T23:59:59+00:00");
	/* Thu 24 Dec + 1 wd skips Christmas, the weekend and the substitute Boxing Day. */
	is_time(due("1wd", "2026-12-24T09:00:00+00:00", EW, EOD), "2026-12-29T23:59:59+00:00");
	/* Thu 31 Dec + 1 wd skips New Year's Day and the weekend. */
	is_time(due("1wd", "2026-12-31T09:00:00+00:00", EW, EOD), "2027-01-04T23:59:59+00:00");
}
END_TEST

/* Easter 2026: Good Friday 3 April, Easter Monday 6 April (BST). */
START_TEST(workdays_over_easter)
{
	is_time(due("1wd", "2026-04-02T14:00:00+01:00", EW, EOD), "2026-04-07T23:59:59+01:00");
	/* An event on a Saturday: the first working day after is Monday. */
	is_time(due("1wd", "2026-06-06T10:00:00+01:00", EW, EOD), "2026-06-08T23:59:59+01:00");
}
END_TEST

/* Summer bank holiday: England last Monday of August (31 Aug 2026),
 * Scotland first Monday (3 Aug 2026). */
START_TEST(workdays_by_nation)
{
	is_time(due("1wd", "2026-08-28T10:00:00+01:00", EW, EOD), "2026-09-01T23:59:59+01:00");
	is_time(due("1wd", "2026-08-28T10:00:00+01:00", CW_NATION_SCOTLAND, EOD),
		"2026-08-31T23:59:59+01:00");
	is_time(due("1wd", "2026-07-31T10:00:00+01:00", CW_NATION_SCOTLAND, EOD),
		"2026-08-04T23:59:59+01:00");
}
END_TEST

START_TEST(calendar_days_and_weeks)
{
	/* Fri 27 March 2026 + 3 d = Mon 30 March, end of day in BST. */
	is_time(due("3d", "2026-03-27T12:00:00+00:00", EW, EOD), "2026-03-30T23:59:59+01:00");
	is_time(due("2w", "2026-10-20T09:00:00+01:00", EW, EOD), "2026-11-03T23:59:59+00:00");
	/* 0 d: the end of the anchor's own day. */
	is_time(due("0d", "2026-05-05T09:00:00+01:00", EW, EOD), "2026-05-05T23:59:59+01:00");
	/* The London date counts, not the UTC one: 23:30 UTC on 30 June is
	 * 00:30 BST on 1 July, so + 1 d is 2 July. */
	is_time(due("1d", "2026-07-01T23:30:00+01:00", EW, EOD), "2026-07-02T23:59:59+01:00");
	is_time(due("1d", "2026-06-30T23:30:00Z", EW, EOD), "2026-07-02T23:59:59+01:00");
}
END_TEST

START_TEST(month_end_clamping)
{
	is_time(due("1m", "2026-01-31T10:00:00+00:00", EW, EOD), "2026-02-28T23:59:59+00:00");
	is_time(due("1m", "2028-01-31T10:00:00+00:00", EW, EOD), "2028-02-29T23:59:59+00:00");
	is_time(due("1m", "2026-08-31T10:00:00+01:00", EW, EOD), "2026-09-30T23:59:59+01:00");
	is_time(due("3m", "2026-11-30T10:00:00+00:00", EW, EOD), "2027-02-28T23:59:59+00:00");
	is_time(due("1y", "2028-02-29T10:00:00+00:00", EW, EOD), "2029-02-28T23:59:59+00:00");
	is_time(due("6m", "2026-03-15T10:00:00+00:00", EW, EOD), "2026-09-15T23:59:59+01:00");
}
END_TEST

START_TEST(before_event)
{
	/* 2 wd before Thursday 9 April 2026 is Tuesday 7 April. */
	is_time(before("2wd", "2026-04-09T10:00:00+01:00", EW, EOD), "2026-04-07T23:59:59+01:00");
	/* 2 wd before Tuesday 7 April skips Easter Monday, the weekend and Good Friday. */
	is_time(before("2wd", "2026-04-07T10:00:00+01:00", EW, EOD), "2026-04-01T23:59:59+01:00");
	/* 5 wd before Monday 4 January 2027: Thu 31, Wed 30, Tue 29, Thu 24, Wed 23 Dec. */
	is_time(before("5wd", "2027-01-04T10:00:00+00:00", EW, EOD), "2026-12-23T23:59:59+00:00");
	/* 6 weeks before Monday 14 September 2026 is Monday 3 August. */
	is_time(before("6w", "2026-09-14T09:00:00+01:00", EW, EOD), "2026-08-03T23:59:59+01:00");
	/* 2 h before 03:00 BST on the spring-forward night is midnight GMT. */
	is_time(before("2h", "2026-03-29T03:00:00+01:00", EW, EOD), "2026-03-29T00:00:00+00:00");
	/* 1 m before 31 March clamps to 28 February. */
	is_time(before("1m", "2026-03-31T09:00:00+01:00", EW, EOD), "2026-02-28T23:59:59+00:00");
}
END_TEST

START_TEST(end_of_day_17)
{
	int eod = 17 * 3600;

	is_time(due("1wd", "2026-06-01T09:00:00+01:00", EW, eod), "2026-06-02T17:00:00+01:00");
	is_time(due("5d", "2026-01-05T09:00:00+00:00", EW, eod), "2026-01-10T17:00:00+00:00");
	is_time(before("2wd", "2026-04-09T10:00:00+01:00", EW, eod), "2026-04-07T17:00:00+01:00");
	/* Hours ignore the end of day. */
	is_time(due("24h", "2026-06-01T09:00:00+01:00", EW, eod), "2026-06-02T09:00:00+01:00");
}
END_TEST

START_TEST(same_working_day)
{
	/* A Wednesday: the end of that day. */
	is_time(cw_period_end_of_working_day(T("2026-06-03T10:00:00+01:00"), cal, EW, EOD),
		"2026-06-03T23:59:59+01:00");
	/* Good Friday 2026: the next working day is Tuesday 7 April. */
	is_time(cw_period_end_of_working_day(T("2026-04-03T10:00:00+01:00"), cal, EW, 17 * 3600),
		"2026-04-07T17:00:00+01:00");
}
END_TEST

START_TEST(nominal_ordering)
{
	struct cw_period a = P("5wd"), b = P("1w"), c = P("1m"), d = P("4w"), e = P("24h"), f = P("1d");

	ck_assert(cw_period_nominal_seconds(&a) == cw_period_nominal_seconds(&b));
	ck_assert(cw_period_nominal_seconds(&c) > cw_period_nominal_seconds(&d));
	ck_assert(cw_period_nominal_seconds(&e) == cw_period_nominal_seconds(&f));
	ck_assert(cw_period_is_day_based(&a));
	ck_assert(!cw_period_is_day_based(&e));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("period");
	TCase *tc = tcase_create("period");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parse_each_unit);
	tcase_add_test(tc, parse_rejects);
	tcase_add_test(tc, parse_json_forms);
	tcase_add_test(tc, time_of_day);
	tcase_add_test(tc, hours_across_spring_change);
	tcase_add_test(tc, hours_across_autumn_change);
	tcase_add_test(tc, workdays_over_christmas);
	tcase_add_test(tc, workdays_over_easter);
	tcase_add_test(tc, workdays_by_nation);
	tcase_add_test(tc, calendar_days_and_weeks);
	tcase_add_test(tc, month_end_clamping);
	tcase_add_test(tc, before_event);
	tcase_add_test(tc, end_of_day_17);
	tcase_add_test(tc, same_working_day);
	tcase_add_test(tc, nominal_ordering);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
