/* evaluate.c - facts documents through the obligation engine, as JSON (evaluate, policy test). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/facts.h"
#include "casewatch/team_alert.h"
#include "ctl.h"
#include "evaluate.h"
#include "socket_cmd.h"

static void eval_usage(FILE *out, void *ctx)
{
	((struct ctl_eval_opts *)ctx)->usage(out);
}

/* One option (the table decides which a command takes). */
static bool eval_take(int c, const char *arg, void *ctx)
{
	struct ctl_eval_opts *o = ctx;

	switch (c) {
	case 'p':
		o->profile = arg;
		return true;
	case 'f':
		o->facts = arg;
		return true;
	case 'a':
		o->at = arg;
		return true;
	case 'r':
		o->rule = arg;
		return true;
	case 'n':
		o->nation = arg;
		return true;
	case 'A':
		o->alert = arg;
		return true;
	case 'j':
		o->json = true;
		return true;
	default:
		return false;
	}
}

int ctl_eval_parse(int argc, char **argv, const char *what, const struct option *table, struct ctl_eval_opts *o)
{
	const struct ctl_opts how = { what, table, eval_usage, eval_take, o };
	struct ctl_filter filter;
	int rc;

	ctl_filter_init(&filter);
	rc = ctl_parse(argc, argv, &how, &filter);
	o->socket = filter.socket;
	ctl_filter_free(&filter);
	return rc;
}

struct cw_policy *ctl_profile_load(const char *profile)
{
	struct cw_policy_errors errs;
	struct cw_policy *p;

	cw_policy_errors_init(&errs);
	p = cw_policy_load(profile, NULL, &errs);
	for (size_t e = 0; e < errs.count; e++)
		fprintf(stderr, "%s\n", errs.msg[e]);
	cw_policy_errors_free(&errs);
	return p;
}

struct cw_calendar *ctl_calendar_load(const char *what)
{
	struct cw_error err;
	struct cw_calendar *cal = cw_calendar_new(NULL, &err);

	if (!cal)
		ctl_error("%s: %s", what, err.msg);
	return cal;
}

bool ctl_instant(const char *what, const char *text, cw_time *at)
{
	if (cw_time_parse(text, at))
		return true;
	ctl_error("%s: '%s' is not a timestamp (expected e.g. 2026-12-24T16:00, 2026-12-24T16:00Z or 2026-12-24)",
		  what, text);
	return false;
}

json_t *ctl_facts_load(const char *what, const char *file)
{
	json_error_t jerr;
	json_t *doc, *docs;
	char msg[512];

	doc = strcmp(file, "-") ? json_load_file(file, JSON_REJECT_DUPLICATES, &jerr)
				: json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		ctl_error("%s: %s:%d:%d: %s", what, file, jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	docs = ctl_facts_documents(doc, file, msg, sizeof(msg));
	json_decref(doc);
	if (!docs)
		ctl_error("%s: %s", what, msg);
	return docs;
}

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
			json_array_append_new(all, cw_obligation_to_json(&out.v[k], at));
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
			json_array_append_new(esc, json_pack("{s:o, s:s}", "at", cw_time_json(a->escalate_at), "audience",
							     a->audience));
		json_array_append_new(all, json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:i, s:i, s:s}", "team",
						     (json_int_t)a->team_id, "rule", a->rule_id, "anchor", anchor,
						     "cycle_start", cw_time_json(a->period_start), "due", cw_time_json(a->first_at),
						     "escalations", esc, "state",
						     a->first_at > at ? "pending" : escalated ? "escalated" : "violation",
						     "audience", a->audience, "counted", (int)a->counted, "unagreed",
						     (int)a->unagreed, "detail", detail));
	}
	cw_team_alerts_free(&out);
	free(rows);
	return ok;
}
