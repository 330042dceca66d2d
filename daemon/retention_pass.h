/*
 * retention_pass.h - the records officers' notices of one person, for the pass's reconcile batch.
 *
 * A pass reads the holds records officers placed (casewatch.hold) once,
 * then for each person computes the retention (lib/retention.c) and adds
 * what the records officer is told to the batch casewatch.reconcile()
 * takes, so the notices are alerts and transitions like any other:
 *
 *  - an obligation keyed on the person and the basis rule (RET-CIN, ...):
 *    warn_at retention_notice_window (default 90 days) before destroy_on
 *    (upcoming: due_soon), due_at the start of destroy_on (due: overdue),
 *    suspended while held;
 *  - while held, a finding per kind of hold (HOLD-INQUIRY, HOLD-SAR, or
 *    HOLD-PLACED for a hold in casewatch.hold);
 *  - nothing while the record is open, kept or incomplete, so a notice
 *    already raised is withdrawn when a record reopens or changes;
 *  - a destruction decision not yet carried out (due, reviewed, approved)
 *    of a person no longer due is withdrawn (casewatch.destruction_withdraw,
 *    in the reconcile's transaction), and a reviewed one that fell is a
 *    DESTROY-WITHDRAWN finding until the record is reviewed afresh;
 *  - while the person's destruction is approved, a DESTROY-LIST obligation
 *    due destruction_grace after the approval: overdue when the person is
 *    still in the records then; withdrawn when the person is gone (the
 *    destruction confirmed).
 * A person gone without approval (NO-EARLY-DESTROY) is told to the records
 * officer (a finding on the person) and the service manager (an overdue
 * obligation on the deletion of the person).
 *
 * docs/retention.md explains them for records officers.
 */
#ifndef CASEWATCH_DAEMON_RETENTION_PASS_H
#define CASEWATCH_DAEMON_RETENTION_PASS_H

#include <stddef.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "casewatch/facts.h"
#include "casewatch/policy.h"
#include "casewatch/retention.h"
#include "obligation_batch.h"

/* "Upcoming": this many days before destroy_on, unless configured
 * (retention_notice_window). */
#define CW_RETENTION_UPCOMING_DAYS 90
/* Persons retained longer than this ahead are not stored until a sweep
 * brings them closer (keeps the store to what is near). */
#define CW_RETENTION_STORE_AHEAD_DAYS 400
/* The rule id of a notice held by a hold a records officer placed. */
#define CW_RETENTION_PLACED_RULE "HOLD-PLACED"
/* The rule id of an approved destruction not carried out in time: the
 * register (rules.md DESTROY-LIST, 003 §5.13) cannot list it until it is. */
#define CW_RETENTION_GRACE_RULE "DESTROY-LIST"

/* The rule id of a reviewed destruction decision withdrawn because the
 * record reopened, changed or came under a hold. */
#define CW_RETENTION_WITHDRAWN_RULE "DESTROY-WITHDRAWN"

/* A person gone from the records without approval (NO-EARLY-DESTROY). */
struct cw_retention_vanished {
	int64_t person_id;
	int64_t team_id; /* CW_ID_NONE */
	cw_time at;	 /* when casewatch found the person gone */
};

/* A person whose destruction decision is open (due, reviewed, approved)
 * or was withdrawn after a review. */
struct cw_retention_approved {
	int64_t person_id;
	cw_time at; /* the approval (else the last change) */
	char state; /* 'd'ue, 'r'eviewed, 'a'pproved, 'w'ithdrawn */
};

/* What a pass reads once: the placed holds it applies (each owns its
 * strings and ids), the vanished and the approved persons, ascending; and
 * the settings it applies them with. */
struct cw_retention_holds {
	size_t n, cap;
	struct cw_hold *v;
	size_t n_vanished, cap_vanished;
	struct cw_retention_vanished *vanished;
	size_t n_approved, cap_approved;
	struct cw_retention_approved *approved;
	int notice_days;	 /* retention_notice_window, whole days */
	int64_t grace_seconds;	 /* destruction_grace */
};

/* The holds still running on a day: $1 is the London date. Columns:
 * hold_id, scope, category, involved_from, involved_to, person ids
 * ("1,2,3"), reason, starts, ends. */
extern const char cw_retention_holds_sql[];

/* Confirms approved destructions of persons gone from the records and
 * raises NO-EARLY-DESTROY for the others ($1: now, $2: the rule id or
 * NULL); 006_retention.sql. */
extern const char cw_retention_gone_sql[];
/* The profile's enabled NO-EARLY-DESTROY rule (a destruction rule with
 * check retention_ended), or NULL. */
const char *cw_retention_no_early_rule(const struct cw_policy *policy);

void cw_retention_holds_init(struct cw_retention_holds *h);
/* Empties the list (before a pass reads it again). */
void cw_retention_holds_clear(struct cw_retention_holds *h);
void cw_retention_holds_free(struct cw_retention_holds *h);
/* Adds one row of cw_retention_holds_sql; false (row skipped, logged by the
 * caller) when the row is malformed or memory ran out. */
bool cw_retention_holds_add_row(struct cw_retention_holds *h, const PGresult *res, int row);

/* The vanished persons, their last team and when they were found gone
 * ($1: the NO-EARLY-DESTROY rule id); columns person_id, team_id, at (UTC
 * seconds), ascending by person. */
extern const char cw_retention_vanished_sql[];
/* Adds one row of cw_retention_vanished_sql; false when malformed or out
 * of memory. */
bool cw_retention_vanished_add_row(struct cw_retention_holds *h, const PGresult *res, int row);

/* The destruction decisions not yet carried out, and those withdrawn
 * after a review; columns person_id, approved at (else changed at; UTC
 * seconds), state, ascending by person. */
extern const char cw_retention_approved_sql[];
/* Adds one row of cw_retention_approved_sql; false when malformed or out
 * of memory. */
bool cw_retention_approved_add_row(struct cw_retention_holds *h, const PGresult *res, int row);

/* A person the records no longer have: when vanished, the finding of rule
 * (the profile's NO-EARLY-DESTROY) for the records officer and its
 * obligation for the service manager are appended to `into`, so
 * reconciling the gone person keeps them open. Returns how many were
 * appended (0 to 2: a time the store cannot hold is left out). */
size_t cw_retention_pass_gone(const struct cw_retention_holds *h, const char *rule, int64_t person_id,
			      struct cw_obatch *into);

/* Computes the person's retention on `now`'s London date into *scratch and
 * appends the notices to `into` (the reconcile batch). Returns how many. */
size_t cw_retention_pass_person(const struct cw_policy *policy, const struct cw_calendar *cal,
				const struct cw_facts *facts, cw_time now,
				const struct cw_retention_holds *holds, struct cw_retention *scratch,
				struct cw_obatch *into);

#endif /* CASEWATCH_DAEMON_RETENTION_PASS_H */
