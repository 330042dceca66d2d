/* prune.c - prunes old delivered transitions and audit rows in small batches, off the pass's path. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "alertbus.h"
#include "clock.h"
#include "daemon.h"
#include "db.h"
#include "log.h"
#include "prune.h"
#include "transition_log.h"

/* Rows per statement: small enough that a pass waits only briefly behind one. */
#define RET_BATCH 500
/* Between two batches of one run: the loop (and a pass that became due) goes first. */
#define RET_GAP_MS 20
/* Until the first window is read: how often to look whether the database is ready. */
#define RET_FIRST_MS 200
/* The first schema with casewatch.prune_transitions(). */
#define RET_SCHEMA 5

enum ret_step { RET_IDLE, RET_TRANSITIONS, RET_AUDIT, RET_WINDOW };

struct cw_prune {
	struct event_base *base;
	struct cw_daemon *daemon;
	struct cw_translog *tlog;
	struct cw_alertbus *bus;
	struct event *timer;
	enum ret_step step;	 /* what the query in flight (or the next batch) does */
	bool more;		 /* the last batch was full */
	uint64_t run_transitions, run_audit; /* pruned by this run */
	struct cw_prune_stats st;
};

static void ret_next(struct cw_prune *r);

/* Waits ms before the next step (or the next run). */
static void ret_arm(struct cw_prune *r, int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	event_add(r->timer, &tv);
}

/* The run is over: says what it did, and waits for the next one. */
static void ret_finish(struct cw_prune *r)
{
	if (r->run_transitions || r->run_audit)
		cw_log(CW_LOG_INFO,
		       "retention: pruned %" PRIu64 " transitions (the log now starts after id %" PRIu64
		       ") and %" PRIu64 " audit rows",
		       r->run_transitions, r->st.pruned_upto, r->run_audit);
	r->run_transitions = r->run_audit = 0;
	r->step = RET_IDLE;
	/* Until the window is known (just started), look again soon, so status
	 * has it right after the first connection. */
	ret_arm(r, r->st.known ? cw_daemon_conf(r->daemon)->poll_interval_ms : RET_FIRST_MS);
}

/* A failed query ends the run; the next one starts over. */
static void ret_failed(struct cw_prune *r, const struct cw_db_error *err)
{
	if (!err->connection_lost)
		cw_log_ratelimited("retention", CW_LOG_WARNING, "retention: %s: %s%s%s",
				   r->step == RET_WINDOW ? "reading the replay window" : "pruning",
				   err->sqlstate, err->sqlstate[0] ? ": " : "", err->message);
	ret_finish(r);
}

static void on_window_row(const PGresult *res, void *arg)
{
	struct cw_prune *r = arg;

	if (PQntuples(res) != 1)
		return;
	r->st.pruned_upto = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	r->st.oldest_id = PQgetisnull(res, 0, 1) ? 0 : strtoull(PQgetvalue(res, 0, 1), NULL, 10);
	r->st.known = true;
}

static void on_pruned_row(const PGresult *res, void *arg)
{
	struct cw_prune *r = arg;
	uint64_t n;

	if (PQntuples(res) != 1)
		return;
	n = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	if (r->step == RET_TRANSITIONS) {
		r->st.pruned_upto = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
		r->more = !strcmp(PQgetvalue(res, 0, 2), "t");
		r->run_transitions += n;
		r->st.transitions_pruned += n;
	} else {
		r->more = n == RET_BATCH;
		r->run_audit += n;
		r->st.audit_pruned += n;
	}
}

static void on_step_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_prune *r = arg;

	(void)db;
	if (err) {
		ret_failed(r, err);
		return;
	}
	switch (r->step) {
	case RET_TRANSITIONS:
		if (r->tlog)
			cw_translog_forget_upto(r->tlog, r->st.pruned_upto);
		if (!r->more)
			r->step = RET_AUDIT;
		ret_arm(r, RET_GAP_MS);
		break;
	case RET_AUDIT:
		if (!r->more)
			r->step = RET_WINDOW;
		ret_arm(r, RET_GAP_MS);
		break;
	case RET_WINDOW:
	case RET_IDLE:
		ret_finish(r);
		break;
	}
}

