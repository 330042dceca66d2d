/* cmd_digest.c - `casewatchctl digest`: what a manager must act on now, as text or an HTML email. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alerts_format.h"
#include "ctl.h"
#include "socket_cmd.h"

/* The help text. */
static void usage(FILE *out, void *ctx)
{
	(void)ctx;
	fprintf(out, "usage: casewatchctl digest (--team T | --audience A) [FILTERS]\n"
		     "                           [--html [--subject TEXT] [--to ADDR] [--from ADDR]] [--socket PATH]\n"
		     "\n"
		     "What a manager must act on now: the overdue alerts first, then those due soon;\n"
		     "in each, by worker (the allocated worker's staff id), the worker with the\n"
		     "oldest first, and each worker's alerts oldest first, with due times in words\n"
		     "(\"overdue by 3 days\") as of casewatchd's clock. Ids, rule ids, codes and\n"
		     "dates only: never a name or free text.\n"
		     "\n"
		     "options:\n"
		     "  --html             a complete email (headers, then an HTML body), ready for\n"
		     "                     sendmail: ... --html --to tm@example.gov.uk | sendmail -t\n"
		     "  --subject TEXT     with --html: the Subject (default: casewatch digest for\n"
		     "                     the team or audience, with the counts)\n"
		     "  --to ADDR          with --html: a To: header (repeat for several)\n"
		     "  --from ADDR        with --html: a From: header\n" CTL_SOCKET_HELP
		     "  --help             this text\n"
		     "\n"
		     "filters (--team or --audience is required; all given must match):\n" CTL_FILTER_HELP
		     CTL_STATE_HELP);
}

/* What the digest is about and how it is written. */
struct digest {
	cw_time now;	    /* casewatchd's time the alerts were read at */
	char scope[256];    /* "team T007", "team T007, T008; audience team_manager" */
	bool html;
};

/* Due soon is the only open state that is not overdue (docs/lifecycle.md). */
static bool is_overdue(const json_t *a)
{
	return strcmp(ctl_member(a, "state", ""), "due_soon") != 0;
}

/* Worker, then oldest first (a finding without a due time first). */
static int by_worker_due(const void *x, const void *y)
{
	const json_t *a = *(const json_t *const *)x, *b = *(const json_t *const *)y;
	int c = ctl_id_cmp(ctl_member(a, "worker", ""), ctl_member(b, "worker", ""));

	return c ? c : ctl_alert_oldest_cmp(a, b);
}

/* A worker's alerts: where they start in the sorted list, how many, the oldest due. */
struct group {
	size_t start, n;
	const char *oldest;
};

/* Groups by their oldest due time; ties keep the worker order. */
static int by_oldest(const void *x, const void *y)
{
	const struct group *a = x, *b = y;
	int c = strcmp(a->oldest, b->oldest);

	return c ? c : (a->start < b->start ? -1 : 1);
}

/* Prints text, escaped when the digest is HTML. */
static void put(const struct digest *d, const char *text)
{
	if (d->html)
		ctl_html_escape(stdout, text);
	else
		fputs(text, stdout);
}

/* The alert's due time in words and as London time, or that it has none. */
static void due_text(const struct digest *d, const json_t *a, char *buf, size_t size)
{
	char words[CTL_DUE_WORDS_STRLEN], when[CTL_LONDON_STRLEN];
	cw_time due;

	if (!ctl_parse_time(ctl_member(a, "due", NULL), &due)) {
		snprintf(buf, size, "no due time (a finding: due since it was found)");
		return;
	}
	ctl_due_words(due, d->now, words);
	ctl_london_text(due, when);
	snprintf(buf, size, "%s (due %s)", words, when);
}

/* Acknowledged and snoozed, as a note; "" when neither. */
static void notes_text(const json_t *a, char *buf, size_t size)
{
	const char *snoozed = ctl_member(a, "snoozed_until", NULL);
	char when[CTL_LONDON_STRLEN] = "";
	cw_time t;

	if (snoozed && ctl_parse_time(snoozed, &t))
		ctl_london_text(t, when);
	snprintf(buf, size, "%s%s%s%s", json_is_true(json_object_get(a, "acknowledged")) ? "acknowledged" : "",
		 json_is_true(json_object_get(a, "acknowledged")) && snoozed ? "; " : "",
		 snoozed ? "snoozed until " : "", snoozed ? when : "");
}

