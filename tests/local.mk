# tests/: Check unit tests (one check_<module>.c per module) and integration
# tests against a real PostgreSQL server. All speak TAP.
noinst_LIBRARIES += tests/libtestutil.a
tests_libtestutil_a_SOURCES = tests/testutil.h tests/testutil.c
tests_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LIBS = tests/libtestutil.a $(CASEWATCH_LIBS) $(CHECK_LIBS)

# --- alert socket (branch socket) ---
check_PROGRAMS += tests/check_alertbus
TESTS += tests/check_alertbus
tests_check_alertbus_SOURCES = tests/check_alertbus.c ctl/client.h ctl/client.c
tests_check_alertbus_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS)
tests_check_alertbus_LDADD = tests/libtestutil.a $(CASEWATCHD_LIBS) $(CHECK_LIBS) -lpthread
# A live socket with docs/protocol.md's example data; protocol-examples.sh
# runs the document's examples against it.
check_PROGRAMS += tests/alertbus_driver
tests_alertbus_driver_SOURCES = tests/alertbus_driver.c
tests_alertbus_driver_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS)
tests_alertbus_driver_LDADD = $(CASEWATCHD_LIBS)
dist_check_SCRIPTS += tests/protocol-examples.sh
EXTRA_DIST += tests/tap.sh
TESTS += tests/protocol-examples.sh
# --- end alert socket ---
