/*
 * retention.h - how long one person's record is kept, and whether it may go.
 *
 * cw_retention_compute() is a pure function of one person's facts, a
 * profile, the holds placed on records and a day: for every retention rule
 * of the profile that applies to the person (each is a "category": RET-CIN,
 * RET-YJ-REPR, ST-RET-LAC, ...) the anchor it counts from and the day its
 * period ends; the first day the record may be destroyed (the latest of
 * them, destroy_on); which rule decides it (basis); every hold that covers
 * the person on that day; and one state:
 *
 *   open        an involvement is still open: never due, whatever the dates
 *   kept        a rule that is never scheduled here applies (RET-GUARD), or
 *               no retention rule applies at all
 *   incomplete  an anchor a period needs is missing (missing[] names it):
 *               never treated as due
 *   retained    some period has not ended (until destroy_on)
 *   held        every period has ended but a hold covers the person
 *   due         every period has ended and no hold applies
 *
 * Periods, anchors, the "whichever is later" choice, death and statutory
 * variants are all read from the profile's rules (keep, instead,
 * interpretation.combine): there is no table of periods in code. Dates are
 * civil dates; a period ends on anchor + period (period.h: 29 February + 1 y
 * is 28 February), and that day is destroy_on, the first day destruction is
 * allowed. A hold that ends on a day still covers that day.
 */
#ifndef CASEWATCH_RETENTION_H
#define CASEWATCH_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casewatch/calendar.h"
#include "casewatch/facts.h"
#include "casewatch/policy.h"

/* Retention rules evaluated for one person at most, and holds listed. */
#define CW_RETENTION_MAX_CATEGORIES 32
#define CW_RETENTION_MAX_TERMS 4
#define CW_RETENTION_MAX_HOLDS 16

enum cw_retention_state {
	CW_RET_OPEN,
	CW_RET_KEPT,
	CW_RET_INCOMPLETE,
	CW_RET_RETAINED,
	CW_RET_HELD,
	CW_RET_DUE,
	CW_RET_STATE_COUNT
};

/* What a hold covers. */
enum cw_hold_scope {
	CW_HOLD_ALL,	  /* every person */
	CW_HOLD_CATEGORY, /* persons with an involvement of `category` */
	CW_HOLD_PERIOD,	  /* persons with an involvement overlapping [from, to] */
	CW_HOLD_PERSONS,  /* the persons listed */
	CW_HOLD_SCOPE_COUNT
};

/* A hold placed by a records officer (casewatch.hold), or one the engine
 * derives from the profile or the records (then id is CW_ID_NONE). */
struct cw_hold {
	int64_t id;	   /* casewatch.hold id; CW_ID_NONE if not placed */
	const char *source; /* "placed", or the rule id (HOLD-INQUIRY, HOLD-SAR) */
	const char *reason; /* reason code (placed), or NULL */
	enum cw_hold_scope scope;
	const char *category; /* CW_HOLD_CATEGORY: an involvement category */
	cw_day from, to;      /* CW_HOLD_PERIOD: to may be CW_DAY_NONE (still running) */
	size_t n_persons;     /* CW_HOLD_PERSONS */
	const int64_t *persons;
	cw_day starts;	      /* CW_DAY_NONE: since ever */
	cw_day ends;	      /* last day covered; CW_DAY_NONE: no end */
};

/* One term of a category: keep until anchor + period. */
struct cw_retention_term {
	const struct cw_keep *keep;
	cw_day anchor;	     /* CW_DAY_NONE: missing */
	int64_t anchor_id;   /* the involvement or record it came from, or CW_ID_NONE */
	cw_day ends;	     /* anchor + period, or CW_DAY_NONE */
	const char *missing; /* what is missing ("date_of_birth", ...), or NULL */
};

/* One applicable retention rule. */
struct cw_retention_category {
	const struct cw_rule *rule;
	bool scheduled;			      /* false: kept (RET-GUARD) */
	const struct cw_keep_variant *variant; /* the "instead" that applied, or NULL */
	size_t n_terms;
	struct cw_retention_term terms[CW_RETENTION_MAX_TERMS];
	cw_day ends; /* the terms combined; CW_DAY_NONE if unscheduled or missing */
	const char *missing; /* the first missing anchor, or NULL */
};

/* A hold that covers the person on the day computed. */
struct cw_retention_hold {
	int64_t id;	    /* placed hold id, or CW_ID_NONE */
	const char *source; /* "placed" or a rule id */
	const char *reason;
	cw_day starts, ends;
	int64_t event_id;   /* HOLD-SAR: the access request event, else CW_ID_NONE */
	int64_t request_id; /* HOLD-SAR: the records' access request, else CW_ID_NONE */
};

struct cw_retention {
	int64_t person_id;
	cw_day day;			/* the day computed for */
	enum cw_retention_state state;
	cw_day destroy_on;		/* CW_DAY_NONE unless every category has an end */
	const struct cw_rule *basis;	/* the category deciding destroy_on (or kept), or NULL */
	int64_t open_involvement;	/* CW_RET_OPEN: the first open involvement */
	size_t n_categories;
	struct cw_retention_category categories[CW_RETENTION_MAX_CATEGORIES];
	size_t n_holds;			/* holds covering the person on `day` */
	size_t n_holds_listed;		/* at most CW_RETENTION_MAX_HOLDS of them */
	struct cw_retention_hold holds[CW_RETENTION_MAX_HOLDS];
	cw_day next_change;		/* the next day the state may change with no new
					 * data (a period or a hold ending), or CW_DAY_NONE */
};

/* Computes the person's retention on `day` (a London civil date) under the
 * profile's enabled retention and hold rules plus the placed holds given.
 * cal and nation are needed only for working-day periods (may be NULL
 * otherwise). Never fails: missing data becomes the incomplete state. */
void cw_retention_compute(const struct cw_facts *facts, const struct cw_policy *policy,
			  const struct cw_hold *holds, size_t n_holds, cw_day day,
			  const struct cw_calendar *cal, struct cw_retention *out);

/* True when the hold covers the person on the day (scope and dates). */
bool cw_hold_covers(const struct cw_hold *hold, const struct cw_facts *facts, cw_day day);

/* Whether moving from profile `old` to `fresh` could bring a destruction
 * date earlier: a retention rule of old that fresh removes or disables, a
 * keep term whose period is shorter (by nominal length) or whose anchor
 * changed, "later" turned to "earlier", a different number of terms, or
 * new "instead" variants. why gets the first reason, e.g. "RET-CIN: keep[0]
 * 25y -> 20y". Profile holds are not compared. */
bool cw_retention_shortened(const struct cw_policy *old, const struct cw_policy *fresh, char *why, size_t size);

/* "open", "kept", "incomplete", "retained", "held", "due". */
const char *cw_retention_state_name(enum cw_retention_state state);
/* "all", "category", "period", "persons". */
const char *cw_hold_scope_name(enum cw_hold_scope scope);
bool cw_hold_scope_parse(const char *text, enum cw_hold_scope *out);

/* The whole reasoning as JSON (docs/retention.md): state, destroy_on (ISO
 * date or null), basis (rule id or null), categories with their terms, and
 * holds. New reference. */
json_t *cw_retention_to_json(const struct cw_retention *r);

#endif /* CASEWATCH_RETENTION_H */
