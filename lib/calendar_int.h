/* calendar_int.h - what the calendar's files share inside lib/ (not public). */
#ifndef CASEWATCH_CALENDAR_INT_H
#define CASEWATCH_CALENDAR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casewatch/calendar.h"

/* One bank holiday of one nation; title is owned by whoever holds the list. */
struct cw_holiday {
	cw_day day;
	char *title;
};

/* A growable list of holidays, kept sorted by day once built. */
struct cw_holiday_list {
	struct cw_holiday *v;
	size_t n, cap;
};

/* One event of a GOV.UK-format document, after validation. */
struct cw_govuk_event {
	cw_day day;
	cw_day replaces; /* the rule day it moves, or CW_GOVUK_NO_REPLACES */
	char *title;	 /* title, with " (substitute day)" when notes say so */
};

#define CW_GOVUK_NO_REPLACES INT32_MIN

/* A parsed GOV.UK-format document: the events of each division it lists. */
struct cw_govuk_doc {
	bool present[CW_NATION_COUNT];
	struct cw_govuk_event *ev[CW_NATION_COUNT];
	size_t nev[CW_NATION_COUNT];
};

/* The first and last day the precomputed tables cover. */
/* Reads exactly n decimal digits into *out; false on anything else. */
bool cw_read_digits(const char *s, int n, int *out);

cw_day cw_calendar_first_day(void);
cw_day cw_calendar_last_day(void);

/* holiday_rules.c: Easter Sunday of a Gregorian year. */
cw_day cw_easter_sunday(int year);
/* holiday_rules.c: appends the rule-generated bank holidays of one nation and
 * year (no one-off days) to list; false only when memory runs out. */
bool cw_holiday_rules(enum cw_nation nation, int year, struct cw_holiday_list *list);

/* calendar.c: list helpers. */
bool cw_holiday_list_add(struct cw_holiday_list *list, cw_day day, const char *title);
void cw_holiday_list_clear(struct cw_holiday_list *list);

/* govuk.c: parses and validates a GOV.UK-format file; allow_replaces admits
 * the one-off file's "replaces" extension. Errors name the file and the JSON
 * path. */
bool cw_govuk_read(const char *path, bool allow_replaces, struct cw_govuk_doc *doc,
		   struct cw_error *err);
void cw_govuk_doc_free(struct cw_govuk_doc *doc);

#endif
