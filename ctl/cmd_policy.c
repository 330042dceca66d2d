/* cmd_policy.c - `casewatchctl policy check|show`: validate and list profiles. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/capability.h"
#include "casewatch/policy.h"
#include "ctl.h"
#include "evaluate.h"

/* The help text. */
static void usage(FILE *out)
{
	fprintf(out,
		"usage: casewatchctl policy check FILE...\n"
		"       casewatchctl policy show [--profile NAME|FILE] [--json]\n"
		"       casewatchctl policy test TESTFILE...\n"
		"\n"
		"  check  validate profiles: every error on stderr (exit 1), or\n"
		"         \"FILE: ok (N rules)\" per valid file (exit 0), with a warning on\n"
		"         stderr for each enabled rule the engine cannot (fully) evaluate\n"
		"  show   the effective rules of a profile after `extends` and overrides;\n"
		"         ON says never/part for enabled rules that cannot (fully) fire\n"
		"  test   run a profile's tests (JSON: profile, facts, cases of instants and\n"
		"         expected obligations): a diff per failure, exit 1 on any; rules\n"
		"         with no test are reported on stderr\n"
		"\n"
		"options:\n"
		"  --profile NAME|FILE  a profile name (looked up in $CASEWATCH_PROFILEDIR,\n"
		"                       else the installed profiles) or a file; default: default\n"
		"  --json               the effective profile as JSON\n"
		"  --help               this text\n");
}

/* Warns on stderr about each enabled rule the engine cannot evaluate, or
 * only in part, with the facts it reads, and each calendar deadline that
 * does not say what happens on closed days; returns how many. */
static size_t warn_unevaluated(const struct cw_policy *p)
{
	size_t n = 0;

	for (size_t i = 0; i < cw_policy_rule_count(p); i++) {
		const struct cw_rule *r = cw_policy_rule_at(p, i);
		char why[CW_CAPABILITY_REASON_MAX], choice[CW_CAPABILITY_REASON_MAX];
		enum cw_capability cap = cw_capability_of(r, why, sizeof(why));

		if (cw_capability_unstated_choice(r, choice, sizeof(choice))) {
			fprintf(stderr, "%s: rules[%d] (%s): warning: %s\n", r->file, r->index, r->id, choice);
			n++;
		}
		if (cap != CW_CAP_NEVER && cap != CW_CAP_PARTIAL)
			continue;
		fprintf(stderr, "%s: rules[%d] (%s): warning: %s: %s\n", r->file, r->index, r->id,
			cap == CW_CAP_NEVER ? "enabled but can never fire" : "evaluated only in part", why);
		n++;
	}
	return n;
}

/* The ON column: whether the rule is on, and whether it can fire. */
static const char *on_cell(const struct cw_rule *r)
{
	switch (cw_capability_of(r, NULL, 0)) {
	case CW_CAP_DISABLED:
		return "no";
	case CW_CAP_NEVER:
		return "never";
	case CW_CAP_PARTIAL:
		return "part";
	default:
		return "yes";
	}
}

