/* check_calendar.c - civil dates, bank holidays and working-day arithmetic. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casewatch/calendar.h"
#include "testutil.h"

static struct cw_calendar *cal;

static cw_day D(const char *text)
{
	cw_day d;

	ck_assert_msg(cw_day_parse(text, &d), "bad test date %s", text);
	return d;
}

static void setup(void)
{
	struct cw_error err;

	cal = cw_calendar_new(cw_test_srcpath("data/holidays/one-off.json"), &err);
	ck_assert_msg(cal != NULL, "%s", err.msg);
}

static void teardown(void)
{
	cw_calendar_free(cal);
}

/* Hand-worked day numbers. */
START_TEST(test_day_numbers)
{
	int y, m, d;

	ck_assert_int_eq(cw_day_from_ymd(1970, 1, 1), 0);
	ck_assert_int_eq(cw_day_from_ymd(1969, 12, 31), -1);
	/* 30 years of 365 days plus 7 leap days (1972..1996). */
	ck_assert_int_eq(cw_day_from_ymd(2000, 1, 1), 10957);
	ck_assert_int_eq(cw_day_from_ymd(2000, 3, 1), 10957 + 31 + 29);
	cw_day_to_ymd(10957 + 31 + 28, &y, &m, &d);
	ck_assert(y == 2000 && m == 2 && d == 29);
	cw_day_to_ymd(-1, &y, &m, &d);
	ck_assert(y == 1969 && m == 12 && d == 31);
}
END_TEST

/* Check's ck_assert records a mark point per call, which costs a write;
 * the big loops only call into Check on a failure. */
#define CHECK(cond, ...)                           \
	do {                                       \
		if (!(cond))                       \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* Every day 1800-2300 against glibc's timegm/gmtime_r. */
START_TEST(test_days_against_glibc)
{
	for (int64_t t = -5364662400LL; t < 10413792000LL; t += 86400) {
		struct tm tm;
		int y, m, d;
		cw_day day = (cw_day)(t / 86400 - (t % 86400 != 0 && t < 0));

		gmtime_r(&(time_t){ (time_t)t }, &tm);
		CHECK(cw_day_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) == day, "from_ymd %d", day);
		cw_day_to_ymd(day, &y, &m, &d);
		CHECK(y == tm.tm_year + 1900 && m == tm.tm_mon + 1 && d == tm.tm_mday, "to_ymd %d", day);
		CHECK(cw_day_weekday(day) == (tm.tm_wday == 0 ? 7 : tm.tm_wday), "weekday %d", day);
	}
}
END_TEST

START_TEST(test_weekday)
{
	ck_assert_int_eq(cw_day_weekday(D("1970-01-01")), 4);
	ck_assert_int_eq(cw_day_weekday(D("2000-01-01")), 6);
	ck_assert_int_eq(cw_day_weekday(D("2025-12-25")), 4);
	ck_assert_int_eq(cw_day_weekday(D("2026-03-29")), 7);
	ck_assert_int_eq(cw_day_weekday(D("1969-12-29")), 1);
}
END_TEST

START_TEST(test_parse_format)
{
	static const char *const bad[] = { "2025-2-03", "2025-02-3", "2025-02-30", "2025-13-01",
					   "2025-00-10", "2025-01-00", " 2025-01-01", "2025-01-01 ",
					   "20250101", "2025/01/01", "", "abcd-ef-gh", "2025-01-1x",
					   "+025-01-01", "2025-04-31" };
	char buf[CW_DAY_STRLEN];
	cw_day d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!cw_day_parse(bad[i], &d), "accepted '%s'", bad[i]);
	ck_assert(!cw_day_parse(NULL, &d));
	ck_assert(cw_day_parse("0001-01-01", &d));
	cw_day_format(d, buf);
	ck_assert_str_eq(buf, "0001-01-01");
	ck_assert(cw_day_parse("2025-12-31", &d));
	cw_day_format(d + 1, buf);
	ck_assert_str_eq(buf, "2026-01-01");
	cw_day_format(-1, buf);
	ck_assert_str_eq(buf, "1969-12-31");
}
END_TEST

