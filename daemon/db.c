/* db.c - libpq strictly asynchronous inside libevent, with reconnects. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "clock.h"
#include "db.h"
#include "log.h"
#include "retry.h"

/* One statement of a job. */
struct db_step {
	char *sql;
	int nparams;
	char **params;
	unsigned flags;
	cw_db_result_fn on_result;
	void *arg;
	struct db_step *next;
};

/* Where a running job is. */
enum db_phase { DB_PH_BEGIN, DB_PH_STEP, DB_PH_COMMIT, DB_PH_ROLLBACK };

struct cw_db_job {
	bool transaction;
	bool begun_by_step;	/* the first step opens the transaction itself */
	struct db_step *head, *tail;
	cw_db_done_fn done;
	void *arg;
	struct cw_db_job *next;
	/* While running. */
	enum db_phase phase;
	struct db_step *cur;
	bool failed;		/* the current statement returned an error */
	struct cw_db_error err; /* the first error */
};

struct cw_db {
	struct event_base *base;
	char *conninfo;
	char *app_name;
	struct cw_db_options opts;
	cw_db_event_fn on_ready, on_lost;
	void *arg;

	PGconn *conn;
	enum cw_db_state state;
	cw_time since;
	struct event *io;    /* one-shot, re-created on a fresh PQsocket() */
	struct event *timer; /* the next reconnect attempt */
	struct cw_retry retry;
	int64_t retry_at_ms;
	int64_t down_since_ms; /* when the outage began, 0 if none */
	bool flushing;	       /* PQflush returned 1: wait for write too */
	bool started;
	char last_error[512];
	const char *last_error_kind; /* the same in our words, for socket clients */

	struct cw_db_job *running;
	struct cw_db_job *qhead, *qtail;
	unsigned queued;

	cw_db_notify_fn on_notify;
	void *notify_arg;
};

static void db_io_cb(evutil_socket_t fd, short what, void *arg);
static void db_fail(struct cw_db *db, const char *why);
static void db_connect(struct cw_db *db);
static void db_run_next(struct cw_db *db);

/* A state's name, for logs and the status command. */
const char *cw_db_state_name(enum cw_db_state state)
{
	switch (state) {
	case CW_DB_DISCONNECTED:
		return "disconnected";
	case CW_DB_CONNECTING:
		return "connecting";
	case CW_DB_READY:
		return "ready";
	case CW_DB_BUSY:
		return "busy";
	case CW_DB_BAD:
		return "bad";
	}
	return "unknown";
}

/* Moves to a new state, remembering when. */
static void db_set_state(struct cw_db *db, enum cw_db_state state)
{
	if (db->state != state)
		db->since = (cw_time)time(NULL);
	db->state = state;
}

/* Waits once for what on the connection's current socket, with an
 * optional timeout (0: none). */
static void db_arm(struct cw_db *db, short what, int64_t timeout_ms)
{
	struct timeval tv = { (time_t)(timeout_ms / 1000), (suseconds_t)(timeout_ms % 1000) * 1000 };
	int fd = PQsocket(db->conn);

	if (db->io)
		event_free(db->io);
	db->io = NULL;
	if (fd < 0) {
		db_fail(db, "the connection has no socket");
		return;
	}
	db->io = event_new(db->base, fd, what, db_io_cb, db);
	if (!db->io)
		abort();
	event_add(db->io, timeout_ms > 0 ? &tv : NULL);
}

/* Frees a job and its steps. */
static void db_job_free(struct cw_db_job *job)
{
	while (job && job->head) {
		struct db_step *s = job->head;

		job->head = s->next;
		for (int i = 0; i < s->nparams; i++)
			free(s->params[i]);
		free(s->params);
		free(s->sql);
		free(s);
	}
	free(job);
}

/* Ends a job: calls its done callback with err (NULL: success). */
static void db_job_finish(struct cw_db *db, struct cw_db_job *job, const struct cw_db_error *err)
{
	if (db->queued > 0)
		db->queued--;
	if (job->done)
		job->done(db, err, job->arg);
	db_job_free(job);
}

