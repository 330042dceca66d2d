# tests/: Check unit tests (one check_<module>.c per module) and integration
# tests against a real PostgreSQL server. All speak TAP.
noinst_LIBRARIES += tests/libtestutil.a
tests_libtestutil_a_SOURCES = tests/testutil.h tests/testutil.c
tests_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LIBS = tests/libtestutil.a $(CASEWATCH_LIBS) $(CHECK_LIBS)

# tests/sql-lifecycle.sh: records.person_facts() and the alert lifecycle
# (sql/casewatch/002_lifecycle.sql) against a real PostgreSQL.
dist_check_SCRIPTS += tests/sql-lifecycle.sh
TESTS += tests/sql-lifecycle.sh
