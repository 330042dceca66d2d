/* cmd_alerts.c - `casewatchctl alerts`: the open alerts, by team and rule, or as JSON. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "socket_cmd.h"

/* The help text. */
static void usage(FILE *out)
{
	fprintf(out, "usage: casewatchctl alerts [FILTERS] [--json | --ndjson] [--socket PATH]\n"
		     "\n"
		     "The open alerts (announced and not yet resolved), grouped by team and rule,\n"
		     "oldest due first. Ids, rule ids, codes and dates only: never a name.\n"
		     "\n"
		     "filters (all given must match; each may be repeated):\n" CTL_FILTER_HELP CTL_STATE_HELP
		     "\n"
		     "options:\n"
		     "  --json             one JSON object: {\"count\": N, \"truncated\": false, \"alerts\": [...]}\n"
		     "  --ndjson           one alert per line, as JSON\n" CTL_SOCKET_HELP
		     "  --help             this text\n");
}

/* Team, then rule, then due time, then alert id. */
static int alert_cmp(const void *x, const void *y)
{
	const json_t *a = *(const json_t *const *)x, *b = *(const json_t *const *)y;
	int c = ctl_id_cmp(ctl_member(a, "team", ""), ctl_member(b, "team", ""));

	if (!c)
		c = strcmp(ctl_member(a, "rule_id", ""), ctl_member(b, "rule_id", ""));
	if (!c)
		c = strcmp(ctl_member(a, "due", ""), ctl_member(b, "due", ""));
	if (!c)
		c = ctl_id_cmp(ctl_member(a, "alert_id", ""), ctl_member(b, "alert_id", ""));
	return c;
}

/* True when a and b have the same value of key. */
static bool same(const json_t *a, const json_t *b, const char *key)
{
	return !strcmp(ctl_member(a, key, "-"), ctl_member(b, key, "-"));
}

/* One alert's row; its notes (acknowledged, snoozed) only when it has some. */
static void print_row(const json_t *a)
{
	printf("    %-10s %-10s %-14s %-21s %s", ctl_member(a, "alert_id", "-"), ctl_member(a, "person_id", "-"),
	       ctl_member(a, "state", "-"), ctl_member(a, "due", "-"), ctl_member(a, "audience", "-"));
	if (json_is_true(json_object_get(a, "acknowledged")))
		printf("  acknowledged");
	if (json_object_get(a, "snoozed_until"))
		printf("  snoozed until %s", ctl_member(a, "snoozed_until", "-"));
	putchar('\n');
}

/* The table for people: a heading per team, a sub-heading per rule with its count. */
static void print_table(const json_t *alerts)
{
	size_t n = json_array_size(alerts), i, j;
	const json_t **v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return;
	for (i = 0; i < n; i++)
		v[i] = json_array_get(alerts, i);
	qsort(v, n, sizeof(*v), alert_cmp);
	for (i = 0; i < n; i = j) {
		if (i == 0 || !same(v[i], v[i - 1], "team"))
			printf("%steam %s\n", i ? "\n" : "", ctl_member(v[i], "team", "(none)"));
		for (j = i; j < n && same(v[j], v[i], "team") && same(v[j], v[i], "rule_id"); j++)
			;
		printf("  %s (%zu)\n", ctl_member(v[i], "rule_id", "-"), j - i);
		printf("    %-10s %-10s %-14s %-21s %s\n", "ALERT", "PERSON", "STATE", "DUE", "AUDIENCE");
		for (size_t k = i; k < j; k++)
			print_row(v[k]);
	}
	if (!n)
		printf("no open alerts match\n");
	free(v);
}

/* Asks for the alerts the filters select and prints them. */
int cmd_alerts(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_FILTER_OPTIONS,
		{ "json", no_argument, NULL, 'j' },
		{ "ndjson", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_filter f;
	struct ctl_client *cl;
	bool as_json = false, nd = false;
	json_t *reply, *alerts, *a;
	size_t i;
	int c, rc = CTL_EXIT_USAGE;

	ctl_filter_init(&f);
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (ctl_filter_option(&f, c, optarg))
			continue;
		switch (c) {
		case 'j':
			as_json = true;
			break;
		case 'n':
			nd = true;
			break;
		case 'h':
			usage(stdout);
			rc = CTL_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind < argc) {
		ctl_error("alerts: unexpected argument '%s' (filters are options, e.g. --team 7)", argv[optind]);
		goto out;
	}
	if (as_json && nd) {
		ctl_error("alerts: --json and --ndjson exclude each other");
		goto out;
	}
	if (!(cl = ctl_connect("alerts", f.socket, &rc)))
		goto out;
	rc = ctl_ask(cl, "alerts", json_pack("{s:s, s:O}", "cmd", "alerts", "filter", f.filter), &reply);
	ctl_client_close(cl);
	if (rc != CTL_EXIT_OK)
		goto out;
	alerts = json_object_get(reply, "alerts");
	if (json_is_true(json_object_get(reply, "truncated")))
		ctl_error("alerts: only the first %zu alerts were sent; narrow the filters", json_array_size(alerts));
	if (as_json) {
		ctl_print_reply(reply, true);
	} else if (nd) {
		json_array_foreach (alerts, i, a) {
			json_dumpf(a, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
		}
	} else {
		print_table(alerts);
	}
	json_decref(reply);
out:
	ctl_filter_free(&f);
	return rc;
}