/* Fails the running job and every queued one as "connection lost". */
static void db_fail_jobs(struct cw_db *db, const char *why)
{
	struct cw_db_error err = { .connection_lost = true };
	struct cw_db_job *job;

	snprintf(err.message, sizeof(err.message), "%s", why);
	if ((job = db->running)) {
		db->running = NULL;
		db_job_finish(db, job, &err);
	}
	while ((job = db->qhead)) {
		db->qhead = job->next;
		if (!db->qhead)
			db->qtail = NULL;
		db_job_finish(db, job, &err);
	}
}

/* Keeps the first line of a libpq message as the last error. */
static void db_note_error(struct cw_db *db, const char *msg)
{
	size_t n = strcspn(msg, "\n");

	snprintf(db->last_error, sizeof(db->last_error), "%.*s", (int)n, msg);
}

/* Reconnect timer: the backoff delay is over. */
static void db_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	db_connect(arg);
}

/* The connection failed or broke: log (rate-limited), fail the jobs,
 * close it, and schedule the next attempt. */
static void db_fail(struct cw_db *db, const char *why)
{
	bool was_connected = db->state == CW_DB_READY || db->state == CW_DB_BUSY;
	int64_t delay;
	struct timeval tv;

	db_note_error(db, why);
	db->last_error_kind = was_connected ? "connection lost" : "cannot connect";
	/* Lost: a warning, since the daemon reconnects; not getting back in is
	 * for IT to act on (err). */
	if (db->opts.quiet)
		cw_log(was_connected ? CW_LOG_INFO : CW_LOG_DEBUG, "database (%s): %s: %.*s", db->app_name,
		       was_connected ? "connection lost" : "cannot connect", (int)strcspn(why, "\n"), why);
	else if (was_connected)
		cw_log_lines("db-lost", CW_EV_DB_LOST, CW_LOG_WARNING, "database connection lost", why);
	else
		cw_log_lines("db-connect", CW_EV_DB_UNREACHABLE, CW_LOG_ERR, "cannot connect to database", why);
	if (!db->down_since_ms)
		db->down_since_ms = cw_clock_monotonic_ms();
	if (db->io) {
		event_free(db->io);
		db->io = NULL;
	}
	if (db->conn) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	db->flushing = false;
	db_set_state(db, CW_DB_BAD);
	delay = cw_retry_next(&db->retry);
	db->retry_at_ms = cw_clock_monotonic_ms() + delay;
	tv.tv_sec = (time_t)(delay / 1000);
	tv.tv_usec = (suseconds_t)(delay % 1000) * 1000;
	evtimer_add(db->timer, &tv);
	cw_log(CW_LOG_DEBUG, "database%s%s%s: attempt %u failed, next in %lld ms", db->opts.quiet ? " (" : "",
	       db->opts.quiet ? db->app_name : "", db->opts.quiet ? ")" : "", db->retry.attempts, (long long)delay);
	db_fail_jobs(db, was_connected ? "database connection lost" : "database not connected");
	if (db->on_lost)
		db->on_lost(db, db->arg);
}

/* Server notices (e.g. "schema already exists, skipping") go to debug. */
static void db_notice_cb(void *arg, const char *message)
{
	(void)arg;
	cw_log_lines(NULL, CW_EV_NONE, CW_LOG_DEBUG, "database notice", message);
}

/* PQconnectPoll said OK: the connection is ready for jobs. */
static void db_connected(struct cw_db *db)
{
	if (PQsetnonblocking(db->conn, 1) != 0) {
		db_fail(db, PQerrorMessage(db->conn));
		return;
	}
	PQsetNoticeProcessor(db->conn, db_notice_cb, db);
	if (db->opts.quiet)
		cw_log(CW_LOG_INFO, "database (%s): connected", db->app_name);
	else {
		cw_log_ratelimit_reset("db-lost");
		cw_log_ratelimit_reset("db-connect");
	}
	if (db->down_since_ms && !db->opts.quiet)
		cw_log_event(CW_EV_DB_REGAINED, CW_LOG_NOTICE,
			     "database connection restored after %u failed attempt%s (%lld s without it)",
		       db->retry.attempts, db->retry.attempts == 1 ? "" : "s",
		       (long long)((cw_clock_monotonic_ms() - db->down_since_ms + 500) / 1000));
	if (!db->opts.quiet)
		cw_log(CW_LOG_INFO, "connected to database %s on %s port %s as %s (server version %d)",
		       PQdb(db->conn), PQhost(db->conn), PQport(db->conn), PQuser(db->conn),
		       PQserverVersion(db->conn));
	db->down_since_ms = 0;
	cw_retry_reset(&db->retry);
	db_set_state(db, CW_DB_READY);
	if (db->on_ready)
		db->on_ready(db, db->arg);
	db_run_next(db);
}

