/* testutil.h - what every Check test program shares. */
#ifndef CASEWATCH_TESTUTIL_H
#define CASEWATCH_TESTUTIL_H

#include <check.h>

/* Runs one suite (TAP on stdout under `make check`); returns the exit status. */
int cw_test_run(Suite *suite);

/* An absolute path under the source tree ($CASEWATCH_SRCDIR, else "."). */
const char *cw_test_srcpath(const char *relative);

/* A Unix datagram socket bound at path (a stand-in for /dev/log); fails
 * the test if it cannot be made. */
int cw_test_dgram_bind(const char *path);

#endif
