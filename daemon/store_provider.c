/* store_provider.c - the alert socket's status, alerts, replay, ack/snooze and their undoing, digests and
 * the audit trail, answered from the store. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "casewatch/facts.h"
#include "casewatch/policy.h"
#include "alert_explain.h"
#include "clock.h"
#include "daemon.h"
#include "db.h"
#include "deliver.h"
#include "log.h"
#include "poller.h"
#include "records_cmd.h"
#include "rule_info.h"
#include "prune.h"
#include "store_provider.h"
#include "teams.h"
#include "transition_log.h"

/* Open alerts listed at most by one alerts reply ("truncated" says more exist). */
#define SP_ALERTS_MAX 50000
/* How often the timer looks whether the open-alert counts for status need
 * a refresh: only when transitions were delivered since the last count. */
#define SP_COUNT_INTERVAL_MS 5000
/* Counts older than this are refreshed when status is asked. */
#define SP_COUNT_STALE_MS 1000
/* A team name not found is looked for again in the records when the
 * table is older than this (the poller reads it every pass otherwise). */
#define SP_TEAMS_MISS_MS 5000

enum sp_kind { SP_ALERTS, SP_REPLAY, SP_CHANGE, SP_DIGEST, SP_AUDIT, SP_RECORDS };

/* One provider call in flight. */
struct sp_job {
	struct cw_store_provider *sp;
	struct sp_job *prev, *next;
	enum sp_kind kind;
	struct cw_alertbus_req *req; /* NULL once the client went away */
	cw_alertbus_reply_fn reply;
	cw_alertbus_batch_fn batch;
	bool in_ring;		 /* waiting for the transition ring */
	uint64_t after, cap;	 /* replay: ids in (after, cap] */
	size_t limit;
	cw_time now;		 /* alerts: the daemon's time the states are read at */
	json_t *rows;		 /* alerts, transitions, or changed ids */
	json_t *selected;	 /* change: the open alerts the target selected */
	json_t *requested;	 /* change: the ids asked for, or NULL for a filter */
	const char *list;	 /* records: the reply member of the rows, or NULL for one row */
	bool explain;		 /* records: the row is a person's facts, explained here */
	bool explain_alert;	 /* records: the row is an alert and its person's facts */
};

struct cw_store_provider {
	struct event_base *base;
	struct cw_daemon *daemon;
	struct cw_poller *poller;
	struct cw_translog *tlog;
	struct cw_alertbus_provider ring; /* the transition log's own provider */
	struct cw_alertbus *bus;
	struct cw_prune *prune;	    /* the replay window for status; may be NULL */
	struct cw_teams *teams;	    /* team codes, for filters that name them (borrowed) */
	struct sp_job *jobs;
	struct event *count_timer;
	bool counting;
	int64_t counted_ms; /* monotonic, 0 when never */
	uint64_t counted_id; /* the last transition delivered when last counted */
	cw_time counted_at;
	json_t *counts;	    /* {"open": n, "by_state": {...}, "acknowledged": n, "snoozed": n} */
};

/* The filter columns, in parameter order ($1..$8); "alerts" are alert ids. */
static const char *const sp_filter_names[] = { "team", "rule", "audience", "severity", "kind", "state", "person",
					       "alerts", NULL };

/* The audience and severity an open alert has in its announced state. */
#define SP_AUDIENCE "casewatch.state_audience(a.announced_state, a.audience, a.escalate_to)"
#define SP_SEVERITY                                                                                             \
	"CASE WHEN a.kind = 'finding' AND a.announced_state = 'overdue' THEN coalesce(a.finding_severity, 'warning')" \
	" ELSE casewatch.state_severity(a.announced_state) END"

/* Open alerts matching $1..$8 (NULL arrays match everything); $9 is now. */
#define SP_MATCH                                                                                                  \
	"a.announced_state IS NOT NULL"                                                                            \
	" AND ($1::text[] IS NULL OR a.team_id::text = ANY ($1))"                                                  \
	" AND ($2::text[] IS NULL OR a.rule_id = ANY ($2))"                                                        \
	" AND ($3::text[] IS NULL OR " SP_AUDIENCE " = ANY ($3))"                                                  \
	" AND ($4::text[] IS NULL OR (" SP_SEVERITY ") = ANY ($4))"                                                \
	" AND ($5::text[] IS NULL OR a.kind = ANY ($5))"                                                           \
	" AND ($6::text[] IS NULL OR a.announced_state = ANY ($6)"                                                 \
	"      OR ('acknowledged' = ANY ($6) AND a.acked_at IS NOT NULL)"                                          \
	"      OR ('snoozed' = ANY ($6) AND a.snoozed_until > $9::timestamptz))"                                   \
	" AND ($7::text[] IS NULL OR a.person_id::text = ANY ($7))"                                                \
	" AND ($8::text[] IS NULL OR a.alert_id::text = ANY ($8))"

/* ---- jobs ---- */

static struct sp_job *job_new(struct cw_store_provider *sp, enum sp_kind kind, struct cw_alertbus_req *req)
{
	struct sp_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->sp = sp;
	j->kind = kind;
	j->req = req;
	j->next = sp->jobs;
	if (sp->jobs)
		sp->jobs->prev = j;
	sp->jobs = j;
	return j;
}

static void job_free(struct sp_job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		j->sp->jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	json_decref(j->rows);
	json_decref(j->selected);
	json_decref(j->requested);
	free(j);
}

/* Answers a command job (unless its client went away) and frees it. */
static void job_reply(struct sp_job *j, json_t *result, const char *code, const char *message)
{
	if (j->req)
		j->reply(j->req, result, code, message);
	else
		json_decref(result);
	job_free(j);
}

/* Answers a replay job and frees it. */
static void job_batch(struct sp_job *j, const json_t *transitions, bool more, const char *code, const char *message)
{
	if (j->req)
		j->batch(j->req, transitions, more, code, message);
	job_free(j);
}

