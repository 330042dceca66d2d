/* daemon.c - the cycle: connect, migrate, then passes every poll_interval. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "clock.h"
#include "daemon.h"
#include "log.h"
#include "metrics.h"
#include "migrate.h"

struct cw_daemon {
	struct event_base *base;
	const struct cw_conf *conf;
	bool once;
	struct cw_hooks hooks;
	struct cw_db *db;
	struct cw_migrate *migrate; /* while a migration run is in progress */
	struct event *tick;	    /* every poll_interval */
	struct event *wake;	    /* a notification's pass, wakeup_delay after it */
	bool wake_pending;	    /* a notification came during a pass */
	int schema_version;	    /* -1 until migrated on this connection */
	bool writer;		    /* holds the single-writer lock on this connection */
	bool standby;		    /* another casewatchd holds it: said once, not every pass */
	int highest_known;	    /* the newest migration file's version */
	bool in_pass;
	bool stopping;
	unsigned passes;
	int64_t pass_started_ms;
	int exit_status;
};

static void daemon_pass(struct cw_daemon *d);

/* The session advisory lock of the one casewatchd that writes alerts
 * ('cwwr'; casewatch.writer_lock() takes another, per transaction). */
#define DAEMON_WRITER_LOCK "1668773746"

/* Stops the loop with a fatal error. */
static void daemon_fatal(struct cw_daemon *d)
{
	d->exit_status = 1;
	d->stopping = true;
	event_base_loopexit(d->base, NULL);
}

/* The loop may end once nothing is running. */
static void daemon_maybe_exit(struct cw_daemon *d)
{
	if (d->stopping && !d->in_pass)
		event_base_loopexit(d->base, NULL);
}

/* Ends a pass: logs its duration (a standby's pass did what it should, so
 * it is no failure); --once stops here. */
static void daemon_pass_end(struct cw_daemon *d, bool ok, bool standby)
{
	if (!d->in_pass)
		return;
	d->in_pass = false;
	cw_metrics_note_pass(cw_clock_monotonic_ms() - d->pass_started_ms, ok || standby);
	cw_log(ok || standby ? CW_LOG_DEBUG : CW_LOG_WARNING, "pass %u %s in %lld ms", d->passes,
	       standby ? "stood by" : ok ? "finished" : "failed",
	       (long long)(cw_clock_monotonic_ms() - d->pass_started_ms));
	/* What woke us during the pass may have committed after it read. */
	if (d->wake_pending && !d->once && !d->stopping) {
		struct timeval now = { 0, 0 };

		d->wake_pending = false;
		event_add(d->wake, &now);
	}
	if (d->once) {
		if (!ok)
			d->exit_status = 1;
		d->stopping = true;
	}
	daemon_maybe_exit(d);
}

void cw_daemon_pass_done(struct cw_daemon *d, bool ok)
{
	daemon_pass_end(d, ok, false);
}

/* The schema check's row: the database's current version. */
static void daemon_check_row(const PGresult *res, void *arg)
{
	struct cw_daemon *d = arg;

	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		d->schema_version = atoi(PQgetvalue(res, 0, 0));
}

/* The schema check finished: refuse a schema moved ahead, else run the hook. */
static void daemon_check_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_daemon *d = arg;
	char when[CW_CLOCK_UTC_STRLEN];
	cw_time now;

	if (err) {
		cw_log_ratelimited("pass-check", CW_LOG_WARNING, "pass %u: schema check failed: %s%s%s",
				   d->passes, err->sqlstate[0] ? err->sqlstate : "",
				   err->sqlstate[0] ? ": " : "", err->message);
		cw_daemon_pass_done(d, false);
		return;
	}
	if (d->schema_version > d->highest_known) {
		cw_log(CW_LOG_ERR,
		       "the casewatch schema moved to version %d while running; this casewatchd "
		       "knows up to %d: stopping",
		       d->schema_version, d->highest_known);
		d->in_pass = false;
		daemon_fatal(d);
		return;
	}
	now = cw_clock_now();
	cw_clock_format_utc(now, when);
	cw_log(CW_LOG_DEBUG, "pass %u: schema version %d, now %s", d->passes, d->schema_version, when);
	if (d->hooks.on_tick)
		d->hooks.on_tick(d, db, now, d->hooks.arg);
	else
		cw_daemon_pass_done(d, true);
}