START_TEST(test_leap_years)
{
	cw_day d;

	ck_assert(cw_day_parse("2000-02-29", &d));
	ck_assert(cw_day_parse("2024-02-29", &d));
	ck_assert(cw_day_parse("1972-02-29", &d));
	ck_assert(!cw_day_parse("1900-02-29", &d));
	ck_assert(!cw_day_parse("2100-02-29", &d));
	ck_assert(!cw_day_parse("2023-02-29", &d));
	ck_assert_int_eq(D("2025-01-01") - D("2024-01-01"), 366);
	ck_assert_int_eq(D("2101-01-01") - D("2100-01-01"), 365);
	ck_assert_int_eq(D("2001-01-01") - D("2000-01-01"), 366);
}
END_TEST

START_TEST(test_add_months)
{
	static const struct {
		const char *from;
		int months;
		const char *to;
	} cases[] = {
		{ "2024-01-31", 1, "2024-02-29" }, { "2023-01-31", 1, "2023-02-28" },
		{ "2024-03-31", -1, "2024-02-29" }, { "2024-02-29", 12, "2025-02-28" },
		{ "2025-12-15", 1, "2026-01-15" }, { "2025-01-15", -1, "2024-12-15" },
		{ "2024-08-31", 1, "2024-09-30" }, { "2024-10-31", -25, "2022-09-30" },
		{ "2025-05-31", 0, "2025-05-31" }, { "1970-01-31", -1, "1969-12-31" },
		{ "2000-02-29", -1200, "1900-02-28" }, { "2025-03-30", 11, "2026-02-28" },
	};
	char buf[CW_DAY_STRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cw_day_format(cw_day_add_months(D(cases[i].from), cases[i].months), buf);
		ck_assert_msg(!strcmp(buf, cases[i].to), "%s %+d months: got %s, expected %s", cases[i].from,
			      cases[i].months, buf, cases[i].to);
	}
}
END_TEST

START_TEST(test_nations)
{
	enum cw_nation n;

	ck_assert(cw_nation_parse("scotland", &n) && n == CW_NATION_SCOTLAND);
	ck_assert(cw_nation_parse("england-and-wales", &n) && n == CW_NATION_ENGLAND_WALES);
	ck_assert(cw_nation_parse("northern-ireland", &n) && n == CW_NATION_NORTHERN_IRELAND);
	ck_assert(!cw_nation_parse("wales", &n));
	ck_assert(!cw_nation_parse("Scotland", &n));
	ck_assert_str_eq(cw_nation_name(CW_NATION_NORTHERN_IRELAND), "northern-ireland");
}
END_TEST

/* Easter Sundays from the published tables (1990-2030 and a few more). */
START_TEST(test_easter)
{
	static const char *const easter[] = {
		"1970-03-29", "1981-04-19", "1990-04-15", "1991-03-31", "1992-04-19", "1993-04-11",
		"1994-04-03", "1995-04-16", "1996-04-07", "1997-03-30", "1998-04-12", "1999-04-04",
		"2000-04-23", "2001-04-15", "2002-03-31", "2003-04-20", "2004-04-11", "2005-03-27",
		"2006-04-16", "2007-04-08", "2008-03-23", "2009-04-12", "2010-04-04", "2011-04-24",
		"2012-04-08", "2013-03-31", "2014-04-20", "2015-04-05", "2016-03-27", "2017-04-16",
		"2018-04-01", "2019-04-21", "2020-04-12", "2021-04-04", "2022-04-17", "2023-04-09",
		"2024-03-31", "2025-04-20", "2026-04-05", "2027-03-28", "2028-04-16", "2029-04-01",
		"2030-04-21", "2038-04-25",
	};

	for (size_t i = 0; i < sizeof(easter) / sizeof(easter[0]); i++) {
		cw_day e = D(easter[i]);

		/* Good Friday is a holiday everywhere; Easter Monday not in Scotland. */
		ck_assert_msg(cw_calendar_holiday(cal, CW_NATION_SCOTLAND, e - 2) &&
				      !strcmp(cw_calendar_holiday(cal, CW_NATION_SCOTLAND, e - 2), "Good Friday"),
			      "Good Friday before %s", easter[i]);
		ck_assert_str_eq(cw_calendar_holiday(cal, CW_NATION_ENGLAND_WALES, e + 1), "Easter Monday");
		ck_assert(cw_calendar_is_workday(cal, CW_NATION_SCOTLAND, e + 1));
	}
}
END_TEST

