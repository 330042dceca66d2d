/* day.c - civil dates (proleptic Gregorian) and the names of the UK nations. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "casewatch/calendar.h"
#include "calendar_int.h"

static const char *const nation_names[CW_NATION_COUNT] = {
	[CW_NATION_ENGLAND_WALES] = "england-and-wales",
	[CW_NATION_SCOTLAND] = "scotland",
	[CW_NATION_NORTHERN_IRELAND] = "northern-ireland",
};

/* GOV.UK's division name for a nation. */
const char *cw_nation_name(enum cw_nation nation)
{
	if ((unsigned)nation >= CW_NATION_COUNT)
		return "unknown";
	return nation_names[nation];
}

/* The nation a GOV.UK division name stands for. */
bool cw_nation_parse(const char *name, enum cw_nation *out)
{
	for (int i = 0; i < CW_NATION_COUNT; i++) {
		if (!strcmp(name, nation_names[i])) {
			*out = (enum cw_nation)i;
			return true;
		}
	}
	return false;
}

/* Floor division, so dates before 1970 work like the ones after. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Days since 1970-01-01 of a civil date, counting years from 1 March so
 * that the leap day falls at the end of the counted year. */
cw_day cw_day_from_ymd(int year, int month, int mday)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t mp = (month + 9) % 12; /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + mday - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (cw_day)(era * 146097 + doe - 719468);
}

/* The civil date of a day number: the inverse of cw_day_from_ymd. */
void cw_day_to_ymd(cw_day day, int *year, int *month, int *mday)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	*year = (int)(yoe + era * 400 + (m <= 2));
	*month = (int)m;
	*mday = (int)d;
}

/* ISO weekday; 1970-01-01 was a Thursday (4). */
int cw_day_weekday(cw_day day)
{
	int64_t r = ((int64_t)day + 3) % 7;

	if (r < 0)
		r += 7;
	return (int)r + 1;
}

/* Gregorian leap years. */
static bool is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

/* Days in a month of a year. */
static int month_days(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

/* Reads exactly n decimal digits (for the strict parsers of dates and times). */
bool cw_read_digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* Strict ISO date: four-digit year, two-digit month and day, nothing else. */
bool cw_day_parse(const char *text, cw_day *out)
{
	int y, m, d;

	if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return false;
	if (!cw_read_digits(text, 4, &y) || !cw_read_digits(text + 5, 2, &m) || !cw_read_digits(text + 8, 2, &d))
		return false;
	if (m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return false;
	*out = cw_day_from_ymd(y, m, d);
	return true;
}

/* "YYYY-MM-DD". */
/* n as exactly width digits (the leading ones zero). */
static void put_digits(char *p, unsigned n, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + n % 10u);
		n /= 10u;
	}
}

/* By hand, not snprintf: every time the daemon sends or logs goes through
 * here (a first sweep formats millions). */
void cw_day_format(cw_day day, char buf[CW_DAY_STRLEN])
{
	int y, m, d;

	cw_day_to_ymd(day, &y, &m, &d);
	/* Years outside 0-9999 wrap; the calendar never produces them. */
	put_digits(buf, (unsigned)((y % 10000 + 10000) % 10000), 4);
	buf[4] = '-';
	put_digits(buf + 5, (unsigned)m % 100u, 2);
	buf[7] = '-';
	put_digits(buf + 8, (unsigned)d % 100u, 2);
	buf[10] = '\0';
}

/* Calendar months later (or earlier), clamped to the target month's end. */
cw_day cw_day_add_months(cw_day day, int months)
{
	int y, m, d;
	int64_t idx;

	cw_day_to_ymd(day, &y, &m, &d);
	idx = (int64_t)y * 12 + (m - 1) + months;
	y = (int)floor_div(idx, 12);
	m = (int)(idx - (int64_t)y * 12) + 1;
	if (d > month_days(y, m))
		d = month_days(y, m);
	return cw_day_from_ymd(y, m, d);
}
