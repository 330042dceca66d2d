# tests/: Check unit tests (one check_<module>.c per module) and integration
# tests against a real PostgreSQL server. All speak TAP.
noinst_LIBRARIES += tests/libtestutil.a
tests_libtestutil_a_SOURCES = tests/testutil.h tests/testutil.c
tests_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LIBS = tests/libtestutil.a $(CASEWATCH_LIBS) $(CHECK_LIBS)

# obligation engine: facts parser and obligations.
check_PROGRAMS += tests/check_facts tests/check_obligation
TESTS += tests/check_facts tests/check_obligation
tests_check_facts_LDADD = $(TEST_LIBS)
tests_check_facts_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_check_obligation_LDADD = $(TEST_LIBS)
tests_check_obligation_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
EXTRA_DIST += tests/data/engine
