/* policy_internal.h - what policy.c (loading) and policy_rule.c (rules) share. */
#ifndef CASEWATCH_POLICY_INTERNAL_H
#define CASEWATCH_POLICY_INTERNAL_H

#include "casewatch/policy.h"

struct cw_policy {
	char *name;
	char *title;
	char *file;
	enum cw_nation nation;
	int end_of_day;
	size_t n_rules;
	struct cw_rule *rules;
	json_t *rule_json; /* array: the merged rule objects the rules point into */
	json_t *files;	   /* array: file names the rules point into */
	void **allocs;	   /* blocks owned by the policy */
	size_t n_allocs, cap_allocs;
};

/* Where a rule's keys came from: the merged object, and for each key the
 * [file, index] of the profile entry that set it last. */
struct policy_rule_src {
	const json_t *rule;
	const json_t *origins;
	const char *file; /* the entry that last defined or overrode the rule */
	int index;
};

/* Zeroed memory owned by the policy (freed with it); NULL on exhaustion. */
void *policy_alloc(struct cw_policy *policy, size_t size);
/* Builds and validates one effective rule; false (with errors added) if bad. */
bool policy_rule_build(struct cw_policy *policy, const struct policy_rule_src *src,
		       struct cw_rule *out, struct cw_policy_errors *errs);

#endif
