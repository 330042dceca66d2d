/*
 * calendar.h - UK working days and Europe/London civil time.
 *
 * Every deadline casewatch computes rests on this module: civil dates,
 * instants, the clock changes of Europe/London, and the bank holidays of the
 * three UK holiday divisions. A built calendar is immutable and may be shared
 * read-only; working-day arithmetic on it is O(log n) or better, because the
 * engine calls it millions of times per sweep.
 */
#ifndef CASEWATCH_CALENDAR_H
#define CASEWATCH_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casewatch/error.h"

/* A civil date as days since 1970-01-01 (negative before it). */
typedef int32_t cw_day;
/* An instant as seconds since the Unix epoch, UTC. */
typedef int64_t cw_time;

/* The range of years whose bank holidays the calendar knows. */
#define CW_CALENDAR_FIRST_YEAR 1970
#define CW_CALENDAR_LAST_YEAR 2100

/* The dates a four-digit year can write: 0001-01-01 and 9999-12-31. */
#define CW_DAY_ISO_MIN (-719162)
#define CW_DAY_ISO_MAX 2932896
/* An ISO date "YYYY-MM-DD" plus its terminating NUL. */
#define CW_DAY_STRLEN 11
/* "YYYY-MM-DDTHH:MM:SS+HH:MM" plus NUL. */
#define CW_TIME_STRLEN 26
/* "YYYY-MM-DDTHH:MM:SSZ" plus NUL. */
#define CW_TIME_UTC_STRLEN 21
/* The instants a four-digit year can write: 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59Z (the store's timestamps take the same range). */
#define CW_TIME_ISO_MIN INT64_C(-62135596800)
#define CW_TIME_ISO_MAX INT64_C(253402300799)

enum cw_nation {
	CW_NATION_ENGLAND_WALES,
	CW_NATION_SCOTLAND,
	CW_NATION_NORTHERN_IRELAND,
	CW_NATION_COUNT
};

/* "england-and-wales", "scotland", "northern-ireland" (GOV.UK's division names). */
const char *cw_nation_name(enum cw_nation nation);
/* Parses a nation name; returns false if it is none of the three. */
bool cw_nation_parse(const char *name, enum cw_nation *out);

/* Civil dates (proleptic Gregorian). */
cw_day cw_day_from_ymd(int year, int month, int mday);
void cw_day_to_ymd(cw_day day, int *year, int *month, int *mday);
/* ISO weekday: 1 = Monday ... 7 = Sunday. */
int cw_day_weekday(cw_day day);
/* Strict "YYYY-MM-DD"; returns false on anything else (including 2025-02-30). */
bool cw_day_parse(const char *text, cw_day *out);
void cw_day_format(cw_day day, char buf[CW_DAY_STRLEN]);
/* Adds calendar months, clamping to the end of a shorter month
 * (31 January + 1 month = 28 or 29 February). */
cw_day cw_day_add_months(cw_day day, int months);

/* Europe/London. */
/* Offset from UTC in seconds at an instant: 0 (GMT) or 3600 (BST). */
int cw_london_offset(cw_time t);
/* The London civil date of an instant. */
cw_day cw_london_day(cw_time t);
/* Seconds since London midnight of an instant. */
int cw_london_seconds_of_day(cw_time t);
/* The instant of a London wall-clock time. A time that does not exist
 * (the spring-forward gap) is moved forward by the gap; an ambiguous one
 * (the autumn fold) takes the earlier, BST, reading. */
cw_time cw_london_to_utc(cw_day day, int seconds_of_day);
/* ISO 8601: "YYYY-MM-DDTHH:MM[:SS]" as London wall time, or with "Z" or a
 * "+HH:MM"/"-HH:MM" offset; a bare date means London midnight. */
bool cw_time_parse(const char *text, cw_time *out);
/* London wall time with its offset, e.g. "2026-03-29T03:30:00+01:00". */
void cw_time_format(cw_time t, char buf[CW_TIME_STRLEN]);
/* UTC, e.g. "0001-01-08T00:00:00Z": the one formatter of every instant
 * casewatch hands on (store, socket, syslog, --json), always a four-digit
 * year. Outside CW_TIME_ISO_MIN..MAX it writes "0000-00-00T00:00:00Z" and
 * returns false; callers leave such a time out and report it. */
bool cw_time_format_utc(cw_time t, char buf[CW_TIME_UTC_STRLEN]);

/* The bank-holiday calendar. */
struct cw_calendar;

/* Builds the calendar from the holiday rules plus the one-off days in the
 * shipped GOV.UK-format file at oneoff_path (NULL: the installed default,
 * or $CASEWATCH_DATADIR/holidays/one-off.json when that is set). */
struct cw_calendar *cw_calendar_new(const char *oneoff_path, struct cw_error *err);
void cw_calendar_free(struct cw_calendar *cal);

/* Loads a GOV.UK bank-holidays.json document. For each division and each
 * year the document lists, the document's days replace the calendar's for
 * that year. On any error the calendar is left exactly as it was and err
 * names the file and what is wrong. */
bool cw_calendar_load_govuk(struct cw_calendar *cal, const char *path, struct cw_error *err);

/* True for a weekday that is not a bank holiday of the nation. Days outside
 * the calendar's years count weekends only. */
bool cw_calendar_is_workday(const struct cw_calendar *cal, enum cw_nation nation, cw_day day);
/* The bank holiday's title on that day, or NULL. */
const char *cw_calendar_holiday(const struct cw_calendar *cal, enum cw_nation nation, cw_day day);
/* The n-th working day after day (day itself not counted); a negative n
 * counts backwards; n = 0 returns day. The result may lie outside the
 * years 1-9999 (the engine's callers leave such times out and report them). */
cw_day cw_calendar_add_workdays(const struct cw_calendar *cal, enum cw_nation nation, cw_day day,
				int n);
/* The same, refusing a result outside 0001-01-01..9999-12-31 (which
 * cw_day_format cannot write): false, with err naming the date and the
 * count. For results shown to a person or handed on. */
bool cw_calendar_add_workdays_checked(const struct cw_calendar *cal, enum cw_nation nation,
				      cw_day day, int n, cw_day *out, struct cw_error *err);
/* Working days after from, up to and including to; negative when to < from. */
int cw_calendar_workdays_between(const struct cw_calendar *cal, enum cw_nation nation, cw_day from,
				 cw_day to);

#endif /* CASEWATCH_CALENDAR_H */
