/* deliver.c - transitions after the sink cursor to syslog, the transition log and the socket. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "alertbus.h"
#include "clock.h"
#include "deliver.h"
#include "rule_info.h"
#include "log.h"
#include "metrics.h"
#include "transition_log.h"

/* Transitions read per query. */
#define DELIVER_BATCH 500
/* The sink whose cursor this module keeps. */
#define DELIVER_SINK "syslog"
/* The syslog socket full: wait for room (EV_WRITE) at most this long
 * before trying again. */
#define DELIVER_WAIT_MS 200
/* A receiver that has taken nothing for this long: the pass stops
 * waiting for it; the next pass goes on from the cursor. */
#define DELIVER_STALL_MS 2000

struct cw_deliver {
	struct cw_translog *tlog;
	struct cw_alertbus *bus;
	struct cw_policy *const *policy; /* the poller's, or NULL */
	struct cw_db *db;	    /* of the run in progress */
	struct event *wait;	    /* waiting for room on the syslog socket */
	PGresult *batch;	    /* the batch being sent (our copy) */
	int next;		    /* its first row not yet logged */
	bool cursor_known;
	bool stop;		    /* this run stops at the transition the log refused */
	bool behind;		    /* a run stopped so; not caught up since */
	uint64_t cursor;	    /* last transition id delivered */
	uint64_t published;	    /* last id given to the transition log and the socket */
	uint64_t refused;	    /* the id the log refused */
	uint64_t pending;	    /* transitions after the cursor, counted on a pause */
	int refused_errno;
	int64_t progress_ms;	    /* when the log last took a transition */
	uint64_t count;		    /* delivered since start */
	cw_deliver_done_fn done;
	void *done_arg;
};

static void deliver_next(struct cw_deliver *dl, struct cw_db *db);
static void deliver_send(struct cw_deliver *dl);

/*
 * The log priority of a transition, from the alert's own severity in the
 * store (docs/operations.md, "Severities"): an alert is the council's
 * business, not a fault of the daemon, so it is logged one step below its
 * severity and never at err, which is kept for what needs IT. An escalated
 * alert (err) is a warning, an overdue one (warning) a notice, the rest
 * info. The alert's severity itself travels in the line's `severity` field.
 */
static enum cw_log_level severity_level(const char *severity)
{
	if (!strcmp(severity, "err"))
		return CW_LOG_WARNING;
	if (!strcmp(severity, "warning"))
		return CW_LOG_NOTICE;
	return CW_LOG_INFO;
}