/* One alert: ids, rule, due time in words, state, audience, notes. */
static void print_item(const struct digest *d, const json_t *a)
{
	const char *cells[6] = { ctl_member(a, "alert_id", "-"), ctl_member(a, "rule_id", "-"),
				 ctl_member(a, "person_id", "-") };
	char due[192], notes[96];

	due_text(d, a, due, sizeof(due));
	notes_text(a, notes, sizeof(notes));
	if (!d->html) {
		printf("  - alert %s, %s, person %s: %s; %s, for %s%s%s\n", cells[0], cells[1], cells[2], due,
		       ctl_member(a, "state", "-"), ctl_member(a, "audience", "-"), *notes ? "; " : "", notes);
		return;
	}
	cells[3] = due;
	cells[4] = ctl_member(a, "state", "-");
	cells[5] = ctl_member(a, "audience", "-");
	printf("<tr>");
	for (int i = 0; i < 6; i++) {
		printf("<td>");
		put(d, cells[i]);
		printf("</td>");
	}
	printf("<td>");
	put(d, notes);
	printf("</td></tr>\n");
}

/* One worker's heading (and table head in HTML). */
static void print_worker(const struct digest *d, const char *worker, size_t n)
{
	if (!d->html) {
		printf("\n%s%s (%zu)\n", *worker ? "Worker " : "Unallocated", worker, n);
		return;
	}
	printf("<h3>%s", *worker ? "Worker " : "Unallocated");
	put(d, worker);
	printf(" (%zu)</h3>\n<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\">\n"
	       "<tr><th>Alert</th><th>Rule</th><th>Person</th><th>Due</th><th>State</th><th>For</th>"
	       "<th>Notes</th></tr>\n",
	       n);
}

/* One section (overdue, or due soon): by worker, the worker with the oldest first. */
static void print_section(const struct digest *d, const char *title, const json_t **items, size_t n)
{
	struct group *g = calloc(n ? n : 1, sizeof(*g));
	size_t ng = 0, i, k;

	if (!g)
		return;
	qsort(items, n, sizeof(*items), by_worker_due);
	for (i = 0; i < n; i++) {
		if (ng == 0 || ctl_id_cmp(ctl_member(items[i], "worker", ""), ctl_member(items[g[ng - 1].start], "worker", ""))) {
			g[ng].start = i;
			g[ng].oldest = ctl_member(items[i], "due", "");
			ng++;
		}
		g[ng - 1].n++;
	}
	qsort(g, ng, sizeof(*g), by_oldest);
	if (d->html)
		printf("<h2>%s (%zu)</h2>\n%s", title, n, n ? "" : "<p>None.</p>\n");
	else
		printf("\n== %s (%zu) ==\n%s", title, n, n ? "" : "None.\n");
	for (k = 0; k < ng; k++) {
		print_worker(d, ctl_member(items[g[k].start], "worker", ""), g[k].n);
		for (i = g[k].start; i < g[k].start + g[k].n; i++)
			print_item(d, items[i]);
		if (d->html)
			printf("</table>\n");
	}
	free(g);
}

/* The email headers: Subject (given or made), From, To, and the MIME ones. */
static void print_headers(const struct digest *d, const char *subject, const json_t *to, const char *from,
			  size_t no, size_t ns)
{
	size_t i;
	json_t *v;

	if (subject)
		printf("Subject: %s\n", subject);
	else
		printf("Subject: casewatch digest for %s: %zu overdue, %zu due soon\n", d->scope, no, ns);
	if (from)
		printf("From: %s\n", from);
	json_array_foreach (to, i, v)
		printf("To: %s\n", json_string_value(v));
	printf("MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n");
}

/* The whole digest: heading, summary, overdue, due soon. */
static void print_digest(const struct digest *d, const json_t *alerts)
{
	size_t n = json_array_size(alerts), no = 0, ns = 0, i;
	const json_t **over = calloc(n ? n : 1, sizeof(*over)), **soon = calloc(n ? n : 1, sizeof(*soon));
	char asof[CTL_LONDON_STRLEN];
	const json_t *a;

	if (!over || !soon)
		goto out;
	json_array_foreach (alerts, i, a) {
		if (is_overdue(a))
			over[no++] = a;
		else
			soon[ns++] = a;
	}
	ctl_london_text(d->now, asof);
	if (d->html) {
		printf("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>casewatch digest for ");
		put(d, d->scope);
		printf("</title></head>\n<body>\n<h1>casewatch digest for ");
		put(d, d->scope);
		printf("</h1>\n<p>As of %s (London): %zu to act on, %zu overdue and %zu due soon.</p>\n", asof, n, no,
		       ns);
	} else {
		printf("casewatch digest for %s\n", d->scope);
		printf("As of %s (London): %zu to act on, %zu overdue and %zu due soon.\n", asof, n, no, ns);
	}
	print_section(d, "Overdue", over, no);
	print_section(d, "Due soon", soon, ns);
	if (d->html)
		printf("<p>Acknowledge with <code>casewatchctl ack --alert ID</code>.</p>\n</body></html>\n");
out:
	free(over);
	free(soon);
}

