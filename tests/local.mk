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
# --- end alert socket ---
