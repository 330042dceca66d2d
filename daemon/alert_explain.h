/*
 * alert_explain.h - a live alert explained: its obligation recomputed from the person's facts.
 *
 * `casewatchctl explain --alert ID` (socket command `explain`): the store
 * gives the alert's key (person, rule, anchor kind and id, cycle start) and
 * the person's facts document; this module recomputes the person's
 * obligations under the profile in force at `now`, finds the one with the
 * alert's key, and explains its rule from that obligation's own anchor
 * instant (lib/explain.c), so the explanation is of the alert's deadline,
 * not of one typed by hand. It does no I/O.
 */
#ifndef CASEWATCH_DAEMON_ALERT_EXPLAIN_H
#define CASEWATCH_DAEMON_ALERT_EXPLAIN_H

#include <stddef.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/policy.h"

/* row: the store's columns as text or null: alert, person, rule,
 * anchor_kind, anchor_id, cycle_start (Unix seconds), facts (the person's
 * document, null when the records no longer have the person). On success
 * returns NULL and sets *out to {alert, profile, at, obligation,
 * explanation} (docs/protocol.md); else returns an error code (not_found,
 * person_gone, not_explainable, internal) with msg saying why in ids and
 * codes only. */
const char *cw_alert_explain(const struct cw_policy *policy, const struct cw_calendar *cal, const json_t *row,
			     cw_time now, json_t **out, char *msg, size_t size);

#endif /* CASEWATCH_DAEMON_ALERT_EXPLAIN_H */