/* The error code and message for a failed database job; logs what the client is not told. */
static const char *db_error_code(const struct cw_db_error *err, const char *what, char *msg, size_t size)
{
	if (err->connection_lost) {
		snprintf(msg, size, "the database connection was lost during %s; try again shortly", what);
		return "db_unavailable";
	}
	if (!strcmp(err->sqlstate, "CW002")) { /* casewatch.replay_after(): the cursor was pruned */
		snprintf(msg, size, "%s", err->message);
		return "cursor_too_old";
	}
	if (!strcmp(err->sqlstate, "22023")) { /* invalid_parameter_value: the store refused the arguments */
		snprintf(msg, size, "%s", err->message);
		return "bad_request";
	}
	cw_log_ratelimited("store-provider", CW_LOG_ERR, "alert socket: %s failed: %s", what, err->message);
	snprintf(msg, size, "%s failed in the database; the daemon's log says more", what);
	return "internal";
}

/* The database, or NULL with a message when it cannot take a job now. */
static struct cw_db *sp_db(struct cw_store_provider *sp, char *msg, size_t size)
{
	struct cw_db *db = cw_daemon_db(sp->daemon);
	struct cw_db_status st;

	if (db && cw_db_is_connected(db))
		return db;
	/* libpq's message names the server's socket path or host, its user
	 * and its database: the log has it, the client is told the state only. */
	if (db) {
		cw_db_get_status(db, &st);
		snprintf(msg, size, "the database is unavailable (%s%s%s); casewatchd keeps retrying",
			 cw_db_state_name(st.state), st.last_error_kind ? ": " : "",
			 st.last_error_kind ? st.last_error_kind : "");
	} else
		snprintf(msg, size, "the database is unavailable (not connected yet); casewatchd keeps retrying");
	return NULL;
}

