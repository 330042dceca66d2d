/*
 * deliver.h - transitions from the store to the sinks, in id order.
 *
 * The store writes transitions; this module reads those after the syslog
 * sink's cursor (casewatch.sink_cursor), appends each to the in-memory
 * transition log and publishes it on the alert socket (each id once), and
 * logs it (syslog/journal, whatever log_level is). The cursor moves past a
 * transition only once the log has taken it, and is stored after each batch
 * and wherever a run stops. When the log refuses one (the syslog receiver's
 * queue is full), the run waits for room and goes on at the receiver's
 * speed; when the receiver is absent, or has taken nothing for 2 s, the run
 * stops at that transition (a rate-limited warning says how many wait) and
 * the next run goes on from there. Nothing is lost: a crash, or a lost
 * database connection, before a cursor is stored sends the transitions
 * after the stored one to the log again (at-least-once; transition_id is
 * the key to drop repeats on).
 */
#ifndef CASEWATCH_DAEMON_DELIVER_H
#define CASEWATCH_DAEMON_DELIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct cw_deliver;
struct cw_translog;
struct cw_alertbus;

typedef void (*cw_deliver_done_fn)(void *arg, bool ok);

struct cw_deliver *cw_deliver_new(void);
void cw_deliver_free(struct cw_deliver *dl);
/* Where transitions go besides the log (both optional). */
void cw_deliver_set_sinks(struct cw_deliver *dl, struct cw_translog *tlog, struct cw_alertbus *bus);
/* Forget the cursor: it is read again from the store on the next run
 * (after every reconnection). */
void cw_deliver_reset(struct cw_deliver *dl);
/* Delivers every transition after the cursor (or up to one the log
 * refused), then calls done: ok false when the database failed. */
void cw_deliver_run(struct cw_deliver *dl, struct cw_db *db, cw_deliver_done_fn done, void *arg);
/* Transitions delivered since start, and the last id delivered. */
uint64_t cw_deliver_count(const struct cw_deliver *dl);
uint64_t cw_deliver_last_id(const struct cw_deliver *dl);

#endif /* CASEWATCH_DAEMON_DELIVER_H */
