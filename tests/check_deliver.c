/* check_deliver.c - delivery to a real syslog socket from a real store: the cursor and the transition log. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "db.h"
#include "deliver.h"
#include "log.h"
#include "testutil.h"
#include "transition_log.h"

/* tests/daemon-deliver.sh leaves this many transitions queued (casewatchd
 * --once on generated records with no syslog receiver) and passes it in
 * CW_TEST_TRANSITIONS, with their ids in CW_TEST_FIRST_ID..CW_TEST_LAST_ID. */
#define MAX_IDS 100000

static struct event_base *base;
static struct cw_db *db;
static char dir[] = "/tmp/cw-deliver-XXXXXX";
static char sock_path[128];
static int sock = -1;
static struct event *reader; /* reads the socket while armed */
static uint64_t got[MAX_IDS];
static size_t ngot;
static char stderr_path[160];
static int saved_stderr = -1;
static bool done, done_ok;

/* One datagram received: a transition's id is kept. */
static void take(char *buf, ssize_t n)
{
	const char *p;

	buf[n] = '\0';
	p = strstr(buf, " transition_id=\"");
	if (p && ngot < MAX_IDS)
		got[ngot++] = strtoull(p + 16, NULL, 10);
}

/* Everything waiting on the receiver. */
static void drain(void)
{
	char buf[8192];
	ssize_t n;

	while ((n = recv(sock, buf, sizeof(buf) - 1, MSG_DONTWAIT)) >= 0)
		take(buf, n);
}

/* A slow receiver: one datagram per wake-up. */
static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	char buf[8192];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	(void)what;
	(void)arg;
	if (n >= 0)
		take(buf, n);
}

/* True when the daemon's log (stderr, kept in a file) says text. */
static bool stderr_says(const char *text)
{
	char line[8192];
	bool found = false;
	FILE *f;

	fflush(stderr);
	f = fopen(stderr_path, "r");
	ck_assert_ptr_nonnull(f);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, text) != NULL;
	fclose(f);
	return found;
}

static void on_delivered(void *arg, bool ok)
{
	(void)arg;
	done = true;
	done_ok = ok;
}

