/*
 * clock.h - the time the daemon sees.
 *
 * Real time by default. For integration tests only, the setting
 * test_clock_file names a file holding one ISO 8601 timestamp; it is read
 * again on every call, so a test can move the daemon's time forward without
 * touching any data. Monotonic time (timers, backoff, rate limits) is never
 * affected by the test clock.
 */
#ifndef CASEWATCH_DAEMON_CLOCK_H
#define CASEWATCH_DAEMON_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "casewatch/calendar.h"
#include "casewatch/error.h"

/* "YYYY-MM-DDTHH:MM:SSZ" plus NUL. */
#define CW_CLOCK_UTC_STRLEN CW_TIME_UTC_STRLEN

/* Uses the file at path as the clock (NULL or "": real time again). */
void cw_clock_set_test_file(const char *path);
/* The path set by cw_clock_set_test_file, or NULL for real time. */
const char *cw_clock_test_file(void);

/* Now, as the daemon's logic should see it (the test clock if one is set;
 * an unreadable or invalid test clock file is logged, rate-limited, and the
 * last good reading is kept). */
cw_time cw_clock_now(void);

/* Real, monotonic milliseconds (CLOCK_MONOTONIC). */
int64_t cw_clock_monotonic_ms(void);

/* Parses "YYYY-MM-DDTHH:MM[:SS]" followed by "Z" or "+HH:MM"/"-HH:MM"
 * (a UTC offset is required). Returns false on anything else. */
bool cw_clock_parse_utc(const char *text, cw_time *out);

/* Formats an instant as "YYYY-MM-DDTHH:MM:SSZ" (cw_time_format_utc). */
void cw_clock_format_utc(cw_time t, char buf[CW_CLOCK_UTC_STRLEN]);

/* Whether t lies in the years 1 to 9999, which the store and
 * cw_clock_format_utc() can represent (outside: "0000-00-00T00:00:00Z"). */
bool cw_clock_storable(cw_time t);

/* Reads a test clock file: one timestamp, surrounding blanks ignored. */
bool cw_clock_read_file(const char *path, cw_time *out, struct cw_error *err);

#endif /* CASEWATCH_DAEMON_CLOCK_H */
