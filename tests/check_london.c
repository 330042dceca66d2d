/* check_london.c - Europe/London time against glibc and tzdata, and ISO parsing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casewatch/calendar.h"
#include "testutil.h"

static void setup(void)
{
	setenv("TZ", "Europe/London", 1);
	tzset();
}

/* glibc's UTC offset at an instant. */
static int glibc_offset(cw_time t)
{
	struct tm tm;

	localtime_r(&(time_t){ (time_t)t }, &tm);
	return (int)tm.tm_gmtoff;
}

static cw_time first_1970(void)
{
	return 0;
}

static cw_time end_2100(void)
{
	return (cw_time)cw_day_from_ymd(2101, 1, 1) * 86400;
}

/* Check's ck_assert records a mark point per call, which costs a write;
 * the million-sample loops below only call into Check on a failure. */
#define CHECK(cond, ...)                           \
	do {                                       \
		if (!(cond))                       \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* Compares offset, London date and time of day with localtime_r. */
static void compare_instant(cw_time t)
{
	struct tm tm;
	int sod;

	localtime_r(&(time_t){ (time_t)t }, &tm);
	sod = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	CHECK(cw_london_offset(t) == tm.tm_gmtoff, "offset at %lld: %d, glibc %ld", (long long)t,
		      cw_london_offset(t), tm.tm_gmtoff);
	CHECK(cw_london_day(t) == cw_day_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday),
		      "day at %lld", (long long)t);
	CHECK(cw_london_seconds_of_day(t) == sod, "time of day at %lld", (long long)t);
}

/* Every hour 1970-2100. */
START_TEST(test_hourly)
{
	for (cw_time t = first_1970(); t < end_2100(); t += 3600)
		compare_instant(t);
}
END_TEST

/* Every transition glibc knows, found by scanning and bisecting, checked at
 * the second before, the second itself and the second after; and the count
 * of transitions (one pair a year from 1972, one in 1971). */
START_TEST(test_transitions)
{
	int transitions = 0;

	for (cw_time t = first_1970(); t < end_2100(); t += 3600) {
		cw_time lo = t, hi = t + 3600;

		if (glibc_offset(lo) == glibc_offset(hi))
			continue;
		while (hi - lo > 1) {
			cw_time mid = lo + (hi - lo) / 2;

			if (glibc_offset(mid) == glibc_offset(lo))
				lo = mid;
			else
				hi = mid;
		}
		/* hi is the first second of the new offset. */
		compare_instant(hi - 1);
		compare_instant(hi);
		compare_instant(hi + 1);
		ck_assert_int_ne(cw_london_offset(hi - 1), cw_london_offset(hi));
		transitions++;
	}
	ck_assert_int_eq(transitions, 1 + 2 * (2100 - 1972 + 1));
}
END_TEST

/* cw_london_to_utc against mktime for four wall times of every day: the
 * earliest instant whose local time matches, else (the gap) the GMT reading. */
START_TEST(test_to_utc)
{
	static const int times[] = { 0, 3600 + 1800, 2 * 3600 + 1800, 12 * 3600 };

	for (cw_day d = cw_day_from_ymd(1970, 1, 1); d <= cw_day_from_ymd(2100, 12, 31); d++) {
		int y, m, md;

		cw_day_to_ymd(d, &y, &m, &md);
		for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
			cw_time best = 0, gmt = 0;
			bool found = false;

			for (int isdst = 1; isdst >= 0; isdst--) {
				struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = md,
						 .tm_hour = times[i] / 3600, .tm_min = times[i] / 60 % 60,
						 .tm_isdst = isdst };
				struct tm back;
				time_t c = mktime(&tm);

				if (isdst == 0)
					gmt = c;
				localtime_r(&c, &back);
				if (back.tm_mday == md && back.tm_hour == times[i] / 3600 &&
				    back.tm_min == times[i] / 60 % 60 && (!found || c < best)) {
					best = c;
					found = true;
				}
			}
			if (!found)
				best = gmt;
			CHECK(cw_london_to_utc(d, times[i]) == best, "%04d-%02d-%02d +%ds", y, m, md,
				      times[i]);
		}
	}
}
END_TEST

static cw_time T(const char *text)
{
	cw_time t;

	CHECK(cw_time_parse(text, &t), "cannot parse %s", text);
	return t;
}

static void assert_format(cw_time t, const char *expected)
{
	char buf[CW_TIME_STRLEN];

	cw_time_format(t, buf);
	ck_assert_str_eq(buf, expected);
}

/* Elapsed hours across the clock changes, worked by hand. */
START_TEST(test_elapsed_across_changes)
{
	/* Spring 2026 (Sunday 29 March, 01:00 UTC). */
	assert_format(T("2026-03-29T01:30:00Z") + 24 * 3600, "2026-03-30T02:30:00+01:00");
	assert_format(T("2026-03-29T00:30:00Z") + 24 * 3600, "2026-03-30T01:30:00+01:00");
	assert_format(T("2026-03-29T00:59:59Z"), "2026-03-29T00:59:59+00:00");
	assert_format(T("2026-03-29T01:00:00Z"), "2026-03-29T02:00:00+01:00");
	/* Midnight to midnight across the change is 23 hours. */
	ck_assert_int_eq(T("2026-03-30") - T("2026-03-29"), 23 * 3600);
	/* Autumn 2026 (Sunday 25 October, 01:00 UTC): 25 hours. */
	ck_assert_int_eq(T("2026-10-26") - T("2026-10-25"), 25 * 3600);
	assert_format(T("2026-10-25T00:30:00Z") + 24 * 3600, "2026-10-26T00:30:00+00:00");
	assert_format(T("2026-10-25T00:59:59Z"), "2026-10-25T01:59:59+01:00");
	assert_format(T("2026-10-25T01:00:00Z"), "2026-10-25T01:00:00+00:00");
	/* 1971-10-31: the end of British Standard Time, 02:00 UTC. */
	assert_format(T("1971-10-31T01:59:59Z"), "1971-10-31T02:59:59+01:00");
	assert_format(T("1971-10-31T02:00:00Z"), "1971-10-31T02:00:00+00:00");
	assert_format(T("1970-01-01T00:00:00Z"), "1970-01-01T01:00:00+01:00");
}
END_TEST