/* Reads tests/data/bank-holidays-1990-2030.txt into a per-nation day mask. */
static void load_expected(unsigned char *mask, cw_day first, size_t ndays)
{
	FILE *f = fopen(cw_test_srcpath("tests/data/bank-holidays-1990-2030.txt"), "r");
	char line[512];
	int lineno = 0;

	ck_assert_msg(f != NULL, "cannot open expected data");
	while (fgets(line, sizeof(line), f)) {
		char date[16], nations[8];
		cw_day d;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		ck_assert_msg(sscanf(line, "%15s %7s", date, nations) == 2, "line %d", lineno);
		ck_assert_msg(cw_day_parse(date, &d), "line %d: bad date", lineno);
		ck_assert_msg(d >= first && (size_t)(d - first) < ndays, "line %d: out of range", lineno);
		for (const char *p = nations; *p; p++) {
			int bit = *p == 'E' ? 1 : *p == 'S' ? 2 : *p == 'N' ? 4 : 0;

			ck_assert_msg(bit, "line %d: bad nation letter", lineno);
			ck_assert_msg(!(mask[d - first] & bit), "line %d: listed twice", lineno);
			mask[d - first] |= (unsigned char)bit;
		}
	}
	fclose(f);
}

/* Every bank holiday 1990-2030 in all three nations, compared both ways. */
START_TEST(test_published_holidays)
{
	cw_day first = D("1990-01-01"), last = D("2030-12-31");
	size_t ndays = (size_t)(last - first + 1);
	unsigned char *mask = calloc(ndays, 1);
	int checked = 0;

	ck_assert(mask != NULL);
	load_expected(mask, first, ndays);
	for (cw_day d = first; d <= last; d++) {
		for (int n = 0; n < CW_NATION_COUNT; n++) {
			bool expected = mask[d - first] & (1 << n);
			const char *title = cw_calendar_holiday(cal, (enum cw_nation)n, d);
			char buf[CW_DAY_STRLEN];

			cw_day_format(d, buf);
			CHECK(expected == (title != NULL), "%s %s: expected %s, calendar says %s", buf,
				      cw_nation_name((enum cw_nation)n), expected ? "a holiday" : "no holiday",
				      title ? title : "no holiday");
			if (expected) {
				CHECK(!cw_calendar_is_workday(cal, (enum cw_nation)n, d), "%s workday", buf);
				checked++;
			}
		}
	}
	/* 523 lines, most for several nations. */
	ck_assert_int_gt(checked, 1000);
	free(mask);
}
END_TEST