static const char *value_or_null(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static cw_time epoch_or_none(const PGresult *res, int row, int col)
{
	const char *v = value_or_null(res, row, col);

	return v ? strtoll(v, NULL, 10) : INT64_MIN;
}

/*
 * A transition row (columns CW_DELIVER_TRANSITION_COLUMNS) as the bus takes
 * it: {"type", "time", "data"}. The one place the socket's event data is
 * built, for live events and for replays from the store alike: ids as
 * strings, times in UTC, late_by in seconds; members that are null are left
 * out.
 */
json_t *cw_deliver_transition_json(const PGresult *res, int r, const struct cw_policy *policy)
{
	const char *person = value_or_null(res, r, 7), *team = value_or_null(res, r, 8);
	const char *late_by = value_or_null(res, r, 11), *kind = value_or_null(res, r, 13);
	const char *team_code = value_or_null(res, r, 14);
	cw_time due = epoch_or_none(res, r, 10);
	char at_text[CW_CLOCK_UTC_STRLEN], due_text[CW_CLOCK_UTC_STRLEN];
	json_t *data;

	cw_clock_format_utc(epoch_or_none(res, r, 4), at_text);
	data = json_pack("{s:s, s:s, s:s*, s:s*, s:s, s:s, s:s, s:s*}", "rule_id", PQgetvalue(res, r, 6), "alert_id",
			 PQgetvalue(res, r, 12), "person_id", person, "team", team, "audience", PQgetvalue(res, r, 9),
			 "state", PQgetvalue(res, r, 3), "severity", PQgetvalue(res, r, 5), "kind", kind);
	if (!data)
		return NULL;
	if (due != INT64_MIN) {
		cw_clock_format_utc(due, due_text);
		json_object_set_new(data, "due", json_string(due_text));
	}
	if (team_code)
		json_object_set_new(data, "team_code", json_string(team_code));
	if (late_by)
		json_object_set_new(data, "late_by", json_integer(strtoll(late_by, NULL, 10)));
	cw_rule_info_add(data, policy);
	return json_pack("{s:s, s:s, s:o}", "type", PQgetvalue(res, r, 1), "time", at_text, "data", data);
}

/* One transition row to the transition log and the alert socket. */
static void deliver_publish(struct cw_deliver *dl, const PGresult *res, int r, uint64_t id)
{
	json_t *tr = cw_deliver_transition_json(res, r, dl->policy ? *dl->policy : NULL);
	struct cw_error err;

	if (!tr) {
		cw_log_ratelimited("deliver-oom", CW_LOG_ERR, "transition %" PRIu64 " not published: out of memory", id);
		return;
	}
	if (dl->tlog && !cw_translog_append(dl->tlog, id, tr, &err))
		cw_log_ratelimited("translog", CW_LOG_WARNING, "transition log: %s", err.msg);
	if (dl->bus)
		cw_alertbus_publish(dl->bus, id, tr);
	json_decref(tr);
}

/* One transition row (CW_DELIVER_TRANSITION_COLUMNS) to every sink: 0, or
 * the errno of the log target that refused it. The transition log and the
 * socket get each id once, the first time it is read; the log gets it
 * until it takes it, and only then does the cursor move past it. */
static int deliver_row(struct cw_deliver *dl, const PGresult *res, int r)
{
	uint64_t id = strtoull(PQgetvalue(res, r, 0), NULL, 10);
	struct cw_log_transition lt = {
		.alert_id = strtoll(PQgetvalue(res, r, 12), NULL, 10),
		.person_id = value_or_null(res, r, 7) ? strtoll(PQgetvalue(res, r, 7), NULL, 10) : 0,
		.rule_id = PQgetvalue(res, r, 6),
		.team = value_or_null(res, r, 8),
		.team_code = value_or_null(res, r, 14),
		.due = epoch_or_none(res, r, 10),
		.state = PQgetvalue(res, r, 3),
		.transition_id = (int64_t)id,
		.kind = PQgetvalue(res, r, 1),
		.audience = PQgetvalue(res, r, 9),
		.severity = PQgetvalue(res, r, 5),
	};
	int e;

	if (id > dl->published) {
		cw_metrics_note_transition(lt.kind);
		deliver_publish(dl, res, r, id);
		dl->published = id;
	}
	e = cw_log_transition(severity_level(PQgetvalue(res, r, 5)), &lt);
	if (e) {
		dl->refused = id;
		return e;
	}
	dl->cursor = id;
	dl->count++;
	dl->progress_ms = cw_clock_monotonic_ms();
	return 0;
}

/* The run is over: drop the batch, tell the pass. */
static void deliver_end(struct cw_deliver *dl, bool ok)
{
	PQclear(dl->batch);
	dl->batch = NULL;
	dl->done(dl->done_arg, ok);
}

/* Any failure: log it once, forget the cursor (it may not be stored), stop. */
static void deliver_failed(struct cw_deliver *dl, const char *what, const struct cw_db_error *err)
{
	if (!err->connection_lost)
		cw_log_ratelimited("deliver", CW_LOG_ERR, "delivering transitions: %s failed: %s", what,
				   err->message);
	dl->cursor_known = false;
	deliver_end(dl, false);
}

/* The log refused a transition and the run stops there: say so, rate-limited. */
static void deliver_warn_paused(struct cw_deliver *dl)
{
	char why[128];

	if (dl->refused_errno == EAGAIN || dl->refused_errno == ENOBUFS)
		snprintf(why, sizeof(why), "full and not read for %d s", DELIVER_STALL_MS / 1000);
	else
		snprintf(why, sizeof(why), "%s", strerror(dl->refused_errno));
	cw_log_ratelimited("deliver-paused", CW_LOG_WARNING,
			   "alert transitions wait in the store: %s refused transition %" PRIu64
			   " (%s); %" PRIu64 " transitions are queued and go out, in order, once it takes them",
			   cw_log_refused_by(), dl->refused, why, dl->pending);
}

/* Delivery has caught up with the store: after a pause, say so. */
static void deliver_caught_up(struct cw_deliver *dl)
{
	if (!dl->behind)
		return;
	dl->behind = false;
	cw_log(CW_LOG_NOTICE, "alert transitions flow again: delivered up to %" PRIu64, dl->cursor);
	cw_log_ratelimit_reset("deliver-paused");
}

/* The cursor is stored: another batch if this one was full, else done. */
static void on_stored(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_deliver *dl = arg;

	if (err) {
		deliver_failed(dl, "storing the cursor", err);
		return;
	}
	if (dl->stop) {
		dl->behind = true;
		deliver_warn_paused(dl);
		deliver_end(dl, true);
		return;
	}
	if (PQntuples(dl->batch) == DELIVER_BATCH) {
		deliver_next(dl, db);
		return;
	}
	deliver_caught_up(dl);
	deliver_end(dl, true);
}

/* On a pause: transitions after the cursor, for the warning. */
static void on_pending(const PGresult *res, void *arg)
{
	struct cw_deliver *dl = arg;

	if (PQntuples(res) == 1)
		dl->pending = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
}

/* Stores the cursor: the last transition the log took. A crash before
 * this commits sends those after the stored one again on the next start,
 * never loses them. On a pause, also counts what is left. */
static void deliver_store(struct cw_deliver *dl)
{
	char cursor[24];
	const char *params[1] = { cursor };
	struct cw_error e;

	snprintf(cursor, sizeof(cursor), "%" PRIu64, dl->cursor);
	if (!cw_db_query(dl->db,
			 dl->stop ? "SELECT casewatch.sink_delivered('" DELIVER_SINK "', $1::bigint),"
				      " (SELECT count(*) FROM casewatch.transition"
				      "  WHERE transition_id > $1::bigint)" :
				      "SELECT casewatch.sink_delivered('" DELIVER_SINK "', $1::bigint)",
			 1, params, 0, dl->stop ? on_pending : NULL, on_stored, dl, &e)) {
		cw_log_ratelimited("deliver-submit", CW_LOG_ERR, "delivering transitions: %s", e.msg);
		dl->cursor_known = false;
		deliver_end(dl, false);
	}
}

/* The syslog socket has room, or the wait is over: go on with the batch. */
static void on_room(evutil_socket_t fd, short what, void *arg)
{
	struct cw_deliver *dl = arg;

	(void)fd;
	(void)what;
	deliver_send(dl);
}

/* The syslog receiver's queue is full: wait until it has room (or a short
 * while, whichever comes first), so delivery goes at the receiver's speed. */
static void deliver_wait(struct cw_deliver *dl)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = DELIVER_WAIT_MS * 1000 };
	int fd = cw_log_syslog_fd();

	if (dl->wait)
		event_free(dl->wait);
	dl->wait = event_new(cw_db_event_base(dl->db), fd, fd >= 0 ? EV_WRITE : 0, on_room, dl);
	if (!dl->wait || event_add(dl->wait, &tv) < 0) {
		dl->stop = true;
		deliver_store(dl);
	}
}

