/* obligation.c - the engine's driver: rules in order, shared helpers, status. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obligation_internal.h"

static const char *const status_names[CW_STATUS_COUNT] = {
	[CW_STATUS_PENDING] = "pending",	 [CW_STATUS_DUE_SOON] = "due_soon",
	[CW_STATUS_OVERDUE] = "overdue",	 [CW_STATUS_ESCALATED] = "escalated",
	[CW_STATUS_MET_ON_TIME] = "met_on_time", [CW_STATUS_MET_LATE] = "met_late",
	[CW_STATUS_SUSPENDED] = "suspended",	 [CW_STATUS_VIOLATION] = "violation",
};

static const char *const anchor_names[CW_OBL_ANCHOR_COUNT] = {
	[CW_OBL_EVENT] = "event",	    [CW_OBL_INVOLVEMENT] = "involvement",
	[CW_OBL_HAZARD] = "hazard",	    [CW_OBL_BIRTHDAY] = "birthday",
	[CW_OBL_PERSON] = "person",	    [CW_OBL_RECORD] = "record",
	[CW_OBL_DELETION] = "deletion",	    [CW_OBL_SHARING] = "sharing",
	[CW_OBL_ACCESS] = "access",	    [CW_OBL_FORGET] = "forget_request",
};

const char *cw_obligation_status_name(enum cw_obligation_status status)
{
	if ((int)status < 0 || status >= CW_STATUS_COUNT)
		return "?";
	return status_names[status];
}

const char *cw_obligation_anchor_name(enum cw_obligation_anchor anchor)
{
	if ((int)anchor < 0 || anchor >= CW_OBL_ANCHOR_COUNT)
		return "?";
	return anchor_names[anchor];
}

int cw_obligation_escalation_level(const struct cw_obligation *o, cw_time t)
{
	int level = 0;

	for (size_t i = 0; i < o->n_escalations; i++)
		if (t >= o->escalate_at[i])
			level = (int)i + 1;
	return level;
}

enum cw_obligation_status cw_obligation_status(const struct cw_obligation *o, cw_time t)
{
	if (o->violation)
		return CW_STATUS_VIOLATION;
	/* A completion dated in the future (a planned conference) counts from
	 * its own time on. */
	if (o->met && t >= o->met_at)
		return o->met_at <= o->due_at ? CW_STATUS_MET_ON_TIME : CW_STATUS_MET_LATE;
	if (o->suspended)
		return CW_STATUS_SUSPENDED;
	if (t < o->due_at)
		return o->warn_at != CW_TIME_NONE && t >= o->warn_at ? CW_STATUS_DUE_SOON
								   : CW_STATUS_PENDING;
	return cw_obligation_escalation_level(o, t) > 0 ? CW_STATUS_ESCALATED : CW_STATUS_OVERDUE;
}

const char *cw_obligation_audience(const struct cw_obligation *o, cw_time t)
{
	int level = o->violation || (o->met && t >= o->met_at) || o->suspended
			    ? 0
			    : cw_obligation_escalation_level(o, t);

	return level > 0 ? o->escalate_to[level - 1] : o->audience_base;
}

/* The smallest of the candidate instants after t. */
static cw_time later_min(cw_time best, cw_time cand, cw_time t)
{
	if (cand == CW_TIME_NONE || cand <= t)
		return best;
	return best == CW_TIME_NONE || cand < best ? cand : best;
}

cw_time cw_obligation_next_change(const struct cw_obligation *o, cw_time t)
{
	cw_time next = CW_TIME_NONE;

	if (o->violation || (o->met && t >= o->met_at))
		return CW_TIME_NONE;
	if (o->met)
		next = later_min(next, o->met_at, t);
	if (o->suspended)
		return next;
	next = later_min(next, o->warn_at, t);
	next = later_min(next, o->due_at, t);
	for (size_t i = 0; i < o->n_escalations; i++)
		next = later_min(next, o->escalate_at[i], t);
	return next;
}

/* Grows an array to hold need elements (doubling); aborts when memory is
 * exhausted, which no caller could recover from. */
void *obl_grow(void *v, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;

	if (need <= *cap)
		return v;
	while (n < need)
		n *= 2;
	v = realloc(v, n * size);
	if (!v) {
		fprintf(stderr, "casewatch: out of memory\n");
		abort();
	}
	*cap = n;
	return v;
}

/* London midnight at the start of a civil date. */
cw_time obl_day_start(cw_day day)
{
	return cw_london_to_utc(day, 0);
}

