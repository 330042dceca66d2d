# tests/: Check unit tests (one check_<module>.c per module) and integration
# tests against a real PostgreSQL server. All speak TAP.
noinst_LIBRARIES += tests/libtestutil.a
tests_libtestutil_a_SOURCES = tests/testutil.h tests/testutil.c
tests_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LIBS = tests/libtestutil.a $(CASEWATCH_LIBS) $(CHECK_LIBS)

# tests/sql-interface.sh: the records interface, the casewatch schema
# migrations and the records generator, against a real PostgreSQL. It reads
# the codes from docs/vocabulary.md, so the vocabulary ships too, as do the
# shell helpers it sources.
dist_check_SCRIPTS += tests/sql-interface.sh
TESTS += tests/sql-interface.sh
EXTRA_DIST += docs/vocabulary.md tests/tap.sh tests/pg.sh

# tests/sql-lifecycle.sh: records.person_facts() and the alert lifecycle
# (sql/casewatch/002_lifecycle.sql) against a real PostgreSQL.
dist_check_SCRIPTS += tests/sql-lifecycle.sh
TESTS += tests/sql-lifecycle.sh