/* Logs the batch from its next row on: all of it (store the cursor), or
 * up to a transition the log refused: wait for a full syslog socket while
 * its receiver keeps taking some, else stop the run there (pause). */
static void deliver_send(struct cw_deliver *dl)
{
	int rows = PQntuples(dl->batch), e = 0;

	while (dl->next < rows && (e = deliver_row(dl, dl->batch, dl->next)) == 0)
		dl->next++;
	if (dl->next == rows) {
		deliver_store(dl);
		return;
	}
	dl->refused_errno = e;
	if ((e == EAGAIN || e == ENOBUFS) &&
	    cw_clock_monotonic_ms() - dl->progress_ms < DELIVER_STALL_MS) {
		deliver_wait(dl);
		return;
	}
	dl->stop = true;
	deliver_store(dl);
}

/* The batch after the cursor: our own copy, sent once the query is over. */
static void on_rows(const PGresult *res, void *arg)
{
	struct cw_deliver *dl = arg;

	PQclear(dl->batch);
	dl->batch = PQcopyResult(res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES);
}

static void on_batch_read(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_deliver *dl = arg;

	(void)db;
	if (err) {
		deliver_failed(dl, "reading", err);
		return;
	}
	if (!dl->batch || PQntuples(dl->batch) == 0) {
		deliver_caught_up(dl);
		deliver_end(dl, true);
		return;
	}
	dl->next = 0;
	deliver_send(dl);
}

