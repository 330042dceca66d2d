/* check_clock.c - the daemon's clock: real time, or a test clock file. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "testutil.h"

/* Instants from `date -u -d ... +%s`, an independent source. */
#define T_2026_11_23_0900Z 1795424400LL /* 2026-11-23T09:00:00Z */
#define T_2024_02_29_2359Z 1709251140LL /* 2024-02-29T23:59:00Z */
#define T_1999_12_31_2359_59Z 946684799LL

START_TEST(test_parse)
{
	cw_time t;

	ck_assert(cw_clock_parse_utc("2026-11-23T09:00:00Z", &t));
	ck_assert_int_eq(t, T_2026_11_23_0900Z);
	/* 10:00 at +01:00 is 09:00 UTC. */
	ck_assert(cw_clock_parse_utc("2026-11-23T10:00:00+01:00", &t));
	ck_assert_int_eq(t, T_2026_11_23_0900Z);
	ck_assert(cw_clock_parse_utc("2026-11-23T04:30-04:30", &t));
	ck_assert_int_eq(t, T_2026_11_23_0900Z);
	ck_assert(cw_clock_parse_utc("2024-02-29T23:59Z", &t));
	ck_assert_int_eq(t, T_2024_02_29_2359Z);
	ck_assert(cw_clock_parse_utc("1999-12-31 23:59:59Z", &t));
	ck_assert_int_eq(t, T_1999_12_31_2359_59Z);
}
END_TEST

START_TEST(test_parse_rejects)
{
	static const char *const bad[] = {
		"2026-11-23T09:00:00",	   /* no offset */
		"2026-11-23",		   /* no time */
		"2025-02-29T00:00Z",	   /* not a leap year */
		"2026-13-01T00:00Z",	   /* month 13 */
		"2026-11-23T24:00Z",	   /* hour 24 */
		"2026-11-23T09:00:00Z junk", /* trailing text */
		"",
	};
	cw_time t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!cw_clock_parse_utc(bad[i], &t), "accepted \"%s\"", bad[i]);
}
END_TEST

START_TEST(test_format)
{
	char buf[CW_CLOCK_UTC_STRLEN];

	cw_clock_format_utc(T_2026_11_23_0900Z, buf);
	ck_assert_str_eq(buf, "2026-11-23T09:00:00Z");
	cw_clock_format_utc(T_1999_12_31_2359_59Z, buf);
	ck_assert_str_eq(buf, "1999-12-31T23:59:59Z");
}
END_TEST

START_TEST(test_file_clock)
{
	char path[] = "/tmp/cw-clock-XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	cw_time before = (cw_time)time(NULL), now;

	ck_assert_int_ge(fd, 0);
	close(fd);
	/* No test clock: real time. */
	cw_clock_set_test_file(NULL);
	now = cw_clock_now();
	ck_assert_int_ge(now, before);
	ck_assert_int_le(now, before + 5);
	/* The file is read on every call, so moving it moves the clock. */
	f = fopen(path, "w");
	fputs("  2026-11-23T09:00:00Z\n", f);
	fclose(f);
	cw_clock_set_test_file(path);
	ck_assert_str_eq(cw_clock_test_file(), path);
	ck_assert_int_eq(cw_clock_now(), T_2026_11_23_0900Z);
	f = fopen(path, "w");
	fputs("2026-11-23T10:00:00+01:00", f);
	fclose(f);
	ck_assert_int_eq(cw_clock_now(), T_2026_11_23_0900Z);
	f = fopen(path, "w");
	fputs("2026-11-24T09:00:00Z", f);
	fclose(f);
	ck_assert_int_eq(cw_clock_now(), T_2026_11_23_0900Z + 86400);
	/* A broken file keeps the last good reading. */
	f = fopen(path, "w");
	fputs("tomorrow", f);
	fclose(f);
	ck_assert_int_eq(cw_clock_now(), T_2026_11_23_0900Z + 86400);
	unlink(path);
	cw_clock_set_test_file(NULL);
	ck_assert_ptr_null(cw_clock_test_file());
}
END_TEST

START_TEST(test_read_file_errors)
{
	struct cw_error err;
	char path[] = "/tmp/cw-clock-XXXXXX";
	int fd = mkstemp(path);
	cw_time t;

	ck_assert(write(fd, "yesterday\n", 10) == 10);
	close(fd);
	ck_assert(!cw_clock_read_file(path, &t, &err));
	ck_assert_msg(strstr(err.msg, ":1: \"yesterday\" is not a timestamp with an offset"), "%s",
		      err.msg);
	unlink(path);
	ck_assert(!cw_clock_read_file(path, &t, &err));
	ck_assert_msg(strstr(err.msg, "No such file or directory"), "%s", err.msg);
}
END_TEST

START_TEST(test_monotonic)
{
	int64_t a = cw_clock_monotonic_ms(), b;

	usleep(20 * 1000);
	b = cw_clock_monotonic_ms();
	ck_assert_int_ge(b - a, 20);
	ck_assert_int_lt(b - a, 2000);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("clock");
	TCase *tc = tcase_create("clock");

	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_parse_rejects);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_file_clock);
	tcase_add_test(tc, test_read_file_errors);
	tcase_add_test(tc, test_monotonic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
