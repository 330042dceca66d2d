/* cmd_policy_test.c - `casewatchctl policy test`: a council's unit tests for its profile, offline. */
#include "config.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/capability.h"
#include "casewatch/policy.h"
#include "ctl.h"
#include "evaluate.h"

/* The open states an alert is raised for (docs/lifecycle.md) and findings. */
static bool is_alert(const char *state)
{
	return !strcmp(state, "due_soon") || !strcmp(state, "overdue") || !strcmp(state, "escalated") ||
	       !strcmp(state, "violation");
}

/* A path named in a test file, relative to the test file's directory. */
static void relative(const char *file, const char *name, char *buf, size_t n)
{
	char *copy = strdup(file);

	if (name[0] == '/' || !copy)
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "%s/%s", dirname(copy), name);
	free(copy);
}

/* True when the obligation's anchor text is the expected one or a cycle of it. */
static bool anchor_matches(const char *have, const char *want)
{
	size_t n = strlen(want);

	return !strncmp(have, want, n) && (have[n] == '\0' || have[n] == ':');
}

/* The obligation an expectation names: same person or team (if given), rule and
 * anchor; of several cycles the one with the expected due time, else the
 * last. NULL when none. */
static json_t *match(const json_t *all, const json_t *want, bool *used)
{
	const json_t *person = json_object_get(want, "person"), *team = json_object_get(want, "team");
	const char *rule = json_string_value(json_object_get(want, "rule"));
	const char *anchor = json_string_value(json_object_get(want, "anchor"));
	const char *due = json_string_value(json_object_get(want, "due"));
	json_t *best = NULL, *o;
	size_t i, best_i = 0;

	json_array_foreach(all, i, o) {
		const char *odue = json_string_value(json_object_get(o, "due"));

		if (!rule || strcmp(rule, json_string_value(json_object_get(o, "rule"))))
			continue;
		if (person && json_integer_value(person) != json_integer_value(json_object_get(o, "person")))
			continue;
		if (team && json_integer_value(team) != json_integer_value(json_object_get(o, "team")))
			continue;
		if (anchor && !anchor_matches(json_string_value(json_object_get(o, "anchor")), anchor))
			continue;
		if (due && odue && !strcmp(due, odue)) {
			best = o;
			best_i = i;
			break;
		}
		best = o;
		best_i = i;
	}
	if (best)
		used[best_i] = true;
	return best;
}

/* Compares one field; prints the diff lines on a difference. */
static bool same(const char *field, const json_t *want, const json_t *have, const char *head, bool *printed)
{
	const json_t *w = json_object_get(want, field), *h = json_object_get(have, field);
	char *ws, *hs;
	bool eq;

	if (!w)
		return true;
	eq = json_equal(w, h ? h : json_null());
	if (eq)
		return true;
	if (!*printed) {
		printf("%s\n", head);
		*printed = true;
	}
	ws = json_dumps(w, JSON_ENCODE_ANY);
	hs = json_dumps(h ? h : json_null(), JSON_ENCODE_ANY);
	printf("  - %s: %s\n  + %s: %s\n", field, ws ? ws : "?", field, hs ? hs : "?");
	free(ws);
	free(hs);
	return false;
}

/* One test file. Returns the number of failures (-1: the file is bad);
 * adds the rules its expectations name to `tested`. */
