/*
 * period.h - an amount of time in a policy's units, and when it falls due.
 *
 * A period is an amount and a unit: h (clock hours), wd (working days of the
 * profile's nation), d (calendar days), w (weeks), m (calendar months) and
 * y (years). The semantics, relied on by every deadline casewatch computes:
 *
 *  - h is elapsed time: anchor + amount * 3600 s, whatever the clocks do
 *    (24 h after 10:00 on the Saturday before the spring change is 11:00
 *    BST on Sunday).
 *  - wd, d, w, m and y are counted on the London civil date of the anchor;
 *    the result falls due at the profile's end of day (seconds after London
 *    midnight, e.g. 86399 for 23:59:59 or 61200 for 17:00) on the resulting
 *    date.
 *  - wd: the amount-th working day after the anchor's date (the anchor's own
 *    date never counts, so an event on a Saturday + 1 wd is the Monday).
 *  - m and y add calendar months and clamp to the end of a shorter month:
 *    31 January + 1 m = 28 (or 29) February.
 *  - "before" periods count backwards from the event's date the same way:
 *    2 wd before a Thursday conference is the Tuesday (Wednesday is
 *    the first working day before, Tuesday the second), at end of day; h
 *    before is elapsed time before the event's instant.
 *  - amount 0 of a day unit means "end of the anchor's own date".
 */
#ifndef CASEWATCH_PERIOD_H
#define CASEWATCH_PERIOD_H

#include <stdbool.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/error.h"

enum cw_period_unit {
	CW_UNIT_HOURS,	  /* h */
	CW_UNIT_WORKDAYS, /* wd */
	CW_UNIT_DAYS,	  /* d */
	CW_UNIT_WEEKS,	  /* w */
	CW_UNIT_MONTHS,	  /* m */
	CW_UNIT_YEARS,	  /* y */
	CW_UNIT_COUNT
};

struct cw_period {
	int amount; /* >= 0 */
	enum cw_period_unit unit;
};

/* "24h", "5wd", ...: longest is "2147483647wd" plus NUL. */
#define CW_PERIOD_STRLEN 16
/* End of day when a profile does not say: 23:59:59. */
#define CW_END_OF_DAY_DEFAULT (24 * 3600 - 1)
/* The amount a period may have at most (100 years of hours and then some). */
#define CW_PERIOD_MAX_AMOUNT 1000000

/* "h", "wd", "d", "w", "m", "y". */
const char *cw_period_unit_name(enum cw_period_unit unit);
/* Parses a unit name; false if it is none of the six. */
bool cw_period_unit_parse(const char *text, enum cw_period_unit *out);
/* True for the units counted on civil dates (everything but h). */
bool cw_period_is_day_based(const struct cw_period *p);

/* Parses "24h", "5wd", "3m", "6w", "1y" (no spaces, no sign). On failure
 * err says what is wrong with the text. */
bool cw_period_parse(const char *text, struct cw_period *out, struct cw_error *err);
/* Parses either the string form or {"amount": 5, "unit": "wd"}. On failure
 * err starts with the relative JSON path of the bad value (".unit: ...",
 * ".amount: ...", or ": ..." for the value itself) so callers can prefix it. */
bool cw_period_from_json(const json_t *value, struct cw_period *out, struct cw_error *err);
/* "5wd". */
void cw_period_format(const struct cw_period *p, char buf[CW_PERIOD_STRLEN]);
/* A nominal length in seconds (wd = 7/5 day, m = 30.44 d, y = 365.25 d), only
 * for comparing periods of different units in validation. */
double cw_period_nominal_seconds(const struct cw_period *p);

/* Parses "HH:MM" or "HH:MM:SS" into seconds after midnight (0..86399). */
bool cw_period_parse_time_of_day(const char *text, int *seconds);

/* The London civil date amount units after (sign > 0) or before (sign < 0)
 * day; p must be day-based. */
cw_day cw_period_shift_day(const struct cw_period *p, cw_day day, int sign,
			   const struct cw_calendar *cal, enum cw_nation nation);
/* When a period that starts at anchor falls due (see the semantics above). */
cw_time cw_period_due(const struct cw_period *p, cw_time anchor, const struct cw_calendar *cal,
		      enum cw_nation nation, int end_of_day_seconds);
/* The end of the working day an instant falls on, at end_of_day_seconds;
 * when its London date is not a working day, the end of the next one. */
cw_time cw_period_end_of_working_day(cw_time at, const struct cw_calendar *cal,
				     enum cw_nation nation, int end_of_day_seconds);
/* The deadline a period before an event at event_at. */
cw_time cw_period_before(const struct cw_period *p, cw_time event_at,
			 const struct cw_calendar *cal, enum cw_nation nation,
			 int end_of_day_seconds);

#endif /* CASEWATCH_PERIOD_H */
