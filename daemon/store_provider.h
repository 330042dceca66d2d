/*
 * store_provider.h - the alert socket's provider backed by casewatch's
 * PostgreSQL store.
 *
 * status:  the database's state, schema version, profile, the poller's last
 *          pass, transitions delivered and the replay window (prune.h),
 *          and open alerts by state (a count
 *          kept fresh by a cheap query every few seconds, asynchronously).
 * alerts:  the open (announced) alerts a filter selects, from casewatch.alert.
 * replay:  from the in-memory transition ring; when the ring answers
 *          cursor_too_old, from casewatch.replay_after() in batches (which
 *          refuses a cursor into the pruned part: cursor_too_old, naming the
 *          oldest id), never beyond what the alert bus has delivered.
 * change:  ack -> casewatch.acknowledge(), snooze -> casewatch.snooze(). The
 *          transitions they write are delivered by the next pass (within
 *          poll_interval), through the same path as every other transition.
 *
 * Everything runs as jobs on the daemon's one connection. While the
 * database is unreachable, requests are answered at once with
 * "db_unavailable"; a client that goes away has its request forgotten.
 */
#ifndef CASEWATCH_DAEMON_STORE_PROVIDER_H
#define CASEWATCH_DAEMON_STORE_PROVIDER_H

#include "alertbus.h"

struct event_base;
struct cw_daemon;
struct cw_poller;
struct cw_translog;
struct cw_teams;
struct cw_store_provider;

/* A provider reading through daemon's database, with the poller's numbers
 * and profile for status, tlog's ring for recent replays, and teams (borrowed)
 * to name teams by code in filters. */
struct cw_store_provider *cw_store_provider_new(struct event_base *base, struct cw_daemon *daemon,
						struct cw_poller *poller, struct cw_translog *tlog,
						struct cw_teams *teams);

/* Frees the provider and every request in flight (call after freeing the
 * bus, before freeing the daemon). NULL is allowed. */
void cw_store_provider_free(struct cw_store_provider *sp);

/* The bus it serves: replays from the store stop at its last id. */
void cw_store_provider_set_bus(struct cw_store_provider *sp, struct cw_alertbus *bus);

/* The pruner whose replay window status shows. */
struct cw_prune;
void cw_store_provider_set_prune(struct cw_store_provider *sp, struct cw_prune *prune);

/* Fills *out with the provider's callbacks. */
void cw_store_provider_get(struct cw_store_provider *sp, struct cw_alertbus_provider *out);

#endif /* CASEWATCH_DAEMON_STORE_PROVIDER_H */
