# tests/: Check unit tests (one check_<module>.c per module) and integration
# tests against a real PostgreSQL server. All speak TAP.
noinst_LIBRARIES += tests/libtestutil.a
tests_libtestutil_a_SOURCES = tests/testutil.h tests/testutil.c
tests_libtestutil_a_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
TEST_LIBS = tests/libtestutil.a $(CASEWATCH_LIBS) $(CHECK_LIBS)
# What shell tests source: TAP output and the throwaway PostgreSQL server.
EXTRA_DIST += tests/tap.sh tests/pg.sh

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
EXTRA_DIST += tests/data/profiles
# team-level alerts (lib/team_alert.c)
check_PROGRAMS += tests/check_team_alert
TESTS += tests/check_team_alert
tests_check_team_alert_LDADD = $(TEST_LIBS)
tests_check_team_alert_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)

# The alert socket.
check_PROGRAMS += tests/check_alertbus
TESTS += tests/check_alertbus
tests_check_alertbus_SOURCES = tests/check_alertbus.c ctl/client.h ctl/client.c
tests_check_alertbus_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS) $(LIBEVENT_CFLAGS)
tests_check_alertbus_LDADD = tests/libtestutil.a $(CASEWATCHD_LIBS) $(CHECK_LIBS) -lpthread
# The transition log's compact view of open alerts.
check_PROGRAMS += tests/check_alertview
TESTS += tests/check_alertview
tests_check_alertview_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_check_alertview_LDADD = tests/libtestutil.a $(CASEWATCHD_LIBS) $(CHECK_LIBS)
# docs/protocol.md's examples, run against casewatchd on a real PostgreSQL.
dist_check_SCRIPTS += tests/protocol-examples.sh
TESTS += tests/protocol-examples.sh
# Every error code documented; none carries a server path or libpq's words.
dist_check_SCRIPTS += tests/socket-errors.sh
TESTS += tests/socket-errors.sh

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
EXTRA_DIST += tests/data/conf tests/data/migrations

EXTRA_DIST += tests/data/profiles

# obligation engine: facts parser and obligations.
check_PROGRAMS += tests/check_facts tests/check_obligation
TESTS += tests/check_facts tests/check_obligation
tests_check_facts_LDADD = $(TEST_LIBS)
tests_check_facts_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
tests_check_obligation_LDADD = $(TEST_LIBS)
tests_check_obligation_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
EXTRA_DIST += tests/data/engine
# casewatchctl policy test (one test file per shipped profile) and evaluate
dist_check_SCRIPTS += tests/policy-test.sh
TESTS += tests/policy-test.sh
EXTRA_DIST += tests/data/profile-tests
# every evaluable rule of every shipped profile raises alerts on generated records
dist_check_SCRIPTS += tests/rules-fire.sh
TESTS += tests/rules-fire.sh
# the shipped profiles evaluated as their seed sentences say (issue 10)
check_PROGRAMS += tests/check_fidelity
TESTS += tests/check_fidelity
tests_check_fidelity_LDADD = $(TEST_LIBS)
tests_check_fidelity_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)

# tests/sql-interface.sh: the records interface, the casewatch schema
# migrations and the records generator, against a real PostgreSQL. It reads
# the codes from docs/vocabulary.md, so the vocabulary ships too.
dist_check_SCRIPTS += tests/sql-interface.sh
TESTS += tests/sql-interface.sh
EXTRA_DIST += docs/vocabulary.md


# tests/facts-stream.sh: the daemon's streamed facts (daemon/facts_reader.c)
# equal records.person_facts() read as JSON, printed by tests/facts_dump.
check_PROGRAMS += tests/facts_dump
tests_facts_dump_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_facts_dump_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_facts_dump_LDADD = $(DAEMON_TEST_LIBS)
dist_check_SCRIPTS += tests/facts-stream.sh
TESTS += tests/facts-stream.sh

# tests/sql-lifecycle.sh: records.person_facts() and the alert lifecycle
# (sql/casewatch/002_lifecycle.sql) against a real PostgreSQL.
dist_check_SCRIPTS += tests/sql-lifecycle.sh
TESTS += tests/sql-lifecycle.sh

# A syslog socket of our own (one line per datagram), for the demo and the
# end-to-end tests; built by `make` so the demo has it without `make check`.
noinst_PROGRAMS += tests/syslog_capture
tests_syslog_capture_SOURCES = tests/syslog_capture.c

# The daemon refuses an invalid profile at start and keeps the old one on reload.
dist_check_SCRIPTS += tests/daemon-profile.sh
TESTS += tests/daemon-profile.sh

# bad data holds back only its person; deleted persons' alerts withdrawn
dist_check_SCRIPTS += tests/daemon-resilience.sh
TESTS += tests/daemon-resilience.sh
# a record dated in the year 1: four-digit years at every boundary (issue 12)
dist_check_SCRIPTS += tests/daemon-dates.sh
TESTS += tests/daemon-dates.sh

# the hand-written SQL report (bench/report.sql) lists the overdue items casewatchd stores, item for item
dist_check_SCRIPTS += tests/bench-report.sh
TESTS += tests/bench-report.sh

# the watermark outlives the daemon: restarts resume, setup changes sweep
dist_check_SCRIPTS += tests/daemon-watermark.sh
TESTS += tests/daemon-watermark.sh
dist_check_SCRIPTS += tests/daemon-unchanged.sh
TESTS += tests/daemon-unchanged.sh
dist_check_SCRIPTS += tests/daemon-overlap.sh
TESTS += tests/daemon-overlap.sh

