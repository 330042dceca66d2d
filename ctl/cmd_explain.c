/* cmd_explain.c - `casewatchctl explain`: when a rule falls due, and why. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/explain.h"
#include "ctl.h"
#include "evaluate.h"
#include "socket_cmd.h"

/* The help text. */
static void usage(FILE *out)
{
	fprintf(out,
		"usage: casewatchctl explain --profile NAME --rule ID --at TIMESTAMP [--nation N] [--json]\n"
		"       casewatchctl explain --alert ID [--json] [--socket PATH]\n"
		"\n"
		"When rule ID of the profile falls due for an anchor (the event, or the\n"
		"opening of the case) at TIMESTAMP: the due, warning and escalation times,\n"
		"who is told, and the reasoning: weekends and bank holidays skipped, clock\n"
		"changes crossed, month ends clamped, and the policy's own words.\n"
		"With --alert, casewatchd explains one of its alerts: the obligation as the\n"
		"engine computes it now from the person's records under the profile in\n"
		"force, and its rule explained from the alert's own anchor.\n"
		"\n"
		"options:\n"
		"  --alert ID           an alert id (casewatchctl alerts), asked of casewatchd\n"
		"  --socket PATH        casewatchd's socket (with --alert)\n"
		"  --profile NAME|FILE  profile name or file (default: default)\n"
		"  --rule ID            the rule id, e.g. NOTE-5WD\n"
		"  --at TIMESTAMP       ISO 8601: 2026-12-24T16:00 (London), ...Z, ...+01:00, or a date\n"
		"  --nation N           england-and-wales, scotland or northern-ireland\n"
		"                       (default: the profile's)\n"
		"  --json               the explanation as a JSON object\n"
		"  --help               this text\n");
}

/* The obligation's state in one line, e.g. "escalated (told: team_manager), due ...". */
static void print_obligation(const json_t *o)
{
	const char *met = ctl_member(o, "met_at", NULL), *detail = ctl_member(o, "detail", NULL);

	printf("  state:    %s", ctl_member(o, "state", "?"));
	if (json_integer_value(json_object_get(o, "escalation_level")) > 0)
		printf(" (step %lld)", (long long)json_integer_value(json_object_get(o, "escalation_level")));
	printf(", told: %s\n", ctl_member(o, "audience", "?"));
	if (met)
		printf("  met:      %s by %s %lld\n", met,
		       ctl_member(json_object_get(o, "met_by"), "kind", "?"),
		       (long long)json_integer_value(json_object_get(json_object_get(o, "met_by"), "id")));
	if (detail)
		printf("  missing:  %s\n", detail);
}

/* explain --alert: asked of casewatchd. */
static int explain_alert(const char *alert, const char *socket, bool as_json)
{
	json_t *reply = NULL, *x, *o, *e;
	int rc = ctl_request("explain", socket, json_pack("{s:s,s:s}", "cmd", "explain", "alert", alert), &reply);

	if (rc != CTL_EXIT_OK || !reply) {
		json_decref(reply);
		return rc;
	}
	x = json_object_get(reply, "explain");
	o = json_object_get(x, "obligation");
	e = json_object_get(x, "explanation");
	if (as_json) {
		json_dumpf(x, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		printf("alert %s: %s on %s of person %lld, profile %s, at %s\n", ctl_member(x, "alert", "?"),
		       ctl_member(o, "rule", "?"), ctl_member(o, "anchor", "?"),
		       (long long)json_integer_value(json_object_get(o, "person")), ctl_member(x, "profile", "?"),
		       ctl_member(x, "at", "?"));
		print_obligation(o);
		if (json_is_object(e)) {
			char *text = cw_explain_text(e);

			if (!text)
				rc = CTL_EXIT_NO;
			else
				fputs(text, stdout);
			free(text);
		} else {
			printf("  a finding: it has no deadline, only what is missing\n");
		}
	}
	json_decref(reply);
	return rc;
}

/* Parses options, loads profile and calendar, prints the explanation. */
int cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' }, { "rule", required_argument, NULL, 'r' },
		{ "at", required_argument, NULL, 'a' },	     { "nation", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },	     { "help", no_argument, NULL, 'h' },
		{ "alert", required_argument, NULL, 'A' },   { "socket", required_argument, NULL, CTL_OPT_SOCKET },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_eval_opts o = { .usage = usage };
	struct cw_calendar *cal;
	struct cw_policy *p;
	const struct cw_rule *rule;
	struct cw_error err;
	enum cw_nation nation;
	json_t *x;
	cw_time at;
	int rc = CTL_EXIT_OK;

	if ((rc = ctl_eval_parse(argc, argv, "explain", opts, &o)) >= 0)
		return rc;
	rc = CTL_EXIT_OK;
	if (o.alert) {
		if (o.profile || o.rule || o.at || o.nation) {
			ctl_error("explain: --alert takes no --profile, --rule, --at or --nation: the daemon's alert names them");
			return CTL_EXIT_USAGE;
		}
		if (!*o.alert || strspn(o.alert, "0123456789") != strlen(o.alert)) {
			ctl_error("explain: --alert '%s' is not an alert id (a number, as casewatchctl alerts prints it)",
				  o.alert);
			return CTL_EXIT_USAGE;
		}
		return explain_alert(o.alert, o.socket, o.json);
	}
	if (o.socket) {
		ctl_error("explain: --socket goes with --alert");
		return CTL_EXIT_USAGE;
	}
	if (!o.profile)
		o.profile = "default";
	if (!o.rule || !o.at) {
		ctl_error("explain: --rule and --at (or --alert) are required");
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!ctl_instant("explain", o.at, &at))
		return CTL_EXIT_USAGE;
	if (o.nation && !cw_nation_parse(o.nation, &nation)) {
		ctl_error("explain: unknown nation '%s' (expected england-and-wales, scotland, northern-ireland)",
			  o.nation);
		return CTL_EXIT_USAGE;
	}
	if (!(p = ctl_profile_load(o.profile)))
		return CTL_EXIT_NO;
	rule = cw_policy_rule_find(p, o.rule);
	if (!rule) {
		ctl_error("explain: profile %s has no rule %s", cw_policy_name(p), o.rule);
		cw_policy_free(p);
		return CTL_EXIT_NO;
	}
	if (!o.nation)
		nation = cw_policy_nation(p);
	if (!(cal = ctl_calendar_load("explain"))) {
		cw_policy_free(p);
		return CTL_EXIT_NO;
	}
	x = cw_explain(p, rule, at, cal, nation, &err);
	if (!x) {
		ctl_error("explain: %s", err.msg);
		rc = CTL_EXIT_NO;
	} else if (o.json) {
		json_dumpf(x, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		char *text = cw_explain_text(x);

		if (text)
			fputs(text, stdout);
		else
			rc = CTL_EXIT_NO;
		free(text);
	}
	json_decref(x);
	cw_calendar_free(cal);
	cw_policy_free(p);
	return rc;
}
