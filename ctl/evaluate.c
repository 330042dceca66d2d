/* evaluate.c - facts documents through the obligation engine, as JSON (evaluate, policy test). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "casewatch/facts.h"
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
