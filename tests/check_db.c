/* check_db.c - the async libpq wrapper against a real PostgreSQL (run by
 * tests/daemon-dbapi.sh, which starts the server and sets PGHOST etc.). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "db.h"
#include "log.h"
#include "testutil.h"

static struct event_base *base;
static struct cw_db *db;
static int ready_count, lost_count;

/* What one job reported. */
struct outcome {
	bool done;
	bool ok;
	struct cw_db_error err;
	int order; /* position among finished jobs */
	long long rows, sum;
	int max_ntuples;
	char value[256];
};
static int finished;

static void on_ready(struct cw_db *d, void *arg)
{
	(void)d;
	(void)arg;
	ready_count++;
}

static void on_lost(struct cw_db *d, void *arg)
{
	(void)d;
	(void)arg;
	lost_count++;
}

static void on_done(struct cw_db *d, const struct cw_db_error *err, void *arg)
{
	struct outcome *o = arg;

	(void)d;
	o->done = true;
	o->ok = err == NULL;
	if (err)
		o->err = *err;
	o->order = ++finished;
}

/* Counts and sums streamed rows, remembering the largest result seen. */
static void on_row(const PGresult *res, void *arg)
{
	struct outcome *o = arg;

	if (PQntuples(res) > o->max_ntuples)
		o->max_ntuples = PQntuples(res);
	for (int i = 0; i < PQntuples(res); i++) {
		o->rows++;
		o->sum += atoll(PQgetvalue(res, i, 0));
	}
	if (PQntuples(res) > 0 && PQnfields(res) > 0)
		snprintf(o->value, sizeof(o->value), "%s", PQgetvalue(res, 0, 0));
}

