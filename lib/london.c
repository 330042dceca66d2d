/* london.c - Europe/London civil time: GMT/BST offsets, wall clock <-> instant. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "casewatch/calendar.h"
#include "calendar_int.h"

#define DAY_SECONDS 86400

/* Floor division for instants before 1970. */
static int64_t floor_div64(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* The first Sunday on or after a date. */
static cw_day sunday_on_or_after(int year, int month, int mday)
{
	cw_day d = cw_day_from_ymd(year, month, mday);

	return d + (7 - cw_day_weekday(d)) % 7;
}

/* The last Sunday of a month (March and October both have 31 days). */
static cw_day last_sunday31(int year, int month)
{
	cw_day d = cw_day_from_ymd(year, month, 31);

	return d - cw_day_weekday(d) % 7;
}

/* The UTC instants at which BST starts and ends in a year. The rules are
 * the Summer Time Acts and Orders as recorded in the tz database:
 *   until 1971-10-31 02:00 UTC  British Standard Time (BST all year, from 1968)
 *   1972-1980  Sunday on/after 16 March 02:00 UTC to Sunday on/after 23 October 02:00 UTC
 *   1981-1995  last Sunday of March 01:00 UTC to Sunday on/after 23 October
 *              (22 October from 1990) 01:00 UTC
 *   1996-      last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC
 * Years before 1970 are treated as the experiment, years after 2100 by the
 * current rule. */
static void bst_span(int year, cw_time *start, cw_time *end)
{
	if (year <= 1970) {
		*start = INT64_MIN;
		*end = INT64_MAX;
	} else if (year == 1971) {
		*start = INT64_MIN;
		*end = (cw_time)cw_day_from_ymd(1971, 10, 31) * DAY_SECONDS + 2 * 3600;
	} else if (year <= 1980) {
		*start = (cw_time)sunday_on_or_after(year, 3, 16) * DAY_SECONDS + 2 * 3600;
		*end = (cw_time)sunday_on_or_after(year, 10, 23) * DAY_SECONDS + 2 * 3600;
	} else if (year <= 1995) {
		*start = (cw_time)last_sunday31(year, 3) * DAY_SECONDS + 3600;
		*end = (cw_time)sunday_on_or_after(year, 10, year < 1990 ? 23 : 22) * DAY_SECONDS + 3600;
	} else {
		*start = (cw_time)last_sunday31(year, 3) * DAY_SECONDS + 3600;
		*end = (cw_time)last_sunday31(year, 10) * DAY_SECONDS + 3600;
	}
}

/* GMT (0) or BST (3600) at an instant. */
int cw_london_offset(cw_time t)
{
	int year, month, mday;
	cw_time start, end;

	cw_day_to_ymd((cw_day)floor_div64(t, DAY_SECONDS), &year, &month, &mday);
	bst_span(year, &start, &end);
	return t >= start && t < end ? 3600 : 0;
}

/* The London date of an instant. */
cw_day cw_london_day(cw_time t)
{
	return (cw_day)floor_div64(t + cw_london_offset(t), DAY_SECONDS);
}

/* Seconds since London midnight. */
int cw_london_seconds_of_day(cw_time t)
{
	cw_time local = t + cw_london_offset(t);

	return (int)(local - floor_div64(local, DAY_SECONDS) * DAY_SECONDS);
}

/* The instant of a London wall-clock time. The BST reading wins when both
 * exist (the autumn fold); when neither does (the spring gap) the GMT
 * reading is taken, which lands the same distance past the gap's end. */
cw_time cw_london_to_utc(cw_day day, int seconds_of_day)
{
	cw_time local = (cw_time)day * DAY_SECONDS + seconds_of_day;

	if (cw_london_offset(local - 3600) == 3600)
		return local - 3600;
	return local;
}

/* ISO 8601 date, date-time in London wall time, or date-time with Z or an
 * explicit offset. Anything else, including trailing text, is refused. */
bool cw_time_parse(const char *text, cw_time *out)
{
	char date[CW_DAY_STRLEN];
	const char *p;
	cw_day day;
	int hh, mm, ss = 0, oh, om, sign;
	int64_t sod;

	if (!text || strlen(text) < 10)
		return false;
	memcpy(date, text, 10);
	date[10] = '\0';
	if (!cw_day_parse(date, &day))
		return false;
	p = text + 10;
	if (*p == '\0') {
		*out = cw_london_to_utc(day, 0);
		return true;
	}
	if (*p != 'T' || !cw_read_digits(p + 1, 2, &hh) || p[3] != ':' || !cw_read_digits(p + 4, 2, &mm))
		return false;
	p += 6;
	if (*p == ':') {
		if (!cw_read_digits(p + 1, 2, &ss))
			return false;
		p += 3;
	}
	if (hh > 23 || mm > 59 || ss > 59)
		return false;
	sod = hh * 3600 + mm * 60 + ss;
	if (*p == '\0') {
		*out = cw_london_to_utc(day, (int)sod);
		return true;
	}
	if (p[0] == 'Z' && p[1] == '\0') {
		*out = (cw_time)day * DAY_SECONDS + sod;
		return true;
	}
	if (p[0] != '+' && p[0] != '-')
		return false;
	sign = p[0] == '+' ? 1 : -1;
	if (!cw_read_digits(p + 1, 2, &oh) || p[3] != ':' || !cw_read_digits(p + 4, 2, &om) || p[6] != '\0')
		return false;
	if (oh > 23 || om > 59)
		return false;
	*out = (cw_time)day * DAY_SECONDS + sod - sign * (oh * 3600 + om * 60);
	return true;
}

/* London wall time with its offset. */
void cw_time_format(cw_time t, char buf[CW_TIME_STRLEN])
{
	char date[CW_DAY_STRLEN];
	int sod = cw_london_seconds_of_day(t);
	int off = cw_london_offset(t);
	unsigned hh = (unsigned)sod / 3600u % 24u, mm = (unsigned)sod / 60u % 60u, ss = (unsigned)sod % 60u;

	cw_day_format(cw_london_day(t), date);
	snprintf(buf, CW_TIME_STRLEN, "%.10sT%02u:%02u:%02u+%02u:00", date, hh, mm, ss,
		 (unsigned)off / 3600u % 10u);
}

/* UTC with a four-digit year (strftime's %Y writes the year 1 as "1"). */
bool cw_time_format_utc(cw_time t, char buf[CW_TIME_UTC_STRLEN])
{
	char date[CW_DAY_STRLEN];
	int64_t sod;

	if (t < CW_TIME_ISO_MIN || t > CW_TIME_ISO_MAX) {
		snprintf(buf, CW_TIME_UTC_STRLEN, "0000-00-00T00:00:00Z");
		return false;
	}
	/* Floor division: the instants before 1970 are negative. */
	sod = t % DAY_SECONDS;
	if (sod < 0)
		sod += DAY_SECONDS;
	cw_day_format((cw_day)((t - sod) / DAY_SECONDS), date);
	/* By hand, as cw_day_format: the daemon formats millions of these. */
	memcpy(buf, date, 10);
	buf[10] = 'T';
	buf[11] = (char)('0' + sod / 36000);
	buf[12] = (char)('0' + sod / 3600 % 10);
	buf[13] = ':';
	buf[14] = (char)('0' + sod / 600 % 6);
	buf[15] = (char)('0' + sod / 60 % 10);
	buf[16] = ':';
	buf[17] = (char)('0' + sod % 60 / 10);
	buf[18] = (char)('0' + sod % 10);
	buf[19] = 'Z';
	buf[20] = '\0';
	return true;
}
