/* cmd_destruction.c - `casewatchctl destruction list|review|approve`: the destruction list and its decisions, through casewatchd. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "records_out.h"
#include "socket_cmd.h"

/* The help text. */
static void usage(FILE *out, void *ctx)
{
	(void)ctx;
	fprintf(out,
		"usage: casewatchctl destruction list [--due-within DAYS] [--team ID] [--csv|--json]\n"
		"       casewatchctl destruction review --person ID --decision destroy|extend|keep\n"
		"                                       [--reason CODE] [--extend-to DATE]\n"
		"       casewatchctl destruction approve --person ID\n"
		"\n"
		"list: the records whose destruction date falls within DAYS (default 90d) with\n"
		"their retention (upcoming, due, held), the holds on them and where their\n"
		"decision stands: the monthly destruction list. review and approve are for\n"
		"allowed users only: a due record is reviewed (destroy; extend with a reason\n"
		"and a new date; keep with a reason), then approved by a second, different\n"
		"person. casewatch never deletes records: the council's process does, and\n"
		"casewatchd records the destruction when the person is gone (docs/retention.md).\n"
		"\n"
		"options:\n"
		"  --due-within DAYS  e.g. 90d or 365\n"
		"  --team ID          only this team's records\n"
		"  --csv, --json      the list as CSV (with a header line) or the reply as JSON\n"
		CTL_SOCKET_HELP
		"  --help             this text\n");
}

struct destruction_opts {
	json_t *req;
	bool json, csv, bad;
};

static bool take(int c, const char *arg, void *ctx)
{
	struct destruction_opts *o = ctx;
	long days;

	switch (c) {
	case 'j':
		o->json = true;
		return true;
	case 'c':
		o->csv = true;
		return true;
	case 'w':
		if (!ctl_parse_days(arg, &days)) {
			ctl_error("destruction: --due-within '%s' is not a number of days (e.g. 90d)", arg);
			return false;
		}
		json_object_set_new(o->req, "due_within_days", json_integer(days));
		return true;
	case 't':
		json_object_set_new(o->req, "team", json_string(arg));
		return true;
	case 'p':
		json_object_set_new(o->req, "person", json_string(arg));
		return true;
	case 'd':
		json_object_set_new(o->req, "decision", json_string(arg));
		return true;
	case 'r':
		json_object_set_new(o->req, "reason", json_string(arg));
		return true;
	case 'x':
		json_object_set_new(o->req, "extend_to", json_string(arg));
		return true;
	default:
		return false;
	}
}

int cmd_destruction(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "due-within", required_argument, NULL, 'w' }, { "team", required_argument, NULL, 't' },
		{ "person", required_argument, NULL, 'p' },     { "decision", required_argument, NULL, 'd' },
		{ "reason", required_argument, NULL, 'r' },     { "extend-to", required_argument, NULL, 'x' },
		{ "csv", no_argument, NULL, 'c' },		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, CTL_OPT_SOCKET }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const list_cols[] = { "person", "team", "basis", "destroy_on", "retention", "holds",
						 "workflow", "decision", "extend_to", "reviewed_by", "approved_by", NULL };
	static const char *const actions[] = { "list", "review", "approve", NULL };
	struct destruction_opts o = { NULL, false, false, false };
	const struct ctl_opts po = { "destruction", opts, usage, take, &o };
	const char *action = argc > 1 ? argv[1] : NULL;
	json_t *reply = NULL;
	int rc;

	rc = ctl_records_request(argc, argv, &po, actions, &o.req, &reply);
	if (rc == CTL_EXIT_OK && reply) {
		if (o.json)
			ctl_print_reply(reply, true);
		else if (!strcmp(action, "list"))
			ctl_rows_print(json_object_get(reply, "records"), list_cols, o.csv);
		else
			printf("person %s: %s%s%s\n", ctl_member(reply, "person", "?"), ctl_member(reply, "workflow", "?"),
			       strcmp(action, "approve") ? " by " : ", approved by ",
			       ctl_member(reply, strcmp(action, "approve") ? "reviewed_by" : "approved_by", "?"));
	}
	json_decref(reply);
	return rc;
}