/* Runs the loop until *flag is set or timeout_ms passes. */
static bool run_until(const bool *flag, int timeout_ms)
{
	for (int waited = 0; !*flag && waited < timeout_ms; waited += 10) {
		struct timeval tv = { 0, 10000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	return *flag;
}

static bool connected_flag(void)
{
	return db && cw_db_is_connected(db);
}

/* Runs the loop until connected (or 10 s). */
static void wait_connected(void)
{
	for (int i = 0; i < 1000 && !connected_flag(); i++) {
		struct timeval tv = { 0, 10000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	ck_assert_msg(connected_flag(), "not connected");
}

static void setup(void)
{
	struct cw_db_options opts = {
		.conninfo = "", /* PGHOST, PGPORT, PGUSER, PGDATABASE from tests/pg.sh */
		.connect_timeout_ms = 5000,
		.statement_timeout_ms = 5000,
		.retry_base_ms = 50,
		.retry_cap_ms = 200,
	};
	struct cw_log_options lo = { .targets = CW_LOG_TO_STDERR, .level = CW_LOG_WARNING,
				     .ident = "check_db", .ratelimit_ms = 0 };

	cw_log_configure(&lo);
	base = event_base_new();
	ready_count = lost_count = finished = 0;
	db = cw_db_new(base, &opts, on_ready, on_lost, NULL);
	cw_db_start(db);
	wait_connected();
}

static void teardown(void)
{
	cw_db_free(db);
	db = NULL;
	event_base_free(base);
}

/* Submits one query and runs the loop until it is done. */
static void query(const char *sql, int nparams, const char *const *params, unsigned flags,
		  struct outcome *o)
{
	struct cw_error err;

	memset(o, 0, sizeof(*o));
	ck_assert_msg(cw_db_query(db, sql, nparams, params, flags, on_row, on_done, o, &err), "%s",
		      err.msg);
	ck_assert_msg(run_until(&o->done, 10000), "query did not finish: %s", sql);
}

START_TEST(test_connect_and_status)
{
	struct cw_db_status st;

	ck_assert_int_eq(ready_count, 1);
	cw_db_get_status(db, &st);
	ck_assert_int_eq(st.state, CW_DB_READY);
	ck_assert_str_eq(cw_db_state_name(st.state), "ready");
	ck_assert_int_ge(st.server_version, 130000);
	ck_assert_uint_eq(st.attempts, 0);
	ck_assert_uint_eq(st.queued, 0);
}
END_TEST

START_TEST(test_session_settings)
{
	struct outcome o;

	query("SHOW search_path", 0, NULL, 0, &o);
	ck_assert(o.ok);
	ck_assert_str_eq(o.value, "");
	query("SHOW statement_timeout", 0, NULL, 0, &o);
	ck_assert_str_eq(o.value, "5s");
	query("SHOW application_name", 0, NULL, 0, &o);
	ck_assert_str_eq(o.value, "casewatchd");
}
END_TEST

START_TEST(test_params)
{
	const char *params[] = { "2", "3" };
	struct outcome o;

	query("SELECT $1::integer + $2::integer", 2, params, 0, &o);
	ck_assert(o.ok);
	ck_assert_str_eq(o.value, "5");
}
END_TEST

START_TEST(test_single_row_streams)
{
	struct outcome o;

	/* 100000 rows, one at a time: the sum is n(n+1)/2 = 5000050000. */
	query("SELECT g FROM pg_catalog.generate_series(1, 100000) g", 0, NULL, CW_DB_SINGLE_ROW, &o);
	ck_assert(o.ok);
	ck_assert_int_eq(o.rows, 100000);
	ck_assert_int_eq(o.sum, 5000050000LL);
	ck_assert_int_eq(o.max_ntuples, 1);
	/* Without single-row mode the same arrives as one result. */
	query("SELECT g FROM pg_catalog.generate_series(1, 1000) g", 0, NULL, 0, &o);
	ck_assert_int_eq(o.rows, 1000);
	ck_assert_int_eq(o.max_ntuples, 1000);
}
END_TEST

START_TEST(test_error_sqlstate)
{
	struct outcome o;

	/* division_by_zero is SQLSTATE 22012 (PostgreSQL manual, appendix A). */
	query("SELECT 1 / 0", 0, NULL, 0, &o);
	ck_assert(!o.ok);
	ck_assert_str_eq(o.err.sqlstate, "22012");
	ck_assert(!o.err.connection_lost);
	ck_assert_str_eq(o.err.message, "division by zero");
	/* The connection is still good. */
	query("SELECT 42", 0, NULL, 0, &o);
	ck_assert(o.ok);
	ck_assert_str_eq(o.value, "42");
}
END_TEST

START_TEST(test_transactions)
{
	struct outcome o, count;
	struct cw_db_job *job;
	struct cw_error err;

	query("CREATE TEMPORARY TABLE t (x integer)", 0, NULL, 0, &o);
	ck_assert(o.ok);
	/* A failing step rolls the whole job back. */
	memset(&o, 0, sizeof(o));
	job = cw_db_job_new(true);
	cw_db_job_add(job, "INSERT INTO pg_temp.t VALUES (1)", 0, NULL, 0, NULL, NULL);
	cw_db_job_add(job, "SELECT 1 / 0", 0, NULL, 0, NULL, NULL);
	cw_db_job_add(job, "INSERT INTO pg_temp.t VALUES (2)", 0, NULL, 0, NULL, NULL);
	ck_assert(cw_db_submit(db, job, on_done, &o, &err));
	ck_assert(run_until(&o.done, 5000));
	ck_assert(!o.ok);
	ck_assert_str_eq(o.err.sqlstate, "22012");
	query("SELECT pg_catalog.count(*) FROM pg_temp.t", 0, NULL, 0, &count);
	ck_assert_str_eq(count.value, "0");
	/* A good one commits every step. */
	memset(&o, 0, sizeof(o));
	job = cw_db_job_new(true);
	cw_db_job_add(job, "INSERT INTO pg_temp.t VALUES (1)", 0, NULL, 0, NULL, NULL);
	cw_db_job_add(job, "INSERT INTO pg_temp.t VALUES (2), (3)", 0, NULL, 0, NULL, NULL);
	ck_assert(cw_db_submit(db, job, on_done, &o, &err));
	ck_assert(run_until(&o.done, 5000));
	ck_assert(o.ok);
	query("SELECT pg_catalog.sum(x) FROM pg_temp.t", 0, NULL, 0, &count);
	ck_assert_str_eq(count.value, "6");
	/* Not in a transaction any more: SAVEPOINT outside a transaction block
	 * is no_active_sql_transaction, SQLSTATE 25P01. */
	query("SAVEPOINT s", 0, NULL, 0, &count);
	ck_assert(!count.ok);
	ck_assert_str_eq(count.err.sqlstate, "25P01");
}
END_TEST

START_TEST(test_queue_order_and_script)
{
	struct outcome a, b, c;
	struct cw_error err;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	ck_assert(cw_db_query(db, "SELECT pg_catalog.pg_sleep(0.1)", 0, NULL, 0, NULL, on_done, &a, &err));
	ck_assert(cw_db_query(db, "SELECT 2", 0, NULL, 0, on_row, on_done, &b, &err));
	ck_assert(cw_db_query(db, "SELECT 3; SELECT 4", 0, NULL, CW_DB_SCRIPT, on_row, on_done, &c,
			      &err));
	ck_assert(run_until(&c.done, 5000));
	ck_assert(a.done && b.done);
	ck_assert_int_eq(a.order, 1);
	ck_assert_int_eq(b.order, 2);
	ck_assert_int_eq(c.order, 3);
	/* A script runs every statement; each result reaches on_result. */
	ck_assert_int_eq(c.rows, 2);
	ck_assert_int_eq(c.sum, 7);
}
END_TEST

START_TEST(test_reconnects_after_termination)
{
	struct outcome o;
	struct cw_db_status st;

	/* The server ends our session (as on a restart): the running job fails
	 * as connection lost, and the wrapper reconnects by itself. */
	query("SELECT pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid())", 0, NULL, 0, &o);
	ck_assert(!o.ok);
	ck_assert(o.err.connection_lost);
	ck_assert_int_eq(lost_count, 1);
	cw_db_get_status(db, &st);
	ck_assert_int_eq(st.state, CW_DB_BAD);
	ck_assert_str_ne(st.last_error, "");
	wait_connected();
	ck_assert_int_eq(ready_count, 2);
	query("SELECT 7", 0, NULL, 0, &o);
	ck_assert(o.ok);
	ck_assert_str_eq(o.value, "7");
}
END_TEST

START_TEST(test_submit_when_disconnected)
{
	struct cw_db_options opts = { .conninfo = "host=/nonexistent", .connect_timeout_ms = 1000,
				      .retry_base_ms = 1000, .retry_cap_ms = 1000 };
	struct cw_db *d2 = cw_db_new(base, &opts, NULL, NULL, NULL);
	struct cw_error err;
	struct cw_db_job *job = cw_db_job_new(false);

	cw_db_job_add(job, "SELECT 1", 0, NULL, 0, NULL, NULL);
	ck_assert(!cw_db_submit(d2, job, on_done, NULL, &err));
	ck_assert_str_eq(err.msg, "database not connected (disconnected)");
	/* An empty job is refused too. */
	ck_assert(!cw_db_submit(db, cw_db_job_new(false), on_done, NULL, &err));
	cw_db_free(d2);
}
END_TEST

START_TEST(test_connect_timeout_is_ours)
{
	/* A server that accepts the TCP connection but never answers: libpq
	 * ignores connect_timeout without blocking calls, so our timer must end
	 * the attempt. */
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	char conninfo[128];
	struct cw_db_options opts = { .conninfo = conninfo, .connect_timeout_ms = 300,
				      .retry_base_ms = 60000, .retry_cap_ms = 60000 };
	struct cw_db *d2;
	struct cw_db_status st;
	int before = lost_count;
	bool lost = false;

	ck_assert_int_ge(lfd, 0);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(lfd, 4), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sa, &len), 0);
	snprintf(conninfo, sizeof(conninfo), "host=127.0.0.1 port=%d dbname=x user=x sslmode=disable",
		 ntohs(sa.sin_port));
	d2 = cw_db_new(base, &opts, on_ready, on_lost, NULL);
	cw_db_start(d2);
	for (int i = 0; i < 300 && !lost; i++) {
		struct timeval tv = { 0, 10000 };

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
		lost = lost_count > before;
	}
	ck_assert_msg(lost, "the attempt did not time out");
	cw_db_get_status(d2, &st);
	ck_assert_int_eq(st.state, CW_DB_BAD);
	ck_assert_str_eq(st.last_error, "connection attempt timed out after 300 ms");
	ck_assert_uint_eq(st.attempts, 1);
	ck_assert_int_gt(st.next_retry_ms, 1000);
	cw_db_free(d2);
	close(lfd);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("db");

	tcase_set_timeout(tc, 20);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_connect_and_status);
	tcase_add_test(tc, test_session_settings);
	tcase_add_test(tc, test_params);
	tcase_add_test(tc, test_single_row_streams);
	tcase_add_test(tc, test_error_sqlstate);
	tcase_add_test(tc, test_transactions);
	tcase_add_test(tc, test_queue_order_and_script);
	tcase_add_test(tc, test_reconnects_after_termination);
	tcase_add_test(tc, test_submit_when_disconnected);
	tcase_add_test(tc, test_connect_timeout_is_ours);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