/* Runs the loop until flag is set (or 30 s). */
static bool run_until(const bool *flag)
{
	for (int waited = 0; !*flag && waited < 30000; waited += 10) {
		struct timeval tv = { 0, 10000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	return *flag;
}

static void on_query_row(const PGresult *res, void *arg)
{
	if (PQntuples(res) == 1)
		snprintf(arg, 32, "%s", PQgetvalue(res, 0, 0));
}

static void on_query_done(struct cw_db *d, const struct cw_db_error *err, void *arg)
{
	(void)d;
	(void)arg;
	ck_assert_msg(err == NULL, "%s", err ? err->message : "");
	done = true;
}

/* One value from the store. */
static uint64_t query_value(const char *sql)
{
	char value[32] = "";
	struct cw_error err;

	done = false;
	ck_assert_msg(cw_db_query(db, sql, 0, NULL, 0, on_query_row, on_query_done, value, &err), "%s",
		      err.msg);
	ck_assert(run_until(&done));
	return strtoull(value, NULL, 10);
}

static uint64_t env_id(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL, "%s is not set: run tests/daemon-deliver.sh", name);
	return strtoull(v, NULL, 10);
}

static void setup(void)
{
	struct cw_db_options opts = { .conninfo = "", .connect_timeout_ms = 5000,
				      .statement_timeout_ms = 5000, .retry_base_ms = 50,
				      .retry_cap_ms = 200 };
	/* Syslog, and stderr (into a file) where nothing is dropped. */
	struct cw_log_options lo = { .targets = CW_LOG_TO_SYSLOG | CW_LOG_TO_STDERR,
				     .level = CW_LOG_WARNING,
				     .ident = "check_deliver", .facility = 3, .ratelimit_ms = 0 };

	strcpy(dir, "/tmp/cw-deliver-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock_path, sizeof(sock_path), "%s/log.sock", dir);
	sock = cw_test_dgram_bind(sock_path);
	lo.syslog_socket = sock_path;
	snprintf(stderr_path, sizeof(stderr_path), "%s/stderr", dir);
	fflush(stderr);
	saved_stderr = dup(2);
	ck_assert_ptr_nonnull(freopen(stderr_path, "w", stderr));
	cw_log_configure(&lo);
	base = event_base_new();
	reader = event_new(base, sock, EV_READ | EV_PERSIST, on_readable, NULL);
	db = cw_db_new(base, &opts, NULL, NULL, NULL);
	cw_db_start(db);
	for (int i = 0; i < 1000 && !cw_db_is_connected(db); i++) {
		struct timeval tv = { 0, 10000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	ck_assert_msg(cw_db_is_connected(db), "not connected");
	ngot = 0;
}

static void teardown(void)
{
	cw_db_free(db);
	event_free(reader);
	event_base_free(base);
	cw_log_shutdown();
	close(sock);
	unlink(sock_path);
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	unlink(stderr_path);
	rmdir(dir);
}

/* One run of delivery to its end. */
static void deliver(struct cw_deliver *dl)
{
	done = false;
	cw_deliver_run(dl, db, on_delivered, NULL);
	ck_assert_msg(run_until(&done), "delivery did not finish");
	ck_assert_msg(done_ok, "delivery failed");
}

/* got[] holds first..last, each once, in order. */
static void assert_all_once(uint64_t first, uint64_t count)
{
	ck_assert_int_eq(ngot, count);
	ck_assert_int_eq(got[0], first);
	for (size_t i = 1; i < ngot; i++)
		ck_assert_msg(got[i] > got[i - 1], "id %" PRIu64 " after %" PRIu64, got[i], got[i - 1]);
}

START_TEST(test_full_socket_then_slow_reader)
{
	uint64_t first = env_id("CW_TEST_FIRST_ID"), last = env_id("CW_TEST_LAST_ID");
	uint64_t count = env_id("CW_TEST_TRANSITIONS"), stopped;
	struct cw_translog *tlog = cw_translog_new(base, 100000);
	struct cw_deliver *dl = cw_deliver_new();

	ck_assert_int_eq(query_value("SELECT coalesce(max(last_id), 0) FROM casewatch.sink_cursor"), 0);
	cw_deliver_set_sinks(dl, tlog, NULL);
	/* Nobody reads: the socket takes what its queue holds, then the run
	 * waits for room, gives up after 2 s, and stops at the refused one. */
	deliver(dl);
	drain();
	ck_assert_int_gt(ngot, 0);
	ck_assert_int_lt(ngot, count);
	assert_all_once(first, ngot);
	stopped = got[ngot - 1];
	ck_assert_int_eq(cw_deliver_last_id(dl), stopped);
	ck_assert_int_eq(cw_deliver_count(dl), ngot);
	ck_assert_int_eq(query_value("SELECT last_id FROM casewatch.sink_cursor WHERE sink = 'syslog'"),
			 stopped);
	/* The transition log got the refused one too (once). */
	ck_assert_int_eq(cw_translog_last_id(tlog),
			 query_value("SELECT min(transition_id) FROM casewatch.transition "
				     "WHERE transition_id > (SELECT last_id FROM casewatch.sink_cursor)"));
	/* A slow reader now: the next run goes on from there to the end. */
	event_add(reader, NULL);
	deliver(dl);
	event_del(reader);
	drain();
	assert_all_once(first, count);
	ck_assert_int_eq(got[ngot - 1], last);
	ck_assert_int_eq(cw_deliver_last_id(dl), last);
	ck_assert_int_eq(query_value("SELECT last_id FROM casewatch.sink_cursor WHERE sink = 'syslog'"),
			 last);
	ck_assert_int_eq(cw_translog_last_id(tlog), last);
	ck_assert_msg(stderr_says(" transition_id="), "stderr is not captured");
	ck_assert_msg(!stderr_says("ids must increase"), "the transition log was fed an id twice");

	/* A lost connection whose cursor was not stored: the stored one is
	 * read again and syslog gets those after it again (at-least-once), but
	 * the transition log does not. */
	query_value("UPDATE casewatch.sink_position SET transition_id = 0 WHERE sink = 'syslog' "
		    "RETURNING 0");
	cw_deliver_reset(dl);
	ngot = 0;
	event_add(reader, NULL);
	deliver(dl);
	event_del(reader);
	drain();
	assert_all_once(first, count);
	ck_assert_msg(!stderr_says("ids must increase"), "the transition log was fed an id twice");
	ck_assert_int_eq(cw_translog_last_id(tlog), last);
	cw_deliver_free(dl);
	cw_translog_free(tlog);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("deliver");
	TCase *tc = tcase_create("deliver");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_socket_then_slow_reader);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