/* When a period from anchor falls due under this person's calendar. */
cw_time obl_due(const struct obl_ctx *c, const struct cw_period *p, cw_time anchor)
{
	return cw_period_due(p, anchor, c->cal, c->nation, c->eod);
}

/* True when the event is of one of the types. */
bool obl_event_is(const struct cw_facts_event *e, const struct cw_codes *types)
{
	return e->type && cw_codes_has(types, e->type);
}

/* An involvement covers a civil date when it started on or before it and
 * has not ended before it. */
static bool covers(const struct cw_facts_involvement *inv, cw_day day)
{
	return inv->start != CW_DAY_NONE && inv->start <= day &&
	       (inv->end == CW_DAY_NONE || inv->end >= day);
}

/* applies_to: the person has now, or had at `at`, an involvement of the
 * rule's categories (and youth-justice outcomes); no restriction: true. */
bool obl_applies(const struct obl_ctx *c, const struct cw_rule *r, cw_time at)
{
	cw_day today = cw_london_day(c->now);
	cw_day then = at != CW_TIME_NONE ? cw_london_day(at) : today;

	if (!r->applies_involvements.n && !r->applies_outcomes.n)
		return true;
	for (size_t i = 0; i < c->f->n_involvements; i++) {
		const struct cw_facts_involvement *inv = &c->f->involvements[i];

		if (r->applies_involvements.n &&
		    !(inv->category && cw_codes_has(&r->applies_involvements, inv->category)))
			continue;
		if (r->applies_outcomes.n && !(inv->outcome && cw_codes_has(&r->applies_outcomes, inv->outcome)))
			continue;
		if (covers(inv, today) || covers(inv, then))
			return true;
	}
	return false;
}

