/* cmd_alerts.c - `casewatchctl alerts`: the open alerts, by team and rule, or as JSON. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_format.h"
#include "ctl.h"
#include "socket_cmd.h"

/* The help text. */
static void usage(FILE *out, void *ctx)
{
	(void)ctx;
	fprintf(out, "usage: casewatchctl alerts [FILTERS] [--by team|worker|rule|state] [--json | --ndjson]\n"
		     "                           [--socket PATH]\n"
		     "\n"
		     "The open alerts (announced and not yet resolved), grouped by team and rule,\n"
		     "oldest due first, due times in London time with the zone. Ids, rule ids and\n"
		     "titles, codes and dates only: never a name.\n"
		     "\n"
		     "filters (all given must match; each may be repeated):\n" CTL_FILTER_HELP CTL_STATE_HELP
		     "\n"
		     "options:\n"
		     "  --json             one JSON object: {\"count\": N, \"truncated\": false, \"alerts\": [...]}\n"
		     "  --ndjson           one alert per line, as JSON\n"
		     "  --by KEY           counts instead of alerts, one row per team, worker (staff\n"
		     "                     id), rule or state: open, due soon, overdue, escalated,\n"
		     "                     data-quality findings, acknowledged (with --json: as JSON)\n" CTL_SOCKET_HELP
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

/* One alert's row, times in London time with the zone; its notes
 * (acknowledged, snoozed) only when it has some. */
static void print_row(const json_t *a)
{
	char due[CTL_LONDON_STRLEN], until[CTL_LONDON_STRLEN];

	printf("    %-10s %-10s %-14s %-25s %s", ctl_member(a, "alert_id", "-"), ctl_member(a, "person_id", "-"),
	       ctl_member(a, "state", "-"), ctl_time_text(ctl_member(a, "due", NULL), due), ctl_member(a, "audience", "-"));
	if (json_is_true(json_object_get(a, "acknowledged")))
		printf("  acknowledged");
	if (json_object_get(a, "snoozed_until"))
		printf("  snoozed until %s", ctl_time_text(ctl_member(a, "snoozed_until", NULL), until));
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
		printf("  %s (%zu)%s%s\n", ctl_member(v[i], "rule_id", "-"), j - i, json_object_get(v[i], "rule_title") ? "  " : "",
		       ctl_member(v[i], "rule_title", ""));
		printf("    %-10s %-10s %-14s %-25s %s\n", "ALERT", "PERSON", "STATE", "DUE (LONDON)", "AUDIENCE");
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
	const char *by; /* team, worker, rule, state, or NULL */
};

/* ---- --by: counts per group ---- */

/* One group's key (for sorting and JSON), label (for people) and counts. */
struct group {
	char key[160], label[200];
	long long open, soon, overdue, escalated, findings, acked, rank;
};

/* The alert's group key under --by. */
static void group_of(const json_t *a, const char *by, struct group *g)
{
	const char *state = ctl_member(a, "state", "");

	memset(g, 0, sizeof(*g));
	if (!strcmp(by, "team")) {
		snprintf(g->key, sizeof(g->key), "%s", ctl_member(a, "team", ""));
		snprintf(g->label, sizeof(g->label), "%s%s%s%s", ctl_member(a, "team_code", *g->key ? g->key : "(none)"),
			 json_object_get(a, "team_code") ? " (" : "", json_object_get(a, "team_code") ? g->key : "",
			 json_object_get(a, "team_code") ? ")" : "");
	} else if (!strcmp(by, "worker")) {
		snprintf(g->key, sizeof(g->key), "%s", ctl_member(a, "worker", ""));
		snprintf(g->label, sizeof(g->label), "%s%s", *g->key ? "staff " : "unallocated", g->key);
	} else if (!strcmp(by, "rule")) {
		snprintf(g->key, sizeof(g->key), "%s", ctl_member(a, "rule_id", ""));
		snprintf(g->label, sizeof(g->label), "%-16s %s", g->key, ctl_member(a, "rule_title", ""));
	} else {
		snprintf(g->key, sizeof(g->key), "%s", state);
		snprintf(g->label, sizeof(g->label), "%s", state);
		g->rank = !strcmp(state, "due_soon") ? 1 : !strcmp(state, "overdue") ? 2 : 2 + atoll(state + 10);
	}
}

static int key_cmp(const void *x, const void *y)
{
	const struct group *a = x, *b = y;

	return ctl_id_cmp(a->key, b->key) ? ctl_id_cmp(a->key, b->key) : strcmp(a->key, b->key);
}

/* Teams and states in their order, workers and rules with the most first. */
static int rows_cmp(const void *x, const void *y, const char *by)
{
	const struct group *a = x, *b = y;

	if (!strcmp(by, "state"))
		return (a->rank > b->rank) - (a->rank < b->rank);
	if (!strcmp(by, "team"))
		return key_cmp(a, b);
	if (!strcmp(by, "worker") && (!*a->key || !*b->key) && *a->key != *b->key)
		return *a->key ? -1 : 1; /* unallocated last */
	if (!strcmp(by, "worker") && a->overdue + a->escalated != b->overdue + b->escalated)
		return a->overdue + a->escalated > b->overdue + b->escalated ? -1 : 1;
	if (a->open != b->open)
		return a->open > b->open ? -1 : 1;
	return key_cmp(a, b);
}

static const char *sort_by;
static int rows_cmp_q(const void *x, const void *y)
{
	return rows_cmp(x, y, sort_by);
}

/* Counts the alerts per group, prints a table (or JSON). */
static void print_counts(const json_t *alerts, const char *by, bool as_json)
{
	size_t n = json_array_size(alerts), ng = 0, i, k;
	struct group *g = calloc(n ? n : 1, sizeof(*g)), one;
	const json_t *a;

	if (!g)
		return;
	json_array_foreach (alerts, i, a) {
		const char *state = ctl_member(a, "state", "");

		group_of(a, by, &one);
		for (k = 0; k < ng && strcmp(g[k].key, one.key); k++)
			;
		if (k == ng)
			g[ng++] = one;
		g[k].open++;
		g[k].soon += !strcmp(state, "due_soon");
		g[k].overdue += !strcmp(state, "overdue") && strcmp(ctl_member(a, "kind", ""), "finding");
		g[k].escalated += !strncmp(state, "escalated_", 10);
		g[k].findings += !strcmp(ctl_member(a, "kind", ""), "finding");
		g[k].acked += json_is_true(json_object_get(a, "acknowledged"));
	}
	sort_by = by;
	qsort(g, ng, sizeof(*g), rows_cmp_q);
	if (as_json) {
		json_t *out = json_pack("{s:s, s:[]}", "by", by, "groups"), *arr = json_object_get(out, "groups");

		for (k = 0; k < ng; k++)
			json_array_append_new(arr, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", by, g[k].key, "open",
							     g[k].open, "due_soon", g[k].soon, "overdue", g[k].overdue,
							     "escalated", g[k].escalated, "findings", g[k].findings,
							     "acknowledged", g[k].acked));
		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(out);
	} else if (!strcmp(by, "state")) {
		printf("%-16s %6s\n", "STATE", "OPEN");
		for (k = 0; k < ng; k++)
			printf("%-16s %6lld\n", g[k].label, g[k].open);
	} else {
		int w = !strcmp(by, "rule") ? 66 : 16;

		printf("%-*s %6s %8s %7s %9s %8s %5s\n", w, !strcmp(by, "rule") ? "RULE" : !strcmp(by, "team") ? "TEAM" : "WORKER",
		       "OPEN", "DUE SOON", "OVERDUE", "ESCALATED", "FINDINGS", "ACK'D");
		for (k = 0; k < ng; k++)
			printf("%-*.*s %6lld %8lld %7lld %9lld %8lld %5lld\n", w, w, g[k].label, g[k].open, g[k].soon,
			       g[k].overdue, g[k].escalated, g[k].findings, g[k].acked);
	}
	if (!ng && !as_json)
		printf("no open alerts match\n");
	free(g);
}

/* --json or --ndjson, --by. */
static bool take(int c, const char *arg, void *ctx)
{
	struct alerts_opts *ao = ctx;

	if (c == 'b') {
		if (strcmp(arg, "team") && strcmp(arg, "worker") && strcmp(arg, "rule") && strcmp(arg, "state")) {
			ctl_error("alerts: --by: expected team, worker, rule or state, got '%s'", arg);
			return false;
		}
		ao->by = arg;
	} else if (c == 'j')
		ao->json = true;
	else if (c == 'n')
		ao->ndjson = true;
	else
		return false;
	if (ao->json && ao->ndjson) {
		ctl_error("alerts: --json and --ndjson exclude each other");
		return false;
	}
	if (ao->by && ao->ndjson) {
		ctl_error("alerts: --by counts; --ndjson lists alerts (use --json for the counts as JSON)");
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
	if (ao->by) {
		print_counts(alerts, ao->by, ao->json);
	} else if (ao->json) {
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
		{ "by", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct alerts_opts ao = { false, false, NULL };
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
