/* main.c - casewatchctl: dispatches to one command per file. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

/* One row per command; each lives in ctl/cmd_<name>.c. */
static const struct ctl_command commands[] = {
	{ "workdays", cmd_workdays, "working days: add, between, is (UK bank holidays)" },
	{ "policy", cmd_policy, "policy profiles: check files, show effective rules" },
	{ "explain", cmd_explain, "when a rule falls due for an anchor time, and why" },
	{ "evaluate", cmd_evaluate, "a person's obligations from facts documents at an instant" },
	{ "status", cmd_status, "casewatchd's state: database, last pass, open alerts" },
	{ "alerts", cmd_alerts, "the open alerts, by team and rule (filters), or counts --by" },
	{ "watch", cmd_watch, "follow alert transitions live (NDJSON), resumable" },
	{ "ack", cmd_ack, "acknowledge open alerts (by id or filter)" },
	{ "snooze", cmd_snooze, "hold back escalation of open alerts until a time" },
	{ "unack", cmd_unack, "take back the acknowledgement of open alerts (audited)" },
	{ "unsnooze", cmd_unsnooze, "end the snooze of open alerts now (audited)" },
	{ "audit", cmd_audit, "who acknowledged, snoozed or took it back, and when" },
	{ "digest", cmd_digest, "what a manager must act on now, as text or HTML email" },
	{ "retention", cmd_retention, "a person's retention and destruction date, and what a profile change moves" },
	{ "hold", cmd_hold, "holds on records: list, place, lift (records officers)" },
	{ "destruction", cmd_destruction, "the destruction list; review and approve destructions" },
	{ "register", cmd_register, "the destruction register: verify its hash chain, export it" },
	{ NULL, NULL, NULL },
};

void ctl_error(const char *fmt, ...)
{
	va_list ap;

	fputs("casewatchctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *out)
{
	fprintf(out, "usage: casewatchctl COMMAND [ARGS...]\n\ncommands:\n");
	for (const struct ctl_command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'casewatchctl COMMAND --help' explains each command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return CTL_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("casewatchctl %s\n", PACKAGE_VERSION);
		return CTL_EXIT_OK;
	}
	for (const struct ctl_command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	ctl_error("unknown command '%s'", argv[1]);
	usage(stderr);
	return CTL_EXIT_USAGE;
}
