/*
 * transition_log.h - the most recent alert transitions, kept in memory.
 *
 * A bounded ring of committed transitions, kept as compact JSON text and
 * bounded by count and, optionally, by bytes, so that subscribers resuming
 * from a recent cursor are served without touching the database, and a
 * small view of the alerts those transitions describe. It implements the
 * alert bus's provider: replay from the ring ("cursor_too_old" once the
 * cursor has fallen out of it; the store then reads PostgreSQL), status,
 * alerts from the view, and ack/snooze applied to the view (a compact
 * table of the alerts, alert_view.h).
 */
#ifndef CASEWATCH_TRANSITION_LOG_H
#define CASEWATCH_TRANSITION_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "alertbus.h"
#include "casewatch/error.h"

struct cw_translog;

/* Transitions created by a change (ack, snooze) made through the provider:
 * already appended to the log; the owner publishes them. */
typedef void (*cw_translog_emit_fn)(void *arg, uint64_t id, const json_t *transition);

/* A log keeping the last `capacity` transitions (and at most that many
 * alerts in its view); replays are answered from base's loop. */
struct cw_translog *cw_translog_new(struct event_base *base, size_t capacity);

/* Also keeps the ring's text under max_bytes (0: the count alone bounds
 * it): the oldest transitions are dropped first, the newest always kept.
 * The view of alerts (alert_view.h) is held under the same figure, apart. */
void cw_translog_set_max_bytes(struct cw_translog *log, size_t max_bytes);

/* Frees the log; replays not yet answered are dropped. NULL is allowed. */
void cw_translog_free(struct cw_translog *log);

/* Records a committed transition (the provider's transition object, without
 * its id; it is copied). Ids must increase: false and err otherwise, or when
 * the transition has no type or data.alert_id. */
bool cw_translog_append(struct cw_translog *log, uint64_t id, const json_t *transition, struct cw_error *err);

/* Transitions up to id exist but were never recorded here (a restart): a
 * replay from before id gets "cursor_too_old" instead of a gap. Only
 * raises the floor, and only while the log is empty. */
void cw_translog_set_floor(struct cw_translog *log, uint64_t id);

/* The store pruned every transition up to id: the ring drops them too, so
 * a replay from before id is answered by the store (which refuses it with
 * the oldest id it can replay) rather than from memory. */
void cw_translog_forget_upto(struct cw_translog *log, uint64_t id);

/* The id of the newest transition recorded, 0 when none. */
uint64_t cw_translog_last_id(const struct cw_translog *log);

/* Fills *out with a provider serving from this log. Its changes append
 * transitions with the next ids and hand each to emit (may be NULL). */
void cw_translog_provider(struct cw_translog *log, cw_translog_emit_fn emit, void *emit_arg,
			  struct cw_alertbus_provider *out);

#endif /* CASEWATCH_TRANSITION_LOG_H */
