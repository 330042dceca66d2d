/*
 * socket_cmd.h - what casewatchctl's socket commands share: the alert
 * filter options, connecting and asking casewatchd with errors that say
 * what to do, and the ack/snooze change.
 */
#ifndef CASEWATCH_CTL_SOCKET_CMD_H
#define CASEWATCH_CTL_SOCKET_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "client.h"

/* The getopt_long vals of the filter options (ctl_filter_option tells them apart). */
enum ctl_filter_opt {
	CTL_OPT_TEAM = 0x100,
	CTL_OPT_RULE,
	CTL_OPT_AUDIENCE,
	CTL_OPT_STATE,
	CTL_OPT_PERSON,
	CTL_OPT_SEVERITY,
	CTL_OPT_KIND,
	CTL_OPT_SOCKET,
};

/* The filter options every socket command takes, for an option table. */
#define CTL_FILTER_OPTIONS                                                                                     \
	{ "team", required_argument, NULL, CTL_OPT_TEAM }, { "rule", required_argument, NULL, CTL_OPT_RULE },   \
		{ "audience", required_argument, NULL, CTL_OPT_AUDIENCE },                                      \
		{ "state", required_argument, NULL, CTL_OPT_STATE },                                            \
		{ "person", required_argument, NULL, CTL_OPT_PERSON },                                          \
		{ "severity", required_argument, NULL, CTL_OPT_SEVERITY },                                      \
		{ "kind", required_argument, NULL, CTL_OPT_KIND }, { "socket", required_argument, NULL, CTL_OPT_SOCKET }

/* The help lines of the filters (without --state) and of --socket. */
#define CTL_FILTER_HELP                                                                                        \
	"  --team T           only alerts of this team: its code (T005) or id (repeat, or\n"                     \
	"                     separate with commas)\n"                                                           \
	"  --rule ID          only this rule, e.g. NOTE-5WD\n"                                                    \
	"  --audience A       worker, team_manager, service_manager, records_officer, operations\n"               \
	"  --person ID        only this person's alerts\n"                                                        \
	"  --severity S       info, notice, warning, err\n"                                                       \
	"  --kind K           obligation or finding\n"
#define CTL_STATE_HELP "  --state S          due_soon, overdue, escalated_N, acknowledged, snoozed\n"
#define CTL_SOCKET_HELP                                                                                        \
	"  --socket PATH      casewatchd's socket (default $CASEWATCH_SOCKET, else " CTL_CLIENT_DEFAULT_SOCKET ")\n"

/* What the filter options gathered. */
struct ctl_filter {
	json_t *filter;	    /* {"team": [...], ...}; empty when no filter was given */
	const char *socket; /* --socket, or NULL */
};

void ctl_filter_init(struct ctl_filter *f);
void ctl_filter_free(struct ctl_filter *f);

/* Takes option c (from getopt_long) if it is a filter option or --socket; true if it was. */
bool ctl_filter_option(struct ctl_filter *f, int c, const char *arg);

/* How a socket command reads its options (ctl_parse). */
struct ctl_opts {
	const char *what;		       /* the command, for messages */
	const struct option *table;	       /* getopt_long's table, with "help" as 'h' */
	void (*usage)(FILE *out, void *ctx);   /* the help text */
	bool (*take)(int c, const char *arg, void *ctx); /* the command's own options; false: wrong (printed) */
	void *ctx;
};

/* Reads argv with getopt_long: filter options and --socket into f, --help,
 * the command's own options through take; no other argument is accepted.
 * Returns -1 when the command should go on, else its exit status (0 after
 * --help, CTL_EXIT_USAGE for a mistake, with the usage or the error printed). */
int ctl_parse(int argc, char **argv, const struct ctl_opts *o, struct ctl_filter *f);

/* Connects to the socket (--socket, $CASEWATCH_SOCKET or the default).
 * NULL with the error printed and *exit_code set on failure. */
struct ctl_client *ctl_connect(const char *what, const char *socket, int *exit_code);

/* Sends request (stolen) and waits for its reply. On an error reply, prints
 * it with advice and returns its exit code (CTL_EXIT_UNAVAILABLE for
 * db_unavailable, CTL_EXIT_REFUSED otherwise); *reply is then NULL. */
int ctl_ask(struct ctl_client *c, const char *what, json_t *request, json_t **reply);

/* Connects, sends request (stolen), waits for its reply and closes: ctl_ask
 * with the connection made for it. The request is freed on failure too. */
int ctl_request(const char *what, const char *socket, json_t *request, json_t **reply);

/* Orders two alerts oldest first: by due time (none first), then alert id. */
int ctl_alert_oldest_cmp(const json_t *a, const json_t *b);

/* A string member of an object, or dflt when it is absent or not a string. */
const char *ctl_member(const json_t *obj, const char *key, const char *dflt);

/* Compares two ids written in decimal (a shorter one is smaller). */
int ctl_id_cmp(const char *a, const char *b);

/* Prints v (an object) to stdout as JSON without the reply's "ok" and "id". */
void ctl_print_reply(json_t *v, bool pretty);

/* ack, snooze, unack or unsnooze (verb): the whole command (ctl/change.c). */
int ctl_change(int argc, char **argv, const char *verb);

#endif /* CASEWATCH_CTL_SOCKET_CMD_H */