/* One PQconnectPoll step and re-arm on the socket it now uses. */
static void db_connect_poll(struct cw_db *db)
{
	int64_t left = db->retry_at_ms - cw_clock_monotonic_ms(); /* the attempt's deadline */

	if (left < 1)
		left = 1;
	switch (PQconnectPoll(db->conn)) {
	case PGRES_POLLING_READING:
		db_arm(db, EV_READ, left);
		break;
	case PGRES_POLLING_WRITING:
		db_arm(db, EV_WRITE, left);
		break;
	case PGRES_POLLING_OK:
		db_connected(db);
		break;
	case PGRES_POLLING_FAILED:
	default:
		db_fail(db, PQerrorMessage(db->conn));
		break;
	}
}

/* Starts one connection attempt. */
static void db_connect(struct cw_db *db)
{
	char timeout[32], options[224];
	const char *keys[] = { "dbname", "connect_timeout", "fallback_application_name", "options",
			       "keepalives", "keepalives_idle", "keepalives_interval",
			       "keepalives_count", NULL };
	const char *vals[] = { db->conninfo, timeout, db->app_name, options, "1", "30", "10", "3", NULL };

	snprintf(timeout, sizeof(timeout), "%lld",
		 (long long)((db->opts.connect_timeout_ms + 999) / 1000));
	/* TimeZone UTC: every timestamp the daemon prints from the database
	 * (--json) has the same form whatever the server's time zone. */
	/* The server's keepalives too: if this host vanishes, the server ends
	 * the session (and frees the writer lock for a standby) within about
	 * a minute instead of the kernel's default two hours. */
	snprintf(options, sizeof(options),
		 "-c search_path= -c TimeZone=UTC -c statement_timeout=%lld"
		 " -c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3",
		 (long long)db->opts.statement_timeout_ms);
	db_set_state(db, CW_DB_CONNECTING);
	db->conn = PQconnectStartParams(keys, vals, 1);
	if (!db->conn) {
		db_fail(db, "out of memory starting a connection");
		return;
	}
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		db_fail(db, PQerrorMessage(db->conn));
		return;
	}
	/* libpq ignores connect_timeout under PQconnectPoll: this is ours. */
	db->retry_at_ms = cw_clock_monotonic_ms() + db->opts.connect_timeout_ms;
	/* Before the first PQconnectPoll, behave as if it returned WRITING. */
	db_arm(db, EV_WRITE, db->opts.connect_timeout_ms);
}

/* The SQL the running job sends next. */
static void db_current(const struct cw_db_job *job, const char **sql, int *nparams,
		       const char *const **params, unsigned *flags)
{
	*sql = "";
	*nparams = 0;
	*params = NULL;
	*flags = 0;
	switch (job->phase) {
	case DB_PH_BEGIN:
		*sql = "BEGIN";
		break;
	case DB_PH_COMMIT:
		*sql = "COMMIT";
		break;
	case DB_PH_ROLLBACK:
		*sql = "ROLLBACK";
		break;
	case DB_PH_STEP:
		*sql = job->cur->sql;
		*nparams = job->cur->nparams;
		*params = (const char *const *)job->cur->params;
		*flags = job->cur->flags;
		break;
	}
}

/* Pushes buffered output; waits for write as well as read while libpq
 * still has data to send. */
static void db_flush(struct cw_db *db)
{
	int r = PQflush(db->conn);

	if (r < 0) {
		db_fail(db, PQerrorMessage(db->conn));
		return;
	}
	db->flushing = r == 1;
	db_arm(db, db->flushing ? EV_READ | EV_WRITE : EV_READ, 0);
}

