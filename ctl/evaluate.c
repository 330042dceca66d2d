/* evaluate.c - facts documents through the obligation engine, as JSON (evaluate, policy test). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/facts.h"
#include "casewatch/team_alert.h"
#include "evaluate.h"

json_t *ctl_facts_documents(const json_t *v, const char *where, char *err, size_t n)
{
	json_t *docs;
	size_t i;
	json_t *d;

	if (json_is_object(v))
		return json_pack("[O]", v);
	if (!json_is_array(v)) {
		snprintf(err, n, "%s: expected a facts document (an object) or an array of them", where);
		return NULL;
	}
	docs = json_array();
	json_array_foreach(v, i, d) {
		if (!json_is_object(d)) {
			snprintf(err, n, "%s[%zu]: expected a facts document (an object)", where, i);
			json_decref(docs);
			return NULL;
		}
		json_array_append(docs, d);
	}
	return docs;
}

void ctl_anchor_text(const struct cw_obligation *o, char *buf, size_t n)
{
	int len = snprintf(buf, n, "%s:%lld", cw_obligation_anchor_name(o->anchor_kind), (long long)o->anchor_id);

	if (o->cycle_start != CW_TIME_NONE && len > 0 && (size_t)len < n)
		snprintf(buf + len, n - (size_t)len, ":%lld", (long long)o->cycle_start);
}

/* A time as the socket and --json print them, or null. */
static json_t *time_json(cw_time t)
{
	char buf[CW_TIME_STRLEN];

	if (t == CW_TIME_NONE)
		return json_null();
	cw_time_format(t, buf);
	return json_string(buf);
}

/* One obligation at `at`: the engine's own fields. */
static json_t *obligation_json(const struct cw_obligation *o, cw_time at)
{
	char anchor[CW_OBLIGATION_KEY_MAX];
	json_t *esc = json_array(), *x;

	ctl_anchor_text(o, anchor, sizeof(anchor));
	for (size_t i = 0; i < o->n_escalations; i++)
		json_array_append_new(esc, json_pack("{s:o, s:s}", "at", time_json(o->escalate_at[i]), "audience",
						     o->escalate_to[i]));
	x = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:i, s:s}", "person",
		      (json_int_t)o->person_id, "rule", o->rule_id, "anchor", anchor, "key", o->key, "anchor_at",
		      time_json(o->anchor_at), "warn", time_json(o->warn_at), "due", time_json(o->due_at),
		      "escalations", esc, "next_at", time_json(cw_obligation_next_change(o, at)), "state",
		      cw_obligation_status_name(cw_obligation_status(o, at)), "escalation_level",
		      cw_obligation_escalation_level(o, at), "audience", cw_obligation_audience(o, at));
	if (o->met) {
		json_object_set_new(x, "met_at", time_json(o->met_at));
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

json_t *ctl_evaluate(const struct cw_policy *policy, const struct cw_calendar *cal, const json_t *docs,
		     cw_time at, char *err, size_t n)
{
	struct cw_obligations out;
	struct cw_facts f;
	json_t *all = json_array(), *d;
	size_t i;

	cw_facts_init(&f);
	cw_obligations_init(&out);
	json_array_foreach(docs, i, d) {
		struct cw_error ferr;

		if (!cw_facts_from_json(d, &f, &ferr)) {
			snprintf(err, n, "facts document %zu: %s", i, ferr.msg);
			json_decref(all);
			all = NULL;
			break;
		}
		cw_obligations_compute(policy, cal, &f, at, NULL, &out);
		for (size_t k = 0; k < out.count; k++)
			json_array_append_new(all, obligation_json(&out.v[k], at));
		for (size_t k = 0; k < out.n_problems; k++) {
			char msg[CW_FACTS_PROBLEM_STRLEN];

			cw_facts_problem_format(&f, out.problems[k], msg);
			fprintf(stderr, "casewatchctl: %s\n", msg);
		}
	}
	cw_obligations_free(&out);
	cw_facts_free(&f);
	return all;
}

bool ctl_evaluate_teams(const struct cw_policy *policy, const json_t *rollbacks, cw_time at, json_t *all, char *err,
			size_t n)
{
	struct cw_rollback *rows = calloc(json_array_size(rollbacks) + 1, sizeof(*rows));
	struct cw_team_alerts out;
	const json_t *r;
	size_t i;
	bool ok = rows != NULL;

	if (!ok)
		snprintf(err, n, "out of memory");
	json_array_foreach(rollbacks, i, r) {
		const char *when = json_string_value(json_object_get(r, "at"));

		if (!ok)
			break;
		rows[i].rollback_id = json_integer_value(json_object_get(r, "id"));
		rows[i].team_id = json_integer_value(json_object_get(r, "team"));
		rows[i].agreed = json_is_true(json_object_get(r, "agreed"));
		if (!json_is_integer(json_object_get(r, "team")) || !when || !cw_time_parse(when, &rows[i].at) ||
		    !json_is_boolean(json_object_get(r, "agreed"))) {
			snprintf(err, n, "rollbacks[%zu]: expected {\"id\", \"team\" (an id), \"at\" (a timestamp), \"agreed\" (true or false)}", i);
			ok = false;
		}
	}
	cw_team_alerts_init(&out);
	if (ok && !cw_team_alerts_compute(policy, rows, json_array_size(rollbacks), at, &out)) {
		snprintf(err, n, "out of memory");
		ok = false;
	}
	for (size_t k = 0; ok && k < out.n; k++) {
		const struct cw_team_alert *a = &out.v[k];
		bool escalated = a->escalate_at != CW_TEAM_NO_ESCALATION && a->escalate_at <= at;
		char anchor[32], detail[96];
		json_t *esc = json_array();

		snprintf(anchor, sizeof(anchor), "team:%lld", (long long)a->team_id);
		snprintf(detail, sizeof(detail), "%u roll-backs, %u not agreed", a->counted, a->unagreed);
		if (a->escalate_at != CW_TEAM_NO_ESCALATION)
			json_array_append_new(esc, json_pack("{s:o, s:s}", "at", time_json(a->escalate_at), "audience",
							     a->audience));
		json_array_append_new(all, json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:i, s:i, s:s}", "team",
						     (json_int_t)a->team_id, "rule", a->rule_id, "anchor", anchor,
						     "cycle_start", time_json(a->period_start), "due", time_json(a->first_at),
						     "escalations", esc, "state",
						     a->first_at > at ? "pending" : escalated ? "escalated" : "violation",
						     "audience", a->audience, "counted", (int)a->counted, "unagreed",
						     (int)a->unagreed, "detail", detail));
	}
	cw_team_alerts_free(&out);
	free(rows);
	return ok;
}
