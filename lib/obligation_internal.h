/* obligation_internal.h - what the obligation engine's files share. */
#ifndef CASEWATCH_OBLIGATION_INTERNAL_H
#define CASEWATCH_OBLIGATION_INTERNAL_H

#include "casewatch/obligation.h"
#include "casewatch/period.h"

/* A moment that can meet an obligation: a finalised record, an event, or
 * a hazard review. */
struct obl_done {
	cw_time at;	       /* finalised_at / event time / review time */
	enum cw_met_by kind;
	int64_t id;	       /* record, event or hazard id */
	size_t index;	       /* index in facts->records / events (records, events) */
	int64_t event_id;      /* records: the event it answers, or CW_ID_NONE */
	cw_time event_at;      /* records: when the recorded event happened */
	cw_time entered_at;    /* records: when writing began */
	bool used;	       /* already met an obligation of the current rule */
};

/* A timed event, for walking events in time order. */
struct obl_ev {
	cw_time at;
	int64_t id;
	size_t idx; /* index in facts->events */
};

/* A period in which a recurring rule runs (a case open, a hazard active). */
struct obl_span {
	cw_time open;
	cw_time close; /* CW_TIME_NONE: still open */
	int64_t id;    /* the involvement (the earliest of merged ones) */
};

/* One anchor event of the current rule and what met it. */
struct obl_anchor {
	size_t ev;	  /* index in facts->events */
	cw_time at;
	int64_t id;
	long match;	  /* index in the done list, or -1 */
};

/* Working memory, grown as needed and kept across persons. */
struct obl_scratch {
	struct obl_ev *events; /* timed, non-cancelled events by (at, id) */
	size_t n_events, cap_events;
	struct obl_done *done; /* candidates of the current rule, by (at, kind, id) */
	size_t n_done, cap_done;
	struct obl_anchor *anchors; /* anchors of the current rule */
	size_t n_anchors, cap_anchors;
	struct obl_span *spans;	    /* recurring: periods the rule runs in */
	size_t n_spans, cap_spans;
	size_t *late;	       /* records that met some obligation late */
	size_t n_late, cap_late;
};

/* Everything one computation needs. */
struct obl_ctx {
	const struct cw_policy *policy;
	const struct cw_calendar *cal;
	const struct cw_facts *f;
	cw_time now;
	int64_t horizon;       /* < 0: none */
	enum cw_nation nation;
	int eod;	       /* end of day, seconds after London midnight */
	struct cw_obligations *out;
	struct obl_scratch *s;
	bool absorbed;	       /* a rule turned record/event problems into findings */
};

/* obligation.c */
void *obl_grow(void *v, size_t *cap, size_t need, size_t size);
struct cw_obligation *obl_new(struct obl_ctx *c, const struct cw_rule *r,
			      enum cw_obligation_anchor kind, int64_t anchor_id, cw_time cycle_start);
void obl_set_due(struct obl_ctx *c, struct cw_obligation *o, cw_time anchor_at, cw_time due_at);
void obl_set_met(struct obl_ctx *c, struct cw_obligation *o, const struct obl_done *d);
void obl_finish(struct obl_ctx *c, struct cw_obligation *o);
bool obl_applies(const struct obl_ctx *c, const struct cw_rule *r, cw_time at);
bool obl_event_is(const struct cw_facts_event *e, const struct cw_codes *types);
cw_time obl_day_start(cw_day day);
void obl_collect_done(struct obl_ctx *c, const struct cw_rule *r, bool with_events);
int obl_cmp_done(const void *a, const void *b);
cw_time obl_due(const struct obl_ctx *c, const struct cw_period *p, cw_time anchor);

/* obligation_event.c */
void obl_collect_anchors(struct obl_ctx *c, const struct cw_rule *r);
void obl_after_event(struct obl_ctx *c, const struct cw_rule *r);
void obl_before_event(struct obl_ctx *c, const struct cw_rule *r);
void obl_birthday(struct obl_ctx *c, const struct cw_rule *r);
cw_time obl_birthday_at(const struct cw_facts *f, int age);

/* obligation_recurring.c */
void obl_recurring(struct obl_ctx *c, const struct cw_rule *r);

/* obligation_content.c */
void obl_content(struct obl_ctx *c, const struct cw_rule *r);

#endif /* CASEWATCH_OBLIGATION_INTERNAL_H */
