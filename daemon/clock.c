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

/* Parses an ISO 8601 instant with an explicit UTC offset ("Z" or
 * "+HH:MM"), a space allowed for the "T": the calendar's reader, refusing
 * the London wall times it would also take. */
bool cw_clock_parse_utc(const char *text, cw_time *out)
{
	char buf[32];
	size_t n = strlen(text);

	/* The shortest is "YYYY-MM-DDTHH:MMZ". */
	if (n < 17 || n >= sizeof(buf))
		return false;
	if (text[n - 1] != 'Z' && !((text[n - 6] == '+' || text[n - 6] == '-') && text[n - 3] == ':'))
		return false;
	memcpy(buf, text, n + 1);
	if (buf[10] == ' ')
		buf[10] = 'T';
	return cw_time_parse(buf, out);
}

/* Whether a four-digit year can write t (the store takes the same years). */
bool cw_clock_storable(cw_time t)
{
	return t >= CW_TIME_ISO_MIN && t <= CW_TIME_ISO_MAX;
}

/* Formats an instant in UTC: the calendar's formatter, the only one. */
void cw_clock_format_utc(cw_time t, char buf[CW_CLOCK_UTC_STRLEN])
{
	cw_time_format_utc(t, buf);
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