# LISTEN/NOTIFY wake-ups: a change reaches a subscriber without waiting for the poll
dist_check_SCRIPTS += tests/daemon-wakeup.sh
TESTS += tests/daemon-wakeup.sh

# reconcile_set (arrays, digests) writes exactly what reconcile (JSON) writes
dist_check_SCRIPTS += tests/sql-reconcile.sh
TESTS += tests/sql-reconcile.sh

# one casewatchd writes alerts for a database; a second stands by
dist_check_SCRIPTS += tests/daemon-single-writer.sh
TESTS += tests/daemon-single-writer.sh

# casewatchd end to end (issue 4): hand-written records for every rule kind,
# --once --json, time moved by a test clock, restarts, a database outage, and
# the syslog lines as a real socket receives them.
dist_check_SCRIPTS += tests/daemon-e2e.sh
TESTS += tests/daemon-e2e.sh
EXTRA_DIST += tests/data/e2e

# Alert transitions reach syslog exactly once, in order, whatever log_level
# is, with a receiver that starts late or reads slowly.
dist_check_SCRIPTS += tests/daemon-deliver.sh
TESTS += tests/daemon-deliver.sh
# check_deliver needs a store with queued transitions: daemon-deliver.sh
# makes one and runs it.
check_PROGRAMS += tests/check_deliver
tests_check_deliver_CPPFLAGS = $(DAEMON_TEST_CPPFLAGS)
tests_check_deliver_CFLAGS = $(DAEMON_TEST_CFLAGS)
tests_check_deliver_LDADD = $(DAEMON_TEST_LIBS)

# casewatchctl's socket commands.
# The real casewatchd on generated records with a test clock, driven by casewatchctl.
dist_check_SCRIPTS += tests/ctl-socket.sh
TESTS += tests/ctl-socket.sh

# The digest: sections, caps and counts against SQL, "since the last digest"
# across two digests, the audiences, the HTML email rendered by Chromium.
dist_check_SCRIPTS += tests/ctl-digest.sh
TESTS += tests/ctl-digest.sh

# The transition log stays bounded: retention, sink and subscriber cursors,
# the replay window in status, a pruned cursor refused, the audit kept longer.
dist_check_SCRIPTS += tests/daemon-prune.sh
TESTS += tests/daemon-prune.sh

# The Prometheus endpoint scraped from a real casewatchd, its page read by a
# strict exposition-format reader.
dist_check_SCRIPTS += tests/daemon-metrics.sh
TESTS += tests/daemon-metrics.sh
EXTRA_DIST += tests/metrics-lint.awk

# The systemd units verified and their exposure scored against a target.
dist_check_SCRIPTS += tests/systemd-unit.sh
TESTS += tests/systemd-unit.sh

# casewatchd under socket activation (systemd-socket-activate) and its
# sd_notify sequence on a test NOTIFY_SOCKET.
dist_check_SCRIPTS += tests/daemon-notify.sh
TESTS += tests/daemon-notify.sh

# What `make install` puts on a server (issue 13): units, sysusers.d and the
# groups it makes, man pages, the journal catalog, profiles, SQL, the example.
dist_check_SCRIPTS += tests/install-tree.sh
TESTS += tests/install-tree.sh

# A build folder configured again with another --prefix rebuilds what uses
# the paths (paths.h, see Makefile.am). About a minute: it builds casewatchd
# and casewatchctl in a scratch folder.
dist_check_SCRIPTS += tests/rebuild-prefix.sh
TESTS += tests/rebuild-prefix.sh

# The manual pages: lint, and every setting, command and option described.
dist_check_SCRIPTS += tests/man-pages.sh
TESTS += tests/man-pages.sh

# The journal: the message catalog parses, every event carries its MESSAGE_ID.
dist_check_SCRIPTS += tests/log-journal.sh
TESTS += tests/log-journal.sh

# retention engine: dates by hand from the policies' sentences, and a property test.
check_PROGRAMS += tests/check_retention
TESTS += tests/check_retention
tests_check_retention_LDADD = $(TEST_LIBS)
tests_check_retention_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JANSSON_CFLAGS)
EXTRA_DIST += tests/data/retention
dist_check_SCRIPTS += tests/retention.sh
TESTS += tests/retention.sh
dist_check_SCRIPTS += tests/sql-retention.sh
TESTS += tests/sql-retention.sh
dist_check_SCRIPTS += tests/sql-retention-upgrade.sh
TESTS += tests/sql-retention-upgrade.sh
# 009: forget-request findings rekeyed from the person to the request.
dist_check_SCRIPTS += tests/sql-forget-anchor.sh
TESTS += tests/sql-forget-anchor.sh
dist_check_SCRIPTS += tests/daemon-retention.sh
TESTS += tests/daemon-retention.sh
dist_check_SCRIPTS += tests/ctl-retention.sh
TESTS += tests/ctl-retention.sh
# team-level alerts (ROLLBACK-RATE)
dist_check_SCRIPTS += tests/daemon-team.sh
TESTS += tests/daemon-team.sh
dist_check_SCRIPTS += tests/ctl-explain.sh
TESTS += tests/ctl-explain.sh

# tests/fault/: the attack run as short scenarios (tests/fault/README.md);
# tests/fault/run-long is the long form.
check_PROGRAMS += tests/fault/fault_client
tests_fault_fault_client_SOURCES = tests/fault/fault_client.c
dist_check_SCRIPTS += tests/fault/floods.sh tests/fault/crashes.sh tests/fault/replay.sh \
	tests/fault/privacy.sh tests/fault/run-long
TESTS += tests/fault/floods.sh tests/fault/crashes.sh tests/fault/replay.sh tests/fault/privacy.sh
EXTRA_DIST += tests/fault/common.sh tests/fault/README.md
