/*
 * deliver.h - transitions from the store to the sinks, in id order, once.
 *
 * The store writes transitions; this module reads those after the syslog
 * sink's cursor (casewatch.sink_cursor), logs each one (syslog/journal),
 * appends it to the in-memory transition log and publishes it on the alert
 * socket, then moves the cursor. A crash between a commit and its delivery
 * therefore delivers on the next start instead of losing the transition.
 * When the syslog socket's queue is full, delivery stops at that transition
 * and resumes a moment later (a timer on the event base), so a burst larger
 * than the socket's queue is delivered whole and in order.
 */
#ifndef CASEWATCH_DAEMON_DELIVER_H
#define CASEWATCH_DAEMON_DELIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct cw_deliver;
struct event_base;
struct cw_translog;
struct cw_alertbus;

typedef void (*cw_deliver_done_fn)(void *arg, bool ok);

struct cw_deliver *cw_deliver_new(struct event_base *base);
void cw_deliver_free(struct cw_deliver *dl);
/* Where transitions go besides the log (both optional). */
void cw_deliver_set_sinks(struct cw_deliver *dl, struct cw_translog *tlog, struct cw_alertbus *bus);
/* Forget the cursor: it is read again from the store on the next run
 * (after every reconnection). */
void cw_deliver_reset(struct cw_deliver *dl);
/* Delivers every transition after the cursor, then calls done. */
void cw_deliver_run(struct cw_deliver *dl, struct cw_db *db, cw_deliver_done_fn done, void *arg);
/* Transitions delivered since start, and the last id delivered. */
uint64_t cw_deliver_count(const struct cw_deliver *dl);
uint64_t cw_deliver_last_id(const struct cw_deliver *dl);

#endif /* CASEWATCH_DAEMON_DELIVER_H */
