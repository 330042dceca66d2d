/* cmd_hold.c - `casewatchctl hold list|place|lift`: holds records officers place on records, through casewatchd. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "records_out.h"
#include "socket_cmd.h"

/* The help text. */
static void usage(FILE *out, void *ctx)
{
	(void)ctx;
	fprintf(out,
		"usage: casewatchctl hold list [--all] [--json]\n"
		"       casewatchctl hold place --scope all|category|period|persons [--category C]\n"
		"                               [--from DATE] [--to DATE] [--persons ID,ID...]\n"
		"                               --reason CODE --reference TEXT [--starts DATE] [--ends DATE]\n"
		"       casewatchctl hold lift --hold ID [--ends DATE]\n"
		"\n"
		"A hold stops destruction of every record in its scope from its start to its\n"
		"end, both days included (docs/retention.md). list shows the holds still\n"
		"running (--all: every hold ever placed); place and lift are for allowed users\n"
		"only, are recorded with your user name, and take effect at casewatchd's next\n"
		"sweep. Lifting sets the end (default today); holds are never deleted.\n"
		"\n"
		"options:\n"
		"  --scope S          all, category (--category), period (people whose involvement\n"
		"                     overlaps --from .. --to), persons (--persons)\n"
		"  --reason CODE      e.g. inquiry, litigation\n"
		"  --reference TEXT   the inquiry or claim and its legal basis (kept, never shown)\n"
		"  --starts, --ends   the first and last day the hold covers (YYYY-MM-DD)\n"
		"  --json             the reply as JSON\n"
		CTL_SOCKET_HELP
		"  --help             this text\n");
}

struct hold_opts {
	json_t *req;
	bool json;
};

/* Each option becomes a member of the request. */
static bool take(int c, const char *arg, void *ctx)
{
	static const char *const names[] = { ['s'] = "scope", ['c'] = "category", ['f'] = "from", ['t'] = "to",
					     ['r'] = "reason", ['R'] = "reference", ['S'] = "starts", ['e'] = "ends",
					     ['H'] = "hold" };
	struct hold_opts *o = ctx;

	if (c == 'j') {
		o->json = true;
		return true;
	}
	if (c == 'a') {
		json_object_set_new(o->req, "all", json_true());
		return true;
	}
	if (c == 'p') {
		json_t *ids = json_array();
		char *copy = strdup(arg), *save = NULL;

		for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
			json_array_append_new(ids, json_string(t));
		free(copy);
		json_object_set_new(o->req, "persons", ids);
		return true;
	}
	if (c > 0 && c < (int)(sizeof(names) / sizeof(names[0])) && names[c]) {
		json_object_set_new(o->req, names[c], json_string(arg));
		return true;
	}
	return false;
}

/* Prints a list of holds, or the hold placed or lifted. */
static void print(const json_t *reply, const char *action)
{
	static const char *const cols[] = { "hold", "scope", "category", "involved_from", "involved_to", "persons",
					    "reason", "starts", "ends", "placed_by", "lifted_by", NULL };

	if (!strcmp(action, "list"))
		ctl_rows_print(json_object_get(reply, "holds"), cols, false);
	else if (!strcmp(action, "place") && ctl_member(reply, "withdrawn", NULL))
		printf("hold %s placed; destruction decisions withdrawn: persons %s\n", ctl_member(reply, "hold", "?"),
		       ctl_member(reply, "withdrawn", "?"));
	else if (!strcmp(action, "place"))
		printf("hold %s placed\n", ctl_member(reply, "hold", "?"));
	else
		printf("hold %s ends on %s\n", ctl_member(reply, "hold", "?"), ctl_member(reply, "ends", "?"));
}

int cmd_hold(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },	     { "scope", required_argument, NULL, 's' },
		{ "category", required_argument, NULL, 'c' }, { "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },	     { "persons", required_argument, NULL, 'p' },
		{ "reason", required_argument, NULL, 'r' },   { "reference", required_argument, NULL, 'R' },
		{ "starts", required_argument, NULL, 'S' },   { "ends", required_argument, NULL, 'e' },
		{ "hold", required_argument, NULL, 'H' },     { "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, CTL_OPT_SOCKET }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const actions[] = { "list", "place", "lift", NULL };
	struct hold_opts o = { NULL, false };
	const struct ctl_opts po = { "hold", opts, usage, take, &o };
	const char *action = argc > 1 ? argv[1] : NULL;
	json_t *reply = NULL;
	int rc;

	rc = ctl_records_request(argc, argv, &po, actions, &o.req, &reply);
	if (rc == CTL_EXIT_OK && reply) {
		if (o.json)
			ctl_print_reply(reply, true);
		else
			print(reply, action);
	}
	json_decref(reply);
	return rc;
}