/* Completion order: time, then records before events, then id. */
int obl_cmp_done(const void *a, const void *b)
{
	const struct obl_done *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* True when a record answers an event that itself meets the rule (a visit
 * and the record of that visit): the pair is one completion, the event's,
 * so it cannot meet two obligations or start two cycles. */
static bool answers_satisfied_event(const struct obl_ctx *c, const struct cw_rule *r,
				    const struct cw_facts_record *rec)
{
	if (!r->satisfied_events.n || rec->event_id == CW_ID_NONE)
		return false;
	for (size_t i = 0; i < c->s->n_events; i++) {
		const struct cw_facts_event *e = &c->f->events[c->s->events[i].idx];

		if (e->id == rec->event_id)
			return obl_event_is(e, &r->satisfied_events);
	}
	return false;
}

/* Fills the scratch list with what can meet the rule: finalised records of
 * its satisfied types and (with_events) timed, non-cancelled events of its
 * satisfied event types, in time order. */
void obl_collect_done(struct obl_ctx *c, const struct cw_rule *r, bool with_events)
{
	struct obl_scratch *s = c->s;
	const struct cw_facts *f = c->f;

	s->n_done = 0;
	if (r->satisfied_records.n)
		for (size_t i = 0; i < f->n_records; i++) {
			const struct cw_facts_record *rec = &f->records[i];
			struct obl_done *d;

			if (rec->finalised_at == CW_TIME_NONE || !rec->type ||
			    (!r->satisfied_any_record && !cw_codes_has(&r->satisfied_records, rec->type)))
				continue;
			if (with_events && answers_satisfied_event(c, r, rec))
				continue;
			s->done = obl_grow(s->done, &s->cap_done, s->n_done + 1, sizeof(*s->done));
			d = &s->done[s->n_done++];
			d->at = rec->finalised_at;
			d->kind = CW_MET_BY_RECORD;
			d->id = rec->id;
			d->index = i;
			d->event_id = rec->event_id;
			d->event_at = rec->event_at;
			d->entered_at = rec->entered_at;
			d->used = false;
		}
	if (with_events && r->satisfied_events.n)
		for (size_t i = 0; i < s->n_events; i++) {
			const struct cw_facts_event *e = &f->events[s->events[i].idx];
			struct obl_done *d;

			if (!obl_event_is(e, &r->satisfied_events))
				continue;
			s->done = obl_grow(s->done, &s->cap_done, s->n_done + 1, sizeof(*s->done));
			d = &s->done[s->n_done++];
			d->at = e->at;
			d->kind = CW_MET_BY_EVENT;
			d->id = e->id;
			d->index = s->events[i].idx;
			d->event_id = CW_ID_NONE;
			d->event_at = e->at;
			d->entered_at = CW_TIME_NONE;
			d->used = false;
		}
	if (s->n_done > 1)
		qsort(s->done, s->n_done, sizeof(*s->done), obl_cmp_done);
}

/* Appends an obligation with its identity and key; times are set after. */
struct cw_obligation *obl_new(struct obl_ctx *c, const struct cw_rule *r,
			      enum cw_obligation_anchor kind, int64_t anchor_id, cw_time cycle_start)
{
	struct cw_obligations *out = c->out;
	struct cw_obligation *o;
	int n;

	out->v = obl_grow(out->v, &out->cap, out->count + 1, sizeof(*out->v));
	o = &out->v[out->count++];
	memset(o, 0, sizeof(*o));
	o->rule = r;
	o->rule_id = r->id;
	o->person_id = c->f->person_id;
	o->anchor_kind = kind;
	o->anchor_id = anchor_id;
	o->cycle_start = cycle_start;
	n = snprintf(o->key, sizeof(o->key), "%lld:%s:%s:%lld", (long long)o->person_id, r->id,
		     anchor_names[kind], (long long)anchor_id);
	if (cycle_start != CW_TIME_NONE && n > 0 && (size_t)n < sizeof(o->key))
		snprintf(o->key + n, sizeof(o->key) - (size_t)n, ":%lld", (long long)cycle_start);
	o->anchor_at = CW_TIME_NONE;
	o->warn_at = CW_TIME_NONE;
	o->due_at = CW_TIME_NONE;
	o->audience_base = r->audience ? r->audience : "worker";
	o->audience = o->audience_base;
	o->met_at = CW_TIME_NONE;
	o->met_by_kind = CW_MET_BY_NONE;
	o->met_by = CW_ID_NONE;
	o->detail[0] = '\0';
	o->next_at = CW_TIME_NONE;
	return o;
}

/* Anchor and due time; the warning and escalations follow from the rule:
 * the warning `warn` before the due time (hours elapsed, day units at end
 * of day on the shifted date), escalation i at cw_period_due(after, due). */
void obl_set_due(struct obl_ctx *c, struct cw_obligation *o, cw_time anchor_at, cw_time due_at)
{
	const struct cw_rule *r = o->rule;
	size_t n = r->n_escalations;

	/* "no plan may fall due on a bank holiday by accident": a calendar
	 * deadline the profile moves off closed days lands on the end of the
	 * next working day. */
	if (r->due_next_working_day)
		due_at = cw_period_end_of_working_day(due_at, c->cal, c->nation, c->eod);
	o->anchor_at = anchor_at;
	o->due_at = due_at;
	o->warn_at = CW_TIME_NONE;
	if (r->has_warn) {
		cw_time w = cw_period_before(&r->warn, due_at, c->cal, c->nation, c->eod);

		o->warn_at = w < due_at ? w : due_at;
	}
	if (n > CW_OBLIGATION_MAX_ESCALATIONS)
		n = CW_OBLIGATION_MAX_ESCALATIONS;
	o->n_escalations = n;
	for (size_t i = 0; i < n; i++) {
		o->escalate_at[i] = obl_due(c, &r->escalations[i].after, due_at);
		o->escalate_to[i] = r->escalations[i].audience;
	}
}

/* Marks the obligation met by a completion (after its due time is set). */
void obl_set_met(struct obl_ctx *c, struct cw_obligation *o, const struct obl_done *d)
{
	struct obl_scratch *s = c->s;

	o->met = true;
	o->met_at = d->at;
	o->met_by_kind = d->kind;
	o->met_by = d->id;
	o->late_by = d->at > o->due_at ? d->at - o->due_at : 0;
	if (o->late_by > 0 && d->kind == CW_MET_BY_RECORD) {
		s->late = obl_grow(s->late, &s->cap_late, s->n_late + 1, sizeof(*s->late));
		s->late[s->n_late++] = d->index;
	}
}

/* Completes the last obligation appended: drops it when it is met, and
 * both its due time and its completion lie before the horizon; else fills
 * audience and next_at at `now`. */
void obl_finish(struct obl_ctx *c, struct cw_obligation *o)
{
	/* Before-event rules count the horizon from the event, not the due
	 * time; and a completion inside the horizon keeps the obligation
	 * whenever it fell due, so a record that arrives long after its due
	 * time resolves the alert as met late rather than making it vanish. */
	cw_time since = o->rule->kind == CW_RULE_BEFORE_EVENT ? o->anchor_at : o->due_at;

	if (o->met && o->met_at > since)
		since = o->met_at;
	if (!o->violation && c->horizon >= 0 && o->met && o->met_at <= c->now &&
	    since < c->now - c->horizon) {
		c->out->count--;
		return;
	}
	o->audience = cw_obligation_audience(o, c->now);
	o->next_at = cw_obligation_next_change(o, c->now);
}

/* Event walking order: time, then id. */
static int cmp_ev(const void *a, const void *b)
{
	const struct obl_ev *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void cw_obligations_init(struct cw_obligations *out)
{
	memset(out, 0, sizeof(*out));
}

void cw_obligations_free(struct cw_obligations *out)
{
	struct obl_scratch *s = out->scratch;

	if (s) {
		free(s->events);
		free(s->done);
		free(s->late);
		free(s->anchors);
		free(s->spans);
		free(s);
	}
	free(out->v);
	free(out->problems);
	cw_obligations_init(out);
}

/* One deadline rule. */
static void deadline_rule(struct obl_ctx *c, const struct cw_rule *r)
{
	switch (r->kind) {
	case CW_RULE_AFTER_EVENT:
	case CW_RULE_SAME_WORKING_DAY:
		if (r->anchor.kind == CW_ANCHOR_BIRTHDAY)
			obl_birthday(c, r);
		else if (r->anchor.kind == CW_ANCHOR_EVENT)
			obl_after_event(c, r);
		break;
	case CW_RULE_BEFORE_EVENT:
		if (r->anchor.kind == CW_ANCHOR_EVENT)
			obl_before_event(c, r);
		break;
	case CW_RULE_RECURRING:
		obl_recurring(c, r);
		break;
	default:
		break;
	}
}

void cw_obligations_compute(const struct cw_policy *policy, const struct cw_calendar *cal,
			    const struct cw_facts *facts, cw_time now,
			    const struct cw_compute_options *opts, struct cw_obligations *out)
{
	struct obl_ctx c = {
		.policy = policy, .cal = cal, .f = facts, .now = now,
		.horizon = opts ? opts->horizon : -1,
		.nation = facts->has_nation ? facts->nation : cw_policy_nation(policy),
		.eod = cw_policy_end_of_day(policy), .out = out,
	};
	size_t nrules = cw_policy_rule_count(policy);
	struct obl_scratch *s = out->scratch;

	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s) {
			fprintf(stderr, "casewatch: out of memory\n");
			abort();
		}
		out->scratch = s;
	}
	c.s = s;
	out->count = 0;
	out->n_problems = 0;
	out->rules_evaluated = 0;
	s->n_late = 0;

	/* Timed, non-cancelled events in time order: every deadline rule walks them. */
	s->n_events = 0;
	s->events = obl_grow(s->events, &s->cap_events, facts->n_events + 1, sizeof(*s->events));
	for (size_t i = 0; i < facts->n_events; i++) {
		const struct cw_facts_event *e = &facts->events[i];

		if (e->at == CW_TIME_NONE || e->cancelled)
			continue;
		s->events[s->n_events++] = (struct obl_ev){ e->at, e->id, i };
	}
	if (s->n_events > 1)
		qsort(s->events, s->n_events, sizeof(*s->events), cmp_ev);

	/* Deadlines first: LATE-FLAG reads which records met one late. */
	for (size_t i = 0; i < nrules; i++) {
		const struct cw_rule *r = cw_policy_rule_at(policy, i);

		if (!r->enabled || r->kind == CW_RULE_CONTENT || r->kind >= CW_RULE_RETENTION)
			continue;
		deadline_rule(&c, r);
		out->rules_evaluated++;
	}
	for (size_t i = 0; i < nrules; i++) {
		const struct cw_rule *r = cw_policy_rule_at(policy, i);

		if (!r->enabled || r->kind != CW_RULE_CONTENT)
			continue;
		obl_content(&c, r);
		out->rules_evaluated++;
	}

	/* Problems no data-quality rule took over go back to the caller. */
	for (size_t i = 0; i < facts->n_problems; i++) {
		const struct cw_facts_problem *p = &facts->problems[i];

		if (c.absorbed && !p->dropped && (p->row == CW_ROW_EVENT || p->row == CW_ROW_RECORD))
			continue;
		out->problems = obl_grow(out->problems, &out->cap_problems, out->n_problems + 1,
					 sizeof(*out->problems));
		out->problems[out->n_problems++] = p;
	}
}
