/* holiday_rules.c - the recurring UK bank holidays, generated from their rules. */
#include "config.h"

#include <string.h>

#include "calendar_int.h"

/* Titles as GOV.UK spells them (with its typographic apostrophe). */
#define T_NEW_YEAR "New Year\u2019s Day"
#define T_2ND_JANUARY "2nd January"
#define T_ST_PATRICK "St Patrick\u2019s Day"
#define T_GOOD_FRIDAY "Good Friday"
#define T_EASTER_MONDAY "Easter Monday"
#define T_EARLY_MAY "Early May bank holiday"
#define T_SPRING "Spring bank holiday"
#define T_BOYNE "Battle of the Boyne (Orangemen\u2019s Day)"
#define T_SUMMER "Summer bank holiday"
#define T_ST_ANDREW "St Andrew\u2019s Day"
#define T_CHRISTMAS "Christmas Day"
#define T_BOXING "Boxing Day"
#define SUBSTITUTE " (substitute day)"

/* Easter Sunday by the anonymous Gregorian computus (Meeus/Jones/Butcher). */
cw_day cw_easter_sunday(int year)
{
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int mday = (h + l - 7 * m + 114) % 31 + 1;

	return cw_day_from_ymd(year, month, mday);
}

/* The first given weekday (1 = Monday) of a month. */
static cw_day first_weekday(int year, int month, int wday)
{
	cw_day d = cw_day_from_ymd(year, month, 1);

	return d + (wday - cw_day_weekday(d) + 7) % 7;
}

/* The last Monday of a month with 31 days (May, August). */
static cw_day last_monday31(int year, int month)
{
	cw_day d = cw_day_from_ymd(year, month, 31);

	return d - (cw_day_weekday(d) - 1);
}

/* A fixed-date holiday and where it ended up. */
struct fixed {
	int month, mday;
	const char *title;
	cw_day day; /* 0 until placed */
	bool placed;
};

/* True if an already placed holiday sits on day. */
static bool taken(const struct fixed *f, int n, cw_day day)
{
	for (int i = 0; i < n; i++)
		if (f[i].placed && f[i].day == day)
			return true;
	return false;
}

/* Places fixed-date holidays the way the Banking and Financial Dealings Act
 * 1971 and the proclamations do: a holiday on a weekday stays; one on a
 * weekend moves to the next weekday not already a holiday, in date order
 * (Christmas on a Saturday: Monday 27 and Tuesday 28; on a Sunday: Boxing
 * Day Monday 26, Christmas Tuesday 27). */
static bool add_fixed(int year, struct fixed *f, int n, struct cw_holiday_list *list)
{
	char title[128];

	for (int i = 0; i < n; i++) {
		f[i].day = cw_day_from_ymd(year, f[i].month, f[i].mday);
		f[i].placed = cw_day_weekday(f[i].day) <= 5;
	}
	for (int i = 0; i < n; i++) {
		cw_day d;

		if (f[i].placed)
			continue;
		d = f[i].day;
		while (cw_day_weekday(d) > 5 || taken(f, n, d))
			d++;
		f[i].day = d;
		f[i].placed = true;
		strcpy(title, f[i].title);
		strcat(title, SUBSTITUTE);
		f[i].title = NULL;
		if (!cw_holiday_list_add(list, d, title))
			return false;
	}
	for (int i = 0; i < n; i++)
		if (f[i].title && !cw_holiday_list_add(list, f[i].day, f[i].title))
			return false;
	return true;
}

/* The rule-generated holidays of one nation in one year. One-off days
 * (jubilees, royal weddings, moved days) come from the one-off file. */
bool cw_holiday_rules(enum cw_nation nation, int year, struct cw_holiday_list *list)
{
	struct fixed jan[2], mid[2], dec[3];
	int njan = 0, nmid = 0, ndec = 0;
	cw_day easter = cw_easter_sunday(year);
	bool ok = true;

	/* New Year's Day: Scotland always; England, Wales and NI from 1974. */
	if (nation == CW_NATION_SCOTLAND || year >= 1974)
		jan[njan++] = (struct fixed){ 1, 1, T_NEW_YEAR, 0, false };
	if (nation == CW_NATION_SCOTLAND)
		jan[njan++] = (struct fixed){ 1, 2, T_2ND_JANUARY, 0, false };
	ok = ok && add_fixed(year, jan, njan, list);

	if (nation == CW_NATION_NORTHERN_IRELAND) {
		mid[nmid++] = (struct fixed){ 3, 17, T_ST_PATRICK, 0, false };
		ok = ok && add_fixed(year, mid, nmid, list);
		nmid = 0;
	}

	ok = ok && cw_holiday_list_add(list, easter - 2, T_GOOD_FRIDAY);
	if (nation != CW_NATION_SCOTLAND)
		ok = ok && cw_holiday_list_add(list, easter + 1, T_EASTER_MONDAY);
	if (year >= 1978)
		ok = ok && cw_holiday_list_add(list, first_weekday(year, 5, 1), T_EARLY_MAY);
	if (year >= 1971)
		ok = ok && cw_holiday_list_add(list, last_monday31(year, 5), T_SPRING);

	if (nation == CW_NATION_NORTHERN_IRELAND) {
		mid[nmid++] = (struct fixed){ 7, 12, T_BOYNE, 0, false };
		ok = ok && add_fixed(year, mid, nmid, list);
	}

	if (nation == CW_NATION_SCOTLAND)
		ok = ok && cw_holiday_list_add(list, first_weekday(year, 8, 1), T_SUMMER);
	else
		ok = ok && cw_holiday_list_add(list, last_monday31(year, 8), T_SUMMER);

	/* St Andrew's Day: Scotland, from the 2007 Act. */
	if (nation == CW_NATION_SCOTLAND && year >= 2007)
		dec[ndec++] = (struct fixed){ 11, 30, T_ST_ANDREW, 0, false };
	dec[ndec++] = (struct fixed){ 12, 25, T_CHRISTMAS, 0, false };
	/* Boxing Day: Scotland from 1974. */
	if (nation != CW_NATION_SCOTLAND || year >= 1974)
		dec[ndec++] = (struct fixed){ 12, 26, T_BOXING, 0, false };
	ok = ok && add_fixed(year, dec, ndec, list);
	return ok;
}
