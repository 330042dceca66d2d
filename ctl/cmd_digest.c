/* cmd_digest.c - `casewatchctl digest`: what a manager must act on now, as text or an HTML email. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "digest_render.h"
#include "socket_cmd.h"

/* Items listed per list unless --max-items says otherwise. */
#define DIGEST_MAX_ITEMS 50

/* The help text. */
static void usage(FILE *out, void *ctx)
{
	(void)ctx;
	fprintf(out, "usage: casewatchctl digest (--team ID|CODE | --worker ID | --audience A) [--since ID] [--mark]\n"
		     "                           [--max-items N] [--json | --html [--subject TEXT] [--to ADDR]\n"
		     "                           [--from ADDR]] [--socket PATH]\n"
		     "\n"
		     "What a manager must act on now. A summary first (overdue, due this week,\n"
		     "newly overdue and resolved since the last digest, overdue against a week\n"
		     "ago); then by worker (staff id and role, never a name; unallocated work on\n"
		     "its own row) and by rule (title and id); then the items: new since the last\n"
		     "digest, the longest overdue (at most --max-items each, with how to see the\n"
		     "rest), those escalated to the service manager apart; and the data-quality\n"
		     "findings, as what to fix. Times are London time with the zone (GMT/BST).\n"
		     "\n"
		     "audiences (--audience):\n"
		     "  team_manager       a team's digest (the default with --team)\n"
		     "  service_manager    the teams furthest behind and what was escalated to you\n"
		     "                     (every team, or those given with --team)\n"
		     "  records_officer    retention notices (none yet when no rule raises them)\n"
		     "  worker             one worker's own list (the default with --worker)\n"
		     "\n"
		     "options:\n"
		     "  --team ID|CODE     the team (repeat, or separate with commas): 5 or T005\n"
		     "  --worker ID        a worker's staff id: their own list\n"
		     "  --since ID         \"since the last digest\" means after transition ID\n"
		     "                     (default: after the last digest marked for this recipient,\n"
		     "                     else the last day)\n"
		     "  --mark             record this digest as sent: the recipient's next digest\n"
		     "                     starts after it (needs the right to change alerts)\n"
		     "  --max-items N      items per list (default %d)\n"
		     "  --json             the daemon's digest as JSON (times in UTC)\n"
		     "  --html             a complete email (headers, then an HTML body), ready for\n"
		     "                     sendmail: ... --html --mark --to tm@example.gov.uk | sendmail -t\n"
		     "  --subject TEXT     with --html: the Subject (default: the recipient and counts)\n"
		     "  --to ADDR          with --html: a To: header (repeat for several)\n"
		     "  --from ADDR        with --html: a From: header\n" CTL_SOCKET_HELP
		     "  --help             this text\n",
		DIGEST_MAX_ITEMS);
}

/* The digest's options besides --team, --audience and --socket. */
struct digest_opts {
	bool html, json, mark;
	const char *subject, *from, *worker, *since;
	long max_items;
	json_t *to;
};

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

static bool digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 19;
}

static bool take(int c, const char *arg, void *ctx)
{
	struct digest_opts *o = ctx;
	char *end;

	switch (c) {
	case 'H':
		o->html = true;
		return true;
	case 'j':
		o->json = true;
		return true;
	case 'm':
		o->mark = true;
		return true;
	case 'w':
		if (!digits(arg)) {
			ctl_error("digest: --worker: expected a staff id (digits), got '%s'", arg);
			return false;
		}
		o->worker = arg;
		return true;
	case 'S':
		if (!digits(arg)) {
			ctl_error("digest: --since: expected a transition id (digits), got '%s'", arg);
			return false;
		}
		o->since = arg;
		return true;
	case 'n':
		o->max_items = strtol(arg, &end, 10);
		if (!digits(arg) || *end || o->max_items > 10000) {
			ctl_error("digest: --max-items: expected a whole number from 0 to 10000, got '%s'", arg);
			return false;
		}
		return true;
	case 's':
		o->subject = arg;
		return header_ok("--subject", arg);
	case 'f':
		o->from = arg;
		return header_ok("--from", arg);
	case 't':
		json_array_append_new(o->to, json_string(arg));
		return header_ok("--to", arg);
	default:
		return false;
	}
}

