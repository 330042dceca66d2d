/* evaluate.h - offline evaluation for casewatchctl: profiles, calendar, instants and facts loaded, through the engine. */
#ifndef CASEWATCH_CTL_EVALUATE_H
#define CASEWATCH_CTL_EVALUATE_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/obligation.h"
#include "casewatch/policy.h"

/* The options of evaluate and explain: each command's getopt_long table
 * names those it takes, with these vals: 'p' --profile, 'f' --facts, 'a'
 * --at, 'r' --rule, 'n' --nation, 'A' --alert, 'j' --json, 'h' --help,
 * CTL_OPT_SOCKET --socket. */
struct ctl_eval_opts {
	const char *profile, *facts, *at, *rule, *nation, *alert, *socket;
	bool json;
	void (*usage)(FILE *out); /* the command's help text */
};
/* Reads argv into o (ctl_parse). Returns -1 when the command should go
 * on, else its exit status (0 after --help, CTL_EXIT_USAGE, printed). */
int ctl_eval_parse(int argc, char **argv, const char *what, const struct option *table, struct ctl_eval_opts *o);

/* What evaluate, explain, policy and retention load the same way; each
 * prints what went wrong (prefixed with `what`, the command) and returns
 * NULL or false. */
/* A profile by name or file, printing every message of the loader. */
struct cw_policy *ctl_profile_load(const char *profile);
/* The bank-holiday calendar. */
struct cw_calendar *ctl_calendar_load(const char *what);
/* An instant typed on the command line (--at). */
bool ctl_instant(const char *what, const char *text, cw_time *at);
/* Facts documents from a file (- for standard input): an array, as
 * ctl_facts_documents() gives it. */
json_t *ctl_facts_load(const char *what, const char *file);

/* Facts documents from a JSON value: one person's document (docs/facts.md)
 * or an array of them. Returns a new array, or NULL with a message naming
 * `where` in err (size n). */
json_t *ctl_facts_documents(const json_t *v, const char *where, char *err, size_t n);

/* Computes every obligation of each document at `at` and returns them as
 * a JSON array, one object per obligation (docs/casewatchctl.md: person,
 * rule, anchor, cycle_start, anchor_at, warn, due, escalations, state,
 * met_at, met_by, late_by, audience, detail). NULL with err on a document
 * the facts parser refuses. */
json_t *ctl_evaluate(const struct cw_policy *policy, const struct cw_calendar *cal, const json_t *docs,
		     cw_time at, char *err, size_t n);

/* The team-level alerts (lib/team_alert.c, ROLLBACK-RATE) of a list of
 * roll-backs at `at`, appended to `all`, one object per alert: team, rule,
 * anchor ("team:5"), cycle_start, due (the period's first roll-back),
 * escalations, state (pending, violation or escalated), audience,
 * counted, unagreed, detail. rollbacks is an array of {"id", "team", "at",
 * "agreed"}. False with err on a malformed roll-back. */
bool ctl_evaluate_teams(const struct cw_policy *policy, const json_t *rollbacks, cw_time at, json_t *all, char *err,
			size_t n);

#endif