/* Sends the running job's current statement. */
static void db_send(struct cw_db *db)
{
	struct cw_db_job *job = db->running;
	const char *const *params;
	const char *sql;
	unsigned flags;
	int nparams, ok;

	db_current(job, &sql, &nparams, &params, &flags);
	job->failed = false;
	if (flags & CW_DB_SCRIPT)
		ok = PQsendQuery(db->conn, sql);
	else
		ok = PQsendQueryParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if (!ok) {
		db_fail(db, PQerrorMessage(db->conn));
		return;
	}
	if ((flags & CW_DB_SINGLE_ROW) && !PQsetSingleRowMode(db->conn))
		cw_log(CW_LOG_WARNING, "database: single-row mode refused; rows arrive at once");
	db_flush(db);
}

/* Records the first error of the current statement. */
static void db_result_error(struct cw_db_job *job, const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	job->failed = true;
	if (job->err.message[0])
		return;
	snprintf(job->err.sqlstate, sizeof(job->err.sqlstate), "%s", state ? state : "");
	if (primary)
		snprintf(job->err.message, sizeof(job->err.message), "%s", primary);
	else
		snprintf(job->err.message, sizeof(job->err.message), "%.*s",
			 (int)strcspn(PQresultErrorMessage(res), "\n"), PQresultErrorMessage(res));
	if (strncmp(job->err.sqlstate, "08", 2) == 0)
		job->err.connection_lost = true;
}

/* Hands one result to the step that asked for it; true if the step took
 * it over (CW_DB_KEEP_RESULT), so it must not be freed here. */
static bool db_result(struct cw_db_job *job, const PGresult *res)
{
	struct db_step *step = job->phase == DB_PH_STEP ? job->cur : NULL;

	switch (PQresultStatus(res)) {
	case PGRES_SINGLE_TUPLE:
		if (step && step->on_result && !job->failed)
			step->on_result(res, step->arg);
		break;
	case PGRES_TUPLES_OK:
		/* In single-row mode this is the empty end-of-rows marker. */
		if (step && step->on_result && !job->failed && !(step->flags & CW_DB_SINGLE_ROW)) {
			step->on_result(res, step->arg);
			return (step->flags & CW_DB_KEEP_RESULT) != 0;
		}
		break;
	case PGRES_COMMAND_OK:
		if (step && step->on_result && !job->failed)
			step->on_result(res, step->arg);
		break;
	case PGRES_EMPTY_QUERY:
		break;
	case PGRES_COPY_IN:
	case PGRES_COPY_OUT:
	case PGRES_COPY_BOTH:
		job->failed = true;
		if (!job->err.message[0])
			snprintf(job->err.message, sizeof(job->err.message), "COPY is not supported here");
		break;
	default:
		db_result_error(job, res);
		break;
	}
	return false;
}

/* The current statement has returned all its results: move the job on. */
static void db_statement_done(struct cw_db *db)
{
	struct cw_db_job *job = db->running;

	if (PQstatus(db->conn) == CONNECTION_BAD || job->err.connection_lost) {
		db_fail(db, job->err.message[0] ? job->err.message : PQerrorMessage(db->conn));
		return;
	}
	if (job->failed || (job->err.message[0] && job->phase != DB_PH_ROLLBACK)) {
		if (job->transaction && job->phase != DB_PH_ROLLBACK && job->phase != DB_PH_COMMIT) {
			job->phase = DB_PH_ROLLBACK;
			db_send(db);
			return;
		}
		goto finish;
	}
	switch (job->phase) {
	case DB_PH_BEGIN:
		job->phase = job->head ? DB_PH_STEP : DB_PH_COMMIT;
		job->cur = job->head;
		break;
	case DB_PH_STEP:
		job->cur = job->cur->next;
		if (!job->cur) {
			if (!job->transaction)
				goto finish;
			job->phase = DB_PH_COMMIT;
		}
		break;
	case DB_PH_COMMIT:
	case DB_PH_ROLLBACK:
		goto finish;
	}
	db_send(db);
	return;
finish:
	db->running = NULL;
	db_set_state(db, CW_DB_READY);
	db_job_finish(db, job, job->err.message[0] ? &job->err : NULL);
	db_run_next(db);
}

/* Reads what has arrived; collects results while libpq will not block. */
static void db_collect(struct cw_db *db)
{
	while (db->running && !PQisBusy(db->conn)) {
		PGresult *res = PQgetResult(db->conn);

		if (!res) {
			db_statement_done(db);
			return;
		}
		if (!db_result(db->running, res))
			PQclear(res);
	}
	if (db->running)
		db_arm(db, db->flushing ? EV_READ | EV_WRITE : EV_READ, 0);
}