/* A SQL text[] literal of a JSON array of strings, e.g. {"north-2","7"}; malloc'd. */
static char *text_array(const json_t *arr)
{
	size_t i, cap = 3;
	const json_t *v;
	char *out, *p;

	json_array_foreach (arr, i, v)
		cap += 3 + 2 * json_string_length(v);
	out = p = malloc(cap);
	if (!out)
		return NULL;
	*p++ = '{';
	json_array_foreach (arr, i, v) {
		const char *s = json_string_value(v);

		if (i)
			*p++ = ',';
		*p++ = '"';
		for (; s && *s; s++) {
			if (*s == '"' || *s == '\\')
				*p++ = '\\';
			*p++ = *s;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

/* Fills params[0..7] from a normalized filter (and alert ids), params[8] with t; free with params_free. */
static bool params_fill(char *params[9], const json_t *filter, const json_t *ids, cw_time t,
			char now[CW_CLOCK_UTC_STRLEN])
{
	bool ok = true;

	for (int i = 0; sp_filter_names[i]; i++) {
		const json_t *v = i == 7 ? ids : json_object_get(filter, sp_filter_names[i]);

		params[i] = NULL;
		if (json_is_array(v) && !(params[i] = text_array(v)))
			ok = false;
	}
	cw_clock_format_utc(t, now);
	params[8] = now;
	return ok;
}

static void params_free(char *params[9])
{
	for (int i = 0; i < 8; i++)
		free(params[i]);
}

/*
 * Starts a command job on a filter (and alert ids): the database, the job
 * with its rows, its time (the daemon's now) and the parameters $1..$9
 * (free with params_free). NULL when it cannot start: the client has been
 * answered then.
 */
static struct sp_job *job_begin(struct cw_store_provider *sp, enum sp_kind kind, struct cw_alertbus_req *req,
				cw_alertbus_reply_fn done, const json_t *filter, const json_t *ids, char *params[9],
				char now[CW_CLOCK_UTC_STRLEN], struct cw_db **db)
{
	struct sp_job *j;
	char msg[512];

	if (!(*db = sp_db(sp, msg, sizeof(msg)))) {
		done(req, NULL, "db_unavailable", msg);
		return NULL;
	}
	j = job_new(sp, kind, req);
	if (j && (j->rows = json_array())) {
		j->reply = done;
		j->now = cw_clock_now();
		if (params_fill(params, filter, ids, j->now, now))
			return j;
		params_free(params);
	}
	if (j)
		job_free(j);
	done(req, NULL, "internal", "out of memory");
	return NULL;
}

static const char *value_or_null(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/* Sets key to a UTC time from an epoch column, when it is not null. */
static void set_time(json_t *obj, const char *key, const PGresult *res, int row, int col)
{
	const char *v = value_or_null(res, row, col);
	char buf[CW_CLOCK_UTC_STRLEN];

	if (!v)
		return;
	cw_clock_format_utc(strtoll(v, NULL, 10), buf);
	json_object_set_new(obj, key, json_string(buf));
}

/* ---- status ---- */

static void on_count_rows(const PGresult *res, void *arg)
{
	struct cw_store_provider *sp = arg;
	json_t *by_state = json_object();
	json_int_t open = 0, acked = 0, snoozed = 0;

	for (int r = 0; r < PQntuples(res); r++) {
		json_int_t n = strtoll(PQgetvalue(res, r, 1), NULL, 10);

		json_object_set_new(by_state, PQgetvalue(res, r, 0), json_integer(n));
		open += n;
		acked += strtoll(PQgetvalue(res, r, 2), NULL, 10);
		snoozed += strtoll(PQgetvalue(res, r, 3), NULL, 10);
	}
	json_decref(sp->counts);
	sp->counts = json_pack("{s:I, s:o, s:I, s:I}", "open", open, "by_state", by_state, "acknowledged", acked,
			       "snoozed", snoozed);
	sp->counted_ms = cw_clock_monotonic_ms();
	sp->counted_at = cw_clock_now();
}

static void on_counted(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_store_provider *sp = arg;

	(void)db;
	sp->counting = false;
	if (err && !err->connection_lost)
		cw_log_ratelimited("store-provider-count", CW_LOG_WARNING, "alert socket: counting open alerts: %s",
				   err->message);
}

/* The last transition the sinks were given. */
static uint64_t last_delivered(const struct cw_store_provider *sp)
{
	struct cw_poller_stats ps;

	cw_poller_get_stats(sp->poller, &ps);
	return ps.last_delivered_id;
}

/* Queues the count of open alerts by announced state, unless one is running. */
static void count_refresh(struct cw_store_provider *sp)
{
	/* Kept counts (migration 003), and the few snoozed alerts through
	 * their own index: casewatch.alert is not scanned. */
	static const char *const sql =
		"SELECT c.announced_state, c.alerts, c.acked, coalesce(s.n, 0)"
		" FROM casewatch.open_count c LEFT JOIN (SELECT a.announced_state, count(*) AS n"
		"  FROM casewatch.alert a WHERE a.announced_state IS NOT NULL AND a.snoozed_until IS NOT NULL"
		"  AND a.snoozed_until > $1::timestamptz GROUP BY 1) s USING (announced_state)"
		" WHERE c.alerts > 0 ORDER BY 1";
	char now[CW_CLOCK_UTC_STRLEN], msg[256];
	const char *params[1] = { now };
	struct cw_db *db;
	struct cw_error e;

	if (sp->counting || cw_daemon_schema_version(sp->daemon) < 3 || !(db = sp_db(sp, msg, sizeof(msg))))
		return;
	cw_clock_format_utc(cw_clock_now(), now);
	sp->counting = cw_db_query(db, sql, 1, params, 0, on_count_rows, on_counted, sp, &e);
	if (sp->counting)
		sp->counted_id = last_delivered(sp);
}

/* The counts change only with transitions (acks and snoozes are ones too):
 * an idle daemon does not query the store for them. */
static void on_count_timer(evutil_socket_t fd, short what, void *arg)
{
	struct cw_store_provider *sp = arg;

	(void)fd;
	(void)what;
	if (!sp->counts || last_delivered(sp) != sp->counted_id)
		count_refresh(sp);
}

/* The replay window, once read: a cursor may not be older than pruned_upto;
 * oldest_id is the oldest transition a replay returns (absent when none is
 * kept); the retention in force. */
static void status_window(const struct cw_store_provider *sp, json_t *tr)
{
	struct cw_prune_stats rs;
	const struct cw_conf *conf = cw_daemon_conf(sp->daemon);
	char buf[32];

	if (!sp->prune || !tr)
		return;
	cw_prune_get_stats(sp->prune, &rs);
	cw_conf_format_duration(conf->transition_retention_ms, buf, sizeof(buf));
	json_object_set_new(tr, "retention", json_string(conf->transition_retention_ms ? buf : "0"));
	if (!rs.known)
		return;
	snprintf(buf, sizeof(buf), "%" PRIu64, rs.pruned_upto);
	json_object_set_new(tr, "pruned_upto", json_string(buf));
	if (rs.oldest_id) {
		snprintf(buf, sizeof(buf), "%" PRIu64, rs.oldest_id);
		json_object_set_new(tr, "oldest_id", json_string(buf));
	}
	json_object_set_new(tr, "pruned", json_integer((json_int_t)rs.transitions_pruned));
}

/* A team of a filter, by code or id (the provider's team call). */
static const char *sp_team(void *ctx, const char *name, char *id, size_t idsize, char *msg, size_t msgsize)
{
	struct cw_store_provider *sp = ctx;
	struct cw_db *db = cw_daemon_db(sp->daemon);

	switch (cw_teams_resolve(sp->teams, name, id, idsize)) {
	case CW_TEAMS_FOUND:
		return NULL;
	case CW_TEAMS_NOT_READ:
		cw_teams_refresh(sp->teams, db, 0);
		snprintf(msg, msgsize, "the teams have not been read from the database yet; try again shortly");
		return "db_unavailable";
	case CW_TEAMS_UNKNOWN:
		break;
	}
	/* A team recorded since the last read is known after the next one. */
	cw_teams_refresh(sp->teams, db, SP_TEAMS_MISS_MS);
	if (*cw_teams_example(sp->teams))
		snprintf(msg, msgsize, "no such team (name a team by its code, such as %s, or its id)",
			 cw_teams_example(sp->teams));
	else
		snprintf(msg, msgsize, "no such team (the records have no teams)");
	return "unknown_team";
}

/* status: the database, the schema, the profile, the last pass, deliveries, open alerts. */
static void sp_status(void *ctx, json_t *reply)
{
	struct cw_store_provider *sp = ctx;
	struct cw_db *db = cw_daemon_db(sp->daemon);
	struct cw_poller_stats ps;
	struct cw_db_status st = { 0 };
	char since[CW_CLOCK_UTC_STRLEN], last[32], buf[CW_CLOCK_UTC_STRLEN];
	const struct cw_policy *policy;
	const char *refused;
	cw_time refused_at = CW_TIME_NONE;
	json_t *d, *pass, *alerts;

	if (db)
		cw_db_get_status(db, &st);
	d = json_pack("{s:s, s:b, s:i, s:I}", "state", db ? cw_db_state_name(st.state) : "disconnected", "connected",
		      db && cw_db_is_connected(db), "schema_version", cw_daemon_schema_version(sp->daemon), "queued",
		      (json_int_t)st.queued);
	if (db && st.since != 0) {
		cw_clock_format_utc(st.since, since);
		json_object_set_new(d, "since", json_string(since));
	}
	if (st.server_version)
		json_object_set_new(d, "server_version", json_integer(st.server_version));
	if (st.last_error_kind)
		json_object_set_new(d, "last_error", json_string(st.last_error_kind));
	if (st.state == CW_DB_BAD) {
		json_object_set_new(d, "attempts", json_integer(st.attempts));
		json_object_set_new(d, "next_retry_ms", json_integer(st.next_retry_ms));
	}
	json_object_set_new(reply, "database", d);
	/* Which of two daemons on one database writes the alerts. */
	json_object_set_new(reply, "role", json_string(cw_daemon_is_writer(sp->daemon) ? "leader" : "standby"));
	/* The profile in force, which a reload may have changed or refused to. */
	policy = cw_poller_policy(sp->poller);
	json_object_set_new(reply, "profile", json_string(cw_policy_name(policy)));
	json_object_set_new(reply, "profile_file", json_string(cw_policy_file(policy)));
	refused = cw_poller_profile_refused(sp->poller, &refused_at);
	if (refused) {
		cw_clock_format_utc(refused_at, buf);
		json_object_set_new(reply, "profile_refused", json_pack("{s:s, s:s}", "profile", refused, "at", buf));
	}

	cw_poller_get_stats(sp->poller, &ps);
	pass = json_pack("{s:I, s:b, s:I}", "passes", (json_int_t)ps.passes, "swept", ps.swept, "persons_evaluated",
			 (json_int_t)ps.persons_evaluated);
	if (ps.last_pass_at != CW_TIME_NONE) {
		cw_clock_format_utc(ps.last_pass_at, buf);
		json_object_set_new(pass, "last_at", json_string(buf));
		json_object_set_new(pass, "last_ms", json_integer(ps.last_pass_ms));
		json_object_set_new(pass, "last_persons", json_integer((json_int_t)ps.last_pass_persons));
	}
	json_object_set_new(reply, "pass", pass);
	snprintf(last, sizeof(last), "%" PRIu64, ps.last_delivered_id);
	json_object_set_new(reply, "transitions", json_pack("{s:I, s:s}", "delivered", (json_int_t)ps.transitions_delivered,
							    "last_id", last));
	status_window(sp, json_object_get(reply, "transitions"));
	if (sp->counts) {
		alerts = json_deep_copy(sp->counts);
		cw_clock_format_utc(sp->counted_at, buf);
		json_object_set_new(alerts, "counted_at", json_string(buf));
		json_object_set_new(reply, "alerts", alerts);
	}
	if (!sp->counted_ms || cw_clock_monotonic_ms() - sp->counted_ms > SP_COUNT_STALE_MS)
		count_refresh(sp);
}

/* ---- alerts ---- */

static void on_alert_rows(const PGresult *res, void *arg)
{
	struct sp_job *j = arg;

	for (int r = 0; r < PQntuples(res); r++) {
		const char *team = value_or_null(res, r, 3), *worker = value_or_null(res, r, 12);
		const char *team_code = value_or_null(res, r, 13);
		json_t *a = json_pack("{s:s, s:s, s:s*, s:s, s:s, s:s, s:s, s:b}", "alert_id", PQgetvalue(res, r, 0),
				      "rule_id", PQgetvalue(res, r, 1), "person_id", value_or_null(res, r, 2), "audience",
				      PQgetvalue(res, r, 4), "state", PQgetvalue(res, r, 6), "severity",
				      PQgetvalue(res, r, 7), "kind", PQgetvalue(res, r, 8), "acknowledged",
				      !PQgetisnull(res, r, 9));

		if (team)
			json_object_set_new(a, "team", json_string(team));
		if (team_code)
			json_object_set_new(a, "team_code", json_string(team_code));
		if (worker)
			json_object_set_new(a, "worker", json_string(worker));
		set_time(a, "due", res, r, 5);
		set_time(a, "acknowledged_at", res, r, 9);
		set_time(a, "snoozed_until", res, r, 10);
		if (!PQgetisnull(res, r, 11))
			json_object_set_new(a, "last_transition", json_string(PQgetvalue(res, r, 11)));
		/* a team-level alert: what it counts in its period */
		if (!PQgetisnull(res, r, 14)) {
			json_object_set_new(a, "counted", json_integer(strtoll(PQgetvalue(res, r, 14), NULL, 10)));
			json_object_set_new(a, "unagreed", json_integer(strtoll(PQgetvalue(res, r, 15), NULL, 10)));
		}
		json_array_append_new(j->rows, a);
	}
}

static void on_alerts_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct sp_job *j = arg;
	size_t n = json_array_size(j->rows);
	char msg[600];
	const char *code;

	(void)db;
	if (err) {
		code = db_error_code(err, "listing alerts", msg, sizeof(msg));
		job_reply(j, NULL, code, msg);
		return;
	}
	if (n > SP_ALERTS_MAX)
		json_array_remove(j->rows, n - 1);
	cw_rule_info_decorate(j->rows, cw_poller_policy(j->sp->poller));
	cw_clock_format_utc(j->now, msg);
	job_reply(j,
		  json_pack("{s:I, s:b, s:s, s:O}", "count", (json_int_t)json_array_size(j->rows), "truncated",
			    n > SP_ALERTS_MAX, "as_of", msg, "alerts", j->rows),
		  NULL, NULL);
}

/* alerts: the open alerts a filter selects, in alert id order. */
static void sp_alerts(void *ctx, const json_t *filter, cw_alertbus_reply_fn done, struct cw_alertbus_req *req)
{
	static const char sql[] =
		"SELECT a.alert_id, a.rule_id, a.person_id, a.team_id, " SP_AUDIENCE ","
		" extract(epoch FROM a.due_at)::bigint, a.announced_state, " SP_SEVERITY ", a.kind,"
		" extract(epoch FROM a.acked_at)::bigint,"
		" extract(epoch FROM CASE WHEN a.snoozed_until > $9::timestamptz THEN a.snoozed_until END)::bigint,"
		" (SELECT max(t.transition_id) FROM casewatch.transition t WHERE t.alert_id = a.alert_id),"
		" (SELECT p.allocated_worker_id FROM records.person p WHERE p.person_id = a.person_id),"
		" (SELECT tm.code FROM records.team tm WHERE tm.team_id = a.team_id),"
		" k.counted, k.unagreed" /* team-level alerts (008) */
		" FROM casewatch.alert a LEFT JOIN casewatch.team_count k ON k.alert_id = a.alert_id"
		" WHERE " SP_MATCH " ORDER BY a.alert_id LIMIT 50001"; /* SP_ALERTS_MAX + 1 */
	char *params[9], now[CW_CLOCK_UTC_STRLEN];
	struct cw_db *db;
	struct sp_job *j;
	struct cw_error e;

	if (!(j = job_begin(ctx, SP_ALERTS, req, done, filter, NULL, params, now, &db)))
		return;
	if (!cw_db_query(db, sql, 9, (const char *const *)params, 0, on_alert_rows, on_alerts_done, j, &e))
		job_reply(j, NULL, "db_unavailable", e.msg);
	params_free(params);
}

/* ---- replay ---- */

static void on_replay_rows(const PGresult *res, void *arg)
{
	struct sp_job *j = arg;

	for (int r = 0; r < PQntuples(res); r++) {
		uint64_t id = strtoull(PQgetvalue(res, r, 0), NULL, 10);
		json_t *t;

		if (id > j->cap)
			continue; /* committed, not yet delivered: the live stream brings it */
		t = cw_deliver_transition_json(res, r, cw_poller_policy(j->sp->poller)); /* the same event as the live one */
		if (t && json_object_set_new(t, "id", json_integer((json_int_t)id)) == 0)
			json_array_append_new(j->rows, t);
		else
			json_decref(t);
	}
}

static void on_replay_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct sp_job *j = arg;
	char msg[600];
	const char *code;

	(void)db;
	if (err) {
		code = db_error_code(err, "replaying transitions", msg, sizeof(msg));
		job_batch(j, NULL, false, code, msg);
		return;
	}
	job_batch(j, j->rows, json_array_size(j->rows) == j->limit, NULL, NULL);
}

/* The ring cannot serve the cursor: read casewatch.transitions_after(). */
static void replay_from_store(struct sp_job *j)
{
	/* From schema 5 on, a cursor into the pruned part is refused (CW002). */
	static const char *const sql =
		"SELECT " CW_DELIVER_TRANSITION_COLUMNS " FROM casewatch.transitions_after($1::bigint, $2::int) t";
	static const char *const sql5 =
		"SELECT " CW_DELIVER_TRANSITION_COLUMNS " FROM casewatch.replay_after($1::bigint, $2::int) t";
	char after[24], limit[24], msg[512];
	const char *params[2] = { after, limit };
	struct cw_db *db;
	struct cw_error e;

	if (!(db = sp_db(j->sp, msg, sizeof(msg)))) {
		job_batch(j, NULL, false, "db_unavailable", msg);
		return;
	}
	if (!j->rows && !(j->rows = json_array())) {
		job_batch(j, NULL, false, "internal", "out of memory");
		return;
	}
	snprintf(after, sizeof(after), "%" PRIu64, j->after);
	snprintf(limit, sizeof(limit), "%zu", j->limit);
	if (!cw_db_query(db, cw_daemon_schema_version(j->sp->daemon) >= 5 ? sql5 : sql, 2, params, 0, on_replay_rows,
			 on_replay_done, j, &e))
		job_batch(j, NULL, false, "db_unavailable", e.msg);
}

/* The ring's answer: pass it on, or fall back to the store when it is too old. */
static void on_ring_batch(struct cw_alertbus_req *req, const json_t *transitions, bool more, const char *code,
			  const char *message)
{
	struct sp_job *j = (struct sp_job *)(void *)req;

	j->in_ring = false;
	if (code && !strcmp(code, "cursor_too_old")) {
		replay_from_store(j);
		return;
	}
	job_batch(j, transitions, more, code, message);
}

/* replay: recent cursors from the ring, older ones from the store. */
static void sp_replay(void *ctx, uint64_t after_id, size_t limit, cw_alertbus_batch_fn done,
		      struct cw_alertbus_req *req)
{
	struct cw_store_provider *sp = ctx;
	struct sp_job *j = job_new(sp, SP_REPLAY, req);

	if (!j) {
		done(req, NULL, false, "internal", "out of memory");
		return;
	}
	j->batch = done;
	j->after = after_id;
	j->limit = limit ? limit : 1;
	j->cap = sp->bus ? cw_alertbus_last_id(sp->bus) : UINT64_MAX;
	j->in_ring = true;
	sp->ring.replay(sp->ring.ctx, after_id, j->limit, on_ring_batch, (struct cw_alertbus_req *)(void *)j);
}

/* ---- ack and snooze ---- */

static void on_selected(const PGresult *res, void *arg)
{
	struct sp_job *j = arg;

	for (int r = 0; r < PQntuples(res); r++)
		json_array_append_new(j->selected, json_string(PQgetvalue(res, r, 0)));
}

static void on_changed(const PGresult *res, void *arg)
{
	struct sp_job *j = arg;

	for (int r = 0; r < PQntuples(res); r++)
		json_array_append_new(j->rows, json_string(PQgetvalue(res, r, 0)));
}

/* True when the array of strings holds s. */
static bool has_string(const json_t *arr, const char *s)
{
	size_t i;
	const json_t *v;

	json_array_foreach (arr, i, v)
		if (!strcmp(json_string_value(v), s))
			return true;
	return false;
}

static void on_change_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct sp_job *j = arg;
	json_t *unchanged = json_array(), *unknown = json_array();
	const json_t *v;
	char msg[600];
	const char *code;
	size_t i;

	(void)db;
	if (err) {
		json_decref(unchanged);
		json_decref(unknown);
		code = db_error_code(err, "changing alerts", msg, sizeof(msg));
		job_reply(j, NULL, code, msg);
		return;
	}
	json_array_foreach (j->selected, i, v)
		if (!has_string(j->rows, json_string_value(v)))
			json_array_append(unchanged, (json_t *)v);
	if (j->requested)
		json_array_foreach (j->requested, i, v)
			if (!has_string(j->selected, json_string_value(v)))
				json_array_append(unknown, (json_t *)v);
	job_reply(j,
		  json_pack("{s:O, s:o, s:o, s:I, s:s}", "changed", j->rows, "unchanged", unchanged, "unknown", unknown,
			    "count", (json_int_t)json_array_size(j->rows), "delivery", "next_pass"),
		  NULL, NULL);
}

/*
 * ack and snooze: one transaction lists the open alerts the target selects,
 * then hands exactly those ids to casewatch.acknowledge() or
 * casewatch.snooze() (an empty selection is given as alert id 0, which
 * matches nothing, never as an empty filter). Times are the daemon's clock.
 */
static void sp_change(void *ctx, const char *verb, const json_t *args, const struct cw_actor *who,
		      cw_alertbus_reply_fn done, struct cw_alertbus_req *req)
{
	static const char select_sql[] = "SELECT a.alert_id FROM casewatch.alert a WHERE " SP_MATCH " ORDER BY 1";
	static const char ack_sql[] =
		"SELECT t.alert_id FROM (SELECT coalesce(jsonb_agg(a.alert_id), '[0]') AS ids FROM casewatch.alert a"
		" WHERE " SP_MATCH ") s, casewatch.acknowledge(jsonb_build_object('alert_id', s.ids), $10, $11,"
		" $9::timestamptz) t ORDER BY t.transition_id";
	static const char snooze_sql[] =
		"SELECT t.alert_id FROM (SELECT coalesce(jsonb_agg(a.alert_id), '[0]') AS ids FROM casewatch.alert a"
		" WHERE " SP_MATCH ") s, casewatch.snooze(jsonb_build_object('alert_id', s.ids), $10, $11,"
		" $12::timestamptz, $9::timestamptz) t ORDER BY t.transition_id";
	static const char unack_sql[] =
		"SELECT t.alert_id FROM (SELECT coalesce(jsonb_agg(a.alert_id), '[0]') AS ids FROM casewatch.alert a"
		" WHERE " SP_MATCH ") s, casewatch.unacknowledge(jsonb_build_object('alert_id', s.ids), $10,"
		" $9::timestamptz) t ORDER BY t.transition_id";
	static const char unsnooze_sql[] =
		"SELECT t.alert_id FROM (SELECT coalesce(jsonb_agg(a.alert_id), '[0]') AS ids FROM casewatch.alert a"
		" WHERE " SP_MATCH ") s, casewatch.unsnooze(jsonb_build_object('alert_id', s.ids), $10,"
		" $9::timestamptz) t ORDER BY t.transition_id";
	bool snooze = !strcmp(verb, "snooze"), unack = !strcmp(verb, "unack"), unsnooze = !strcmp(verb, "unsnooze");
	const json_t *filter = json_object_get(args, "filter"), *ids = json_object_get(args, "alerts");
	const char *reason = json_string_value(json_object_get(args, "reason"));
	const char *until = json_string_value(json_object_get(args, "until"));
	char *params[9], now[CW_CLOCK_UTC_STRLEN];
	const char *all[12];
	struct cw_db_job *dbjob;
	struct cw_db *db;
	struct sp_job *j;
	struct cw_error e;

	if (!(j = job_begin(ctx, SP_CHANGE, req, done, filter, ids, params, now, &db)))
		return;
	if (!(j->selected = json_array())) {
		job_reply(j, NULL, "internal", "out of memory");
		params_free(params);
		return;
	}
	j->requested = json_incref((json_t *)ids);
	for (int i = 0; i < 9; i++)
		all[i] = params[i];
	all[9] = who->name;
	all[10] = reason;
	all[11] = until;
	dbjob = cw_db_job_new(true);
	cw_db_job_add(dbjob, select_sql, 9, all, 0, on_selected, j);
	if (unack || unsnooze)
		cw_db_job_add(dbjob, unack ? unack_sql : unsnooze_sql, 10, all, 0, on_changed, j);
	else
		cw_db_job_add(dbjob, snooze ? snooze_sql : ack_sql, snooze ? 12 : 11, all, 0, on_changed, j);
	if (!cw_db_submit(db, dbjob, on_change_done, j, &e))
		job_reply(j, NULL, "db_unavailable", e.msg);
	params_free(params);
}

/* ---- digest and audit ---- */

/* One jsonb value: the digest, or the audit entries. */
static void on_json_row(const PGresult *res, void *arg)
{
	struct sp_job *j = arg;
	json_error_t jerr;

	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		json_decref(j->rows);
		j->rows = json_loads(PQgetvalue(res, 0, 0), 0, &jerr);
	}
}

