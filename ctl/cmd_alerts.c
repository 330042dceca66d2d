/* cmd_alerts.c - `casewatchctl alerts`: the open alerts, by team and rule, or as JSON. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "socket_cmd.h"

/* The help text. */
static void usage(FILE *out, void *ctx)
{
	(void)ctx;
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
	return c ? c : ctl_alert_oldest_cmp(a, b);
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
			printf("%steam %s\n", i ? "\n" : "",
			       ctl_member(v[i], "team_code", ctl_member(v[i], "team", "(none)")));
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

/* The output options. */
struct alerts_opts {
	bool json, ndjson;
};

/* --json or --ndjson. */
static bool take(int c, const char *arg, void *ctx)
{
	struct alerts_opts *ao = ctx;

	(void)arg;
	if (c == 'j')
		ao->json = true;
	else if (c == 'n')
		ao->ndjson = true;
	else
		return false;
	if (ao->json && ao->ndjson) {
		ctl_error("alerts: --json and --ndjson exclude each other");
		return false;
	}
	return true;
}

/* Prints the alerts as asked. */
static void print_alerts(json_t *reply, const struct alerts_opts *ao)
{
	json_t *alerts = json_object_get(reply, "alerts"), *a;
	size_t i;

	if (json_is_true(json_object_get(reply, "truncated")))
		ctl_error("alerts: only the first %zu alerts were sent; narrow the filters", json_array_size(alerts));
	if (ao->json) {
		ctl_print_reply(reply, true);
	} else if (ao->ndjson) {
		json_array_foreach (alerts, i, a) {
			json_dumpf(a, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
		}
	} else {
		print_table(alerts);
	}
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
	struct alerts_opts ao = { false, false };
	const struct ctl_opts o = { "alerts", opts, usage, take, &ao };
	struct ctl_filter f;
	json_t *reply = NULL; /* stays NULL after --help */
	int rc;

	ctl_filter_init(&f);
	rc = ctl_parse(argc, argv, &o, &f);
	if (rc < 0)
		rc = ctl_request("alerts", f.socket, json_pack("{s:s, s:O}", "cmd", "alerts", "filter", f.filter), &reply);
	if (rc == CTL_EXIT_OK && reply) {
		print_alerts(reply, &ao);
		json_decref(reply);
	}
	ctl_filter_free(&f);
	return rc;
}