/* Checks the schema version, then runs the pass hook. */
static void daemon_check_schema(struct cw_daemon *d)
{
	struct cw_error err;

	if (!cw_db_query(d->db, "SELECT pg_catalog.max(version) FROM casewatch.schema_version", 0,
			 NULL, 0, daemon_check_row, daemon_check_done, d, &err)) {
		cw_log(CW_LOG_DEBUG, "pass %u: %s", d->passes, err.msg);
		cw_daemon_pass_done(d, false);
	}
}

static void daemon_lock_row(const PGresult *res, void *arg)
{
	struct cw_daemon *d = arg;

	d->writer = PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "t");
}

/* One casewatchd writes alerts for a database at a time: a second one
 * (or --once beside the service) would deliver every transition twice.
 * The lock is the session's, so it goes with the connection. */
static void daemon_lock_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_daemon *d = arg;

	(void)db;
	if (err) {
		cw_log_ratelimited("writer-lock", CW_LOG_WARNING, "pass %u: taking the writer lock failed: %s",
				   d->passes, err->message);
		cw_daemon_pass_done(d, false);
		return;
	}
	/* Standing by is this daemon's job while another writes: a notice when
	 * it begins, not a warning every pass. */
	if (!d->writer) {
		if (!d->standby || d->once)
			cw_log_event(CW_EV_STANDBY, d->once ? CW_LOG_WARNING : CW_LOG_NOTICE,
				     "another casewatchd is writing alerts for this database (advisory lock %s "
				     "is held); %s",
				     DAEMON_WRITER_LOCK, d->once ? "--once does nothing" : "standing by");
		if (!d->standby)
			sd_notify(0, "STATUS=Standing by: another casewatchd writes alerts for this database");
		d->standby = true;
		daemon_pass_end(d, false, !d->once);
		return;
	}
	d->standby = false;
	cw_log_event(CW_EV_LEADER, CW_LOG_NOTICE, "writer lock taken: this casewatchd writes the alerts");
	sd_notifyf(0, "STATUS=Running: database connected, schema version %d", d->schema_version);
	daemon_check_schema(d);
}

/* Starts a pass if the database is ready and none is running. */
static void daemon_pass(struct cw_daemon *d)
{
	struct cw_error err;

	cw_log_ratelimit_flush();
	if (d->in_pass || d->stopping)
		return;
	if (!d->db || !cw_db_is_connected(d->db) || d->schema_version < 0) {
		struct cw_db_status st = { .state = CW_DB_DISCONNECTED };

		if (d->db)
			cw_db_get_status(d->db, &st);
		cw_log(CW_LOG_DEBUG, "pass skipped: database %s%s", cw_db_state_name(st.state),
		       cw_db_is_connected(d->db) ? ", schema not checked yet" : "");
		return;
	}
	d->in_pass = true;
	d->passes++;
	d->pass_started_ms = cw_clock_monotonic_ms();
	if (d->writer) {
		daemon_check_schema(d);
		return;
	}
	if (!cw_db_query(d->db, "SELECT pg_catalog.pg_try_advisory_lock(" DAEMON_WRITER_LOCK ")", 0, NULL, 0,
			 daemon_lock_row, daemon_lock_done, d, &err)) {
		cw_log(CW_LOG_DEBUG, "pass %u: %s", d->passes, err.msg);
		cw_daemon_pass_done(d, false);
	}
}

/* The poll timer. */
static void daemon_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	daemon_pass(arg);
}

/* A notification's pass is due: now, or after the running one. */
static void daemon_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cw_daemon *d = arg;

	(void)fd;
	(void)what;
	if (d->in_pass) {
		d->wake_pending = true;
		return;
	}
	cw_log(CW_LOG_DEBUG, "woken by a notification on %s", d->conf->listen_channel);
	daemon_pass(d);
}

