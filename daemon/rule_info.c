/* rule_info.c - rule titles and source references beside rule ids, from the policy profile. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "rule_info.h"

void cw_rule_info_add(json_t *obj, const struct cw_policy *policy)
{
	const char *id = json_string_value(json_object_get(obj, "rule_id"));
	const struct cw_rule *rule = policy && id ? cw_policy_rule_find(policy, id) : NULL;
	char source[512];

	if (!rule)
		return;
	if (rule->title)
		json_object_set_new(obj, "rule_title", json_string(rule->title));
	if (rule->source_document || rule->source_section) {
		snprintf(source, sizeof(source), "%s%s%s", rule->source_document ? rule->source_document : "",
			 rule->source_document && rule->source_section ? ", " : "",
			 rule->source_section ? rule->source_section : "");
		json_object_set_new(obj, "rule_source", json_string(source));
	}
}

void cw_rule_info_decorate(json_t *v, const struct cw_policy *policy)
{
	const char *key;
	json_t *m;
	size_t i;

	if (!policy)
		return;
	if (json_is_array(v)) {
		json_array_foreach (v, i, m)
			cw_rule_info_decorate(m, policy);
	} else if (json_is_object(v)) {
		json_object_foreach (v, key, m)
			cw_rule_info_decorate(m, policy);
		cw_rule_info_add(v, policy);
	}
}
