/*
 * obligation.h - one person's recording obligations, from facts and a profile.
 *
 * cw_obligations_compute() is a pure function: the same facts, profile and
 * `now` always give the same obligations in the same order with the same
 * keys, so the daemon may recompute a person as often as it likes and
 * reconcile by key. docs/obligations.md gives the semantics of every rule
 * kind; this header gives the shapes.
 *
 * An obligation's status at any instant is cw_obligation_status(o, t): its
 * times are fixed at computation, and `next_at` says when, with no change
 * of data, the status next changes (so the daemon can sleep until then).
 * Content rules give findings (status "violation") that never change with
 * time.
 */
#ifndef CASEWATCH_OBLIGATION_H
#define CASEWATCH_OBLIGATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/facts.h"
#include "casewatch/policy.h"

/* Escalation steps an obligation carries at most (policy check keeps
 * profiles within it). */
#define CW_OBLIGATION_MAX_ESCALATIONS CW_POLICY_MAX_ESCALATIONS
/* "<person>:<rule>:<anchor kind>:<anchor id>[:<cycle start>]" plus NUL. */
#define CW_OBLIGATION_KEY_MAX 160
/* A violation's detail: comma-separated field or record-type names. */
#define CW_OBLIGATION_DETAIL_MAX 192

enum cw_obligation_status {
	CW_STATUS_PENDING,     /* before the warning time */
	CW_STATUS_DUE_SOON,    /* warn_at <= now < due_at */
	CW_STATUS_OVERDUE,     /* due_at <= now, before the first escalation */
	CW_STATUS_ESCALATED,   /* an escalation step reached (cw_obligation_escalation_level) */
	CW_STATUS_MET_ON_TIME, /* met at or before due_at */
	CW_STATUS_MET_LATE,    /* met after due_at (late_by seconds) */
	CW_STATUS_SUSPENDED,   /* the clock is stopped (suspend_while without suspend_until) */
	CW_STATUS_VIOLATION,   /* a content finding */
	CW_STATUS_COUNT
};

/* What an obligation hangs on (the key's "anchor kind"). */
enum cw_obligation_anchor {
	CW_OBL_EVENT,	    /* an event row */
	CW_OBL_INVOLVEMENT, /* an involvement row (recurring rules) */
	CW_OBL_HAZARD,	    /* a hazard row */
	CW_OBL_BIRTHDAY,    /* the person's birthday (anchor id = the age) */
	CW_OBL_PERSON,	    /* the person as a whole (content: required records) */
	CW_OBL_RECORD,	    /* a record row (content) */
	CW_OBL_DELETION,    /* a deletion (anchor id = the deleted record's id) */
	CW_OBL_SHARING,	    /* an information-sharing row */
	CW_OBL_ACCESS,	    /* a restricted-access row */
	CW_OBL_FORGET,	    /* a forget request */
	CW_OBL_ANCHOR_COUNT
};

/* What met an obligation. */
enum cw_met_by {
	CW_MET_BY_NONE,
	CW_MET_BY_RECORD,	/* met_by is a record id */
	CW_MET_BY_EVENT,	/* met_by is an event id */
	CW_MET_BY_HAZARD_REVIEW /* met_by is the hazard id; met_at the review */
};

struct cw_obligation {
	const struct cw_rule *rule;
	const char *rule_id;
	int64_t person_id;
	enum cw_obligation_anchor anchor_kind;
	int64_t anchor_id;
	cw_time cycle_start; /* recurring: the cycle's start; else CW_TIME_NONE */
	char key[CW_OBLIGATION_KEY_MAX];

	cw_time anchor_at; /* the anchoring instant (event, opening, birthday) */
	cw_time warn_at;   /* due soon from here; CW_TIME_NONE: no warning */
	cw_time due_at;	   /* CW_TIME_NONE for violations */
	size_t n_escalations;
	cw_time escalate_at[CW_OBLIGATION_MAX_ESCALATIONS];
	const char *escalate_to[CW_OBLIGATION_MAX_ESCALATIONS];
	const char *audience_base; /* the rule's audience, before any escalation */
	const char *audience; /* who is told at the `now` of the computation */

