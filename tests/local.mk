# tests/: Check unit tests (one check_<module>.c per module) and integration
# tests against a real PostgreSQL server. All speak TAP.
noinst_LIBRARIES += tests/libtestutil.a
tests_libtestutil_a_SOURCES = tests/testutil.h tests/testutil.c
tests_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LIBS = tests/libtestutil.a $(CASEWATCH_LIBS) $(CHECK_LIBS)

# The daemon's infrastructure (daemon/): settings, logger, retry policy, and
# casewatchd itself against a real PostgreSQL.
DAEMON_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
DAEMON_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS) \
	$(LIBPQ_CFLAGS) $(LIBSYSTEMD_CFLAGS)
DAEMON_TEST_LIBS = tests/libtestutil.a $(CASEWATCHD_LIBS) $(CHECK_LIBS)
check_PROGRAMS += tests/check_config tests/check_log tests/check_retry tests/check_clock
TESTS += tests/check_config tests/check_log tests/check_retry tests/check_clock
tests_check_config_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_check_config_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_check_config_LDADD = $(DAEMON_TEST_LIBS)
tests_check_log_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_check_log_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_check_log_LDADD = $(DAEMON_TEST_LIBS)
tests_check_retry_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_check_retry_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_check_retry_LDADD = $(DAEMON_TEST_LIBS)
tests_check_clock_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_check_clock_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_check_clock_LDADD = $(DAEMON_TEST_LIBS)
# check_db needs a server: tests/daemon-dbapi.sh starts one and runs it.
check_PROGRAMS += tests/check_db
tests_check_db_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_check_db_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_check_db_LDADD = $(DAEMON_TEST_LIBS)
dist_check_SCRIPTS += tests/daemon-config.sh tests/daemon-db.sh tests/daemon-dbapi.sh
TESTS += tests/daemon-config.sh tests/daemon-db.sh tests/daemon-dbapi.sh
# (tap.sh and pg.sh are sourced by the shell tests, so they must ship too.)
EXTRA_DIST += tests/data/conf tests/data/migrations tests/tap.sh tests/pg.sh