static void on_digest_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct sp_job *j = arg;
	char msg[600];
	const char *code;

	(void)db;
	if (err) {
		code = db_error_code(err, j->kind == SP_DIGEST ? "making the digest" : "reading the audit trail", msg,
				     sizeof(msg));
		job_reply(j, NULL, code, msg);
		return;
	}
	if (!j->rows) {
		job_reply(j, NULL, "internal", "the store's answer could not be read");
		return;
	}
	cw_rule_info_decorate(j->rows, cw_poller_policy(j->sp->poller));
	job_reply(j, json_pack("{s:O}", j->kind == SP_DIGEST ? "digest" : "entries", j->rows), NULL, NULL);
}

/* Starts a job whose one query returns one jsonb value. */
static void json_job(struct cw_store_provider *sp, enum sp_kind kind, const char *sql, int n, const char *const *params,
		     cw_alertbus_reply_fn done, struct cw_alertbus_req *req)
{
	struct cw_db *db;
	struct sp_job *j;
	struct cw_error e;
	char msg[512];

	if (cw_daemon_schema_version(sp->daemon) < 4) {
		done(req, NULL, "unavailable", "the store's schema is older than version 4; casewatchd migrates it on start");
		return;
	}
	if (!(db = sp_db(sp, msg, sizeof(msg)))) {
		done(req, NULL, "db_unavailable", msg);
		return;
	}
	if (!(j = job_new(sp, kind, req))) {
		done(req, NULL, "internal", "out of memory");
		return;
	}
	j->reply = done;
	if (!cw_db_query(db, sql, n, params, 0, on_json_row, on_digest_done, j, &e))
		job_reply(j, NULL, "db_unavailable", e.msg);
}

