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

#include <jansson.h>
#include <libpq-fe.h>

#include "db.h"

struct cw_deliver;
struct cw_policy;
struct cw_translog;
struct cw_alertbus;

typedef void (*cw_deliver_done_fn)(void *arg, bool ok);

struct cw_deliver *cw_deliver_new(void);
void cw_deliver_free(struct cw_deliver *dl);
/* Where transitions go besides the log (both optional). */
void cw_deliver_set_sinks(struct cw_deliver *dl, struct cw_translog *tlog, struct cw_alertbus *bus);
/* Where the policy in force is (the poller's pointer, which a reload
 * replaces): published transitions carry their rule's title from it. */
void cw_deliver_set_policy(struct cw_deliver *dl, struct cw_policy *const *policy);
/* Forget the cursor: it is read again from the store on the next run
 * (after every reconnection). */
void cw_deliver_reset(struct cw_deliver *dl);
/* Delivers every transition after the cursor (or up to one the log
 * refused), then calls done: ok false when the database failed. */
void cw_deliver_run(struct cw_deliver *dl, struct cw_db *db, cw_deliver_done_fn done, void *arg);
/* Transitions delivered since start, and the last id delivered. */
uint64_t cw_deliver_count(const struct cw_deliver *dl);
uint64_t cw_deliver_last_id(const struct cw_deliver *dl);

/* The columns of a transition row, in this order, for a query over
 * casewatch.transition t: id, transition kind, from and to state, time
 * (epoch), severity, rule, person, team, audience, due (epoch), late_by
 * (seconds), alert id, the alert's kind (obligation or finding), and the
 * team's code (records.team, null when it has none). */
#define CW_DELIVER_TRANSITION_COLUMNS                                                                           \
	"t.transition_id, t.kind, t.from_state, t.to_state, extract(epoch FROM t.at)::bigint, t.severity,"      \
	" t.rule_id, t.person_id, t.team_id, t.audience, extract(epoch FROM t.due_at)::bigint,"                  \
	" extract(epoch FROM t.late_by)::bigint, t.alert_id,"                                                     \
	" (SELECT a.kind FROM casewatch.alert a WHERE a.alert_id = t.alert_id),"                                 \
	" (SELECT tm.code FROM records.team tm WHERE tm.team_id = t.team_id)"

/* A row of those columns as the alert bus takes a transition ({"type",
 * "time", "data"}, docs/protocol.md), with the rule's title and source
 * from policy (NULL: without); NULL when out of memory. */
json_t *cw_deliver_transition_json(const PGresult *res, int row, const struct cw_policy *policy);

#endif /* CASEWATCH_DAEMON_DELIVER_H */
