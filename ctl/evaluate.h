/* evaluate.h - offline evaluation for casewatchctl: facts documents through the engine, as JSON. */
#ifndef CASEWATCH_CTL_EVALUATE_H
#define CASEWATCH_CTL_EVALUATE_H

#include <stdbool.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/obligation.h"
#include "casewatch/policy.h"

/* Facts documents from a JSON value: one person's document (docs/facts.md)
 * or an array of them. Returns a new array, or NULL with a message naming
 * `where` in err (size n). */
json_t *ctl_facts_documents(const json_t *v, const char *where, char *err, size_t n);

/* Computes every obligation of each document at `at` and returns them as
 * a JSON array, one object per obligation (docs/casewatchctl.md: person,
 * rule, anchor, cycle_start, anchor_at, warn, due, escalations, state,
 * met_at, met_by, late_by, audience, detail). NULL with err on a document
 * the facts parser refuses. */
json_t *ctl_evaluate(const struct cw_policy *policy, const struct cw_calendar *cal, const json_t *docs,
		     cw_time at, char *err, size_t n);

#endif
