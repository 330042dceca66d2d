/*
 * alerts_format.h - how casewatchctl writes alert times for people: London
 * wall time, and due times in words ("overdue by 3 days"); and HTML escaping.
 */
#ifndef CASEWATCH_CTL_ALERTS_FORMAT_H
#define CASEWATCH_CTL_ALERTS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "casewatch/calendar.h"

/* Room for ctl_london_text ("Wed 18 Nov 2026 23:59 GMT") and ctl_due_words. */
#define CTL_LONDON_STRLEN 32
#define CTL_DUE_WORDS_STRLEN 96

/* Parses a protocol time ("2026-11-20T23:59:59Z"); false when text is NULL or not a time. */
bool ctl_parse_time(const char *text, cw_time *out);

/* t as London wall time with the zone: "Wed 18 Nov 2026 23:59 GMT" (BST in summer). */
void ctl_london_text(cw_time t, char buf[CTL_LONDON_STRLEN]);

/* A protocol time (UTC) for people: London time with the zone; the text
 * itself when it is not a time, "-" when NULL. */
const char *ctl_time_text(const char *utc, char buf[CTL_LONDON_STRLEN]);

/*
 * How due relates to now, in words: "overdue by 3 days", "overdue by
 * 5 hours", "overdue by 20 minutes", "overdue by less than a minute" (at
 * the due time itself it is overdue), "due in 2 days", "due in 1 hour",
 * "due in less than a minute". Whole units, rounded down, the largest of
 * days (24 hours), hours and minutes that fits.
 */
void ctl_due_words(cw_time due, cw_time now, char buf[CTL_DUE_WORDS_STRLEN]);

/* Writes text with &, <, >, " and ' escaped for HTML. */
void ctl_html_escape(FILE *out, const char *text);

#endif /* CASEWATCH_CTL_ALERTS_FORMAT_H */