/* A notification: a pass after wakeup_delay, unless one is already
 * scheduled (a burst of notifications is one pass). */
static void daemon_notified(struct cw_db *db, const char *channel, void *arg)
{
	struct cw_daemon *d = arg;
	struct timeval tv = { (time_t)(d->conf->wakeup_delay_ms / 1000),
			      (suseconds_t)(d->conf->wakeup_delay_ms % 1000) * 1000 };

	(void)db;
	if (d->once || d->stopping || strcmp(channel, d->conf->listen_channel) != 0)
		return;
	if (d->in_pass) {
		d->wake_pending = true;
		return;
	}
	if (!evtimer_pending(d->wake, NULL))
		evtimer_add(d->wake, &tv);
}

static void daemon_listen_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_daemon *d = arg;

	(void)db;
	if (err)
		cw_log_ratelimited("listen", CW_LOG_WARNING, "LISTEN %s failed: %s; polling every poll_interval only",
				   d->conf->listen_channel, err->message);
	else
		cw_log(CW_LOG_INFO, "listening on channel %s for wake-ups", d->conf->listen_channel);
}

/* LISTEN before the pass that catches up from the stored watermark, so no
 * change falls between the two (NOTIFY is not durable). */
static void daemon_listen(struct cw_daemon *d)
{
	struct cw_error err;
	char *sql;
	size_t n = strlen(d->conf->listen_channel), k = 0;

	if (d->once || !*d->conf->listen_channel)
		return;
	sql = malloc(2 * n + 16);
	if (!sql)
		abort();
	k = (size_t)sprintf(sql, "LISTEN \"");
	for (size_t i = 0; i < n; i++) {
		if (d->conf->listen_channel[i] == '"')
			sql[k++] = '"';
		sql[k++] = d->conf->listen_channel[i];
	}
	strcpy(sql + k, "\"");
	if (!cw_db_query(d->db, sql, 0, NULL, CW_DB_SCRIPT, NULL, daemon_listen_done, d, &err))
		cw_log(CW_LOG_WARNING, "LISTEN %s: %s", d->conf->listen_channel, err.msg);
	free(sql);
}

/* (Re)arms the poll timer at the configured interval. */
static void daemon_arm_tick(struct cw_daemon *d)
{
	struct timeval tv = { (time_t)(d->conf->poll_interval_ms / 1000),
			      (suseconds_t)(d->conf->poll_interval_ms % 1000) * 1000 };

	event_del(d->tick);
	event_add(d->tick, &tv);
}

/* Migrations finished on this connection. */
static void daemon_migrated(const struct cw_migrate_result *res, void *arg)
{
	struct cw_daemon *d = arg;

	d->migrate = NULL;
	if (!res->ok) {
		if (res->connection_lost && !d->once) {
			cw_log(CW_LOG_WARNING, "schema check interrupted: %s; retrying on reconnect",
			       res->message);
			return;
		}
		cw_log(CW_LOG_ERR, "%s", res->message);
		daemon_fatal(d);
		return;
	}
	d->schema_version = res->to_version;
	d->highest_known = res->highest;
	if (res->applied)
		cw_log(CW_LOG_NOTICE, "casewatch schema migrated from version %d to %d", res->from_version,
		       res->to_version);
	sd_notifyf(0, "STATUS=Running: database connected, schema version %d", d->schema_version);
	daemon_listen(d);
	if (d->hooks.on_db_ready)
		d->hooks.on_db_ready(d, d->db, d->hooks.arg);
	daemon_pass(d);
}

/* Connected: check and migrate the schema first. */
static void daemon_db_ready(struct cw_db *db, void *arg)
{
	struct cw_daemon *d = arg;
	struct cw_error err;

	d->schema_version = -1;
	d->writer = false;
	cw_metrics_note_db_connected();
	d->migrate = cw_migrate_start(db, d->conf->migrations_dir, daemon_migrated, d, &err);
	if (!d->migrate) {
		cw_log(CW_LOG_ERR, "%s", err.msg);
		daemon_fatal(d);
	}
}