/* digest: casewatch.digest() at the daemon's time; teams may be ids or codes. */
static void sp_digest(void *ctx, const json_t *args, const struct cw_actor *who, cw_alertbus_reply_fn done,
		      struct cw_alertbus_req *req)
{
	static const char sql[] = "SELECT casewatch.digest(casewatch.team_ids($1::text[]), $2, $3::bigint, $4::bigint,"
				  " $5::timestamptz, $6::int, $7::boolean, $8)";
	const json_t *teams = json_object_get(args, "teams"), *cap = json_object_get(args, "cap");
	char now[CW_CLOCK_UTC_STRLEN], capbuf[24];
	char *team_list = teams ? text_array(teams) : NULL;
	const char *params[8] = { team_list,
				  json_string_value(json_object_get(args, "audience")),
				  json_string_value(json_object_get(args, "worker")),
				  json_string_value(json_object_get(args, "since")),
				  now,
				  capbuf,
				  json_is_true(json_object_get(args, "mark")) ? "true" : "false",
				  who->name };

	if (teams && !team_list) {
		done(req, NULL, "internal", "out of memory");
		return;
	}
	cw_clock_format_utc(cw_clock_now(), now);
	snprintf(capbuf, sizeof(capbuf), "%" JSON_INTEGER_FORMAT, cap ? json_integer_value(cap) : (json_int_t)50);
	json_job(ctx, SP_DIGEST, sql, 8, params, done, req);
	free(team_list);
}