static int run_file(const char *file, json_t *tested)
{
	static const char *const fields[] = { "state", "due", "warn", "detail", "audience", NULL };
	json_error_t jerr;
	json_t *t = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr), *facts, *docs = NULL, *cases, *kase;
	const char *profile;
	struct cw_policy_errors errs;
	struct cw_policy *p = NULL;
	struct cw_calendar *cal = NULL;
	struct cw_error err;
	char msg[512], path[4096];
	int failures = 0;
	size_t ci, n_expect = 0;

	if (!t) {
		fprintf(stderr, "%s:%d:%d: %s\n", file, jerr.line, jerr.column, jerr.text);
		return -1;
	}
	profile = json_string_value(json_object_get(t, "profile"));
	facts = json_object_get(t, "facts");
	cases = json_object_get(t, "cases");
	if (!profile || !facts || !json_is_array(cases)) {
		fprintf(stderr, "%s: a test names \"profile\", \"facts\" and \"cases\" (docs/casewatchctl.md)\n", file);
		json_decref(t);
		return -1;
	}
	if (json_is_string(facts)) {
		json_t *loaded;

		relative(file, json_string_value(facts), path, sizeof(path));
		loaded = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
		if (!loaded) {
			fprintf(stderr, "%s: facts: %s:%d:%d: %s\n", file, path, jerr.line, jerr.column, jerr.text);
			json_decref(t);
			return -1;
		}
		docs = ctl_facts_documents(loaded, path, msg, sizeof(msg));
		json_decref(loaded);
	} else {
		docs = ctl_facts_documents(facts, "facts", msg, sizeof(msg));
	}
	if (!docs) {
		fprintf(stderr, "%s: %s\n", file, msg);
		json_decref(t);
		return -1;
	}
	if (strchr(profile, '/') || strstr(profile, ".json"))
		relative(file, profile, path, sizeof(path));
	else
		snprintf(path, sizeof(path), "%s", profile);
	cw_policy_errors_init(&errs);
	p = cw_policy_load(path, NULL, &errs);
	for (size_t e = 0; !p && e < errs.count; e++)
		fprintf(stderr, "%s: profile: %s\n", file, errs.msg[e]);
	cw_policy_errors_free(&errs);
	if (p && !(cal = cw_calendar_new(NULL, &err)))
		fprintf(stderr, "%s: %s\n", file, err.msg);
	if (!cal) {
		cw_policy_free(p);
		json_decref(docs);
		json_decref(t);
		return -1;
	}
	json_array_foreach(cases, ci, kase) {
		const char *at_text = json_string_value(json_object_get(kase, "at"));
		const json_t *expect = json_object_get(kase, "expect");
		bool exact = json_is_true(json_object_get(kase, "only_these_alerts"));
		json_t *all, *want, *o;
		bool *used;
		cw_time at;
		size_t wi;

		if (!at_text || !cw_time_parse(at_text, &at) || !json_is_array(expect)) {
			fprintf(stderr, "%s: cases[%zu]: needs \"at\" (a timestamp) and \"expect\" (a list)\n", file, ci);
			failures++;
			continue;
		}
		all = ctl_evaluate(p, cal, docs, at, msg, sizeof(msg));
		/* team-level rules (ROLLBACK-RATE) from the file's roll-backs */
		if (all && json_is_array(json_object_get(t, "rollbacks")) &&
		    !ctl_evaluate_teams(p, json_object_get(t, "rollbacks"), at, all, msg, sizeof(msg))) {
			json_decref(all);
			all = NULL;
		}
		if (!all) {
			fprintf(stderr, "%s: %s\n", file, msg);
			failures++;
			continue;
		}
		used = calloc(json_array_size(all) + 1, sizeof(*used));
		if (!used) {
			fprintf(stderr, "%s: out of memory\n", file);
			json_decref(all);
			failures++;
			continue;
		}
		json_array_foreach(expect, wi, want) {
			char head[512], person[32] = "";
			bool printed = false, ok = true;

			n_expect++;
			if (json_is_string(json_object_get(want, "rule")))
				json_object_set_new(tested, json_string_value(json_object_get(want, "rule")), json_true());
			if (json_is_integer(json_object_get(want, "person")))
				snprintf(person, sizeof(person), " person %lld",
					 (long long)json_integer_value(json_object_get(want, "person")));
			else if (json_is_integer(json_object_get(want, "team")))
				snprintf(person, sizeof(person), " team %lld",
					 (long long)json_integer_value(json_object_get(want, "team")));
			snprintf(head, sizeof(head), "%s: cases[%zu] at %s: expect[%zu] %s %s%s:", file, ci, at_text, wi,
				 json_string_value(json_object_get(want, "rule")) ?: "?",
				 json_string_value(json_object_get(want, "anchor")) ?: "-", person);
			o = match(all, want, used);
			if (!o) {
				if (json_is_false(json_object_get(want, "present")))
					continue;
				printf("%s\n  - an obligation\n  + none\n", head);
				failures++;
				continue;
			}
			if (json_is_false(json_object_get(want, "present"))) {
				printf("%s\n  - none\n  + %s %s\n", head, json_string_value(json_object_get(o, "anchor")),
				       json_string_value(json_object_get(o, "state")));
				failures++;
				continue;
			}
			for (int k = 0; fields[k]; k++)
				ok = same(fields[k], want, o, head, &printed) && ok;
			failures += !ok;
		}
		if (exact)
			json_array_foreach(all, wi, o) {
				if (used[wi] || !is_alert(json_string_value(json_object_get(o, "state"))))
					continue;
				printf("%s: cases[%zu] at %s: an alert no expectation names:\n  + %s %s %lld %s %s\n",
				       file, ci, at_text, json_string_value(json_object_get(o, "rule")),
				       json_object_get(o, "team") ? "team" : "person",
				       (long long)json_integer_value(json_object_get(o, json_object_get(o, "team") ? "team" : "person")),
				       json_string_value(json_object_get(o, "anchor")),
				       json_string_value(json_object_get(o, "state")));
				failures++;
			}
		free(used);
		json_decref(all);
	}
	/* A rule the profile would evaluate that no expectation names. */
	for (size_t i = 0; i < cw_policy_rule_count(p); i++) {
		const struct cw_rule *r = cw_policy_rule_at(p, i);
		enum cw_capability cap = cw_capability_of(r, NULL, 0);

		if ((cap == CW_CAP_EVALUATED || cap == CW_CAP_PARTIAL) && !json_object_get(tested, r->id))
			fprintf(stderr, "%s: rule %s of profile %s has no test\n", file, r->id, cw_policy_name(p));
	}
	if (!failures)
		printf("%s: ok (%zu cases, %zu expectations)\n", file, json_array_size(cases), n_expect);
	cw_calendar_free(cal);
	cw_policy_free(p);
	json_decref(docs);
	json_decref(t);
	return failures;
}

int ctl_policy_test(int argc, char **argv)
{
	int rc = CTL_EXIT_OK;

	if (argc < 1) {
		ctl_error("policy test: name at least one test file");
		return CTL_EXIT_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		json_t *tested = json_object();
		int failures = run_file(argv[i], tested);

		json_decref(tested);
		if (failures)
			rc = CTL_EXIT_NO;
	}
	return rc;
}
