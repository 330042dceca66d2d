/*
 * fuzz_profile.c - the policy profile loader: any bytes as a profile file,
 * beside the shipped profiles (so "extends" reaches real bases); a profile
 * that loads is also turned back into JSON and every rule explained once.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casewatch/calendar.h"
#include "casewatch/explain.h"
#include "casewatch/policy.h"
#include <jansson.h>
#include "fuzz.h"

static struct cw_calendar *cal;

/* Links the shipped profiles into the scratch directory, once. */
static void setup(void)
{
	char from[4096], to[512];
	struct dirent *e;
	struct cw_error err;
	DIR *d;

	snprintf(from, sizeof(from), "%s", fuzz_srcpath("profiles"));
	d = opendir(from);
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n < 6 || strcmp(e->d_name + n - 5, ".json"))
			continue;
		snprintf(from, sizeof(from), "%s/%s", fuzz_srcpath("profiles"), e->d_name);
		snprintf(to, sizeof(to), "%s/%s", fuzz_dir(), e->d_name);
		if (symlink(from, to) != 0)
			perror(to);
	}
	if (d)
		closedir(d);
	cal = cw_calendar_new(fuzz_srcpath("data/holidays/one-off.json"), &err);
	if (!cal) {
		fprintf(stderr, "fuzz_profile: %s\n", err.msg);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cw_policy_errors errs;
	struct cw_policy *p;
	const char *path;

	if (!cal)
		setup();
	path = fuzz_write("fuzz-input.json", data, size);
	cw_policy_errors_init(&errs);
	p = cw_policy_load(path, fuzz_dir(), &errs);
	if (p) {
		json_t *doc = cw_policy_to_json(p);

		json_decref(doc);
		for (size_t i = 0; i < cw_policy_rule_count(p); i++) {
			struct cw_error err;
			json_t *x = cw_explain(p, cw_policy_rule_at(p, i), INT64_C(1795424400), cal,
					       cw_policy_nation(p), &err);
			char *text = x ? cw_explain_text(x) : NULL;

			free(text);
			json_decref(x);
		}
		cw_policy_free(p);
	}
	cw_policy_errors_free(&errs);
	return 0;
}
