# daemon/: casewatchd. Everything but main.c is the convenience library
# daemon/libcasewatchd.a, so tests link the real code.
# The alert socket and the in-memory transition log (docs/protocol.md).
ALERTBUS_SOURCES = \
	daemon/alertbus.h daemon/alertbus_int.h daemon/alertbus.c daemon/alertbus_cmd.c \
	daemon/transition_log.h daemon/transition_log.c \
	daemon/alert_view.h daemon/alert_view.c
noinst_LIBRARIES += daemon/libcasewatchd.a
daemon_libcasewatchd_a_SOURCES = \
	$(ALERTBUS_SOURCES) \
	daemon/clock.h daemon/clock.c \
	daemon/log.h daemon/log.c \
	daemon/conf.h daemon/conf.c \
	daemon/retry.h daemon/retry.c \
	daemon/db.h daemon/db.c \
	daemon/migrate.h daemon/migrate.c \
	daemon/preflight.h daemon/preflight.c \
	daemon/daemon.h daemon/daemon.c \
	daemon/deliver.h daemon/deliver.c \
	daemon/facts_reader.h daemon/facts_reader.c \
	daemon/watermark.h daemon/watermark.c \
	daemon/changes.h daemon/changes.c \
	daemon/stored_digest.h daemon/stored_digest.c \
	daemon/obligation_batch.h daemon/obligation_batch.c \
	daemon/poller.h daemon/poller.c \
	daemon/rule_info.h daemon/rule_info.c \
	daemon/prune.h daemon/prune.c \
	daemon/metrics.h daemon/metrics.c \
	daemon/retention_pass.h daemon/retention_pass.c \
	daemon/team_pass.h daemon/team_pass.c \
	daemon/records_cmd.h daemon/records_cmd.c \
	daemon/alert_explain.h daemon/alert_explain.c \
	daemon/store_provider.h daemon/store_provider.c \
	daemon/teams.h daemon/teams.c
daemon_libcasewatchd_a_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBPQ_CFLAGS) \
	$(LIBSYSTEMD_CFLAGS) $(JANSSON_CFLAGS)
CASEWATCHD_LIBS = daemon/libcasewatchd.a $(CASEWATCH_LIBS) $(LIBEVENT_LIBS) $(LIBPQ_LIBS) \
	$(LIBSYSTEMD_LIBS) $(JANSSON_LIBS)

sbin_PROGRAMS += daemon/casewatchd
daemon_casewatchd_SOURCES = daemon/main.c
nodist_daemon_casewatchd_SOURCES = daemon/versions.h
daemon_casewatchd_CFLAGS = $(daemon_libcasewatchd_a_CFLAGS)
daemon_casewatchd_LDADD = $(CASEWATCHD_LIBS)

# The libsystemd version for the start-up line (the library has no call for it).
daemon/versions.h: Makefile
	$(AM_V_GEN)$(MKDIR_P) daemon && \
	echo "#define CW_LIBSYSTEMD_VERSION \"`$(PKG_CONFIG) --modversion libsystemd`\"" >$@
daemon/casewatchd-main.$(OBJEXT): daemon/versions.h
CLEANFILES += daemon/versions.h

# A commented example next to where casewatch.conf goes.
casewatchconfdir = $(sysconfdir)/casewatch
dist_casewatchconf_DATA = casewatch.conf.example

# The daemon's operator docs (tests/check_config.c checks configuration.md
# names every setting).
