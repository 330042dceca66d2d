/*
 * explain.h - why a rule falls due when it does, in words a manager can follow.
 *
 * For one rule of a profile and one anchor time (the event, or the opening
 * of the case for a recurring rule), cw_explain() works out the due time,
 * the warning time and each escalation with its audience, and records every
 * step of the reasoning: the weekends and bank holidays (by name) skipped
 * when counting working days, the clock changes crossed by hour periods,
 * month-end clamping, the end of day used, and the policy's own words with
 * their source.
 */
#ifndef CASEWATCH_EXPLAIN_H
#define CASEWATCH_EXPLAIN_H

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/error.h"
#include "casewatch/policy.h"

/* The explanation as a JSON object (new reference), or NULL with err set
 * when the rule has no deadline (content, retention, hold, destruction).
 * Members: rule, title, kind, profile, nation, enabled, anchor_time,
 * period, due, warn (null if none), escalations [{after, at, audience}],
 * audience, reasoning [strings], words, source {document, section},
 * interpretation (if any). Times are ISO 8601 London time with offset. */
json_t *cw_explain(const struct cw_policy *policy, const struct cw_rule *rule, cw_time anchor,
		   const struct cw_calendar *cal, enum cw_nation nation, struct cw_error *err);

/* The same explanation as readable text (malloc'd; NULL on exhaustion). */
char *cw_explain_text(const json_t *explanation);

#endif /* CASEWATCH_EXPLAIN_H */