START_TEST(test_substitutes)
{
	/* Christmas on a Saturday: Monday 27 and Tuesday 28. */
	ck_assert_str_eq(cw_calendar_holiday(cal, CW_NATION_ENGLAND_WALES, D("2021-12-27")),
			 "Christmas Day (substitute day)");
	ck_assert_str_eq(cw_calendar_holiday(cal, CW_NATION_ENGLAND_WALES, D("2021-12-28")),
			 "Boxing Day (substitute day)");
	/* Christmas on a Sunday: Boxing Day Monday, Christmas Tuesday. */
	ck_assert_str_eq(cw_calendar_holiday(cal, CW_NATION_ENGLAND_WALES, D("2022-12-26")), "Boxing Day");
	ck_assert_str_eq(cw_calendar_holiday(cal, CW_NATION_ENGLAND_WALES, D("2022-12-27")),
			 "Christmas Day (substitute day)");
	/* Scotland 2022: 1 January a Saturday, so 3 and 4 January. */
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_SCOTLAND, D("2022-01-03")));
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_SCOTLAND, D("2022-01-04")));
	ck_assert(cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("2022-01-04")));
	/* St Andrew's Day on a Sunday in 2025: Monday 1 December. */
	ck_assert_str_eq(cw_calendar_holiday(cal, CW_NATION_SCOTLAND, D("2025-12-01")),
			 "St Andrew\u2019s Day (substitute day)");
	/* Boyne on a Saturday in 2025: Monday 14 July, NI only. */
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_NORTHERN_IRELAND, D("2025-07-14")));
	ck_assert(cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("2025-07-14")));
	/* St Patrick's Day on a Sunday in 2024: Monday 18 March. */
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_NORTHERN_IRELAND, D("2024-03-18")));
	/* The weekend day itself has no holiday title. */
	ck_assert_ptr_null(cw_calendar_holiday(cal, CW_NATION_ENGLAND_WALES, D("2021-12-25")));
}
END_TEST

/* Years before the 1970s changes (hand-worked from the rules' start dates). */
START_TEST(test_rule_start_years)
{
	/* New Year's Day became a bank holiday in E&W and NI in 1974. */
	ck_assert(cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("1973-01-01")));
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("1974-01-01")));
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_SCOTLAND, D("1973-01-01")));
	/* Early May from 1978: 1 May 1978 was a Monday. */
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("1978-05-01")));
	ck_assert(cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("1977-05-02")));
	/* St Andrew's Day from 2007; 30 November 2006 was a Thursday. */
	ck_assert(cw_calendar_is_workday(cal, CW_NATION_SCOTLAND, D("2006-11-30")));
	/* One-offs: the 1977 Silver Jubilee and the moved Spring holiday. */
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("1977-06-06")));
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("1977-06-07")));
	ck_assert(cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("1977-05-30")));
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_NORTHERN_IRELAND, D("1981-07-29")));
}
END_TEST

START_TEST(test_workday_examples)
{
	enum cw_nation ew = CW_NATION_ENGLAND_WALES, sc = CW_NATION_SCOTLAND;

	ck_assert_int_eq(cw_calendar_add_workdays(cal, ew, D("2025-12-23"), 5), D("2026-01-02"));
	/* Scotland also has 2 January 2026 off. */
	ck_assert_int_eq(cw_calendar_add_workdays(cal, sc, D("2025-12-23"), 5), D("2026-01-05"));
	ck_assert_int_eq(cw_calendar_workdays_between(cal, ew, D("2025-12-23"), D("2026-01-02")), 5);
	ck_assert_int_eq(cw_calendar_workdays_between(cal, ew, D("2026-01-02"), D("2025-12-23")), -5);
	ck_assert_int_eq(cw_calendar_workdays_between(cal, ew, D("2025-12-23"), D("2025-12-23")), 0);
	ck_assert_int_eq(cw_calendar_add_workdays(cal, ew, D("2025-12-27"), 0), D("2025-12-27"));
	ck_assert_int_eq(cw_calendar_add_workdays(cal, ew, D("2025-12-27"), 1), D("2025-12-29"));
	ck_assert_int_eq(cw_calendar_add_workdays(cal, ew, D("2025-12-27"), -1), D("2025-12-24"));
	ck_assert_int_eq(cw_calendar_add_workdays(cal, ew, D("2026-01-02"), -5), D("2025-12-23"));
	/* Easter 2026: Thursday 2 April + 1 is Tuesday 7 April. */
	ck_assert_int_eq(cw_calendar_add_workdays(cal, ew, D("2026-04-02"), 1), D("2026-04-07"));
	ck_assert_int_eq(cw_calendar_add_workdays(cal, sc, D("2026-04-02"), 1), D("2026-04-06"));
}
END_TEST

