/* check_log.c - RFC 5424 datagrams on a real Unix socket, and rate limiting. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "testutil.h"

static char dir[] = "/tmp/cw-log-XXXXXX";
static char sock_path[128];
static int sock = -1;

/* Binds a datagram socket standing in for /dev/log, and points the logger at it. */
static void setup(void)
{
	struct cw_log_options opts = {
		.targets = CW_LOG_TO_SYSLOG,
		.level = CW_LOG_INFO,
		.ident = "cwtest",
		.facility = 3, /* daemon */
		.ratelimit_ms = 60000,
	};

	strcpy(dir, "/tmp/cw-log-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock_path, sizeof(sock_path), "%s/log.sock", dir);
	sock = cw_test_dgram_bind(sock_path);
	opts.syslog_socket = sock_path;
	cw_log_configure(&opts);
}

static void teardown(void)
{
	cw_log_shutdown();
	close(sock);
	unlink(sock_path);
	rmdir(dir);
}

/* The next datagram, or NULL if none is waiting. */
static const char *next_dgram(void)
{
	static char buf[8192];
	ssize_t n = recv(sock, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

/* True if text matches the extended regular expression re. */
static bool matches(const char *text, const char *re)
{
	regex_t r;
	bool ok;

	ck_assert_int_eq(regcomp(&r, re, REG_EXTENDED | REG_NOSUB), 0);
	ok = regexec(&r, text, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

START_TEST(test_transition_datagram)
{
	/* 2026-11-23T09:00:00Z is 1795424400 (date -u -d 2026-11-23T09:00:00Z +%s). */
	struct cw_log_transition t = { .alert_id = 42, .person_id = 1001, .rule_id = "CP-24H", .team = "7",
				       .team_code = "T007", .due = 1795424400, .state = "overdue" };
	char header[64];
	const char *d;

	ck_assert_int_eq(cw_log_transition(CW_LOG_WARNING, &t), 0);
	d = next_dgram();
	ck_assert_ptr_nonnull(d);
	/* PRI = facility 3 (daemon) * 8 + severity 4 (warning) = 28; version 1. */
	ck_assert_msg(matches(d, "^<28>1 [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
				 "\\.[0-9]{6}Z [!-~]+ cwtest [0-9]+ transition \\["),
		      "%s", d);
	snprintf(header, sizeof(header), " cwtest %ld transition ", (long)getpid());
	ck_assert_msg(strstr(d, header), "%s", d);
	ck_assert_msg(strstr(d, "[casewatch@32473 rule_id=\"CP-24H\" alert_id=\"42\" person_id=\"1001\" "
				"team=\"7\" due=\"2026-11-23T09:00:00Z\" state=\"overdue\" team_code=\"T007\"] "),
		      "%s", d);
	/* People read the team's code; programs match on the id. */
	ck_assert_msg(strstr(d, "] alert 42 CP-24H: overdue for person 1001, team T007, due "
				"2026-11-23T09:00:00Z"),
		      "%s", d);
	ck_assert_ptr_null(next_dgram());
}
END_TEST

START_TEST(test_priorities_and_filter)
{
	const char *d;

	cw_log(CW_LOG_ERR, "disk on fire");
	d = next_dgram();
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(!strncmp(d, "<27>1 ", 6), "%s", d); /* 3 * 8 + 3 */
	ck_assert_msg(strstr(d, " - - disk on fire"), "no MSGID, no SD: %s", d);
	cw_log(CW_LOG_INFO, "informative");
	d = next_dgram();
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(!strncmp(d, "<30>1 ", 6), "%s", d); /* 3 * 8 + 6 */
	/* Below the configured level: nothing is sent. */
	cw_log(CW_LOG_DEBUG, "chatter");
	ck_assert_ptr_null(next_dgram());
	ck_assert(!cw_log_enabled(CW_LOG_DEBUG));
	ck_assert(cw_log_enabled(CW_LOG_NOTICE));
}
END_TEST

START_TEST(test_sd_escaping_and_names)
{
	struct cw_log_field f[] = {
		{ "team", "a\"b]c\\d" },
		{ "Bad Name", "dropped" },
		{ "rule_id", "NOTE-5WD" },
	};
	const char *d;

	cw_log_fields(CW_LOG_NOTICE, NULL, "escaped", f, 3);
	d = next_dgram();
	ck_assert_ptr_nonnull(d);
	/* RFC 5424 6.3.3: '"', '\' and ']' are escaped with a backslash. */
	ck_assert_msg(strstr(d, "[casewatch@32473 team=\"a\\\"b\\]c\\\\d\" rule_id=\"NOTE-5WD\"] escaped"),
		      "%s", d);
	ck_assert_msg(!strstr(d, "dropped"), "%s", d);
}
END_TEST

START_TEST(test_level_names)
{
	enum cw_log_level l;

	ck_assert(cw_log_level_parse("warning", &l));
	ck_assert_int_eq(l, 4);
	ck_assert(cw_log_level_parse("debug", &l));
	ck_assert_int_eq(l, 7);
	ck_assert(!cw_log_level_parse("loud", &l));
	ck_assert_str_eq(cw_log_level_name(CW_LOG_ERR), "err");
}
END_TEST

/* Reconfigures the logger with a short rate-limit interval. */
static void short_ratelimit(int64_t ms)
{
	struct cw_log_options opts = {
		.targets = CW_LOG_TO_SYSLOG, .level = CW_LOG_DEBUG, .ident = "cwtest",
		.facility = 16, .syslog_socket = sock_path, .ratelimit_ms = ms,
	};

	cw_log_configure(&opts);
}

START_TEST(test_ratelimit_suppresses_and_summarises)
{
	const char *d;

	short_ratelimit(300);
	for (int i = 0; i < 5; i++)
		cw_log_ratelimited("db-connect", CW_LOG_WARNING, "cannot connect (try %d)", i + 1);
	/* A different key is not held back by the first. */
	ck_assert(cw_log_ratelimited("other", CW_LOG_WARNING, "other thing"));
	d = next_dgram();
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(strstr(d, "cannot connect (try 1)"), "%s", d);
	ck_assert_msg(!strncmp(d, "<132>1 ", 7), "%s", d); /* local0: 16 * 8 + 4 */
	d = next_dgram();
	ck_assert_msg(d && strstr(d, "other thing"), "%s", d ? d : "(none)");
	ck_assert_ptr_null(next_dgram());
	usleep(350 * 1000);
	/* The interval is over: the summary comes first, then the message. */
	ck_assert(cw_log_ratelimited("db-connect", CW_LOG_WARNING, "cannot connect (try %d)", 6));
	d = next_dgram();
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(strstr(d, "db-connect: suppressed 4 similar messages in the last"), "%s", d);
	ck_assert_msg(strstr(d, "suppressed=\"4\""), "%s", d);
	d = next_dgram();
	ck_assert_msg(d && strstr(d, "cannot connect (try 6)"), "%s", d ? d : "(none)");
	ck_assert_ptr_null(next_dgram());
}
END_TEST

START_TEST(test_ratelimit_flush_and_reset)
{
	const char *d;

	short_ratelimit(200);
	for (int i = 0; i < 4; i++)
		cw_log_ratelimited("k", CW_LOG_WARNING, "again");
	ck_assert_ptr_nonnull(next_dgram());
	/* Within the interval, flushing writes nothing yet. */
	cw_log_ratelimit_flush();
	ck_assert_ptr_null(next_dgram());
	usleep(250 * 1000);
	cw_log_ratelimit_flush();
	d = next_dgram();
	ck_assert_msg(d && strstr(d, "k: suppressed 3 similar messages"), "%s", d ? d : "(none)");
	ck_assert_ptr_null(next_dgram());
	/* reset: summary now, and the next message goes straight through. */
	cw_log_ratelimited("k", CW_LOG_WARNING, "again");
	cw_log_ratelimited("k", CW_LOG_WARNING, "again");
	ck_assert_ptr_nonnull(next_dgram());
	cw_log_ratelimit_reset("k");
	d = next_dgram();
	ck_assert_msg(d && strstr(d, "k: suppressed 1 similar message in"), "%s", d ? d : "(none)");
	ck_assert(cw_log_ratelimited("k", CW_LOG_WARNING, "again"));
	ck_assert_ptr_nonnull(next_dgram());
}
END_TEST

START_TEST(test_lines_one_datagram_each)
{
	const char *d;

	short_ratelimit(60000);
	ck_assert(cw_log_lines("pq", CW_EV_NONE, CW_LOG_WARNING, "cannot connect to database",
			       "connection to server failed: No such file\n\tIs the server running?\n"));
	d = next_dgram();
	ck_assert_msg(d && strstr(d, "cannot connect to database: connection to server failed: No such file"),
		      "%s", d ? d : "(none)");
	d = next_dgram();
	ck_assert_msg(d && strstr(d, "cannot connect to database: Is the server running?"), "%s",
		      d ? d : "(none)");
	ck_assert_ptr_null(next_dgram());
	/* The whole group is rate-limited as one. */
	ck_assert(!cw_log_lines("pq", CW_EV_NONE, CW_LOG_WARNING, "cannot connect to database", "again\nand again\n"));
	ck_assert_ptr_null(next_dgram());
}
END_TEST

START_TEST(test_libevent_routed)
{
	struct event_base *base;
	const char *d;
	bool seen = false;

	short_ratelimit(60000);
	cw_log_route_libevent();
	/* An event added twice with the debug mode on makes libevent complain
	 * through its log callback; debug logging covers builds without it. */
	event_enable_debug_logging(EVENT_DBG_ALL);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	event_base_free(base);
	event_enable_debug_logging(EVENT_DBG_NONE);
	while ((d = next_dgram()))
		if (strstr(d, " libevent: "))
			seen = true;
	ck_assert_msg(seen, "no libevent message arrived through cw_log");
}
END_TEST

START_TEST(test_missing_socket_does_not_block)
{
	struct cw_log_options opts = {
		.targets = CW_LOG_TO_SYSLOG, .level = CW_LOG_INFO, .ident = "cwtest",
		.facility = 3, .syslog_socket = "/nonexistent/log.sock", .ratelimit_ms = 0,
	};
	uint64_t before;

	cw_log_shutdown();
	cw_log_configure(&opts);
	before = cw_log_dropped();
	cw_log(CW_LOG_ERR, "nobody listens");
	ck_assert_int_eq(cw_log_dropped(), before + 1);
}
END_TEST

/* poll()'s verdict on the logger's socket: can a datagram go now? */
static bool syslog_writable(void)
{
	struct pollfd pfd = { .fd = cw_log_syslog_fd(), .events = POLLOUT };

	ck_assert_int_ge(pfd.fd, 0);
	ck_assert_int_ge(poll(&pfd, 1, 0), 0);
	return pfd.revents & POLLOUT;
}

START_TEST(test_full_socket_refuses_transitions)
{
	struct cw_log_transition t = { .alert_id = 7, .person_id = 1001, .rule_id = "CP-24H",
				       .due = INT64_MIN, .state = "due_soon", .kind = "raised" };
	int rcvbuf = 1, e = 0;
	int64_t sent = 0;
	uint64_t dropped;
	char want[64];
	const char *d;

	/* The receiver's buffer as small as the kernel allows, and nobody reads. */
	ck_assert_int_eq(setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
	while (sent < 100000) {
		t.transition_id = sent + 1;
		if ((e = cw_log_transition(CW_LOG_INFO, &t)) != 0)
			break;
		sent++;
	}
	ck_assert_int_eq(e, EAGAIN);
	ck_assert_int_gt(sent, 0);
	ck_assert_str_eq(cw_log_refused_by(), "the syslog socket");
	ck_assert_msg(!syslog_writable(), "poll() says the full socket has room");
	/* An ordinary message meanwhile is dropped and counted, not queued. */
	dropped = cw_log_dropped();
	cw_log(CW_LOG_ERR, "nobody has room for this");
	ck_assert_int_eq(cw_log_dropped(), dropped + 1);
	/* Transitions do not count as dropped: they are sent again. */
	ck_assert_int_eq(cw_log_transition(CW_LOG_INFO, &t), EAGAIN);
	ck_assert_int_eq(cw_log_dropped(), dropped + 1);
	/* Every transition reported sent is there, in order, and nothing else. */
	for (int64_t i = 1; i <= sent; i++) {
		d = next_dgram();
		ck_assert_msg(d != NULL, "transition %lld of %lld is missing", (long long)i, (long long)sent);
		snprintf(want, sizeof(want), " transition_id=\"%lld\" ", (long long)i);
		ck_assert_msg(strstr(d, want), "expected %s in %s", want, d);
		if (i == 1)
			ck_assert_msg(syslog_writable(), "poll() says no room after a datagram was read");
	}
	ck_assert_ptr_null(next_dgram());
	/* With room again, the refused one goes out. */
	ck_assert_int_eq(cw_log_transition(CW_LOG_INFO, &t), 0);
	d = next_dgram();
	ck_assert_ptr_nonnull(d);
	snprintf(want, sizeof(want), " transition_id=\"%lld\" ", (long long)sent + 1);
	ck_assert_msg(strstr(d, want), "expected %s in %s", want, d);
}
END_TEST

START_TEST(test_transitions_ignore_log_level)
{
	struct cw_log_options opts = {
		.targets = CW_LOG_TO_SYSLOG, .level = CW_LOG_WARNING, .ident = "cwtest",
		.facility = 3, .syslog_socket = sock_path, .ratelimit_ms = 0,
	};
	struct cw_log_transition t = { .alert_id = 9, .person_id = 1002, .rule_id = "NOTE-5WD",
				       .due = INT64_MIN, .state = "resolved", .transition_id = 31,
				       .kind = "resolved" };
	const char *d;

	cw_log_shutdown();
	cw_log_configure(&opts);
	cw_log(CW_LOG_INFO, "below the level");
	cw_log_fields(CW_LOG_NOTICE, "other", "below the level too", NULL, 0);
	ck_assert_ptr_null(next_dgram());
	ck_assert_int_eq(cw_log_transition(CW_LOG_INFO, &t), 0);
	d = next_dgram();
	ck_assert_ptr_nonnull(d);
	/* PRI = facility 3 (daemon) * 8 + severity 6 (info) = 30. */
	ck_assert_msg(!strncmp(d, "<30>1 ", 6), "%s", d);
	ck_assert_msg(strstr(d, " transition_id=\"31\""), "%s", d);
	ck_assert_int_eq(cw_log_transition(CW_LOG_NOTICE, &t), 0);
	d = next_dgram();
	ck_assert_ptr_nonnull(d);
	ck_assert_msg(!strncmp(d, "<29>1 ", 6), "%s", d); /* 3 * 8 + 5 */
}
END_TEST

/* A new receiver at sock_path, as a restarted syslog daemon makes. */
static void rebind(void)
{
	close(sock);
	unlink(sock_path);
	sock = cw_test_dgram_bind(sock_path);
}

START_TEST(test_missing_socket_refuses_transitions)
{
	struct cw_log_options opts = {
		.targets = CW_LOG_TO_SYSLOG, .level = CW_LOG_INFO, .ident = "cwtest",
		.facility = 3, .syslog_socket = sock_path, .ratelimit_ms = 0,
	};
	struct cw_log_transition t = { .alert_id = 9, .rule_id = "NOTE-5WD", .due = INT64_MIN,
				       .state = "overdue", .transition_id = 5 };
	uint64_t dropped = cw_log_dropped();
	const char *d;

	/* Nobody has the socket: refused, not dropped. */
	close(sock);
	unlink(sock_path);
	cw_log_shutdown();
	cw_log_configure(&opts);
	ck_assert_int_eq(cw_log_transition(CW_LOG_WARNING, &t), ENOENT);
	ck_assert_int_eq(cw_log_dropped(), dropped);
	/* A receiver that comes gets it. */
	rebind();
	ck_assert_int_eq(cw_log_transition(CW_LOG_WARNING, &t), 0);
	d = next_dgram();
	ck_assert_msg(d && strstr(d, " transition_id=\"5\""), "%s", d ? d : "nothing received");
	/* A receiver that goes away: refused; one in its place gets the next. */
	close(sock);
	unlink(sock_path);
	sock = -1;
	t.transition_id = 6;
	ck_assert_int_ne(cw_log_transition(CW_LOG_WARNING, &t), 0);
	rebind();
	ck_assert_int_eq(cw_log_transition(CW_LOG_WARNING, &t), 0);
	d = next_dgram();
	ck_assert_msg(d && strstr(d, " transition_id=\"6\""), "%s", d ? d : "nothing received");
}
END_TEST

/* Every kind of event carries its MESSAGE_ID (the field message_id, which
 * the journal gets upper-cased), and its name as the MSGID. */
START_TEST(test_events_carry_message_ids)
{
	char want[96], header[96];
	const char *d;

	for (int ev = CW_EV_NONE + 1; ev < CW_EV_COUNT; ev++) {
		const char *id = cw_log_event_id((enum cw_log_event)ev), *name = cw_log_event_name((enum cw_log_event)ev);

		ck_assert_msg(id && strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32, "event %d: id %s", ev,
			      id ? id : "(none)");
		for (int other = CW_EV_NONE + 1; other < ev; other++)
			ck_assert_str_ne(id, cw_log_event_id((enum cw_log_event)other));
		if (cw_log_transition_event(name) == (enum cw_log_event)ev) {
			struct cw_log_transition t = { .alert_id = 1, .person_id = 2, .rule_id = "CP-24H",
						       .due = 1795424400, .state = "overdue", .kind = name };

			ck_assert_int_eq(cw_log_transition(CW_LOG_NOTICE, &t), 0);
			snprintf(header, sizeof(header), " transition [");
		} else {
			cw_log_event((enum cw_log_event)ev, CW_LOG_NOTICE, "event %s", name);
			snprintf(header, sizeof(header), " %s [", name);
		}
		d = next_dgram();
		ck_assert_msg(d != NULL, "event %s: nothing logged", name);
		snprintf(want, sizeof(want), " message_id=\"%s\"", id);
		ck_assert_msg(strstr(d, want) && strstr(d, header), "event %s: %s", name, d);
	}
	/* Lines of a multi-line message carry it too. */
	cw_log_lines(NULL, CW_EV_DB_LOST, CW_LOG_WARNING, "database connection lost", "one\ntwo");
	for (int i = 0; i < 2; i++) {
		d = next_dgram();
		ck_assert_msg(d && strstr(d, cw_log_event_id(CW_EV_DB_LOST)), "%s", d ? d : "nothing");
	}
	ck_assert_str_eq(cw_log_transition_event("no such kind") == CW_EV_NONE ? "none" : "some", "none");
}
END_TEST

/* systemd/casewatch.catalog explains every MESSAGE_ID, each with a subject. */
START_TEST(test_catalog_explains_every_event)
{
	FILE *f = fopen(cw_test_srcpath("systemd/casewatch.catalog"), "r");
	char line[512], entries[CW_EV_COUNT] = { 0 };
	int current = -1;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "-- ", 3)) {
			current = -1;
			for (int ev = CW_EV_NONE + 1; ev < CW_EV_COUNT; ev++)
				if (!strncmp(line + 3, cw_log_event_id((enum cw_log_event)ev), 32) && line[35] == '\n')
					current = ev;
			ck_assert_msg(current > 0, "catalog: an entry for an id casewatchd does not use: %s", line);
			ck_assert_msg(!entries[current], "catalog: %s twice", cw_log_event_name((enum cw_log_event)current));
			entries[current] = 1;
		} else if (current > 0 && !strncmp(line, "Subject: ", 9)) {
			entries[current] = 2;
		}
	}
	fclose(f);
	for (int ev = CW_EV_NONE + 1; ev < CW_EV_COUNT; ev++)
		ck_assert_msg(entries[ev] == 2, "catalog: no entry with a Subject for %s (%s)",
			      cw_log_event_name((enum cw_log_event)ev), cw_log_event_id((enum cw_log_event)ev));
}
END_TEST

/*
 * With $CASEWATCH_TEST_JOURNAL naming a file, the journal is a capture:
 * tests/log-journal.sh runs this in a mount namespace of its own whose
 * /run/systemd/journal/socket is tests/syslog_capture writing to that file
 * (one datagram of KEY=value lines, then a blank line, per entry). Every
 * kind of event sent to the journal arrives with its MESSAGE_ID.
 */
START_TEST(test_journal_message_ids)
{
	const char *file = getenv("CASEWATCH_TEST_JOURNAL");
	struct cw_log_options opts = { .targets = CW_LOG_TO_JOURNAL, .level = CW_LOG_INFO, .ident = "cwtest",
				       .facility = 3 };
	static char text[1 << 16];
	char want[128];
	size_t n = 0;
	int found = 0;

	cw_log_configure(&opts);
	for (int ev = CW_EV_NONE + 1; ev < CW_EV_COUNT; ev++) {
		const char *name = cw_log_event_name((enum cw_log_event)ev);
		struct cw_log_transition t = { .alert_id = 1, .person_id = 2, .rule_id = "CP-24H", .team = "7",
					       .team_code = "T007", .due = 1795424400, .state = "overdue", .kind = name };

		if (cw_log_transition_event(name) == (enum cw_log_event)ev)
			ck_assert_int_eq(cw_log_transition(CW_LOG_NOTICE, &t), 0);
		else
			cw_log_event((enum cw_log_event)ev, CW_LOG_NOTICE, "event %s", name);
	}
	/* The capture writes what it received; wait for all of it (5 s at most). */
	for (int tries = 0; tries < 500 && found < CW_EV_COUNT - 1; tries++) {
		FILE *f = fopen(file, "r");

		n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
		text[n] = '\0';
		if (f)
			fclose(f);
		found = 0;
		for (int ev = CW_EV_NONE + 1; ev < CW_EV_COUNT; ev++) {
			snprintf(want, sizeof(want), "\nMESSAGE_ID=%s\n", cw_log_event_id((enum cw_log_event)ev));
			found += strstr(text, want) != NULL;
		}
		if (found < CW_EV_COUNT - 1)
			usleep(10000);
	}
	ck_assert_msg(found == CW_EV_COUNT - 1, "%d of %d MESSAGE_IDs in the journal capture:\n%s", found,
		      CW_EV_COUNT - 1, text);
	ck_assert_msg(strstr(text, "\nPRIORITY=5\n") && strstr(text, "\nSYSLOG_IDENTIFIER=cwtest\n") &&
			      strstr(text, "\nTEAM_CODE=T007\n") && strstr(text, "\nCASEWATCH_MSGID=db-lost\n"),
		      "%s", text);
	cw_log_shutdown();
}
END_TEST

/* The journal case alone: tests/log-journal.sh runs the rest outside. */
static Suite *journal_suite(void)
{
	Suite *s = suite_create("log-journal");
	TCase *tc = tcase_create("journal");

	tcase_add_test(tc, test_journal_message_ids);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *suite(void)
{
	Suite *s = suite_create("log");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_transition_datagram);
	tcase_add_test(tc, test_priorities_and_filter);
	tcase_add_test(tc, test_sd_escaping_and_names);
	tcase_add_test(tc, test_level_names);
	tcase_add_test(tc, test_ratelimit_suppresses_and_summarises);
	tcase_add_test(tc, test_ratelimit_flush_and_reset);
	tcase_add_test(tc, test_lines_one_datagram_each);
	tcase_add_test(tc, test_libevent_routed);
	tcase_add_test(tc, test_missing_socket_does_not_block);
	tcase_add_test(tc, test_full_socket_refuses_transitions);
	tcase_add_test(tc, test_transitions_ignore_log_level);
	tcase_add_test(tc, test_missing_socket_refuses_transitions);
	tcase_add_test(tc, test_events_carry_message_ids);
	tcase_add_test(tc, test_catalog_explains_every_event);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(getenv("CASEWATCH_TEST_JOURNAL") ? journal_suite() : suite());
}