/* Hands each notification's channel on (they are only wake-ups). */
static void db_drain_notifies(struct cw_db *db)
{
	PGnotify *n;

	while (db->conn && (n = PQnotifies(db->conn))) {
		if (db->on_notify)
			db->on_notify(db, n->relname, db->notify_arg);
		PQfreemem(n);
	}
}

/* The socket is ready (or the connect attempt timed out). */
static void db_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cw_db *db = arg;
	char msg[96];

	(void)fd;
	if (db->state == CW_DB_CONNECTING) {
		if (what & EV_TIMEOUT) {
			snprintf(msg, sizeof(msg), "connection attempt timed out after %lld ms",
				 (long long)db->opts.connect_timeout_ms);
			db_fail(db, msg);
			return;
		}
		db_connect_poll(db);
		return;
	}
	if (db->flushing && (what & (EV_WRITE | EV_READ))) {
		int r = PQflush(db->conn);

		if (r < 0) {
			db_fail(db, PQerrorMessage(db->conn));
			return;
		}
		db->flushing = r == 1;
	}
	if ((what & EV_READ) && !PQconsumeInput(db->conn)) {
		db_fail(db, PQerrorMessage(db->conn));
		return;
	}
	db_drain_notifies(db);
	if (db->running) {
		db_collect(db);
		/* what PQgetResult parsed on the way would wait for more input */
		if (db->conn && db->state != CW_DB_BAD)
			db_drain_notifies(db);
		return;
	}
	/* Idle: the server closing the connection shows up here. */
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		db_fail(db, PQerrorMessage(db->conn));
		return;
	}
	db_arm(db, EV_READ, 0);
}

/* Starts the next queued job, or watches the idle connection. */
static void db_run_next(struct cw_db *db)
{
	struct cw_db_job *job;

	if (db->running || db->state != CW_DB_READY)
		return;
	job = db->qhead;
	if (!job) {
		db_arm(db, EV_READ, 0);
		return;
	}
	db->qhead = job->next;
	if (!db->qhead)
		db->qtail = NULL;
	job->next = NULL;
	db->running = job;
	db_set_state(db, CW_DB_BUSY);
	job->phase = job->transaction && !job->begun_by_step ? DB_PH_BEGIN : DB_PH_STEP;
	job->cur = job->head;
	db_send(db);
}

/* A new wrapper. */
struct cw_db *cw_db_new(struct event_base *base, const struct cw_db_options *opts,
			cw_db_event_fn on_ready, cw_db_event_fn on_lost, void *arg)
{
	struct cw_db *db = calloc(1, sizeof(*db));

	if (!db)
		abort();
	db->base = base;
	db->opts = *opts;
	db->conninfo = strdup(opts->conninfo ? opts->conninfo : "");
	db->opts.conninfo = db->conninfo;
	db->app_name = strdup(opts->application_name ? opts->application_name : "casewatchd");
	db->opts.application_name = db->app_name;
	if (!db->app_name)
		abort();
	db->on_ready = on_ready;
	db->on_lost = on_lost;
	db->arg = arg;
	db->timer = evtimer_new(base, db_timer_cb, db);
	if (!db->conninfo || !db->timer)
		abort();
	cw_retry_init(&db->retry, opts->retry_base_ms, opts->retry_cap_ms, 0);
	db->state = CW_DB_DISCONNECTED;
	db->since = (cw_time)time(NULL);
	return db;
}

/* Closes everything; no callback runs after this. */
void cw_db_free(struct cw_db *db)
{
	struct cw_db_job *job;

	if (!db)
		return;
	if (db->io)
		event_free(db->io);
	event_free(db->timer);
	if (db->conn)
		PQfinish(db->conn);
	db_job_free(db->running);
	while ((job = db->qhead)) {
		db->qhead = job->next;
		db_job_free(job);
	}
	free(db->conninfo);
	free(db->app_name);
	free(db);
}

/* Begins connecting. */
void cw_db_start(struct cw_db *db)
{
	if (db->started)
		return;
	db->started = true;
	db_connect(db);
}

