/* cmd_audit.c - `casewatchctl audit`: who acknowledged, snoozed or took either back, and when. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts_format.h"
#include "casewatch/calendar.h"
#include "ctl.h"
#include "socket_cmd.h"

/* The help text. */
static void usage(FILE *out, void *ctx)
{
	(void)ctx;
	fprintf(out, "usage: casewatchctl audit [--since TIME] [--actor USER] [--limit N] [--json] [--socket PATH]\n"
		     "\n"
		     "Who changed what through the socket (ack, snooze, unack, unsnooze), oldest\n"
		     "first: the last N entries (default 100), times in London time with the zone.\n"
		     "\n"
		     "options:\n"
		     "  --since TIME       only from TIME on: 2026-12-01T09:00 (London time), or with Z\n"
		     "                     or an offset, or a date\n"
		     "  --actor USER       only what this user did\n"
		     "  --limit N          at most N entries, the newest (1 to 10000)\n"
		     "  --json             the daemon's reply as JSON (times in UTC)\n" CTL_SOCKET_HELP
		     "  --help             this text\n");
}

struct audit_opts {
	bool json;
	const char *since, *actor;
	long limit;
};

static bool take(int c, const char *arg, void *ctx)
{
	struct audit_opts *o = ctx;
	char *end;

	switch (c) {
	case 'S':
		o->since = arg;
		return true;
	case 'a':
		o->actor = arg;
		return true;
	case 'l':
		o->limit = strtol(arg, &end, 10);
		if (!*arg || *end || o->limit < 1 || o->limit > 10000) {
			ctl_error("audit: --limit: expected a whole number from 1 to 10000, got '%s'", arg);
			return false;
		}
		return true;
	case 'j':
		o->json = true;
		return true;
	default:
		return false;
	}
}

/* The request, or NULL (printed) when --since is not a time. */
static json_t *audit_request(const struct audit_opts *o)
{
	json_t *req = json_pack("{s:s, s:I}", "cmd", "audit", "limit", (json_int_t)o->limit);
	char utc[CW_TIME_UTC_STRLEN];
	cw_time t;

	if (o->since) {
		if (!cw_time_parse(o->since, &t)) {
			ctl_error("audit: --since: '%s' is not a time such as 2026-12-01T09:00 or 2026-12-01", o->since);
			json_decref(req);
			return NULL;
		}
		cw_time_format_utc(t, utc);
		json_object_set_new(req, "since", json_string(utc));
	}
	if (o->actor)
		json_object_set_new(req, "actor", json_string(o->actor));
	return req;
}

/* One line per entry, for people. */
static void print_entries(const json_t *entries)
{
	const json_t *e;
	size_t i;

	if (!json_array_size(entries)) {
		printf("no changes recorded\n");
		return;
	}
	printf("%-25s %-12s %-14s %-9s %s\n", "AT (LONDON)", "ACTOR", "ACTION", "ALERT", "DETAIL");
	json_array_foreach (entries, i, e) {
		char at[CTL_LONDON_STRLEN], until[CTL_LONDON_STRLEN];
		const char *reason = ctl_member(e, "reason", NULL), *u = ctl_member(e, "until", NULL);

		printf("%-25s %-12s %-14s %-9s", ctl_time_text(ctl_member(e, "at", NULL), at), ctl_member(e, "actor", "-"),
		       ctl_member(e, "action", "-"), ctl_member(e, "alert_id", "-"));
		if (reason)
			printf(" reason %s", reason);
		if (u)
			printf("%suntil %s", reason ? ", " : " ", ctl_time_text(u, until));
		printf("\n");
	}
}

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, CTL_OPT_SOCKET },
		{ "since", required_argument, NULL, 'S' },
		{ "actor", required_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct audit_opts ao = { .limit = 100 };
	const struct ctl_opts o = { "audit", opts, usage, take, &ao };
	struct ctl_filter f;
	json_t *reply = NULL, *req = NULL;
	int rc;

	ctl_filter_init(&f);
	rc = ctl_parse(argc, argv, &o, &f);
	if (rc < 0 && !(req = audit_request(&ao)))
		rc = CTL_EXIT_USAGE;
	if (rc < 0)
		rc = ctl_request("audit", f.socket, req, &reply);
	if (rc == CTL_EXIT_OK && reply) {
		if (ao.json)
			ctl_print_reply(reply, true);
		else
			print_entries(json_object_get(reply, "entries"));
		json_decref(reply);
	}
	ctl_filter_free(&f);
	return rc;
}