/* audit: casewatch.audit rows, oldest first, at most limit (the newest ones). */
static void sp_audit(void *ctx, const json_t *args, cw_alertbus_reply_fn done, struct cw_alertbus_req *req)
{
	static const char sql[] =
		"SELECT coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object('audit_id', u.audit_id::text,"
		" 'at', to_char(u.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'actor', u.actor,"
		" 'action', u.action, 'alert_id', u.alert_id::text, 'reason', coalesce(u.detail ->> 'reason',"
		" u.detail ->> 'was_reason'), 'until', to_char((u.detail ->> 'until')::timestamptz AT TIME ZONE 'UTC',"
		" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
		" 'transition_id', u.detail ->> 'transition_id')) ORDER BY u.audit_id), '[]')"
		" FROM (SELECT * FROM casewatch.audit WHERE ($1::timestamptz IS NULL OR at >= $1::timestamptz)"
		" AND ($2::text IS NULL OR actor = $2) ORDER BY audit_id DESC LIMIT $3::int) u";
	char limit[24];
	const char *params[3] = { json_string_value(json_object_get(args, "since")),
				  json_string_value(json_object_get(args, "actor")), limit };

	snprintf(limit, sizeof(limit), "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(args, "limit")));
	json_job(ctx, SP_AUDIT, sql, 3, params, done, req);
}

/* ---- records officers: hold, destruction, register ---- */

/* Each row as an object of its columns (text, or null). */
static void on_records_rows(const PGresult *res, void *arg)
{
	struct sp_job *j = arg;

	for (int r = 0; r < PQntuples(res); r++) {
		json_t *row = json_object();

		for (int c = 0; c < PQnfields(res); c++)
			json_object_set_new(row, PQfname(res, c),
					    PQgetisnull(res, r, c) ? json_null() : json_string(PQgetvalue(res, r, c)));
		json_array_append_new(j->rows, row);
	}
}

/* retention explain: the person's facts document, explained under the
 * profile in force with the holds the last pass read. */
static void explain_reply(struct sp_job *j)
{
	const char *text = json_string_value(json_object_get(json_array_get(j->rows, 0), "facts"));
	struct cw_facts f;
	struct cw_error err;
	json_error_t jerr;
	json_t *doc, *x;

	if (!text) {
		job_reply(j, NULL, "not_found", "the records have no such person");
		return;
	}
	if (!(doc = json_loads(text, 0, &jerr))) {
		job_reply(j, NULL, "internal", "the person's facts are not JSON; the daemon's log says more");
		cw_log_ratelimited("explain-facts", CW_LOG_ERR, "retention explain: facts unreadable: %s", jerr.text);
		return;
	}
	cw_facts_init(&f);
	if (!cw_facts_from_json(doc, &f, &err)) {
		job_reply(j, NULL, "internal", "the person's facts cannot be read; the daemon's log says more");
		cw_log_ratelimited("explain-facts", CW_LOG_ERR, "retention explain: %s", err.msg);
	} else if (!(x = cw_poller_retention_explain(j->sp->poller, &f, cw_clock_now()))) {
		job_reply(j, NULL, "internal", "out of memory");
	} else {
		job_reply(j, json_pack("{s:o}", "retention", x), NULL, NULL);
	}
	cw_facts_free(&f);
	json_decref(doc);
}

/* explain --alert: the alert's obligation recomputed from its person's
 * facts under the profile in force, and explained from its own anchor. */
static void alert_explain_reply(struct sp_job *j)
{
	const json_t *row = json_array_get(j->rows, 0);
	const char *code;
	char msg[400];
	json_t *x;

	if (!row) {
		job_reply(j, NULL, "not_found", "no such alert");
		return;
	}
	if (!j->sp->poller || !cw_poller_policy(j->sp->poller)) {
		job_reply(j, NULL, "unavailable", "no profile is in force in this server");
		return;
	}
	code = cw_alert_explain(cw_poller_policy(j->sp->poller), cw_poller_calendar(j->sp->poller), row,
				cw_clock_now(), &x, msg, sizeof(msg));
	if (code)
		job_reply(j, NULL, code, msg);
	else
		job_reply(j, json_pack("{s:o}", "explain", x), NULL, NULL);
}

/* The store's refusals are the caller's mistakes, told as they are: the
 * functions of 006_retention.sql word them with ids and codes only. */
static void on_records_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct sp_job *j = arg;
	char msg[600];

	(void)db;
	if (err && (j->explain || j->explain_alert) && !err->connection_lost) {
		/* Reading a person's facts: the server's words may quote a
		 * record's value, so only the SQLSTATE is told and logged. */
		cw_log_ratelimited("records-explain", CW_LOG_ERR, "alert socket: reading a person's facts failed: SQLSTATE %s",
				   err->sqlstate);
		snprintf(msg, sizeof(msg), "reading the person's facts failed in the database (SQLSTATE %s)", err->sqlstate);
		job_reply(j, NULL, "internal", msg);
		return;
	}
	if (err) {
		const char *code;

		if (!strcmp(err->sqlstate, "CWF01"))
			code = "same_person"; /* the approver is the reviewer */
		else if (!strcmp(err->sqlstate, "55000"))
			code = "conflict"; /* not in the state the action needs */
		else if (!strcmp(err->sqlstate, "P0002"))
			code = "not_found";
		else if (!strncmp(err->sqlstate, "23", 2) || !strcmp(err->sqlstate, "22023") ||
			 !strncmp(err->sqlstate, "22", 2))
			code = "bad_request";
		else {
			code = db_error_code(err, "a records-officer command", msg, sizeof(msg));
			job_reply(j, NULL, code, msg);
			return;
		}
		snprintf(msg, sizeof(msg), "%s", err->message);
		job_reply(j, NULL, code, msg);
		return;
	}
	if (j->list) {
		job_reply(j, json_pack("{s:O}", j->list, j->rows), NULL, NULL);
		return;
	}
	if (j->explain) {
		explain_reply(j);
		return;
	}
	if (j->explain_alert) {
		alert_explain_reply(j);
		return;
	}
	if (!json_array_size(j->rows)) {
		job_reply(j, NULL, "not_found", "nothing matched");
		return;
	}
	job_reply(j, json_incref(json_array_get(j->rows, 0)), NULL, NULL);
}