/* Reads the batch after the cursor. */
static void deliver_next(struct cw_deliver *dl, struct cw_db *db)
{
	static const char *const sql =
		"SELECT " CW_DELIVER_TRANSITION_COLUMNS " FROM casewatch.transitions_after($1::bigint, $2::int) t";
	char after[24], limit[16];
	const char *params[2] = { after, limit };
	struct cw_error e;

	PQclear(dl->batch);
	dl->batch = NULL;
	snprintf(after, sizeof(after), "%" PRIu64, dl->cursor);
	snprintf(limit, sizeof(limit), "%d", DELIVER_BATCH);
	if (!cw_db_query(db, sql, 2, params, 0, on_rows, on_batch_read, dl, &e)) {
		cw_log_ratelimited("deliver-submit", CW_LOG_ERR, "delivering transitions: %s", e.msg);
		deliver_end(dl, false);
	}
}

static void on_cursor(const PGresult *res, void *arg)
{
	struct cw_deliver *dl = arg;

	if (PQntuples(res) == 1) {
		dl->cursor = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
		dl->cursor_known = true;
		/* Transitions up to the cursor were delivered before a restart:
		 * cursors up to it are valid, and the ring does not hold them. */
		if (dl->bus)
			cw_alertbus_set_last_id(dl->bus, dl->cursor);
		if (dl->tlog)
			cw_translog_set_floor(dl->tlog, dl->cursor);
	}
}

static void on_cursor_read(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_deliver *dl = arg;

	if (err || !dl->cursor_known) {
		if (err)
			deliver_failed(dl, "reading the cursor", err);
		else
			deliver_end(dl, false);
		return;
	}
	deliver_next(dl, db);
}

void cw_deliver_run(struct cw_deliver *dl, struct cw_db *db, cw_deliver_done_fn done, void *arg)
{
	struct cw_error e;

	dl->done = done;
	dl->done_arg = arg;
	dl->db = db;
	dl->stop = false;
	dl->progress_ms = cw_clock_monotonic_ms();
	if (dl->cursor_known) {
		deliver_next(dl, db);
		return;
	}
	if (!cw_db_query(db,
			 "SELECT coalesce((SELECT last_id FROM casewatch.sink_cursor "
			 "WHERE sink = '" DELIVER_SINK "'), 0)",
			 0, NULL, 0, on_cursor, on_cursor_read, dl, &e)) {
		cw_log_ratelimited("deliver-submit", CW_LOG_ERR, "delivering transitions: %s", e.msg);
		done(arg, false);
	}
}

struct cw_deliver *cw_deliver_new(void)
{
	return calloc(1, sizeof(struct cw_deliver));
}

void cw_deliver_free(struct cw_deliver *dl)
{
	if (!dl)
		return;
	if (dl->wait)
		event_free(dl->wait);
	PQclear(dl->batch);
	free(dl);
}

void cw_deliver_set_policy(struct cw_deliver *dl, struct cw_policy *const *policy)
{
	dl->policy = policy;
}

void cw_deliver_set_sinks(struct cw_deliver *dl, struct cw_translog *tlog, struct cw_alertbus *bus)
{
	dl->tlog = tlog;
	dl->bus = bus;
}

void cw_deliver_reset(struct cw_deliver *dl)
{
	dl->cursor_known = false;
}

uint64_t cw_deliver_count(const struct cw_deliver *dl)
{
	return dl->count;
}

uint64_t cw_deliver_last_id(const struct cw_deliver *dl)
{
	return dl->cursor;
}
