/* testutil.h - what every Check test program shares. */
#ifndef CASEWATCH_TESTUTIL_H
#define CASEWATCH_TESTUTIL_H

#include <check.h>

#include "casewatch/calendar.h"
#include "casewatch/facts.h"
#include "casewatch/policy.h"

/* Runs one suite (TAP on stdout under `make check`); returns the exit status. */
int cw_test_run(Suite *suite);

/* An absolute path under the source tree ($CASEWATCH_SRCDIR, else "."). */
const char *cw_test_srcpath(const char *relative);

/* A Unix datagram socket bound at path (a stand-in for /dev/log); fails
 * the test if it cannot be made. */
int cw_test_dgram_bind(const char *path);

/* The calendar with the shipped bank holidays; aborts, saying why, when it
 * cannot be made (for a fixture's setup). */
struct cw_calendar *cw_test_calendar(void);

/* A profile (a name looked up in dir, or a file's path with dir NULL),
 * the loader's messages on stderr; NULL when it does not load. */
struct cw_policy *cw_test_policy(const char *profile, const char *dir);

/* An instant written by hand with its UTC offset; fails the test when it
 * does not parse. */
cw_time cw_test_time(const char *iso);

/* Facts from a JSON text (arrays the text omits are empty); fails the test
 * when the text is not JSON or not facts. Free with cw_facts_free(). */
void cw_test_facts(const char *text, struct cw_facts *f);

#endif