static void sp_records(void *ctx, const struct cw_records_query *q, cw_alertbus_reply_fn done,
		       struct cw_alertbus_req *req)
{
	struct cw_store_provider *sp = ctx;
	const char *params[CW_RECORDS_MAX_PARAMS];
	struct sp_job *j;
	struct cw_db *db;
	struct cw_error e;
	char msg[512];

	if (!(db = sp_db(sp, msg, sizeof(msg)))) {
		done(req, NULL, "db_unavailable", msg);
		return;
	}
	j = job_new(sp, SP_RECORDS, req);
	if (!j || !(j->rows = json_array())) {
		if (j)
			job_free(j);
		done(req, NULL, "internal", "out of memory");
		return;
	}
	j->reply = done;
	j->list = q->list;
	j->explain = q->explain;
	j->explain_alert = q->explain_alert;
	for (int i = 0; i < q->nparams; i++)
		params[i] = q->params[i];
	if (!cw_db_query(db, q->sql, q->nparams, params, 0, on_records_rows, on_records_done, j, &e))
		job_reply(j, NULL, "db_unavailable", e.msg);
}

/* The client went away: its answer is dropped; a ring wait is cancelled. */
static void sp_cancel(void *ctx, struct cw_alertbus_req *req)
{
	struct cw_store_provider *sp = ctx;

	for (struct sp_job *j = sp->jobs; j; j = j->next) {
		if (j->req != req)
			continue;
		j->req = NULL;
		if (j->in_ring) {
			if (sp->ring.cancel)
				sp->ring.cancel(sp->ring.ctx, (struct cw_alertbus_req *)(void *)j);
			job_free(j);
		}
		return;
	}
}

