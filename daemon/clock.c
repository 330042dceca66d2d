/* clock.c - real or test time for the daemon, and monotonic milliseconds. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"

/* The test clock file, when one is set (the daemon's only clock state). */
static char *test_clock_path;
static cw_time test_clock_last;

/* Sets or clears the test clock file. */
void cw_clock_set_test_file(const char *path)
{
	free(test_clock_path);
	test_clock_path = (path && *path) ? strdup(path) : NULL;
	test_clock_last = 0;
}

/* The test clock file in use, or NULL. */
const char *cw_clock_test_file(void)
{
	return test_clock_path;
}

/* Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil algorithm). */
static int64_t clock_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Reads exactly n digits at *p into *out, advancing *p. */
static bool clock_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

/* Parses an ISO 8601 instant with an explicit UTC offset. */
bool cw_clock_parse_utc(const char *text, cw_time *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = text;
	int y, mo, d, h, mi, s = 0, oh = 0, om = 0, sign = 1;
	bool leap;

	if (!clock_digits(&p, 4, &y) || *p++ != '-' || !clock_digits(&p, 2, &mo) || *p++ != '-' ||
	    !clock_digits(&p, 2, &d) || (*p != 'T' && *p != ' ') || !(p++, clock_digits(&p, 2, &h)) ||
	    *p++ != ':' || !clock_digits(&p, 2, &mi))
		return false;
	if (*p == ':') {
		p++;
		if (!clock_digits(&p, 2, &s))
			return false;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (!clock_digits(&p, 2, &oh) || *p++ != ':' || !clock_digits(&p, 2, &om) || oh > 23 || om > 59)
			return false;
	} else {
		return false;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || s > 59)
		return false;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo == 2 && d == 29 && !leap)
		return false;
	*out = clock_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s -
	       sign * (oh * 3600 + om * 60);
	return true;
}

bool cw_clock_storable(cw_time t)
{
	/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
	return t >= INT64_C(-62135596800) && t <= INT64_C(253402300799);
}

/* Formats an instant in UTC. */
void cw_clock_format_utc(cw_time t, char buf[CW_CLOCK_UTC_STRLEN])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!cw_clock_storable(t) || !gmtime_r(&tt, &tm)) {
		snprintf(buf, CW_CLOCK_UTC_STRLEN, "0000-00-00T00:00:00Z");
		return;
	}
	strftime(buf, CW_CLOCK_UTC_STRLEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Reads and parses a test clock file. */
bool cw_clock_read_file(const char *path, cw_time *out, struct cw_error *err)
{
	char buf[128], *start, *end;
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return cw_error_set(err, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (start = buf; isspace((unsigned char)*start); start++)
		;
	for (end = start + strlen(start); end > start && isspace((unsigned char)end[-1]); end--)
		;
	*end = '\0';
	if (!cw_clock_parse_utc(start, out))
		return cw_error_set(err, "%s:1: \"%.40s\" is not a timestamp with an offset "
				    "(e.g. 2026-11-23T09:00:00Z)", path, start);
	return true;
}

/* The daemon's now: the test clock file if set, else the system clock. */
cw_time cw_clock_now(void)
{
	struct cw_error err;
	cw_time t;

	if (!test_clock_path)
		return (cw_time)time(NULL);
	if (cw_clock_read_file(test_clock_path, &t, &err)) {
		test_clock_last = t;
		return t;
	}
	cw_log_ratelimited("clock-file", CW_LOG_WARNING, "test clock: %s", err.msg);
	return test_clock_last ? test_clock_last : (cw_time)time(NULL);
}

/* Monotonic milliseconds, for timers and intervals. */
int64_t cw_clock_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