/* Outside 1970-2100 only weekends count. */
START_TEST(test_outside_range)
{
	enum cw_nation ew = CW_NATION_ENGLAND_WALES, sc = CW_NATION_SCOTLAND;

	/* 25 December 1969 was a Thursday. */
	ck_assert(cw_calendar_is_workday(cal, ew, D("1969-12-25")));
	ck_assert_ptr_null(cw_calendar_holiday(cal, ew, D("1969-12-25")));
	ck_assert(!cw_calendar_is_workday(cal, ew, D("1969-12-27")));
	/* Monday 29 December 1969 + 3: E&W had no New Year holiday in 1970. */
	ck_assert_int_eq(cw_calendar_add_workdays(cal, ew, D("1969-12-29"), 3), D("1970-01-01"));
	ck_assert_int_eq(cw_calendar_add_workdays(cal, sc, D("1969-12-29"), 3), D("1970-01-05"));
	/* Christmas 2100 is a Saturday: 27 and 28 off; 2101 has weekends only. */
	ck_assert_int_eq(cw_calendar_workdays_between(cal, ew, D("2100-12-24"), D("2101-01-07")), 8);
	ck_assert_int_eq(cw_calendar_add_workdays(cal, ew, D("2100-12-24"), 4), D("2101-01-03"));
	ck_assert_int_eq(cw_calendar_add_workdays(cal, ew, D("2101-01-03"), -4), D("2100-12-24"));
	ck_assert(cw_calendar_is_workday(cal, ew, D("2101-12-26")));
	/* Far away: 2200-01-01 is a Wednesday, +5 working days is Wednesday 8th. */
	ck_assert_int_eq(cw_calendar_add_workdays(cal, ew, D("2200-01-01"), 5), D("2200-01-08"));
	ck_assert_int_eq(cw_calendar_workdays_between(cal, ew, D("1900-01-01"), D("1900-01-08")), 5);
}
END_TEST

/* Issue 12: a result past 9999-12-31 or before 0001-01-01 is an error, not
 * a wrapped "0000-01-06". */
START_TEST(test_iso_years)
{
	enum cw_nation ew = CW_NATION_ENGLAND_WALES;
	struct cw_error err;
	cw_day r;

	ck_assert_int_eq(CW_DAY_ISO_MIN, D("0001-01-01"));
	ck_assert_int_eq(CW_DAY_ISO_MAX, D("9999-12-31"));
	ck_assert(!cw_calendar_add_workdays_checked(cal, ew, D("9999-12-30"), 5, &r, &err));
	ck_assert_str_eq(err.msg, "9999-12-30 plus 5 working days falls after 9999-12-31 (dates run from 0001-01-01 to 9999-12-31)");
	ck_assert(!cw_calendar_add_workdays_checked(cal, ew, D("0001-01-03"), -5, &r, &err));
	ck_assert_str_eq(err.msg, "0001-01-03 minus 5 working days falls before 0001-01-01 (dates run from 0001-01-01 to 9999-12-31)");
	/* 9999-12-31 is a Friday: the last working day of the range. */
	ck_assert(cw_calendar_add_workdays_checked(cal, ew, D("9999-12-30"), 1, &r, &err));
	ck_assert_int_eq(r, D("9999-12-31"));
	ck_assert(!cw_calendar_add_workdays_checked(cal, ew, D("9999-12-31"), 1, &r, &err));
	/* 0001-01-01 is a Monday. */
	ck_assert(cw_calendar_add_workdays_checked(cal, ew, D("0001-01-03"), -2, &r, &err));
	ck_assert_int_eq(r, D("0001-01-01"));
	ck_assert(!cw_calendar_add_workdays_checked(cal, ew, D("0001-01-01"), -1, &r, &err));
	ck_assert(cw_calendar_add_workdays_checked(cal, ew, D("2025-12-23"), 5, &r, &err));
	ck_assert_int_eq(r, D("2026-01-02"));
}
END_TEST

/* A small seeded generator, so failures reproduce. */
static uint64_t rng_state;

static uint32_t rng(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33);
}