/* The cutoff for a retention as the store takes it: now minus it, UTC. */
static void cutoff(int64_t retention_ms, char buf[CW_CLOCK_UTC_STRLEN])
{
	cw_clock_format_utc(cw_clock_now() - (cw_time)(retention_ms / 1000), buf);
}

/* Runs the current step as one statement. */
static void ret_next(struct cw_prune *r)
{
	const struct cw_conf *conf = cw_daemon_conf(r->daemon);
	struct cw_db *db = cw_daemon_db(r->daemon);
	char before[CW_CLOCK_UTC_STRLEN], keep[24], limit[24];
	const char *params[3] = { before, keep, limit };
	uint64_t low = r->bus ? cw_alertbus_min_cursor(r->bus) : UINT64_MAX;
	struct cw_error e;
	bool ok;

	snprintf(limit, sizeof(limit), "%d", RET_BATCH);
	/* A connected subscriber still needs everything after its cursor. */
	snprintf(keep, sizeof(keep), "%" PRIu64, low >= (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX : low + 1);
	if (r->step == RET_TRANSITIONS && conf->transition_retention_ms == 0)
		r->step = RET_AUDIT;
	if (r->step == RET_AUDIT && conf->audit_retention_ms == 0)
		r->step = RET_WINDOW;
	switch (r->step) {
	case RET_TRANSITIONS:
		cutoff(conf->transition_retention_ms, before);
		ok = cw_db_query(db, "SELECT pruned, pruned_upto, more FROM casewatch.prune_transitions("
				     "$1::timestamptz, $2::bigint, $3::integer)",
				 3, params, 0, on_pruned_row, on_step_done, r, &e);
		break;
	case RET_AUDIT:
		cutoff(conf->audit_retention_ms, before);
		params[1] = limit;
		ok = cw_db_query(db, "SELECT casewatch.prune_audit($1::timestamptz, $2::integer)", 2, params, 0,
				 on_pruned_row, on_step_done, r, &e);
		break;
	default:
		r->step = RET_WINDOW;
		ok = cw_db_query(db, "SELECT pruned_upto, oldest_id FROM casewatch.replay_window()", 0, NULL, 0,
				 on_window_row, on_step_done, r, &e);
		break;
	}
	if (!ok)
		ret_finish(r);
}

/* The timer: starts a run, or goes on with one, when the connection is free. */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct cw_prune *r = arg;
	struct cw_db *db = cw_daemon_db(r->daemon);
	struct cw_db_status st;

	(void)fd;
	(void)what;
	if (!db || !cw_db_is_connected(db) || cw_daemon_schema_version(r->daemon) < RET_SCHEMA) {
		ret_finish(r);
		return;
	}
	cw_db_get_status(db, &st);
	if (cw_daemon_in_pass(r->daemon) || st.queued > 0) {
		/* The pass goes first; try again shortly. */
		ret_arm(r, RET_GAP_MS * 10);
		return;
	}
	if (r->step == RET_IDLE)
		r->step = cw_daemon_is_writer(r->daemon) ? RET_TRANSITIONS : RET_WINDOW;
	else if (!cw_daemon_is_writer(r->daemon))
		r->step = RET_WINDOW; /* leadership went mid-run: only read */
	ret_next(r);
}

struct cw_prune *cw_prune_new(struct event_base *base, struct cw_daemon *daemon, struct cw_translog *tlog,
				      struct cw_alertbus *bus)
{
	struct cw_prune *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->base = base;
	r->daemon = daemon;
	r->tlog = tlog;
	r->bus = bus;
	r->timer = event_new(base, -1, 0, on_timer, r);
	if (!r->timer) {
		free(r);
		return NULL;
	}
	ret_arm(r, RET_FIRST_MS);
	return r;
}

void cw_prune_free(struct cw_prune *r)
{
	if (!r)
		return;
	event_free(r->timer);
	free(r);
}

void cw_prune_get_stats(const struct cw_prune *r, struct cw_prune_stats *st)
{
	*st = r->st;
}
