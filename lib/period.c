/* period.c - parsing periods and turning an anchor plus a period into a deadline. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/period.h"

static const char *const unit_names[CW_UNIT_COUNT] = {
	[CW_UNIT_HOURS] = "h",	[CW_UNIT_WORKDAYS] = "wd", [CW_UNIT_DAYS] = "d",
	[CW_UNIT_WEEKS] = "w",	[CW_UNIT_MONTHS] = "m",	   [CW_UNIT_YEARS] = "y",
};

/* The unit's spelling in profiles. */
const char *cw_period_unit_name(enum cw_period_unit unit)
{
	if ((int)unit < 0 || unit >= CW_UNIT_COUNT)
		return "?";
	return unit_names[unit];
}

/* Exact, case-sensitive match against the six spellings. */
bool cw_period_unit_parse(const char *text, enum cw_period_unit *out)
{
	for (int u = 0; u < CW_UNIT_COUNT; u++)
		if (!strcmp(text, unit_names[u])) {
			*out = (enum cw_period_unit)u;
			return true;
		}
	return false;
}

/* Hours are elapsed time; every other unit counts civil dates. */
bool cw_period_is_day_based(const struct cw_period *p)
{
	return p->unit != CW_UNIT_HOURS;
}

/* Digits then a unit, e.g. "5wd". */
bool cw_period_parse(const char *text, struct cw_period *out, struct cw_error *err)
{
	const char *s = text;
	long amount = 0;

	if (!isdigit((unsigned char)*s))
		return cw_error_set(err, "invalid period \"%s\" (expected an amount and a unit, e.g. \"5wd\")",
				    text);
	while (isdigit((unsigned char)*s)) {
		amount = amount * 10 + (*s - '0');
		if (amount > CW_PERIOD_MAX_AMOUNT)
			return cw_error_set(err, "period \"%s\" is too long (at most %d units)", text,
					    CW_PERIOD_MAX_AMOUNT);
		s++;
	}
	if (!cw_period_unit_parse(s, &out->unit))
		return cw_error_set(err, "unknown unit \"%s\" in period \"%s\" (expected h, wd, d, w, m, y)",
				    s, text);
	out->amount = (int)amount;
	return true;
}

/* The string form, or an object {"amount": N, "unit": "U"}. */
bool cw_period_from_json(const json_t *value, struct cw_period *out, struct cw_error *err)
{
	const json_t *amount, *unit;
	const char *key;
	json_t *v;

	if (json_is_string(value)) {
		if (!cw_period_parse(json_string_value(value), out, err))
			return cw_error_prefix(err, ": ");
		return true;
	}
	if (!json_is_object(value))
		return cw_error_set(err, ": a period must be a string like \"5wd\" or {\"amount\": 5, \"unit\": \"wd\"}");
	json_object_foreach((json_t *)value, key, v) {
		if (strcmp(key, "amount") && strcmp(key, "unit"))
			return cw_error_set(err, ".%s: unknown key (a period has amount and unit)", key);
	}
	amount = json_object_get(value, "amount");
	unit = json_object_get(value, "unit");
	if (!json_is_integer(amount))
		return cw_error_set(err, ".amount: %s (expected a whole number)",
				    amount ? "not a whole number" : "missing");
	if (json_integer_value(amount) < 0 || json_integer_value(amount) > CW_PERIOD_MAX_AMOUNT)
		return cw_error_set(err, ".amount: %lld is out of range (0..%d)",
				    (long long)json_integer_value(amount), CW_PERIOD_MAX_AMOUNT);
	if (!json_is_string(unit))
		return cw_error_set(err, ".unit: %s (expected h, wd, d, w, m, y)",
				    unit ? "not a string" : "missing");
	if (!cw_period_unit_parse(json_string_value(unit), &out->unit))
		return cw_error_set(err, ".unit: unknown unit \"%s\" (expected h, wd, d, w, m, y)",
				    json_string_value(unit));
	out->amount = (int)json_integer_value(amount);
	return true;
}