/* The last working day on or before d, by stepping. */
static cw_day last_workday_on_or_before(enum cw_nation n, cw_day d)
{
	while (!cw_calendar_is_workday(cal, n, d))
		d--;
	return d;
}

/* The first working day on or after d, by stepping. */
static cw_day first_workday_on_or_after(enum cw_nation n, cw_day d)
{
	while (!cw_calendar_is_workday(cal, n, d))
		d++;
	return d;
}

/* add(d, n) then between, is, and add(-n) back (to the working day at or
 * before d going forward, at or after d going back). */
START_TEST(test_properties)
{
	cw_day lo = D("1960-01-01"), hi = D("2110-12-31");

	rng_state = 20260329;
	for (int i = 0; i < 20000; i++) {
		enum cw_nation n = (enum cw_nation)(rng() % CW_NATION_COUNT);
		cw_day d = lo + (cw_day)(rng() % (uint32_t)(hi - lo));
		int k = (int)(rng() % 1201) - 600;
		cw_day e = cw_calendar_add_workdays(cal, n, d, k);
		char buf[CW_DAY_STRLEN];

		cw_day_format(d, buf);
		/* Counting back from a non-working day, between() counts d's own
		 * side differently ((e, d] holds one working day fewer than [e, d)),
		 * so the identity holds backwards only from a working day. */
		if (k >= 0 || cw_calendar_is_workday(cal, n, d))
			CHECK(cw_calendar_workdays_between(cal, n, d, e) == k, "%s %+d", buf, k);
		else
			CHECK(cw_calendar_workdays_between(cal, n, d, e) == k + 1, "%s %+d", buf, k);
		if (k != 0) {
			CHECK(cw_calendar_is_workday(cal, n, e), "%s %+d", buf, k);
			CHECK(cw_calendar_add_workdays(cal, n, e, -k) ==
					      (k > 0 ? last_workday_on_or_before(n, d) : first_workday_on_or_after(n, d)),
				      "%s %+d and back", buf, k);
		}
	}
}
END_TEST

/* between() against counting day by day with is_workday(). */
START_TEST(test_between_by_stepping)
{
	cw_day lo = D("1965-01-01"), hi = D("2105-12-31");

	rng_state = 7;
	for (int i = 0; i < 3000; i++) {
		enum cw_nation n = (enum cw_nation)(rng() % CW_NATION_COUNT);
		cw_day a = lo + (cw_day)(rng() % (uint32_t)(hi - lo));
		cw_day b = a + (cw_day)(rng() % 400);
		int count = 0;

		for (cw_day d = a + 1; d <= b; d++)
			count += cw_calendar_is_workday(cal, n, d);
		CHECK(cw_calendar_workdays_between(cal, n, a, b) == count, "between %d %d", a, b);
		CHECK(cw_calendar_workdays_between(cal, n, b, a) == -count, "between %d %d", b, a);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("calendar");
	TCase *dates = tcase_create("dates");
	TCase *hol = tcase_create("holidays");

	tcase_add_test(dates, test_day_numbers);
	tcase_add_test(dates, test_days_against_glibc);
	tcase_add_test(dates, test_weekday);
	tcase_add_test(dates, test_parse_format);
	tcase_add_test(dates, test_leap_years);
	tcase_add_test(dates, test_add_months);
	tcase_add_test(dates, test_nations);
	suite_add_tcase(s, dates);

	tcase_add_checked_fixture(hol, setup, teardown);
	tcase_set_timeout(hol, 60);
	tcase_add_test(hol, test_easter);
	tcase_add_test(hol, test_published_holidays);
	tcase_add_test(hol, test_substitutes);
	tcase_add_test(hol, test_rule_start_years);
	tcase_add_test(hol, test_workday_examples);
	tcase_add_test(hol, test_outside_range);
	tcase_add_test(hol, test_iso_years);
	tcase_add_test(hol, test_properties);
	tcase_add_test(hol, test_between_by_stepping);
	suite_add_tcase(s, hol);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
