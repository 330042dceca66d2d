/* obligation_json.c - one obligation as JSON at an instant: the engine's own fields (evaluate, explain --alert). */
#include "config.h"

#include <stdio.h>

#include "casewatch/obligation.h"

void cw_obligation_anchor_text(const struct cw_obligation *o, char *buf, size_t n)
{
	int len = snprintf(buf, n, "%s:%lld", cw_obligation_anchor_name(o->anchor_kind), (long long)o->anchor_id);

	if (o->cycle_start != CW_TIME_NONE && len > 0 && (size_t)len < n)
		snprintf(buf + len, n - (size_t)len, ":%lld", (long long)o->cycle_start);
}

json_t *cw_time_json(cw_time t)
{
	char buf[CW_TIME_STRLEN];

	if (t == CW_TIME_NONE)
		return json_null();
	cw_time_format(t, buf);
	return json_string(buf);
}

json_t *cw_obligation_to_json(const struct cw_obligation *o, cw_time at)
{
	char anchor[CW_OBLIGATION_KEY_MAX];
	json_t *esc = json_array(), *x;

	cw_obligation_anchor_text(o, anchor, sizeof(anchor));
	for (size_t i = 0; i < o->n_escalations; i++)
		json_array_append_new(esc, json_pack("{s:o, s:s}", "at", cw_time_json(o->escalate_at[i]), "audience",
						     o->escalate_to[i]));
	x = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:i, s:s}", "person",
		      (json_int_t)o->person_id, "rule", o->rule_id, "anchor", anchor, "key", o->key, "anchor_at",
		      cw_time_json(o->anchor_at), "warn", cw_time_json(o->warn_at), "due", cw_time_json(o->due_at),
		      "escalations", esc, "next_at", cw_time_json(cw_obligation_next_change(o, at)), "state",
		      cw_obligation_status_name(cw_obligation_status(o, at)), "escalation_level",
		      cw_obligation_escalation_level(o, at), "audience", cw_obligation_audience(o, at));
	if (!x)
		return NULL;
	if (o->met) {
		json_object_set_new(x, "met_at", cw_time_json(o->met_at));
		json_object_set_new(x, "met_by", json_pack("{s:s, s:I}", "kind",
							   o->met_by_kind == CW_MET_BY_RECORD ? "record"
							   : o->met_by_kind == CW_MET_BY_EVENT ? "event"
											       : "hazard_review",
							   "id", (json_int_t)o->met_by));
		json_object_set_new(x, "late_by", json_integer(o->late_by));
	}
	if (o->suspended)
		json_object_set_new(x, "suspended", json_true());
	if (o->violation)
		json_object_set_new(x, "detail", json_string(o->detail));
	return x;
}