	bool met;
	cw_time met_at;	   /* CW_TIME_NONE unless met */
	enum cw_met_by met_by_kind;
	int64_t met_by;	   /* record / event / hazard id, or CW_ID_NONE */
	int64_t late_by;   /* seconds met after due_at (0 when on time or unmet) */
	bool suspended;	   /* at the `now` of the computation */
	bool violation;	   /* a content finding */
	char detail[CW_OBLIGATION_DETAIL_MAX]; /* violations: what is missing, ids and codes only */

	cw_time next_at;   /* next status change after `now` with no data change, or CW_TIME_NONE */
};

/* The obligations of one person; reusable across persons. */
struct cw_obligations {
	size_t count;
	struct cw_obligation *v;
	size_t cap;
	/* Facts problems the profile has no data-quality rule for: the caller
	 * logs them (cw_facts_problem_format). Pointers into the facts. */
	size_t n_problems;
	const struct cw_facts_problem **problems;
	size_t cap_problems;
	/* Rules evaluated in the last computation (for the benchmark). */
	size_t rules_evaluated;
	void *scratch; /* private working memory */
};

struct cw_compute_options {
	/* Met obligations due and met more than this many seconds before now
	 * are not emitted (unmet ones always are). Negative: no limit. */
	int64_t horizon;
};

void cw_obligations_init(struct cw_obligations *out);
void cw_obligations_free(struct cw_obligations *out);

/* Computes every obligation of one person under a profile at `now`
 * (opts NULL: no horizon). out's previous contents are replaced. Rules that
 * are disabled, and retention, hold and destruction rules, are skipped.
 * Never fails on data: bad rows were reported by the facts parser. */
void cw_obligations_compute(const struct cw_policy *policy, const struct cw_calendar *cal,
			    const struct cw_facts *facts, cw_time now,
			    const struct cw_compute_options *opts, struct cw_obligations *out);

/* The status at an instant (a pure function of the obligation and t). */
enum cw_obligation_status cw_obligation_status(const struct cw_obligation *o, cw_time t);
/* How many escalation steps have been reached at t (0 before the first). */
int cw_obligation_escalation_level(const struct cw_obligation *o, cw_time t);
/* Who is told at t: the rule's audience, or the last escalation reached. */
const char *cw_obligation_audience(const struct cw_obligation *o, cw_time t);
/* The next instant after t at which the status changes with no data
 * change, or CW_TIME_NONE (met, suspended, violation, last step reached). */
cw_time cw_obligation_next_change(const struct cw_obligation *o, cw_time t);
/* "pending", "due_soon", "overdue", "escalated", "met_on_time", "met_late",
 * "suspended", "violation". */
const char *cw_obligation_status_name(enum cw_obligation_status status);
/* "event", "involvement", "hazard", "birthday", "person", "record",
 * "deletion", "sharing", "access", "forget_request" (as in keys). */
const char *cw_obligation_anchor_name(enum cw_obligation_anchor anchor);

/* A time as the socket and --json print it (new reference), or null. */
json_t *cw_time_json(cw_time t);
/* "event:10" or "involvement:1:1736467200": the key without person and rule. */
void cw_obligation_anchor_text(const struct cw_obligation *o, char *buf, size_t n);
/* The obligation at `at` as JSON (new reference; NULL on exhaustion):
 * person, rule, anchor, key, anchor_at, warn, due, escalations [{at,
 * audience}], next_at, state, escalation_level, audience, and met_at,
 * met_by {kind, id}, late_by when met, suspended, detail (findings), as
 * docs/casewatchctl.md gives them (evaluate --json, explain --alert). */
json_t *cw_obligation_to_json(const struct cw_obligation *o, cw_time at);

#endif /* CASEWATCH_OBLIGATION_H */
