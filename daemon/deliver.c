/* deliver.c - transitions after the sink cursor to syslog, the transition log and the socket. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "alertbus.h"
#include "clock.h"
#include "deliver.h"
#include "log.h"
#include "transition_log.h"

/* Transitions read per query. */
#define DELIVER_BATCH 500
/* The sink whose cursor this module keeps. */
#define DELIVER_SINK "syslog"

struct cw_deliver {
	struct cw_translog *tlog;
	struct cw_alertbus *bus;
	bool cursor_known;
	uint64_t cursor;    /* last transition id delivered */
	uint64_t count;	    /* delivered since start */
	size_t batch_rows;
	cw_deliver_done_fn done;
	void *done_arg;
};

static void deliver_next(struct cw_deliver *dl, struct cw_db *db);

/* The log priority of a store severity (syslog's own names). */
static enum cw_log_level severity_level(const char *severity)
{
	if (!strcmp(severity, "err"))
		return CW_LOG_ERR;
	if (!strcmp(severity, "warning"))
		return CW_LOG_WARNING;
	if (!strcmp(severity, "notice"))
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

/* One transition row (columns as in the query below) to every sink. */
static void deliver_row(struct cw_deliver *dl, const PGresult *res, int r)
{
	uint64_t id = strtoull(PQgetvalue(res, r, 0), NULL, 10);
	const char *kind = PQgetvalue(res, r, 1), *to_state = PQgetvalue(res, r, 3);
	const char *severity = PQgetvalue(res, r, 5), *rule_id = PQgetvalue(res, r, 6);
	const char *team = value_or_null(res, r, 8), *audience = PQgetvalue(res, r, 9);
	const char *late_by = value_or_null(res, r, 11);
	int64_t alert_id = strtoll(PQgetvalue(res, r, 12), NULL, 10);
	int64_t person_id = value_or_null(res, r, 7) ? strtoll(PQgetvalue(res, r, 7), NULL, 10) : 0;
	cw_time at = epoch_or_none(res, r, 4), due = epoch_or_none(res, r, 10);
	char at_text[CW_CLOCK_UTC_STRLEN], due_text[CW_CLOCK_UTC_STRLEN];
	struct cw_log_transition lt = {
		.alert_id = alert_id,
		.person_id = person_id,
		.rule_id = rule_id,
		.team = team,
		.due = due,
		.state = to_state,
		.transition_id = (int64_t)id,
		.kind = kind,
		.audience = audience,
	};
	json_t *data, *tr;
	struct cw_error err;

	cw_log_transition(severity_level(severity), &lt);

	cw_clock_format_utc(at, at_text);
	data = json_pack("{s:s, s:I, s:I, s:s?, s:s, s:s, s:s}", "rule_id", rule_id, "alert_id",
			 (json_int_t)alert_id, "person_id", (json_int_t)person_id, "team", team,
			 "audience", audience, "state", to_state, "severity", severity);
	if (due != INT64_MIN) {
		cw_clock_format_utc(due, due_text);
		json_object_set_new(data, "due", json_string(due_text));
	}
	if (late_by)
		json_object_set_new(data, "late_by", json_integer(strtoll(late_by, NULL, 10)));
	tr = json_pack("{s:s, s:s, s:o}", "type", kind, "time", at_text, "data", data);
	if (dl->tlog && !cw_translog_append(dl->tlog, id, tr, &err))
		cw_log_ratelimited("translog", CW_LOG_WARNING, "transition log: %s", err.msg);
	if (dl->bus)
		cw_alertbus_publish(dl->bus, id, tr);
	json_decref(tr);

	dl->cursor = id;
	dl->count++;
}

static void on_rows(const PGresult *res, void *arg)
{
	struct cw_deliver *dl = arg;

	for (int r = 0; r < PQntuples(res); r++)
		deliver_row(dl, res, r);
	dl->batch_rows += (size_t)PQntuples(res);
}

/* Any failure: log it once, forget the cursor (it may not be stored), stop. */
static void deliver_failed(struct cw_deliver *dl, const char *what, const struct cw_db_error *err)
{
	if (!err->connection_lost)
		cw_log_ratelimited("deliver", CW_LOG_ERR, "delivering transitions: %s failed: %s", what,
				   err->message);
	dl->cursor_known = false;
	dl->done(dl->done_arg, false);
}

/* The cursor is stored: another batch if this one was full, else done. */
static void on_stored(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_deliver *dl = arg;

	if (err) {
		deliver_failed(dl, "storing the cursor", err);
		return;
	}
	if (dl->batch_rows == DELIVER_BATCH) {
		deliver_next(dl, db);
		return;
	}
	dl->done(dl->done_arg, true);
}

/* A batch went to the sinks: store the cursor. A crash before this
 * commits delivers the batch again on the next start, never loses it. */
static void on_batch_read(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_deliver *dl = arg;
	char cursor[24];
	const char *params[1] = { cursor };
	struct cw_error e;

	if (err) {
		deliver_failed(dl, "reading", err);
		return;
	}
	if (dl->batch_rows == 0) {
		dl->done(dl->done_arg, true);
		return;
	}
	snprintf(cursor, sizeof(cursor), "%" PRIu64, dl->cursor);
	if (!cw_db_query(db, "SELECT casewatch.sink_delivered('" DELIVER_SINK "', $1::bigint)", 1,
			 params, 0, NULL, on_stored, dl, &e)) {
		cw_log_ratelimited("deliver-submit", CW_LOG_ERR, "delivering transitions: %s", e.msg);
		dl->cursor_known = false;
		dl->done(dl->done_arg, false);
	}
}

/* Reads and delivers the batch after the cursor. */
static void deliver_next(struct cw_deliver *dl, struct cw_db *db)
{
	static const char *const sql =
		"SELECT t.transition_id, t.kind, t.from_state, t.to_state, extract(epoch FROM t.at)::bigint,"
		" t.severity, t.rule_id, t.person_id, t.team_id, t.audience,"
		" extract(epoch FROM t.due_at)::bigint, extract(epoch FROM t.late_by)::bigint, t.alert_id "
		"FROM casewatch.transitions_after($1::bigint, $2::int) t";
	char after[24], limit[16];
	const char *params[2] = { after, limit };
	struct cw_error e;

	dl->batch_rows = 0;
	snprintf(after, sizeof(after), "%" PRIu64, dl->cursor);
	snprintf(limit, sizeof(limit), "%d", DELIVER_BATCH);
	if (!cw_db_query(db, sql, 2, params, 0, on_rows, on_batch_read, dl, &e)) {
		cw_log_ratelimited("deliver-submit", CW_LOG_ERR, "delivering transitions: %s", e.msg);
		dl->done(dl->done_arg, false);
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
			dl->done(dl->done_arg, false);
		return;
	}
	deliver_next(dl, db);
}

void cw_deliver_run(struct cw_deliver *dl, struct cw_db *db, cw_deliver_done_fn done, void *arg)
{
	struct cw_error e;

	dl->done = done;
	dl->done_arg = arg;
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
	free(dl);
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