/* ---- the provider ---- */

struct cw_store_provider *cw_store_provider_new(struct event_base *base, struct cw_daemon *daemon,
						struct cw_poller *poller, struct cw_translog *tlog,
						struct cw_teams *teams)
{
	struct cw_store_provider *sp = calloc(1, sizeof(*sp));
	struct timeval tv = { SP_COUNT_INTERVAL_MS / 1000, (SP_COUNT_INTERVAL_MS % 1000) * 1000 };

	if (!sp)
		return NULL;
	sp->base = base;
	sp->daemon = daemon;
	sp->poller = poller;
	sp->tlog = tlog;
	cw_translog_provider(tlog, NULL, NULL, &sp->ring);
	sp->count_timer = event_new(base, -1, EV_PERSIST, on_count_timer, sp);
	sp->teams = teams;
	if (!sp->count_timer) {
		cw_store_provider_free(sp);
		return NULL;
	}
	event_add(sp->count_timer, &tv);
	return sp;
}

void cw_store_provider_free(struct cw_store_provider *sp)
{
	if (!sp)
		return;
	while (sp->jobs) {
		struct sp_job *j = sp->jobs;

		if (j->in_ring && sp->ring.cancel)
			sp->ring.cancel(sp->ring.ctx, (struct cw_alertbus_req *)(void *)j);
		job_free(j);
	}
	if (sp->count_timer)
		event_free(sp->count_timer);
	json_decref(sp->counts);
	free(sp);
}

void cw_store_provider_set_bus(struct cw_store_provider *sp, struct cw_alertbus *bus)
{
	sp->bus = bus;
}

void cw_store_provider_set_prune(struct cw_store_provider *sp, struct cw_prune *prune)
{
	sp->prune = prune;
}

void cw_store_provider_get(struct cw_store_provider *sp, struct cw_alertbus_provider *out)
{
	memset(out, 0, sizeof(*out));
	out->ctx = sp;
	out->status = sp_status;
	out->alerts = sp_alerts;
	out->replay = sp_replay;
	out->change = sp_change;
	out->digest = sp_digest;
	out->audit = sp_audit;
	out->records = sp_records;
	out->cancel = sp_cancel;
	out->team = sp_team;
}
