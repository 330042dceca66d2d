/* cmd_evaluate.c - `casewatchctl evaluate`: one person's obligations at an instant, offline. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "casewatch/calendar.h"
#include "casewatch/policy.h"
#include "ctl.h"
#include "evaluate.h"

/* The help text. */
static void usage(FILE *out)
{
	fprintf(out,
		"usage: casewatchctl evaluate --facts FILE --at TIME [--profile NAME|FILE] [--json]\n"
		"\n"
		"Every obligation the engine computes from facts documents (docs/facts.md:\n"
		"one person's document, or an array of them) under a profile at TIME:\n"
		"rule, anchor, warn, due, escalations and state. No daemon, no database.\n"
		"\n"
		"options:\n"
		"  --profile NAME|FILE  a profile name or file; default: default\n"
		"  --facts FILE         the facts documents (JSON); - for standard input\n"
		"  --at TIME            the instant, e.g. 2026-12-24T16:00Z (London time without offset)\n"
		"  --json               a JSON array, one object per obligation\n"
		"  --help               this text\n");
}

/* The table: one line per obligation. */
static void print_table(const json_t *all)
{
	size_t i;
	json_t *o;

	printf("%-8s %-17s %-30s %-11s %-25s %s\n", "PERSON", "RULE", "ANCHOR", "STATE", "DUE", "DETAIL");
	json_array_foreach(all, i, o) {
		const char *due = json_string_value(json_object_get(o, "due"));
		const char *detail = json_string_value(json_object_get(o, "detail"));

		printf("%-8lld %-17s %-30s %-11s %-25s %s\n",
		       (long long)json_integer_value(json_object_get(o, "person")),
		       json_string_value(json_object_get(o, "rule")), json_string_value(json_object_get(o, "anchor")),
		       json_string_value(json_object_get(o, "state")), due ? due : "-", detail ? detail : "");
	}
}

int cmd_evaluate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' }, { "facts", required_argument, NULL, 'f' },
		{ "at", required_argument, NULL, 'a' },	     { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },	     { NULL, 0, NULL, 0 },
	};
	const char *profile = "default", *facts = NULL, *at_text = NULL;
	struct cw_policy_errors errs;
	struct cw_policy *p;
	struct cw_calendar *cal;
	struct cw_error err;
	json_error_t jerr;
	json_t *doc, *docs, *all;
	char msg[512];
	bool as_json = false;
	cw_time at;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:f:a:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			profile = optarg;
			break;
		case 'f':
			facts = optarg;
			break;
		case 'a':
			at_text = optarg;
			break;
		case 'j':
			as_json = true;
			break;
		case 'h':
			usage(stdout);
			return CTL_EXIT_OK;
		default:
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		ctl_error("evaluate: unexpected argument '%s'", argv[optind]);
		return CTL_EXIT_USAGE;
	}
	if (!facts || !at_text) {
		ctl_error("evaluate: --facts and --at are required");
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!cw_time_parse(at_text, &at)) {
		ctl_error("evaluate: '%s' is not a timestamp (expected e.g. 2026-12-24T16:00Z)", at_text);
		return CTL_EXIT_USAGE;
	}
	doc = strcmp(facts, "-") ? json_load_file(facts, JSON_REJECT_DUPLICATES, &jerr)
				 : json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		ctl_error("evaluate: %s:%d:%d: %s", facts, jerr.line, jerr.column, jerr.text);
		return CTL_EXIT_NO;
	}
	docs = ctl_facts_documents(doc, facts, msg, sizeof(msg));
	json_decref(doc);
	if (!docs) {
		ctl_error("evaluate: %s", msg);
		return CTL_EXIT_NO;
	}
	cw_policy_errors_init(&errs);
	p = cw_policy_load(profile, NULL, &errs);
	for (size_t e = 0; !p && e < errs.count; e++)
		fprintf(stderr, "%s\n", errs.msg[e]);
	cw_policy_errors_free(&errs);
	cal = p ? cw_calendar_new(NULL, &err) : NULL;
	if (p && !cal)
		ctl_error("evaluate: %s", err.msg);
	all = cal ? ctl_evaluate(p, cal, docs, at, msg, sizeof(msg)) : NULL;
	if (cal && !all)
		ctl_error("evaluate: %s: %s", facts, msg);
	if (all && as_json) {
		json_dumpf(all, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (all) {
		print_table(all);
	}
	json_decref(docs);
	cw_calendar_free(cal);
	cw_policy_free(p);
	c = all ? CTL_EXIT_OK : CTL_EXIT_NO;
	json_decref(all);
	return c;
}
