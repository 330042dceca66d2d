/*
 * rule_info.h - a rule's title and source reference next to its id, from
 * the policy profile in force, for what the alert socket sends (alerts,
 * transitions, digests): "Case notes finalised within five working days"
 * beside NOTE-5WD. Never anything from a record.
 */
#ifndef CASEWATCH_DAEMON_RULE_INFO_H
#define CASEWATCH_DAEMON_RULE_INFO_H

#include <jansson.h>

#include "casewatch/policy.h"

/* When obj has a string "rule_id" the policy knows, sets "rule_title" and
 * "rule_source" ("document, section"). A NULL policy adds nothing. */
void cw_rule_info_add(json_t *obj, const struct cw_policy *policy);

/* cw_rule_info_add on v and every object inside it. */
void cw_rule_info_decorate(json_t *v, const struct cw_policy *policy);

#endif /* CASEWATCH_DAEMON_RULE_INFO_H */
