/* obligation_recurring.c - records refreshed every period while a case is open or a hazard active. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "obligation_internal.h"

/* Whole years from the date of birth to an instant's London date. */
static int age_at(const struct cw_facts *f, cw_time t)
{
	int y1, m1, d1, y2, m2, d2;

	cw_day_to_ymd(f->date_of_birth, &y1, &m1, &d1);
	cw_day_to_ymd(cw_london_day(t), &y2, &m2, &d2);
	return y2 - y1 - ((m2 < m1 || (m2 == m1 && d2 < d1)) ? 1 : 0);
}

/* The period of the k-th cycle of a spell starting at `start`: the rule's
 * `first` periods in turn; from long_from on (a placement meant to last
 * until 18, after its first year) interpretation.until_18_period; then the
 * period for the person's age at the cycle's start (from_age), else the
 * rule's period. */
static struct cw_period cycle_period(const struct obl_ctx *c, const struct cw_rule *r, size_t k,
				     cw_time start, cw_time long_from)
{
	struct cw_period p = r->period;

	if (k < r->n_first)
		return r->first[k];
	if (long_from != CW_TIME_NONE && start >= long_from) {
		const char *text = json_string_value(cw_rule_interpretation(r, "until_18_period"));

		if (text && cw_period_parse(text, &p, NULL))
			return p;
		p = r->period;
	}
	if (r->n_age_periods && c->f->date_of_birth != CW_DAY_NONE) {
		int age = age_at(c->f, start);

		for (size_t i = 0; i < r->n_age_periods; i++)
			if (age >= r->age_periods[i].age)
				p = r->age_periods[i].period;
	}
	return p;
}

/* A cycle's due time: a period after its start, or the end of review_day
 * when that date falls inside the cycle and comes first (the review date
 * "submitted when a Hazard is loaded", set earlier than six months: it
 * governs the first cycle; after a review the period runs again). */
static cw_time cycle_due(const struct obl_ctx *c, const struct cw_period *p, cw_time start,
			 cw_day review_day)
{
	static const struct cw_period end_of_day = { 0, CW_UNIT_DAYS };
	cw_time due = obl_due(c, p, start);
	cw_time own;

	if (review_day == CW_DAY_NONE || review_day < cw_london_day(start))
		return due;
	own = obl_due(c, &end_of_day, obl_day_start(review_day));
	return own < due ? own : due;
}

/* Walks the cycles of one spell over the completions in the scratch list:
 * each cycle starts at the opening or the previous completion and is met
 * by the next completion; past cycles are emitted met (on time or late),
 * and while the spell is open the current cycle is emitted unmet (or met
 * by a completion dated after now). */
static void walk(struct obl_ctx *c, const struct cw_rule *r, enum cw_obligation_anchor kind,
		 int64_t id, cw_time open_at, cw_time close_at, cw_day review_day, cw_time long_from)
{
	const struct obl_scratch *s = c->s;
	cw_time start = open_at;
	size_t j = 0;

	for (size_t k = 0;; k++) {
		struct cw_period p = cycle_period(c, r, k, start, long_from);
		const struct obl_done *d;
		struct cw_obligation *o;

		/* The first cycle takes a completion at its very opening; later
		 * ones only completions after the one that started them. */
		while (j < s->n_done && (k == 0 ? s->done[j].at < start : s->done[j].at <= start))
			j++;
		d = j < s->n_done ? &s->done[j] : NULL;
		if (d && close_at != CW_TIME_NONE && d->at >= close_at)
			d = NULL;
		/* A completion at the very opening is the opening itself: a cycle
		 * of no length would share its start, and so its key, with the
		 * next one. */
		if (d && d->at == start) {
			j++;
			k--;
			continue;
		}
		if (!d && close_at != CW_TIME_NONE && close_at <= c->now)
			return; /* closed: no cycle is running */
		o = obl_new(c, r, kind, id, start);
		obl_set_due(c, o, start, cycle_due(c, &p, start, k == 0 ? review_day : CW_DAY_NONE));
		if (d)
			obl_set_met(c, o, d);
		obl_finish(c, o);
		if (!d || d->at > c->now)
			return;
		start = d->at;
		j++;
	}
}

