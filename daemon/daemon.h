/*
 * daemon.h - the daemon's cycle: database, migrations, passes, and the hooks
 * the poller plugs into.
 *
 * Once the database is connected and the schema is current, the daemon runs
 * a pass straight away and then every poll_interval, and, with
 * listen_channel set, wakeup_delay after a notification on that channel
 * (LISTEN is sent on every connection before its first pass). A pass is a schema
 * check (a newer casewatchd may have migrated the database meanwhile) and
 * then hooks.on_tick. Passes never overlap: the next one starts only after
 * the hook calls cw_daemon_pass_done(). After a reconnect the cycle starts
 * over (migrations check, on_db_ready, a pass).
 */
#ifndef CASEWATCH_DAEMON_DAEMON_H
#define CASEWATCH_DAEMON_DAEMON_H

#include <stdbool.h>

#include "casewatch/calendar.h"
#include "conf.h"
#include "db.h"

struct event_base;
struct cw_daemon;

/* What the poller (and later the store) plug in. Every member may be NULL. */
struct cw_hooks {
	void *arg;
	/* The database is connected and its schema current; after every reconnect. */
	void (*on_db_ready)(struct cw_daemon *d, struct cw_db *db, void *arg);
	/* One pass: now is the daemon's clock (the test clock if set). The hook
	 * must call cw_daemon_pass_done() exactly once when it has finished. */
	void (*on_tick)(struct cw_daemon *d, struct cw_db *db, cw_time now, void *arg);
	/* New settings are in effect (restart-only ones kept their old values). */
	void (*on_reload)(struct cw_daemon *d, const struct cw_conf *conf, void *arg);
};

/* A daemon on base with conf (borrowed; cw_daemon_reload replaces it).
 * once: connect, migrate, run one pass, then stop. */
struct cw_daemon *cw_daemon_new(struct event_base *base, const struct cw_conf *conf, bool once);
void cw_daemon_free(struct cw_daemon *d);
void cw_daemon_set_hooks(struct cw_daemon *d, const struct cw_hooks *hooks);
/* Starts connecting; passes follow. */
void cw_daemon_start(struct cw_daemon *d);
/* Applies reloadable settings from conf (which the caller keeps alive). */
void cw_daemon_reload(struct cw_daemon *d, const struct cw_conf *conf);
/* Graceful stop: no new pass; the loop exits when the running one is done. */
void cw_daemon_stop(struct cw_daemon *d);
/* Ends the pass the hook was given. */
void cw_daemon_pass_done(struct cw_daemon *d, bool ok);

struct cw_db *cw_daemon_db(struct cw_daemon *d);
const struct cw_conf *cw_daemon_conf(const struct cw_daemon *d);
/* True while this daemon holds the writer lock on its connection (it
 * is the leader); false as soon as that connection is lost. */
bool cw_daemon_is_writer(const struct cw_daemon *d);
/* True while a pass runs. */
bool cw_daemon_in_pass(const struct cw_daemon *d);
/* The schema version after migrations, -1 before. */
int cw_daemon_schema_version(const struct cw_daemon *d);
/* 0, or 1 after a fatal error (schema too new, failed migration, --once
 * without a database, a failed --once pass). */
int cw_daemon_exit_status(const struct cw_daemon *d);

#endif /* CASEWATCH_DAEMON_DAEMON_H */
