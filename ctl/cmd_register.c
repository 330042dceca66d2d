/* cmd_register.c - `casewatchctl register verify|export`: the destruction register's hash chain, through casewatchd. */
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
		"usage: casewatchctl register verify [--head SEQ:HASH] [--json]\n"
		"       casewatchctl register export [--csv|--json]\n"
		"\n"
		"verify walks the destruction register's hash chain and names the first\n"
		"edited, deleted or reordered row; it prints the head (last sequence number\n"
		"and hash) to keep with the audit. With --head, a register shorter than the\n"
		"head kept (its last rows deleted) or with another hash fails too. Exit\n"
		"status 0 when the register is sound, 1 when it is not.\n"
		"export prints every row (no names: ids, codes, dates, who) for auditors.\n"
		"\n"
		"options:\n"
		"  --head SEQ:HASH    the head kept from an earlier verify\n"
		"  --csv, --json      CSV with a header line, or the reply as JSON\n"
		CTL_SOCKET_HELP
		"  --help             this text\n");
}

struct register_opts {
	json_t *req;
	bool json, csv;
};

static bool take(int c, const char *arg, void *ctx)
{
	struct register_opts *o = ctx;
	const char *colon;

	switch (c) {
	case 'j':
		o->json = true;
		return true;
	case 'c':
		o->csv = true;
		return true;
	case 'H':
		colon = strchr(arg, ':');
		if (!colon || colon == arg) {
			ctl_error("register: --head must be SEQ:HASH, as verify prints it");
			return false;
		}
		json_object_set_new(o->req, "seq", json_stringn(arg, (size_t)(colon - arg)));
		json_object_set_new(o->req, "hash", json_string(colon + 1));
		return true;
	default:
		return false;
	}
}

int cmd_register(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "head", required_argument, NULL, 'H' }, { "csv", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },	  { "socket", required_argument, NULL, CTL_OPT_SOCKET },
		{ "help", no_argument, NULL, 'h' },	  { NULL, 0, NULL, 0 },
	};
	static const char *const cols[] = { "seq", "person", "categories", "basis", "due_on", "reviewed_on",
					    "reviewed_by", "approved_on", "approved_by", "destroyed_on",
					    "destroyed_by", "recorded_at", "prev_hash", "hash", NULL };
	static const char *const actions[] = { "verify", "export", NULL };
	struct register_opts o = { NULL, false, false };
	const struct ctl_opts po = { "register", opts, usage, take, &o };
	const char *action = argc > 1 ? argv[1] : NULL;
	json_t *reply = NULL;
	int rc;

	rc = ctl_records_request(argc, argv, &po, actions, &o.req, &reply);
	if (rc == CTL_EXIT_OK && reply) {
		bool sound = !strcmp(ctl_member(reply, "sound", ""), "true");

		if (o.json)
			ctl_print_reply(reply, true);
		else if (!strcmp(action, "export"))
			ctl_rows_print(json_object_get(reply, "rows"), cols, o.csv);
		else if (sound)
			printf("register sound: %s rows\nhead: %s:%s\n", ctl_member(reply, "rows_checked", "?"),
			       ctl_member(reply, "head_seq", "?"), ctl_member(reply, "head_hash", "?"));
		else
			printf("register NOT sound: %s\n", ctl_member(reply, "problem", "?"));
		if (!strcmp(action, "verify") && !sound)
			rc = CTL_EXIT_NO;
	}
	json_decref(reply);
	return rc;
}
