/*
 * poller.h - the daemon's pass: find changed persons, compute, reconcile,
 * advance with time, deliver.
 *
 * Each pass (daemon.h's on_tick hook):
 *   1. persons: the first pass after a profile, calendar or version change
 *      (as against the sweep stored in the database, watermark.h), and one
 *      every sweep_interval, sweeps every person, then the persons gone from
 *      the records whose alerts are still open (so they are withdrawn);
 *      other passes take only persons whose rows changed since the last
 *      pass (records.changed_person, re-read change_overlap back because
 *      change markers may commit out of order; recomputing is idempotent).
 *      Persons come in pages by person id, so memory is one page, never
 *      the database: the page's ids first, then its facts as flat rows
 *      of every relation (facts_reader.h). Each page is computed in C
 *      (lib/obligation.c) and
 *      handed to casewatch.reconcile() in one transaction; a page the
 *      store refuses is retried person by person, and a person it still
 *      refuses keeps its alerts as they were until the next sweep.
 *   2. advance: casewatch.advance() moves stored obligations through time
 *      with no data change (due soon, overdue, escalated).
 *   Each phase runs even when the one before failed (other than by losing
 *   the connection), so one person's bad data cannot hold back every
 *   escalation.
 *   3. deliver: transitions after the syslog sink's cursor are logged, put
 *      on the alert socket, and the cursor moved, so a crash between commit
 *      and delivery delivers on the next start instead of losing them.
 */
#ifndef CASEWATCH_DAEMON_POLLER_H
#define CASEWATCH_DAEMON_POLLER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/facts.h"
#include "daemon.h"

struct cw_poller;
struct cw_policy;
struct cw_alertbus;
struct cw_translog;
struct cw_teams;

/* What a pass or the last sweep did, for status and the demo. */
struct cw_poller_stats {
	uint64_t passes;
	uint64_t persons_evaluated;  /* since start */
	uint64_t obligations_sent;   /* since start */
	uint64_t transitions_delivered;
	uint64_t facts_problems;
	uint64_t persons_failed;     /* refused by the store, kept as they were */
	uint64_t last_delivered_id;
	bool swept;		     /* a full sweep has completed under this profile */
	uint64_t sweeps;	     /* complete sweeps since start */
	uint64_t resumed;	     /* starts that resumed from the stored watermark */
	uint64_t markers_skipped;    /* change markers found already processed */
	cw_time last_pass_at;	     /* CW_TIME_NONE before the first */
	int64_t last_pass_ms;
	uint64_t last_pass_persons;
};

/* Loads the profile and calendar the settings name; NULL (errors logged)
 * when either is invalid, which the daemon treats as fatal at start. */
struct cw_poller *cw_poller_new(const struct cw_conf *conf);
void cw_poller_free(struct cw_poller *p);

/* The hooks to give cw_daemon_set_hooks(). */
void cw_poller_hooks(struct cw_poller *p, struct cw_hooks *hooks);

/* Where delivered transitions also go (both optional). */
void cw_poller_set_sinks(struct cw_poller *p, struct cw_translog *tlog, struct cw_alertbus *bus);

/* The team directory to read from the records on every (re)connection and
 * every pass when older than a minute (borrowed; for the socket's filters). */
void cw_poller_set_teams(struct cw_poller *p, struct cw_teams *teams);

/* With --once --json: after the pass, print the open alerts to out. */
void cw_poller_set_json_output(struct cw_poller *p, FILE *out);

/* --once: every pass sweeps, whatever the store says (a report is whole). */
void cw_poller_force_sweep(struct cw_poller *p);

void cw_poller_get_stats(const struct cw_poller *p, struct cw_poller_stats *st);

/* The profile in force: the one loaded at start or by the last reload
 * that named a valid one (a reload replaces it: do not keep it). */
const struct cw_policy *cw_poller_policy(const struct cw_poller *p);
/* The calendar the passes count working days with. */
const struct cw_calendar *cw_poller_calendar(const struct cw_poller *p);
/* The profile setting the last reload refused (invalid, so the one in
 * force was kept), and when (*at); NULL when the last reload loaded its
 * profile. */
const char *cw_poller_profile_refused(const struct cw_poller *p, cw_time *at);
/* One person's retention under the profile in force, with the holds the
 * last pass read, on now's London date (casewatchctl retention explain
 * --person); a new JSON reference as cw_retention_to_json() gives, or NULL
 * when out of memory. */
json_t *cw_poller_retention_explain(const struct cw_poller *p, const struct cw_facts *facts, cw_time now);

#endif /* CASEWATCH_DAEMON_POLLER_H */