/* Span order: opening, then id. */
static int cmp_span(const void *a, const void *b)
{
	const struct obl_span *x = a, *y = b;

	if (x->open != y->open)
		return x->open < y->open ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Involvements of the anchor categories, merged where they overlap or
 * touch, so a child both in need and on a plan has one summary due. */
static void involvement_spans(struct obl_ctx *c, const struct cw_rule *r)
{
	struct obl_scratch *s = c->s;
	size_t n = 0;

	s->n_spans = 0;
	for (size_t i = 0; i < c->f->n_involvements; i++) {
		const struct cw_facts_involvement *inv = &c->f->involvements[i];

		if (!inv->category || inv->start == CW_DAY_NONE ||
		    !cw_codes_has(&r->anchor.involvements, inv->category))
			continue;
		if (inv->end != CW_DAY_NONE && inv->end < inv->start)
			continue;
		s->spans = obl_grow(s->spans, &s->cap_spans, s->n_spans + 1, sizeof(*s->spans));
		s->spans[s->n_spans++] = (struct obl_span){
			obl_day_start(inv->start),
			inv->end == CW_DAY_NONE ? CW_TIME_NONE : obl_day_start(inv->end + 1), inv->id
		};
	}
	if (s->n_spans > 1)
		qsort(s->spans, s->n_spans, sizeof(*s->spans), cmp_span);
	for (size_t i = 0; i < s->n_spans; i++) {
		struct obl_span *cur = n ? &s->spans[n - 1] : NULL;
		const struct obl_span *x = &s->spans[i];

		if (cur && (cur->close == CW_TIME_NONE || x->open <= cur->close)) {
			if (cur->close != CW_TIME_NONE && (x->close == CW_TIME_NONE || x->close > cur->close))
				cur->close = x->close;
			continue;
		}
		s->spans[n++] = *x;
	}
	s->n_spans = n;
}

/* True when the rule's applies_to involvements (if any) are open now. */
static bool open_now(const struct obl_ctx *c, const struct cw_rule *r)
{
	return obl_applies(c, r, c->now);
}

/* A significant event inside an open case makes an update due a period
 * after it (interpretation.event_period, default the rule's period), met
 * by the first completion at or after the event. */
static void restart_events(struct obl_ctx *c, const struct cw_rule *r)
{
	const struct obl_scratch *s = c->s;
	const char *text = json_string_value(cw_rule_interpretation(r, "event_period"));
	struct cw_period p = r->period;

	if (text && !cw_period_parse(text, &p, NULL))
		p = r->period;
	for (size_t i = 0; i < s->n_events; i++) {
		const struct cw_facts_event *e = &c->f->events[s->events[i].idx];
		struct cw_obligation *o;
		bool inside = false;

		if (!obl_event_is(e, &r->anchor.events))
			continue;
		for (size_t k = 0; k < s->n_spans && !inside; k++)
			inside = e->at >= s->spans[k].open &&
				 (s->spans[k].close == CW_TIME_NONE || e->at < s->spans[k].close);
		if (!inside)
			continue;
		o = obl_new(c, r, CW_OBL_EVENT, e->id, CW_TIME_NONE);
		obl_set_due(c, o, e->at, obl_due(c, &p, e->at));
		for (size_t j = 0; j < s->n_done; j++)
			if (s->done[j].at >= e->at) {
				obl_set_met(c, o, &s->done[j]);
				break;
			}
		obl_finish(c, o);
	}
}

/* Anchor order by id (hazards are walked in id order, not document order). */
static int cmp_anchor_id(const void *a, const void *b)
{
	const struct obl_anchor *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* Hazards: each from its start date, met by its own reviews. */
static void hazards(struct obl_ctx *c, const struct cw_rule *r)
{
	struct obl_scratch *s = c->s;
	const char *choice = json_string_value(cw_rule_interpretation(r, "own_review_date"));
	bool own_review = choice && !strcmp(choice, "earlier_wins");

	s->n_anchors = 0;
	for (size_t i = 0; i < c->f->n_hazards; i++) {
		s->anchors = obl_grow(s->anchors, &s->cap_anchors, s->n_anchors + 1, sizeof(*s->anchors));
		s->anchors[s->n_anchors++] = (struct obl_anchor){ i, 0, c->f->hazards[i].id, -1 };
	}
	if (s->n_anchors > 1)
		qsort(s->anchors, s->n_anchors, sizeof(*s->anchors), cmp_anchor_id);
	for (size_t k = 0; k < s->n_anchors; k++) {
		const struct cw_facts_hazard *h = &c->f->hazards[s->anchors[k].ev];
		cw_time open_at, close_at = CW_TIME_NONE;

		if (h->start == CW_DAY_NONE)
			continue; /* HAZARD-FIELDS reports it */
		open_at = obl_day_start(h->start);
		if (h->ended != CW_DAY_NONE)
			close_at = obl_day_start(h->ended + 1);
		else if (!h->active)
			continue; /* inactive with no end date: nothing to review */
		s->done = obl_grow(s->done, &s->cap_done, h->n_reviews + 1, sizeof(*s->done));
		s->n_done = h->n_reviews;
		for (size_t j = 0; j < h->n_reviews; j++)
			s->done[j] = (struct obl_done){ .at = h->reviews[j], .kind = CW_MET_BY_HAZARD_REVIEW,
							.id = h->id, .event_id = CW_ID_NONE,
							.event_at = CW_TIME_NONE, .entered_at = CW_TIME_NONE };
		walk(c, r, CW_OBL_HAZARD, h->id, open_at, close_at, own_review ? h->review_due : CW_DAY_NONE,
		     CW_TIME_NONE);
	}
}

/* ST-LAC-VISIT: "then every 3 months if the placement is meant to last to
 * 18": from interpretation.until_18_after past an anchor event whose
 * until_18 is set, cycles take interpretation.until_18_period. */
static cw_time until_18_from(const struct obl_ctx *c, const struct cw_rule *r, const struct obl_anchor *a)
{
	const char *text = json_string_value(cw_rule_interpretation(r, "until_18_after"));
	struct cw_period after;

	if (!text || !c->f->events[a->ev].until_18 || !cw_period_parse(text, &after, NULL))
		return CW_TIME_NONE;
	/* From London midnight of the anniversary day on. */
	return obl_day_start(cw_london_day(obl_due(c, &after, a->at)));
}

/* CONF-REVIEW (003 §5.7): "Practice Supervisors must monitor information
 * held in the 'confidential' section of electronic records". The section
 * opens with its first entry (the reviews themselves, of the satisfying
 * record types, are not entries to review); each cycle runs from the
 * opening or the last review and is met by the next review, so every
 * entry has a review after it within a period. The anchor is the first
 * entry; the schedule runs while the rule applies. */
static void confidential(struct obl_ctx *c, const struct cw_rule *r)
{
	const struct cw_facts_record *first = NULL;
	cw_time first_at = CW_TIME_NONE;

	for (size_t i = 0; i < c->f->n_records; i++) {
		const struct cw_facts_record *rec = &c->f->records[i];
		cw_time at = rec->entered_at != CW_TIME_NONE ? rec->entered_at : rec->finalised_at;

		if (!rec->confidential || at == CW_TIME_NONE || at > c->now ||
		    (rec->type && cw_codes_has(&r->satisfied_records, rec->type)))
			continue;
		if (!first || at < first_at || (at == first_at && rec->id < first->id)) {
			first = rec;
			first_at = at;
		}
	}
	if (!first)
		return;
	obl_collect_done(c, r, true);
	walk(c, r, CW_OBL_RECORD, first->id, first_at, open_now(c, r) ? CW_TIME_NONE : c->now, CW_DAY_NONE,
	     CW_TIME_NONE);
}

void obl_recurring(struct obl_ctx *c, const struct cw_rule *r)
{
	struct obl_scratch *s = c->s;

	if (!r->has_period)
		return; /* a rule waiting for the council's period */
	switch (r->anchor.kind) {
	case CW_ANCHOR_INVOLVEMENT:
		involvement_spans(c, r);
		if (!s->n_spans)
			return;
		obl_collect_done(c, r, true);
		for (size_t k = 0; k < s->n_spans; k++)
			if (obl_applies(c, r, s->spans[k].open))
				walk(c, r, CW_OBL_INVOLVEMENT, s->spans[k].id, s->spans[k].open,
				     s->spans[k].close, CW_DAY_NONE, CW_TIME_NONE);
		if (r->anchor.events.n)
			restart_events(c, r);
		break;
	case CW_ANCHOR_HAZARD:
		hazards(c, r);
		break;
	case CW_ANCHOR_EVENT: {
		/* Each anchor event starts the schedule afresh (a new placement,
		 * a new period of care); the last runs while the rule applies. */
		size_t n;
		bool running = open_now(c, r);

		obl_collect_anchors(c, r);
		n = s->n_anchors;
		if (!n)
			return;
		obl_collect_done(c, r, true);
		for (size_t k = 0; k < n; k++) {
			cw_time close_at = k + 1 < n ? s->anchors[k + 1].at : running ? CW_TIME_NONE : c->now;

			walk(c, r, CW_OBL_EVENT, s->anchors[k].id, s->anchors[k].at, close_at, CW_DAY_NONE,
			     until_18_from(c, r, &s->anchors[k]));
		}
		break;
	}
	case CW_ANCHOR_BIRTHDAY: {
		cw_time at = obl_birthday_at(c->f, r->anchor.birthday);

		if (at == CW_TIME_NONE || !obl_applies(c, r, at))
			return;
		obl_collect_done(c, r, true);
		walk(c, r, CW_OBL_BIRTHDAY, r->anchor.birthday, at, open_now(c, r) ? CW_TIME_NONE : c->now,
		     CW_DAY_NONE, CW_TIME_NONE);
		break;
	}
	case CW_ANCHOR_CONFIDENTIAL:
		confidential(c, r);
		break;
	default:
		break;
	}
}
