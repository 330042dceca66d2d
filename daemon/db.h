/*
 * db.h - one PostgreSQL connection, driven asynchronously by libevent.
 *
 * struct cw_db wraps a PGconn with its own state. Connecting uses
 * PQconnectStartParams/PQconnectPoll on a one-shot event re-armed on a fresh
 * PQsocket() every time; queries use PQsendQueryParams (or PQsendQuery for
 * a multi-statement script), PQflush decides write-or-read, then
 * PQconsumeInput, PQisBusy and PQgetResult until NULL. Nothing here blocks.
 *
 * Work is submitted as jobs: one or more steps run in order, optionally
 * wrapped in BEGIN ... COMMIT (ROLLBACK on the first error). Jobs queue and
 * run one at a time. A step may stream its rows one by one (single-row
 * mode), so memory does not grow with the database.
 *
 * A broken connection (or SQLSTATE class 08) fails the running and queued
 * jobs with err->connection_lost set, and the wrapper reconnects by itself
 * with the cw_retry policy; on_ready fires after every (re)connection.
 * Callbacks never run after cw_db_free().
 */
#ifndef CASEWATCH_DAEMON_DB_H
#define CASEWATCH_DAEMON_DB_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "casewatch/calendar.h"
#include "casewatch/error.h"

struct event_base;
struct cw_db;
struct cw_db_job;

enum cw_db_state {
	CW_DB_DISCONNECTED, /* not started, or stopped */
	CW_DB_CONNECTING,   /* PQconnectPoll in progress */
	CW_DB_READY,	    /* connected, idle */
	CW_DB_BUSY,	    /* connected, running a job */
	CW_DB_BAD,	    /* lost or failed; a reconnect is scheduled */
};

struct cw_db_options {
	const char *conninfo;	      /* libpq connection string (copied) */
	int64_t connect_timeout_ms;   /* per attempt, enforced by our own timer */
	int64_t statement_timeout_ms; /* sent as -c statement_timeout (0 = none) */
	int64_t retry_base_ms;
	int64_t retry_cap_ms;
	/* A second connection of the same daemon (daemon/poller.c's reader):
	 * its application_name (NULL: casewatchd), and quiet: its losses and
	 * returns are logged at info, without the journal events and the
	 * rate limits of the main connection, which tells them already. */
	const char *application_name;
	bool quiet;
};

/* Why a job failed. */
struct cw_db_error {
	char sqlstate[6];     /* "" when there is none (e.g. connection failure) */
	bool connection_lost; /* the job may be retried after on_ready */
	char message[512];    /* primary message only: never DETAIL, which may hold data */
};

/* For the status command. */
struct cw_db_status {
	enum cw_db_state state;
	cw_time since;	      /* when state last changed (wall clock) */
	unsigned attempts;    /* failed attempts since the last success */
	int64_t next_retry_ms; /* while BAD: ms until the next attempt */
	unsigned queued;      /* jobs waiting, including the running one */
	char last_error[512]; /* "" if none since start: libpq's words, for the log only */
	const char *last_error_kind; /* "cannot connect", "connection lost", or NULL: for clients */
	int server_version;   /* PQserverVersion, 0 when not connected */
};

/* A step's result: a whole result, or with CW_DB_SINGLE_ROW one row at a
 * time (PQntuples(res) == 1). res is freed after the call. */
typedef void (*cw_db_result_fn)(const PGresult *res, void *arg);
/* The end of a job: err is NULL on success. */
typedef void (*cw_db_done_fn)(struct cw_db *db, const struct cw_db_error *err, void *arg);
/* Connection events. */
typedef void (*cw_db_event_fn)(struct cw_db *db, void *arg);

/* A notification arrived on a channel this connection LISTENs on. The
 * payload is not passed on: casewatch treats notifications as wake-ups
 * only, and a payload may carry what a records trigger put in it. */
typedef void (*cw_db_notify_fn)(struct cw_db *db, const char *channel, void *arg);

/* Step flags. */
#define CW_DB_SCRIPT 1	   /* several statements, no parameters (simple protocol) */
#define CW_DB_SINGLE_ROW 2 /* stream rows one by one to on_result */
/* on_result takes the (whole) result over and PQclear()s it when done, so a
 * job's results can be kept until the job ends (daemon/facts_reader.c). */
#define CW_DB_KEEP_RESULT 4

const char *cw_db_state_name(enum cw_db_state state);

/* A wrapper, not yet connecting. on_ready runs after each successful
 * connection; on_lost after each failure: a failed attempt or a broken
 * connection (cw_db_get_status tells which). Neither may free the db. */
struct cw_db *cw_db_new(struct event_base *base, const struct cw_db_options *opts,
			cw_db_event_fn on_ready, cw_db_event_fn on_lost, void *arg);
/* Closes the connection; pending callbacks are dropped, not called. */
void cw_db_free(struct cw_db *db);
/* Starts connecting (and reconnecting after failures). */
void cw_db_start(struct cw_db *db);
/* Where notifications go (NULL: dropped). */
void cw_db_set_notify(struct cw_db *db, cw_db_notify_fn fn, void *arg);
/* The options db was made with (conninfo and application_name point
 * into db), e.g. for a second connection like it. */
void cw_db_get_options(const struct cw_db *db, struct cw_db_options *opts);
/* Changes the retry policy (reload). */
void cw_db_set_retry(struct cw_db *db, int64_t base_ms, int64_t cap_ms);
void cw_db_get_status(const struct cw_db *db, struct cw_db_status *st);
/* True when connected (READY or BUSY). */
bool cw_db_is_connected(const struct cw_db *db);
/* The event loop the wrapper runs on. */
struct event_base *cw_db_event_base(const struct cw_db *db);

/* Jobs. */
struct cw_db_job *cw_db_job_new(bool transaction);
/* Makes job a transaction whose first step, a script (CW_DB_SCRIPT),
 * opens it with its own BEGIN: no round trip of its own for the BEGIN,
 * and the work is sent at once. It still ends in COMMIT or ROLLBACK. */
void cw_db_job_begun_by_step(struct cw_db_job *job);
/* Adds a step; sql and params are copied. */
void cw_db_job_add(struct cw_db_job *job, const char *sql, int nparams, const char *const *params,
		   unsigned flags, cw_db_result_fn on_result, void *arg);
/* Queues a job (taking it over in every case). Fails, freeing the job, when
 * the database is not connected or the job is empty; otherwise done is
 * called later, never from within cw_db_submit. */
bool cw_db_submit(struct cw_db *db, struct cw_db_job *job, cw_db_done_fn done, void *arg,
		  struct cw_error *err);
/* One query as a job of one step. */
bool cw_db_query(struct cw_db *db, const char *sql, int nparams, const char *const *params,
		 unsigned flags, cw_db_result_fn on_result, cw_db_done_fn done, void *arg,
		 struct cw_error *err);

#endif /* CASEWATCH_DAEMON_DB_H */
