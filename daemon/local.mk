# daemon/: see the top-level Makefile.am.

# --- alert socket (branch socket) ---
# The alert socket and the in-memory transition log (docs/protocol.md).
ALERTBUS_SOURCES = \
	daemon/alertbus.h daemon/alertbus_int.h daemon/alertbus.c daemon/alertbus_cmd.c \
	daemon/transition_log.h daemon/transition_log.c
noinst_LIBRARIES += daemon/libcasewatchd.a
daemon_libcasewatchd_a_SOURCES = $(ALERTBUS_SOURCES)
daemon_libcasewatchd_a_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBSYSTEMD_CFLAGS) $(JANSSON_CFLAGS)
CASEWATCHD_LIBS = daemon/libcasewatchd.a $(CASEWATCH_LIBS) $(LIBEVENT_LIBS) $(LIBSYSTEMD_LIBS)
# --- end alert socket ---