/* A team as people know it: the code the alerts give for the team the
 * filter named (by code or id), else the name as written. */
static const char *team_shown(const json_t *alerts, const char *name)
{
	size_t i;
	const json_t *a;

	json_array_foreach (alerts, i, a) {
		const char *code = ctl_member(a, "team_code", NULL);

		if (code && (!strcmp(ctl_member(a, "team", ""), name) || !strcasecmp(code, name)))
			return code;
	}
	return name;
}

/* "team T007, T008; audience team_manager": whose digest it is, from the
 * filter, teams by code. */
static void scope_text(const json_t *filter, const json_t *alerts, char *buf, size_t size)
{
	static const char *const keys[] = { "team", "audience" };
	size_t i, len = 0;
	json_t *v;

	buf[0] = '\0';
	for (int k = 0; k < 2; k++) {
		const json_t *vals = json_object_get(filter, keys[k]);

		if (!vals)
			continue;
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s ", len ? "; " : "", keys[k]);
		json_array_foreach (vals, i, v)
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s", i ? ", " : "",
						k == 0 ? team_shown(alerts, json_string_value(v)) : json_string_value(v));
	}
}

/* A header value: printable ASCII only (no line break can start another header). */
static bool header_ok(const char *opt, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p < 0x20 || *p > 0x7e) {
			ctl_error("digest: %s: only printable ASCII characters, no line breaks", opt);
			return false;
		}
	}
	return true;
}

/* The email options. */
struct digest_opts {
	bool html;
	const char *subject, *from;
	json_t *to;
};

/* --html, and the headers (printable ASCII, one line each). */
static bool take(int c, const char *arg, void *ctx)
{
	struct digest_opts *o = ctx;

	if (c == 'H') {
		o->html = true;
		return true;
	}
	if (c == 's' && header_ok("--subject", arg))
		o->subject = arg;
	else if (c == 'f' && header_ok("--from", arg))
		o->from = arg;
	else if (c == 't' && header_ok("--to", arg))
		json_array_append_new(o->to, json_string(arg));
	else
		return false;
	return true;
}

/* Whose digest, and headers only with --html. */
static bool complete(const struct digest_opts *o, const json_t *filter)
{
	if (!json_object_get(filter, "team") && !json_object_get(filter, "audience")) {
		ctl_error("digest: say whose digest it is: --team T (a code such as T005) or --audience A");
		return false;
	}
	if (!o->html && (o->subject || o->from || json_array_size(o->to))) {
		ctl_error("digest: --subject, --to and --from are email headers: they go with --html");
		return false;
	}
	return true;
}

/* The digest of the reply's alerts, as an email with --html. */
static void print_reply(struct digest *d, const struct digest_opts *o, const json_t *reply)
{
	const json_t *alerts = json_object_get(reply, "alerts"), *a;
	size_t no = 0, i;

	if (!ctl_parse_time(ctl_member(reply, "as_of", NULL), &d->now))
		d->now = (cw_time)time(NULL);
	if (json_is_true(json_object_get(reply, "truncated")))
		ctl_error("digest: only the first %zu alerts were sent; narrow the filters", json_array_size(alerts));
	if (d->html) {
		json_array_foreach (alerts, i, a)
			no += is_overdue(a);
		print_headers(d, o->subject, o->to, o->from, no, json_array_size(alerts) - no);
	}
	print_digest(d, alerts);
}

/* Asks for the alerts of a team or audience and prints the digest. */
int cmd_digest(int argc, char **argv)
{
	static const struct option opts[] = {
		CTL_FILTER_OPTIONS,
		{ "html", no_argument, NULL, 'H' },
		{ "subject", required_argument, NULL, 's' },
		{ "to", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct digest_opts dopt = { .to = json_array() };
	const struct ctl_opts o = { "digest", opts, usage, take, &dopt };
	struct digest d = { 0 };
	struct ctl_filter f;
	json_t *reply = NULL; /* stays NULL after --help */
	int rc;

	ctl_filter_init(&f);
	rc = ctl_parse(argc, argv, &o, &f);
	if (rc < 0 && !complete(&dopt, f.filter))
		rc = CTL_EXIT_USAGE;
	if (rc < 0)
		rc = ctl_request("digest", f.socket, json_pack("{s:s, s:O}", "cmd", "alerts", "filter", f.filter), &reply);
	if (rc == CTL_EXIT_OK && reply) {
		d.html = dopt.html;
		scope_text(f.filter, json_object_get(reply, "alerts"), d.scope, sizeof(d.scope));
		print_reply(&d, &dopt, reply);
		json_decref(reply);
	}
	json_decref(dopt.to);
	ctl_filter_free(&f);
	return rc;
}
