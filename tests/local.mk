# tests/: Check unit tests (one check_<module>.c per module) and integration
# tests against a real PostgreSQL server. All speak TAP.
noinst_LIBRARIES += tests/libtestutil.a
tests_libtestutil_a_SOURCES = tests/testutil.h tests/testutil.c
tests_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LIBS = tests/libtestutil.a $(CASEWATCH_LIBS) $(CHECK_LIBS)

# calendar: dates, Europe/London, bank holidays, working days, GOV.UK loader.
check_PROGRAMS += tests/check_calendar tests/check_london tests/check_govuk
TESTS += tests/check_calendar tests/check_london tests/check_govuk tests/workdays.sh
tests_check_calendar_LDADD = $(TEST_LIBS)
tests_check_calendar_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_check_london_LDADD = $(TEST_LIBS)
tests_check_london_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_check_govuk_LDADD = $(TEST_LIBS)
tests_check_govuk_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
dist_check_SCRIPTS += tests/workdays.sh
EXTRA_DIST += tests/data/bank-holidays-1990-2030.txt tests/data/govuk-2025-2026.json

# policy: periods, profiles, explain, and the casewatchctl commands
check_PROGRAMS += tests/check_period tests/check_policy tests/check_explain
TESTS += tests/check_period tests/check_policy tests/check_explain tests/policy.sh
dist_check_SCRIPTS += tests/policy.sh
tests_check_period_LDADD = $(TEST_LIBS)
tests_check_period_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_check_policy_LDADD = $(TEST_LIBS)
tests_check_policy_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_check_explain_LDADD = $(TEST_LIBS)
tests_check_explain_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
EXTRA_DIST += tests/data/profiles tests/tap.sh

# obligation engine: facts parser and obligations.
check_PROGRAMS += tests/check_facts tests/check_obligation
TESTS += tests/check_facts tests/check_obligation
tests_check_facts_LDADD = $(TEST_LIBS)
tests_check_facts_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_check_obligation_LDADD = $(TEST_LIBS)
tests_check_obligation_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
EXTRA_DIST += tests/data/engine