/* A connection attempt failed or the connection broke. */
static void daemon_db_lost(struct cw_db *db, void *arg)
{
	struct cw_daemon *d = arg;

	(void)db;
	d->schema_version = -1;
	d->writer = false;
	sd_notify(0, "STATUS=Running: waiting for the database (see the log)");
	/* The migration run already got its failure through its job. */
	if (d->once && !d->stopping) {
		cw_log(CW_LOG_ERR, "--once: the database is not reachable");
		daemon_fatal(d);
	}
}

/* A daemon on base. */
struct cw_daemon *cw_daemon_new(struct event_base *base, const struct cw_conf *conf, bool once)
{
	struct cw_daemon *d = calloc(1, sizeof(*d));

	if (!d)
		abort();
	d->base = base;
	d->conf = conf;
	d->once = once;
	d->schema_version = -1;
	d->highest_known = -1;
	d->tick = event_new(base, -1, EV_PERSIST, daemon_tick_cb, d);
	d->wake = evtimer_new(base, daemon_wake_cb, d);
	if (!d->tick || !d->wake)
		abort();
	return d;
}

/* Frees the daemon: the database first, so no callback reaches a freed runner. */
void cw_daemon_free(struct cw_daemon *d)
{
	if (!d)
		return;
	cw_db_free(d->db);
	cw_migrate_abandon(d->migrate);
	event_free(d->tick);
	event_free(d->wake);
	free(d);
}

/* Installs the hooks. */
void cw_daemon_set_hooks(struct cw_daemon *d, const struct cw_hooks *hooks)
{
	d->hooks = *hooks;
}

/* Starts connecting and the poll timer. */
void cw_daemon_start(struct cw_daemon *d)
{
	struct cw_db_options opts = {
		.conninfo = d->conf->database,
		.connect_timeout_ms = d->conf->connect_timeout_ms,
		.statement_timeout_ms = d->conf->statement_timeout_ms,
		.retry_base_ms = d->conf->retry_base_ms,
		.retry_cap_ms = d->conf->retry_cap_ms,
	};

	d->db = cw_db_new(d->base, &opts, daemon_db_ready, daemon_db_lost, d);
	cw_db_set_notify(d->db, daemon_notified, d);
	cw_db_start(d->db);
	if (!d->once)
		daemon_arm_tick(d);
}

/* Applies what a reload may change. */
void cw_daemon_reload(struct cw_daemon *d, const struct cw_conf *conf)
{
	bool interval = conf->poll_interval_ms != d->conf->poll_interval_ms;

	d->conf = conf;
	cw_db_set_retry(d->db, conf->retry_base_ms, conf->retry_cap_ms);
	if (interval && !d->once)
		daemon_arm_tick(d);
	if (d->hooks.on_reload)
		d->hooks.on_reload(d, conf, d->hooks.arg);
}

/* Graceful stop. */
void cw_daemon_stop(struct cw_daemon *d)
{
	d->stopping = true;
	event_del(d->tick);
	event_del(d->wake);
	daemon_maybe_exit(d);
}

/* The database wrapper, for hooks that submit their own jobs. */
struct cw_db *cw_daemon_db(struct cw_daemon *d)
{
	return d->db;
}

/* The settings in effect. */
const struct cw_conf *cw_daemon_conf(const struct cw_daemon *d)
{
	return d->conf;
}

/* Leadership, as the connection holding the lock last said. */
bool cw_daemon_is_writer(const struct cw_daemon *d)
{
	return d->writer && d->db && cw_db_is_connected(d->db);
}

/* Whether a pass is running. */
bool cw_daemon_in_pass(const struct cw_daemon *d)
{
	return d->in_pass;
}

/* The schema version on this connection, -1 before migrations. */
int cw_daemon_schema_version(const struct cw_daemon *d)
{
	return d->schema_version;
}

/* What main should exit with. */
int cw_daemon_exit_status(const struct cw_daemon *d)
{
	return d->exit_status;
}
