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
	struct ctl_eval_opts o = { .profile = "default", .usage = usage };
	struct cw_policy *p;
	struct cw_calendar *cal;
	json_t *docs, *all;
	char msg[512];
	cw_time at;
	int c;

	if ((c = ctl_eval_parse(argc, argv, "evaluate", opts, &o)) >= 0)
		return c;
	if (!o.facts || !o.at) {
		ctl_error("evaluate: --facts and --at are required");
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!ctl_instant("evaluate", o.at, &at))
		return CTL_EXIT_USAGE;
	if (!(docs = ctl_facts_load("evaluate", o.facts)))
		return CTL_EXIT_NO;
	p = ctl_profile_load(o.profile);
	cal = p ? ctl_calendar_load("evaluate") : NULL;
	all = cal ? ctl_evaluate(p, cal, docs, at, msg, sizeof(msg)) : NULL;
	if (cal && !all)
		ctl_error("evaluate: %s: %s", o.facts, msg);
	if (all && o.json) {
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
