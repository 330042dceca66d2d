/*
 * capability.h - whether the obligation engine can evaluate a rule with the facts it reads.
 *
 * A rule that loads and validates may still never fire: its check needs
 * facts the records interface does not hand over, or params the engine
 * cannot honour (ROLLBACK-RATE counted per person), or it names fields the
 * facts do not carry (SHARE-FIELDS with
 * a field name of its own), or a parameter the engine never reads. One
 * table in lib/capability.c says, per rule kind, anchor and check, what
 * the engine needs and whether the facts (docs/facts.md) provide it;
 * `policy check` warns and `policy show` marks from it.
 */
#ifndef CASEWATCH_CAPABILITY_H
#define CASEWATCH_CAPABILITY_H

#include <stdbool.h>
#include <stddef.h>

#include "casewatch/policy.h"

/* The longest reason, NUL included. */
#define CW_CAPABILITY_REASON_MAX 256

enum cw_capability {
	CW_CAP_EVALUATED,   /* the engine evaluates the rule as written */
	CW_CAP_PARTIAL,	    /* evaluated, but part of what the rule says is not read */
	CW_CAP_NEVER,	    /* enabled, yet it can never raise anything */
	CW_CAP_ELSEWHERE,   /* retention, holds, destruction: not the obligation engine's */
	CW_CAP_DISABLED,    /* switched off in the profile */
};

/* How far the engine evaluates one rule; `why` (may be NULL) says what is
 * missing for PARTIAL and NEVER, and whose the rule is for ELSEWHERE. */
enum cw_capability cw_capability_of(const struct cw_rule *rule, char *why, size_t n);

/* True, with why, when an enabled after-event or recurring rule counts
 * calendar days, weeks, months or years but the profile has not said what
 * happens when the due date is a weekend or bank holiday
 * (interpretation.days or non_working_due): "no plan may fall due on a
 * bank holiday by accident". Hazard reviews are left out: the hazard's
 * own review date decides them. */
bool cw_capability_unstated_choice(const struct cw_rule *rule, char *why, size_t n);

/* "evaluated", "partial", "never", "elsewhere", "disabled". */
const char *cw_capability_name(enum cw_capability cap);

/* The field names the facts carry for `of` ("record", "hazard",
 * "information_sharing"), as required_fields may name them; NULL for an
 * unknown entity. */
const char *const *cw_capability_fields(const char *of, size_t *n);

#endif /* CASEWATCH_CAPABILITY_H */