/* Where notifications go. */
void cw_db_set_notify(struct cw_db *db, cw_db_notify_fn fn, void *arg)
{
	db->on_notify = fn;
	db->notify_arg = arg;
}

/* The options, for a second connection like this one. */
void cw_db_get_options(const struct cw_db *db, struct cw_db_options *opts)
{
	*opts = db->opts;
}

/* New retry limits. */
void cw_db_set_retry(struct cw_db *db, int64_t base_ms, int64_t cap_ms)
{
	db->opts.retry_base_ms = base_ms;
	db->opts.retry_cap_ms = cap_ms;
	cw_retry_set(&db->retry, base_ms, cap_ms);
}

/* A snapshot for the status command. */
void cw_db_get_status(const struct cw_db *db, struct cw_db_status *st)
{
	memset(st, 0, sizeof(*st));
	st->state = db->state;
	st->since = db->since;
	st->attempts = db->retry.attempts;
	if (db->state == CW_DB_BAD) {
		st->next_retry_ms = db->retry_at_ms - cw_clock_monotonic_ms();
		if (st->next_retry_ms < 0)
			st->next_retry_ms = 0;
	}
	st->queued = db->queued;
	snprintf(st->last_error, sizeof(st->last_error), "%s", db->last_error);
	st->last_error_kind = db->last_error_kind;
	st->server_version = cw_db_is_connected(db) ? PQserverVersion(db->conn) : 0;
}

/* Connected and usable. */
bool cw_db_is_connected(const struct cw_db *db)
{
	return db->state == CW_DB_READY || db->state == CW_DB_BUSY;
}

/* The loop the wrapper runs on, for its users' own timers. */
struct event_base *cw_db_event_base(const struct cw_db *db)
{
	return db->base;
}

/* A new, empty job. */
struct cw_db_job *cw_db_job_new(bool transaction)
{
	struct cw_db_job *job = calloc(1, sizeof(*job));

	if (!job)
		abort();
	job->transaction = transaction;
	return job;
}

/* The job's first step is a script that begins with BEGIN (with its own
 * isolation level): it goes out with the work in one round trip. */
void cw_db_job_begun_by_step(struct cw_db_job *job)
{
	job->transaction = true;
	job->begun_by_step = true;
}

/* Appends a step to a job. */
void cw_db_job_add(struct cw_db_job *job, const char *sql, int nparams, const char *const *params,
		   unsigned flags, cw_db_result_fn on_result, void *arg)
{
	struct db_step *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->sql = strdup(sql);
	s->nparams = nparams;
	s->params = nparams > 0 ? calloc((size_t)nparams, sizeof(char *)) : NULL;
	for (int i = 0; i < nparams; i++)
		if (params[i] && !(s->params[i] = strdup(params[i])))
			abort();
	if (!s->sql || (nparams > 0 && !s->params))
		abort();
	s->flags = flags;
	s->on_result = on_result;
	s->arg = arg;
	if (job->tail)
		job->tail->next = s;
	else
		job->head = s;
	job->tail = s;
}

/* Queues a job. */
bool cw_db_submit(struct cw_db *db, struct cw_db_job *job, cw_db_done_fn done, void *arg,
		  struct cw_error *err)
{
	if (!job->head && (!job->transaction || job->begun_by_step)) {
		db_job_free(job);
		return cw_error_set(err, "database: an empty job");
	}
	if (!cw_db_is_connected(db)) {
		db_job_free(job);
		return cw_error_set(err, "database not connected (%s)", cw_db_state_name(db->state));
	}
	job->done = done;
	job->arg = arg;
	if (db->qtail)
		db->qtail->next = job;
	else
		db->qhead = job;
	db->qtail = job;
	db->queued++;
	db_run_next(db);
	return true;
}

/* One statement as a job. */
bool cw_db_query(struct cw_db *db, const char *sql, int nparams, const char *const *params,
		 unsigned flags, cw_db_result_fn on_result, cw_db_done_fn done, void *arg,
		 struct cw_error *err)
{
	struct cw_db_job *job = cw_db_job_new(false);

	cw_db_job_add(job, sql, nparams, params, flags, on_result, arg);
	return cw_db_submit(db, job, done, arg, err);
}
