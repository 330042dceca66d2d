/*
 * team_pass.h - the pass's team step: read the period's roll-backs, compute the team-level alerts, reconcile them.
 *
 * Team-level alerts (ROLLBACK-RATE) have a team as subject and no person,
 * so they are not part of the per-person pages. Once per pass, before the
 * persons, the step reads records.team_rollback for the current period
 * (a London calendar month: a few rows per team), computes the alerts
 * with lib/team_alert.c and hands them to casewatch.reconcile_team()
 * (008), which writes their transitions like any other; the pass's
 * deliver phase sends them. Asynchronous throughout. A failure is logged
 * and never stops the pass (the alerts stay as they were until the next).
 */
#ifndef CASEWATCH_DAEMON_TEAM_PASS_H
#define CASEWATCH_DAEMON_TEAM_PASS_H

#include <stdbool.h>

#include "casewatch/calendar.h"
#include "casewatch/policy.h"
#include "db.h"

struct cw_team_pass;

struct cw_team_pass *cw_team_pass_new(void);
/* Frees the step; a run in flight must have been dropped (cw_db_free()). */
void cw_team_pass_free(struct cw_team_pass *t);

/* The step's end: ok false when it failed (logged); lost when the
 * connection went (the pass ends). */
typedef void (*cw_team_pass_done_fn)(struct cw_db *db, bool ok, bool lost, void *arg);

/* Runs the step at now (now_text: the same instant as the store takes it);
 * done is called later, never from within this call. False (logged, done
 * not called) when the step could not be sent. With no team-level rule
 * enabled it reads nothing and still reconciles, with nothing owed, so the
 * alerts of a rule switched off are withdrawn. policy points at the
 * caller's current profile, read when the roll-backs are in (a reload may
 * replace it meanwhile). */
bool cw_team_pass_run(struct cw_team_pass *t, struct cw_db *db, const struct cw_policy *const *policy, cw_time now,
		      const char *now_text, cw_team_pass_done_fn done, void *arg);

/* Team-level alerts the last completed step computed. */
unsigned cw_team_pass_alerts(const struct cw_team_pass *t);

#endif /* CASEWATCH_DAEMON_TEAM_PASS_H */
