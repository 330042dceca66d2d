/* alert_explain.c - a live alert explained from its obligation, recomputed from the person's facts. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/explain.h"
#include "casewatch/facts.h"
#include "casewatch/obligation.h"
#include "alert_explain.h"
#include "obligation_batch.h"

/* A column as text, or NULL. */
static const char *col(const json_t *row, const char *name)
{
	return json_string_value(json_object_get(row, name));
}

/* A decimal column as an integer; false when null or not a number. */
static bool col_int(const json_t *row, const char *name, int64_t *v)
{
	const char *s = col(row, name);
	char *end;

	if (!s || !*s)
		return false;
	*v = strtoll(s, &end, 10);
	return !*end;
}

/* A time as the socket prints it. */
static json_t *time_json(cw_time t)
{
	char buf[CW_TIME_STRLEN];

	if (t == CW_TIME_NONE)
		return json_null();
	cw_time_format(t, buf);
	return json_string(buf);
}

/* The obligation with the alert's key, as the store names it. */
static const struct cw_obligation *find(const struct cw_obligations *out, const char *rule, const char *kind,
					int64_t anchor_id, cw_time cycle_start)
{
	for (size_t i = 0; i < out->count; i++) {
		const struct cw_obligation *o = &out->v[i];

		if (!strcmp(o->rule_id, rule) && !strcmp(cw_obatch_anchor_name(o->anchor_kind), kind) &&
		    o->anchor_id == anchor_id && o->cycle_start == cycle_start)
			return o;
	}
	return NULL;
}

/* The explanation of the obligation's rule from its own anchor instant,
 * or null for a content finding (no deadline: its detail says what is
 * missing). */
static json_t *explanation(const struct cw_policy *policy, const struct cw_calendar *cal,
			   const struct cw_facts *f, const struct cw_obligation *o, char *msg, size_t size)
{
	struct cw_error err;
	const char *due_text;
	json_t *x;
	cw_time due;

	if (o->violation || o->anchor_at == CW_TIME_NONE)
		return json_null();
	x = cw_explain(policy, o->rule, o->anchor_at, cal, f->has_nation ? f->nation : cw_policy_nation(policy),
		       &err);
	if (!x) {
		snprintf(msg, size, "%s", err.msg);
		return NULL;
	}
	/* The rule's arithmetic from the anchor is one thing; this obligation
	 * may be moved by its own circumstances, which the reasoning then says. */
	due_text = json_string_value(json_object_get(x, "due"));
	if (due_text && cw_time_parse(due_text, &due) && due != o->due_at && o->due_at != CW_TIME_NONE) {
		char t[CW_TIME_STRLEN], line[256];

		cw_time_format(o->due_at, t);
		snprintf(line, sizeof(line),
			 "this alert's obligation is due %s instead: its own circumstances move it (time suspended, "
			 "a hazard's own review date, or the period of this cycle)", t);
		json_array_append_new(json_object_get(x, "reasoning"), json_string(line));
	}
	return x;
}

const char *cw_alert_explain(const struct cw_policy *policy, const struct cw_calendar *cal, const json_t *row,
			     cw_time now, json_t **out, char *msg, size_t size)
{
	const char *alert = col(row, "alert"), *rule_id = col(row, "rule"), *kind = col(row, "anchor_kind");
	const char *facts = col(row, "facts"), *code = NULL;
	const struct cw_rule *rule;
	const struct cw_obligation *o;
	struct cw_obligations obls;
	struct cw_facts f;
	struct cw_error err;
	json_error_t jerr;
	json_t *doc, *x, *ob;
	int64_t person, anchor_id, cycle = 0;
	cw_time cycle_start;

	*out = NULL;
	if (!alert || !rule_id || !kind || !col_int(row, "anchor_id", &anchor_id)) {
		snprintf(msg, size, "no such alert");
		code = "not_found";
		return code;
	}
	if (!col_int(row, "person", &person)) {
		snprintf(msg, size, "alert %s is %s of a team: a team-level alert has no person's obligation to explain",
			 alert, rule_id);
		code = "not_explainable";
		return code;
	}
	cycle_start = col_int(row, "cycle_start", &cycle) ? (cw_time)cycle : CW_TIME_NONE;
	rule = cw_policy_rule_find(policy, rule_id);
	if (!rule) {
		/* A rule removed since, or one of the retention workflow's own
		 * notices (DESTROY-WITHDRAWN, ...), which no profile carries. */
		snprintf(msg, size,
			 "alert %s is %s, which profile %s in force does not have (for a retention notice: "
			 "casewatchctl retention explain --person %" PRId64 ")",
			 alert, rule_id, cw_policy_name(policy), person);
		code = "not_explainable";
		return code;
	}
	if (rule->kind == CW_RULE_RETENTION || rule->kind == CW_RULE_HOLD || rule->kind == CW_RULE_DESTRUCTION) {
		snprintf(msg, size, "alert %s is %s, a %s rule: casewatchctl retention explain --person %" PRId64
			 " explains it", alert, rule_id, cw_rule_kind_name(rule->kind), person);
		code = "not_explainable";
		return code;
	}
	if (!facts) {
		snprintf(msg, size, "alert %s: person %" PRId64 " is gone from the records", alert, person);
		code = "person_gone";
		return code;
	}
	if (!(doc = json_loads(facts, 0, &jerr))) {
		snprintf(msg, size, "alert %s: person %" PRId64 "'s facts are not JSON (line %d)", alert, person,
			 jerr.line);
		code = "internal";
		return code;
	}
	cw_facts_init(&f);
	cw_obligations_init(&obls);
	if (!cw_facts_from_json(doc, &f, &err)) {
		snprintf(msg, size, "alert %s: %s", alert, err.msg);
		code = "internal";
	} else {
		/* No horizon: an alert met long ago is still found. */
		cw_obligations_compute(policy, cal, &f, now, NULL, &obls);
		o = find(&obls, rule_id, kind, anchor_id, cycle_start);
		if (!o) {
			snprintf(msg, size,
				 "alert %s: the records no longer give person %" PRId64 " an obligation of %s on %s %" PRId64
				 " under profile %s (changed or removed since: the alert is withdrawn at the next pass)",
				 alert, person, rule_id, kind, anchor_id, cw_policy_name(policy));
			code = "not_explainable";
		} else if (!(ob = cw_obligation_to_json(o, now))) {
			snprintf(msg, size, "out of memory");
			code = "internal";
		} else if (!(x = explanation(policy, cal, &f, o, msg, size))) {
			json_decref(ob);
			code = "not_explainable";
		} else {
			*out = json_pack("{s:s, s:s, s:o, s:o, s:o}", "alert", alert, "profile", cw_policy_name(policy),
					 "at", time_json(now), "obligation", ob, "explanation", x);
			if (!*out) {
				snprintf(msg, size, "out of memory");
				code = "internal";
			}
		}
	}
	cw_obligations_free(&obls);
	cw_facts_free(&f);
	json_decref(doc);
	return code;
}