/* The request, or NULL (printed) when the options do not make one. */
static json_t *digest_request(const struct digest_opts *o, const json_t *filter)
{
	const json_t *teams = json_object_get(filter, "team"), *aud = json_object_get(filter, "audience");
	json_t *req;

	if (!teams && !o->worker && !aud) {
		ctl_error("digest: say whose digest it is: --team ID, --worker ID or --audience A");
		return NULL;
	}
	if (json_array_size(aud) > 1) {
		ctl_error("digest: one --audience at a time");
		return NULL;
	}
	if (!o->html && (o->subject || o->from || json_array_size(o->to))) {
		ctl_error("digest: --subject, --to and --from are email headers: they go with --html");
		return NULL;
	}
	if (o->html && o->json) {
		ctl_error("digest: --html and --json exclude each other");
		return NULL;
	}
	req = json_pack("{s:s, s:I, s:b}", "cmd", "digest", "cap", (json_int_t)o->max_items, "mark", o->mark);
	if (teams)
		json_object_set(req, "team", (json_t *)teams);
	if (aud)
		json_object_set(req, "audience", json_array_get(aud, 0));
	if (o->worker)
		json_object_set_new(req, "worker", json_string(o->worker));
	if (o->since)
		json_object_set_new(req, "since", json_string(o->since));
	return req;
}

/* The email headers: Subject (given or made), From, To, and the MIME ones. */
static void print_headers(const struct digest_opts *o, const json_t *d)
{
	const json_t *s = json_object_get(d, "summary");
	char scope[256];
	size_t i;
	json_t *v;

	ctl_digest_scope(d, scope, sizeof(scope));
	if (o->subject)
		printf("Subject: %s\n", o->subject);
	else
		printf("Subject: casewatch digest for %s: %" JSON_INTEGER_FORMAT " overdue, %" JSON_INTEGER_FORMAT
		       " newly overdue, %" JSON_INTEGER_FORMAT " due this week\n",
		       scope, json_integer_value(json_object_get(s, "overdue")),
		       json_integer_value(json_object_get(s, "newly_overdue")),
		       json_integer_value(json_object_get(s, "due_this_week")));
	if (o->from)
		printf("From: %s\n", o->from);
	json_array_foreach (o->to, i, v)
		printf("To: %s\n", json_string_value(v));
	printf("MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n");
}

/* Asks for the digest of a team, worker or audience and prints it. */
int cmd_digest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "team", required_argument, NULL, CTL_OPT_TEAM },
		{ "audience", required_argument, NULL, CTL_OPT_AUDIENCE },
		{ "socket", required_argument, NULL, CTL_OPT_SOCKET },
		{ "worker", required_argument, NULL, 'w' },
		{ "since", required_argument, NULL, 'S' },
		{ "mark", no_argument, NULL, 'm' },
		{ "max-items", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "html", no_argument, NULL, 'H' },
		{ "subject", required_argument, NULL, 's' },
		{ "to", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct digest_opts dopt = { .to = json_array(), .max_items = DIGEST_MAX_ITEMS };
	const struct ctl_opts o = { "digest", opts, usage, take, &dopt };
	struct ctl_filter f;
	json_t *reply = NULL, *req = NULL; /* reply stays NULL after --help */
	const json_t *d;
	int rc;

	ctl_filter_init(&f);
	rc = ctl_parse(argc, argv, &o, &f);
	if (rc < 0 && !(req = digest_request(&dopt, f.filter)))
		rc = CTL_EXIT_USAGE;
	if (rc < 0)
		rc = ctl_request("digest", f.socket, req, &reply);
	if (rc == CTL_EXIT_OK && reply) {
		d = json_object_get(reply, "digest");
		if (dopt.json) {
			json_dumpf(d, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			putchar('\n');
		} else {
			if (dopt.html)
				print_headers(&dopt, d);
			ctl_digest_render(stdout, d, dopt.html);
		}
		json_decref(reply);
	}
	json_decref(dopt.to);
	ctl_filter_free(&f);
	return rc;
}