/* Validates each file; every error is printed, not just the first. */
static int check(int argc, char **argv)
{
	int rc = CTL_EXIT_OK;

	if (argc < 1) {
		ctl_error("policy check: name at least one profile file");
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	for (int i = 0; i < argc; i++) {
		struct cw_policy_errors errs;
		struct cw_policy *p;

		cw_policy_errors_init(&errs);
		p = cw_policy_load(argv[i], NULL, &errs);
		if (p) {
			size_t warnings = warn_unevaluated(p);

			if (warnings)
				printf("%s: ok (%zu rules, %zu %s)\n", argv[i], cw_policy_rule_count(p), warnings,
				       warnings == 1 ? "warning" : "warnings");
			else
				printf("%s: ok (%zu rules)\n", argv[i], cw_policy_rule_count(p));
		} else {
			for (size_t e = 0; e < errs.count; e++)
				fprintf(stderr, "%s\n", errs.msg[e]);
			rc = CTL_EXIT_NO;
		}
		cw_policy_free(p);
		cw_policy_errors_free(&errs);
	}
	return rc;
}

/* Appends codes joined by commas to buf. */
static void join_codes(char *buf, size_t n, const char *prefix, const struct cw_codes *c)
{
	size_t len = strlen(buf);

	if (!c->n)
		return;
	snprintf(buf + len, n - len, "%s%s", len ? " " : "", prefix);
	for (size_t i = 0; i < c->n; i++) {
		len = strlen(buf);
		snprintf(buf + len, n - len, "%s%s", i ? "," : "", c->v[i]);
	}
}

/* The anchor in one short cell. */
static void anchor_cell(const struct cw_anchor *a, char *buf, size_t n)
{
	buf[0] = '\0';
	switch (a->kind) {
	case CW_ANCHOR_HAZARD:
		snprintf(buf, n, "hazard");
		break;
	case CW_ANCHOR_BIRTHDAY:
		snprintf(buf, n, "birthday:%d", a->birthday);
		break;
	case CW_ANCHOR_RECORD:
		join_codes(buf, n, "records:", &a->records);
		break;
	case CW_ANCHOR_DEATH:
		snprintf(buf, n, "death");
		break;
	case CW_ANCHOR_CONFIDENTIAL:
		snprintf(buf, n, "confidential");
		break;
	case CW_ANCHOR_INVOLVEMENT:
		join_codes(buf, n, a->at == CW_AT_END ? "end:" : a->at == CW_AT_ORDER_DATE ? "order:" : "open:",
			   &a->involvements);
		join_codes(buf, n, "+", &a->events);
		break;
	case CW_ANCHOR_EVENT:
		if (a->general)
			snprintf(buf, n, "all other (%zu types)", a->events.n);
		else
			join_codes(buf, n, "", &a->events);
		if (a->at == CW_AT_FEE_PAID)
			join_codes(buf, n, "at:", &(struct cw_codes){ 1, (const char *[]){ "fee_paid" } });
		break;
	case CW_ANCHOR_NONE:
		snprintf(buf, n, "-");
		break;
	}
}

/* The period cell: recurring schedules show their first occurrences. */
static void period_cell(const struct cw_rule *r, char *buf, size_t n)
{
	char p[CW_PERIOD_STRLEN];

	buf[0] = '\0';
	if (r->kind == CW_RULE_RETENTION) {
		if (!r->scheduled)
			snprintf(buf, n, "never");
		for (size_t i = 0; i < r->n_keep; i++) {
			char a[96];
			size_t len = strlen(buf);

			anchor_cell(&r->keep[i].anchor, a, sizeof(a));
			cw_period_format(&r->keep[i].period, p);
			snprintf(buf + len, n - len, "%s%s+%s", i ? (r->combine_earlier ? " min " : " max ") : "",
				 a, p);
		}
		return;
	}
	for (size_t i = 0; i < r->n_first; i++) {
		size_t len = strlen(buf);

		cw_period_format(&r->first[i], p);
		snprintf(buf + len, n - len, "%s,", p);
	}
	if (r->has_period) {
		size_t len = strlen(buf);

		cw_period_format(&r->period, p);
		snprintf(buf + len, n - len, "%s%s", r->n_first ? "then " : "", p);
	} else if (!buf[0]) {
		snprintf(buf, n, "-");
	}
}

/* What starts and ends a hold. */
static void hold_cell(const struct cw_rule *r, char *buf, size_t n)
{
	char day[CW_DAY_STRLEN];

	buf[0] = '\0';
	if (r->hold_while.n) {
		join_codes(buf, n, "while:", &r->hold_while);
		join_codes(buf, n, "until:", &r->hold_until);
	}
	if (r->has_hold_start) {
		size_t len = strlen(buf);

		cw_day_format(r->hold_start, day);
		snprintf(buf + len, n - len, "%sfrom:%s", len ? " " : "", day);
	}
	if (r->has_hold_end) {
		size_t len = strlen(buf);

		cw_day_format(r->hold_end, day);
		snprintf(buf + len, n - len, "%sto:%s", len ? " " : "", day);
	}
	if (!buf[0])
		snprintf(buf, n, "until lifted");
}

/* Seed files ("002_a865...txt") are shown by their number; other sources whole. */
static int doc_width(const char *doc)
{
	if (doc && strlen(doc) > 4 && doc[3] == '_' && doc[0] >= '0' && doc[0] <= '9')
		return 3;
	return doc ? (int)strlen(doc) : 1;
}

/* The effective rules as a table. */
static void show_table(const struct cw_policy *pol)
{
	printf("profile %s: %s (%s, end of day %02d:%02d:%02d)\n", cw_policy_name(pol), cw_policy_title(pol),
	       cw_nation_name(cw_policy_nation(pol)), cw_policy_end_of_day(pol) / 3600,
	       cw_policy_end_of_day(pol) / 60 % 60, cw_policy_end_of_day(pol) % 60);
	printf("%-17s %-5s %-16s %-34s %-14s %-5s %-26s %s\n", "ID", "ON", "KIND", "ANCHOR", "PERIOD", "WARN",
	       "ESCALATIONS", "SOURCE");
	for (size_t i = 0; i < cw_policy_rule_count(pol); i++) {
		const struct cw_rule *r = cw_policy_rule_at(pol, i);
		char anchor[256], period[256], warn[CW_PERIOD_STRLEN] = "-", esc[256] = "";

		anchor_cell(&r->anchor, anchor, sizeof(anchor));
		if (r->kind == CW_RULE_CONTENT || r->kind == CW_RULE_DESTRUCTION)
			snprintf(anchor, sizeof(anchor), "check:%s", r->check ? r->check : "-");
		if (r->kind == CW_RULE_HOLD)
			hold_cell(r, anchor, sizeof(anchor));
		period_cell(r, period, sizeof(period));
		if (r->has_warn)
			cw_period_format(&r->warn, warn);
		for (size_t e = 0; e < r->n_escalations; e++) {
			char p[CW_PERIOD_STRLEN];
			size_t len = strlen(esc);

			cw_period_format(&r->escalations[e].after, p);
			snprintf(esc + len, sizeof(esc) - len, "%s%s:%s", e ? " " : "", p, r->escalations[e].audience);
		}
		printf("%-17s %-5s %-16s %-34s %-14s %-5s %-26s %.*s %s\n", r->id, on_cell(r),
		       cw_rule_kind_name(r->kind), anchor, period, warn, esc[0] ? esc : "-",
		       doc_width(r->source_document), r->source_document ? r->source_document : "-",
		       r->source_section ? r->source_section : "");
	}
	for (size_t i = 0; i < cw_policy_rule_count(pol); i++) {
		const struct cw_rule *r = cw_policy_rule_at(pol, i);
		char why[CW_CAPABILITY_REASON_MAX];
		enum cw_capability cap = cw_capability_of(r, why, sizeof(why));

		if (cap == CW_CAP_NEVER || cap == CW_CAP_PARTIAL)
			printf("%s %s: %s\n", cap == CW_CAP_NEVER ? "never:" : "part: ", r->id, why);
	}
}

/* Adds each rule's capability to the effective profile's JSON. */
static void json_capabilities(const struct cw_policy *pol, json_t *j)
{
	json_t *rules;

	/* The rules are the policy's own objects: annotate a copy. */
	json_object_set_new(j, "rules", json_deep_copy(json_object_get(j, "rules")));
	rules = json_object_get(j, "rules");
	for (size_t i = 0; i < cw_policy_rule_count(pol) && i < json_array_size(rules); i++) {
		const struct cw_rule *r = cw_policy_rule_at(pol, i);
		json_t *rule = json_array_get(rules, i);
		char why[CW_CAPABILITY_REASON_MAX];
		enum cw_capability cap = cw_capability_of(r, why, sizeof(why));

		if (!json_is_object(rule))
			continue;
		json_object_set_new(rule, "evaluated", json_string(cw_capability_name(cap)));
		if (why[0])
			json_object_set_new(rule, "evaluated_why", json_string(why));
	}
}

/* Loads one profile and prints its effective rules. */
static int show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *profile = "default";
	struct cw_policy *p;
	bool as_json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			profile = optarg;
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
		ctl_error("policy show: unexpected argument '%s'", argv[optind]);
		return CTL_EXIT_USAGE;
	}
	if (!(p = ctl_profile_load(profile)))
		return CTL_EXIT_NO;
	if (as_json) {
		json_t *j = cw_policy_to_json(p);

		if (j)
			json_capabilities(p, j);
		if (!j || json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0) {
			ctl_error("policy show: out of memory");
			json_decref(j);
			cw_policy_free(p);
			return CTL_EXIT_NO;
		}
		putchar('\n');
		json_decref(j);
	} else {
		show_table(p);
	}
	cw_policy_free(p);
	return CTL_EXIT_OK;
}

/* `policy SUBCOMMAND ...`. */
int cmd_policy(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "check")) {
		if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			usage(stdout);
			return CTL_EXIT_OK;
		}
		return check(argc - 2, argv + 2);
	}
	if (!strcmp(argv[1], "show"))
		return show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "test")) {
		if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
			usage(stdout);
			return CTL_EXIT_OK;
		}
		return ctl_policy_test(argc - 2, argv + 2);
	}
	ctl_error("policy: unknown subcommand '%s'", argv[1]);
	usage(stderr);
	return CTL_EXIT_USAGE;
}