/* The gap moves forward; the fold takes BST. */
START_TEST(test_gap_and_fold)
{
	cw_day spring = cw_day_from_ymd(2026, 3, 29), autumn = cw_day_from_ymd(2026, 10, 25);

	/* 01:30 does not exist on 29 March 2026: it becomes 02:30 BST. */
	assert_format(cw_london_to_utc(spring, 3600 + 1800), "2026-03-29T02:30:00+01:00");
	assert_format(T("2026-03-29T01:30"), "2026-03-29T02:30:00+01:00");
	assert_format(T("2026-03-29T01:00"), "2026-03-29T02:00:00+01:00");
	assert_format(T("2026-03-29T00:59:59"), "2026-03-29T00:59:59+00:00");
	/* 01:30 happens twice on 25 October 2026: the BST one, 00:30 UTC. */
	ck_assert_int_eq(cw_london_to_utc(autumn, 3600 + 1800), T("2026-10-25T00:30:00Z"));
	ck_assert_int_eq(T("2026-10-25T01:30"), T("2026-10-25T00:30:00Z"));
	ck_assert_int_eq(T("2026-10-25T02:00"), T("2026-10-25T02:00:00Z"));
}
END_TEST

START_TEST(test_time_parse)
{
	static const char *const bad[] = { "2026-03-29T", "2026-03-29T1:30", "2026-03-29T24:00",
					   "2026-03-29T12:60", "2026-03-29T12:00:60", "2026-03-29 12:00",
					   "2026-03-29T12:00+1:00", "2026-03-29T12:00+01", "2026-03-29T12:00z",
					   "2026-03-29T12:00:00Zx", "2026-02-30T12:00", "", "2026-03-29T12:00:0" };
	cw_time t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!cw_time_parse(bad[i], &t), "accepted '%s'", bad[i]);
	/* 2026-06-01T12:00 BST is 11:00 UTC = 1780311600 (hand: 20605 days). */
	ck_assert_int_eq(cw_day_from_ymd(2026, 6, 1), 20605);
	ck_assert_int_eq(T("2026-06-01T12:00"), 20605LL * 86400 + 11 * 3600);
	ck_assert_int_eq(T("2026-06-01T12:00:00+01:00"), 20605LL * 86400 + 11 * 3600);
	ck_assert_int_eq(T("2026-06-01T12:00:00-05:30"), 20605LL * 86400 + 17 * 3600 + 1800);
	ck_assert_int_eq(T("2026-06-01T12:00Z"), 20605LL * 86400 + 12 * 3600);
	ck_assert_int_eq(T("2026-06-01"), 20605LL * 86400 - 3600);
	ck_assert_int_eq(T("2026-01-15"), (cw_time)cw_day_from_ymd(2026, 1, 15) * 86400);
	assert_format(T("2026-06-01T12:00:07"), "2026-06-01T12:00:07+01:00");
	assert_format(T("2026-01-15T23:59:59"), "2026-01-15T23:59:59+00:00");
}
END_TEST

/* Issue 12: strftime's %Y wrote the year 1 as "1", which the store refuses. */
START_TEST(test_time_format_utc)
{
	char buf[CW_TIME_UTC_STRLEN];
	cw_time t;

	ck_assert(cw_time_format_utc(0, buf));
	ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
	ck_assert(cw_time_format_utc(-1, buf));
	ck_assert_str_eq(buf, "1969-12-31T23:59:59Z");
	ck_assert(cw_time_format_utc(CW_TIME_ISO_MIN, buf));
	ck_assert_str_eq(buf, "0001-01-01T00:00:00Z");
	ck_assert(cw_time_format_utc(CW_TIME_ISO_MIN + 7 * 86400 + 3661, buf));
	ck_assert_str_eq(buf, "0001-01-08T01:01:01Z");
	ck_assert(cw_time_format_utc(CW_TIME_ISO_MAX, buf));
	ck_assert_str_eq(buf, "9999-12-31T23:59:59Z");
	ck_assert(!cw_time_format_utc(CW_TIME_ISO_MIN - 1, buf));
	ck_assert_str_eq(buf, "0000-00-00T00:00:00Z");
	ck_assert(!cw_time_format_utc(CW_TIME_ISO_MAX + 1, buf));
	/* What it writes, the calendar's reader reads back. */
	ck_assert(cw_time_format_utc(CW_TIME_ISO_MIN + 12345, buf));
	ck_assert(cw_time_parse(buf, &t));
	ck_assert_int_eq(t, CW_TIME_ISO_MIN + 12345);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("london");
	TCase *tc = tcase_create("london");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_hourly);
	tcase_add_test(tc, test_transitions);
	tcase_add_test(tc, test_to_utc);
	tcase_add_test(tc, test_elapsed_across_changes);
	tcase_add_test(tc, test_gap_and_fold);
	tcase_add_test(tc, test_time_parse);
	tcase_add_test(tc, test_time_format_utc);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