/* Back to the string form. */
void cw_period_format(const struct cw_period *p, char buf[CW_PERIOD_STRLEN])
{
	snprintf(buf, CW_PERIOD_STRLEN, "%d%s", p->amount, cw_period_unit_name(p->unit));
}

/* Rough lengths, good enough to tell that a warning is longer than its period. */
double cw_period_nominal_seconds(const struct cw_period *p)
{
	static const double unit_seconds[CW_UNIT_COUNT] = {
		[CW_UNIT_HOURS] = 3600.0,	      [CW_UNIT_WORKDAYS] = 86400.0 * 7 / 5,
		[CW_UNIT_DAYS] = 86400.0,	      [CW_UNIT_WEEKS] = 86400.0 * 7,
		[CW_UNIT_MONTHS] = 86400.0 * 30.436875, [CW_UNIT_YEARS] = 86400.0 * 365.2425,
	};

	return p->amount * unit_seconds[p->unit];
}

/* "17:00" or "23:59:59". */
bool cw_period_parse_time_of_day(const char *text, int *seconds)
{
	int h, m, s = 0, n = 0;

	if (strlen(text) == 5) {
		if (sscanf(text, "%2d:%2d%n", &h, &m, &n) != 2 || n != 5)
			return false;
	} else if (strlen(text) == 8) {
		if (sscanf(text, "%2d:%2d:%2d%n", &h, &m, &s, &n) != 3 || n != 8)
			return false;
	} else {
		return false;
	}
	if (!isdigit((unsigned char)text[0]) || !isdigit((unsigned char)text[3]))
		return false;
	if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59)
		return false;
	*seconds = h * 3600 + m * 60 + s;
	return true;
}

/* Date arithmetic for the day-based units, in either direction. */
cw_day cw_period_shift_day(const struct cw_period *p, cw_day day, int sign,
			   const struct cw_calendar *cal, enum cw_nation nation)
{
	int n = sign < 0 ? -p->amount : p->amount;

	switch (p->unit) {
	case CW_UNIT_WORKDAYS:
		return cw_calendar_add_workdays(cal, nation, day, n);
	case CW_UNIT_DAYS:
		return day + n;
	case CW_UNIT_WEEKS:
		return day + 7 * n;
	case CW_UNIT_MONTHS:
		return cw_day_add_months(day, n);
	case CW_UNIT_YEARS:
		return cw_day_add_months(day, 12 * n);
	case CW_UNIT_HOURS:
	case CW_UNIT_COUNT:
		break;
	}
	return day;
}

/* Hours: elapsed seconds. Days: end of day on the shifted London date. */
cw_time cw_period_due(const struct cw_period *p, cw_time anchor, const struct cw_calendar *cal,
		      enum cw_nation nation, int end_of_day_seconds)
{
	if (p->unit == CW_UNIT_HOURS)
		return anchor + (cw_time)p->amount * 3600;
	return cw_london_to_utc(cw_period_shift_day(p, cw_london_day(anchor), 1, cal, nation),
				end_of_day_seconds);
}

/* The mirror image of cw_period_due, counted back from the event. */
cw_time cw_period_before(const struct cw_period *p, cw_time event_at,
			 const struct cw_calendar *cal, enum cw_nation nation,
			 int end_of_day_seconds)
{
	if (p->unit == CW_UNIT_HOURS)
		return event_at - (cw_time)p->amount * 3600;
	return cw_london_to_utc(cw_period_shift_day(p, cw_london_day(event_at), -1, cal, nation),
				end_of_day_seconds);
}

/* "Same working day": today if it is a working day, else the next one. */
cw_time cw_period_end_of_working_day(cw_time at, const struct cw_calendar *cal,
				     enum cw_nation nation, int end_of_day_seconds)
{
	cw_day day = cw_london_day(at);

	if (!cw_calendar_is_workday(cal, nation, day))
		day = cw_calendar_add_workdays(cal, nation, day, 1);
	return cw_london_to_utc(day, end_of_day_seconds);
}
