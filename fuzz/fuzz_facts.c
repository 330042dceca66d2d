/*
 * fuzz_facts.c - the facts parser and the obligation engine: any bytes as
 * one person's facts document (records.person_facts()), computed under the
 * default and the Enfield profiles at a fixed now, every problem formatted
 * and every time the daemon would hand on formatted as it would be.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/facts.h"
#include "casewatch/obligation.h"
#include "casewatch/policy.h"
#include "fuzz.h"

#define FUZZ_NOW INT64_C(1795424400) /* 2026-11-23T09:00:00Z */

static struct cw_calendar *cal;
static struct cw_policy *profiles[2];
static struct cw_facts facts;
static struct cw_obligations out;

/* The calendar and the profiles, once. */
static void setup(void)
{
	static const char *const names[2] = { "default", "enfield" };
	struct cw_policy_errors errs;
	struct cw_error err;

	cal = cw_calendar_new(fuzz_srcpath("data/holidays/one-off.json"), &err);
	if (!cal) {
		fprintf(stderr, "fuzz_facts: %s\n", err.msg);
		abort();
	}
	for (int i = 0; i < 2; i++) {
		cw_policy_errors_init(&errs);
		profiles[i] = cw_policy_load(names[i], fuzz_srcpath("profiles"), &errs);
		if (!profiles[i]) {
			fprintf(stderr, "fuzz_facts: %s: %s\n", names[i], errs.count ? errs.msg[0] : "?");
			abort();
		}
		cw_policy_errors_free(&errs);
	}
	cw_facts_init(&facts);
	cw_obligations_init(&out);
}

/* Formats a time as every boundary does; out-of-range ones are refused. */
static void format_time(cw_time t)
{
	char buf[CW_TIME_UTC_STRLEN], local[CW_TIME_STRLEN];
	cw_time back;

	if (t == CW_TIME_NONE)
		return;
	if (cw_time_format_utc(t, buf) && (!cw_time_parse(buf, &back) || back != t))
		abort(); /* what the formatter writes, the reader must read back */
	if (t >= CW_TIME_ISO_MIN && t <= CW_TIME_ISO_MAX)
		cw_time_format(t, local);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cw_compute_options opts = { .horizon = 90 * 86400 };
	struct cw_error err;
	json_t *doc;

	if (!cal)
		setup();
	doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (!doc)
		return 0;
	if (cw_facts_from_json(doc, &facts, &err)) {
		for (int i = 0; i < 2; i++) {
			cw_obligations_compute(profiles[i], cal, &facts, FUZZ_NOW, &opts, &out);
			for (size_t k = 0; k < out.count; k++) {
				const struct cw_obligation *o = &out.v[k];

				format_time(o->cycle_start);
				format_time(o->warn_at);
				format_time(o->due_at);
				format_time(o->next_at);
				for (size_t e = 0; e < o->n_escalations; e++)
					format_time(o->escalate_at[e]);
				(void)cw_obligation_status(o, FUZZ_NOW);
			}
			for (size_t k = 0; k < out.n_problems; k++) {
				char buf[CW_FACTS_PROBLEM_STRLEN];

				cw_facts_problem_format(&facts, out.problems[k], buf);
			}
		}
		for (size_t k = 0; k < facts.n_problems; k++) {
			char buf[CW_FACTS_PROBLEM_STRLEN];

			cw_facts_problem_format(&facts, &facts.problems[k], buf);
		}
	}
	json_decref(doc);
	return 0;
}
