/* obligation_event.c - rules anchored on one event or birthday: after, before, same working day. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "obligation_internal.h"

/* Collects the rule's anchor events (timed, not cancelled, of the anchor
 * types, for persons the rule applies to) in time order. */
void obl_collect_anchors(struct obl_ctx *c, const struct cw_rule *r)
{
	struct obl_scratch *s = c->s;

	s->n_anchors = 0;
	for (size_t i = 0; i < s->n_events; i++) {
		const struct cw_facts_event *e = &c->f->events[s->events[i].idx];

		if (!obl_event_is(e, &r->anchor.events) || !obl_applies(c, r, e->at))
			continue;
		s->anchors = obl_grow(s->anchors, &s->cap_anchors, s->n_anchors + 1, sizeof(*s->anchors));
		s->anchors[s->n_anchors++] = (struct obl_anchor){ s->events[i].idx, e->at, e->id, -1 };
	}
}

/* Pass 1, for every kind: a record that names the anchor event answers it
 * (the earliest such record). */
static void match_explicit(struct obl_ctx *c)
{
	struct obl_scratch *s = c->s;

	for (size_t k = 0; k < s->n_anchors; k++)
		for (size_t j = 0; j < s->n_done; j++) {
			struct obl_done *d = &s->done[j];

			if (d->used || d->kind != CW_MET_BY_RECORD || d->event_id != s->anchors[k].id)
				continue;
			d->used = true;
			s->anchors[k].match = (long)j;
			break;
		}
}

/* The instant a record that names no event is "about": its event time,
 * else when writing began, else when it was finalised. */
static cw_time about(const struct obl_done *d)
{
	if (d->event_at != CW_TIME_NONE)
		return d->event_at;
	if (d->entered_at != CW_TIME_NONE)
		return d->entered_at;
	return d->at;
}

/* Passes 2 and 3 for after-event rules, greedy in anchor time order: a
 * record naming no event whose event time is exactly the anchor's; then
 * the earliest unused completion about a time at or after the anchor
 * (records naming no event, unless the rule needs a reference; satisfied
 * events at or after the anchor). */
static void match_after(struct obl_ctx *c, const struct cw_rule *r)
{
	struct obl_scratch *s = c->s;

	if (!r->references_anchor)
		for (size_t k = 0; k < s->n_anchors; k++) {
			if (s->anchors[k].match >= 0)
				continue;
			for (size_t j = 0; j < s->n_done; j++) {
				struct obl_done *d = &s->done[j];

				if (d->used || d->kind != CW_MET_BY_RECORD || d->event_id != CW_ID_NONE ||
				    d->event_at != s->anchors[k].at)
					continue;
				d->used = true;
				s->anchors[k].match = (long)j;
				break;
			}
		}
	for (size_t k = 0; k < s->n_anchors; k++) {
		if (s->anchors[k].match >= 0)
			continue;
		for (size_t j = 0; j < s->n_done; j++) {
			struct obl_done *d = &s->done[j];
			bool ok;

			if (d->used)
				continue;
			if (d->kind == CW_MET_BY_EVENT)
				ok = d->id != s->anchors[k].id && d->at >= s->anchors[k].at;
			else
				ok = !r->references_anchor && d->event_id == CW_ID_NONE &&
				     about(d) >= s->anchors[k].at;
			if (!ok)
				continue;
			d->used = true;
			s->anchors[k].match = (long)j;
			break;
		}
	}
}

/* Suspension of an obligation anchored at `at` and met at `met_at` (or
 * not): each suspend_while event at or after the anchor (up to now, and
 * before the completion) stops the clock until the first later
 * suspend_until event. Returns the stopped seconds that have ended; *open
 * is set when the clock is stopped now. */
static int64_t suspension(const struct obl_ctx *c, const struct cw_rule *r, cw_time at,
			  cw_time met_at, bool *open)
{
	const struct obl_scratch *s = c->s;
	cw_time covered = at;
	int64_t shift = 0;

	*open = false;
	if (!r->suspend_while.n)
		return 0;
	for (size_t i = 0; i < s->n_events; i++) {
		const struct cw_facts_event *e = &c->f->events[s->events[i].idx];
		cw_time start, until = CW_TIME_NONE;

		if (e->at < at || e->at > c->now || (met_at != CW_TIME_NONE && e->at >= met_at))
			continue;
		if (!obl_event_is(e, &r->suspend_while))
			continue;
		for (size_t j = i + 1; j < s->n_events && until == CW_TIME_NONE; j++) {
			const struct cw_facts_event *u = &c->f->events[s->events[j].idx];

			if (u->at > e->at && u->at <= c->now && obl_event_is(u, &r->suspend_until))
				until = u->at;
		}
		if (until == CW_TIME_NONE) {
			*open = true;
			break;
		}
		start = e->at > covered ? e->at : covered;
		if (until > start) {
			shift += until - start;
			covered = until;
		}
	}
	return shift;
}

/* after_event and same_working_day: one obligation per anchor event. */
void obl_after_event(struct obl_ctx *c, const struct cw_rule *r)
{
	struct obl_scratch *s = c->s;

	if (!r->has_period)
		return;
	obl_collect_anchors(c, r);
	if (!s->n_anchors)
		return;
	obl_collect_done(c, r, true);
	match_explicit(c);
	match_after(c, r);
	for (size_t k = 0; k < s->n_anchors; k++) {
		const struct obl_anchor *a = &s->anchors[k];
		const struct obl_done *d = a->match >= 0 ? &s->done[a->match] : NULL;
		struct cw_obligation *o = obl_new(c, r, CW_OBL_EVENT, a->id, CW_TIME_NONE);
		bool open, unpaid = false;
		cw_time start = a->at, from;
		int64_t shift;

		/* Coventry 001 §5.5: "Once the requester has paid the required fee
		 * the Council has 40 calendar days": the clock starts at the
		 * payment and stands still until then. */
		if (r->anchor.at == CW_AT_FEE_PAID) {
			cw_time paid = c->f->events[a->ev].fee_paid_at;

			if (paid == CW_TIME_NONE || paid > c->now)
				unpaid = true;
			else if (paid > start)
				start = paid;
		}
		shift = suspension(c, r, start, d ? d->at : CW_TIME_NONE, &open);
		from = start + shift;
		obl_set_due(c, o, start, obl_due(c, &r->period, from));
		if (r->kind == CW_RULE_SAME_WORKING_DAY) {
			/* Due soon from the end of the working day the work was done. */
			cw_time eowd = cw_period_end_of_working_day(from, c->cal, c->nation, c->eod);

			o->warn_at = eowd < o->due_at ? eowd : o->due_at;
		}
		if (d)
			obl_set_met(c, o, d);
		o->suspended = (open || unpaid) && !d;
		obl_finish(c, o);
	}
}

/* When the council learned of a before-event rule's anchor: the event of
 * interpretation.learned_from that names it (either way round), else the
 * one nearest to it in time; CW_TIME_NONE when the rule has no such
 * event type or the person has no such event. */
static cw_time learned_at(const struct obl_ctx *c, const struct cw_rule *r, const struct cw_facts_event *anchor)
{
	const struct obl_scratch *s = c->s;
	cw_time best = CW_TIME_NONE;
	int64_t best_gap = INT64_MAX;

	if (!r->learned_from.n)
		return CW_TIME_NONE;
	for (size_t i = 0; i < s->n_events; i++) {
		const struct cw_facts_event *e = &c->f->events[s->events[i].idx];
		int64_t gap;

		if (!obl_event_is(e, &r->learned_from))
			continue;
		if (e->related_event_id == anchor->id || anchor->related_event_id == e->id)
			return e->at;
		gap = e->at > anchor->at ? e->at - anchor->at : anchor->at - e->at;
		if (gap < best_gap) {
			best_gap = gap;
			best = e->at;
		}
	}
	return best;
}

/* before_event: due a period before each (usually future) anchor event.
 * Met by a record naming the event, or by a completion between the
 * previous and the next anchor event of the rule. */
void obl_before_event(struct obl_ctx *c, const struct cw_rule *r)
{
	struct obl_scratch *s = c->s;

	if (!r->has_period)
		return;
	obl_collect_anchors(c, r);
	if (!s->n_anchors)
		return;
	obl_collect_done(c, r, true);
	match_explicit(c);
	for (size_t k = 0; k < s->n_anchors; k++) {
		cw_time lo = k > 0 ? s->anchors[k - 1].at : CW_TIME_NONE;
		cw_time hi = k + 1 < s->n_anchors ? s->anchors[k + 1].at : CW_TIME_NONE;

		if (s->anchors[k].match >= 0)
			continue;
		for (size_t j = 0; j < s->n_done; j++) {
			struct obl_done *d = &s->done[j];

			if (d->used || (d->kind == CW_MET_BY_RECORD &&
					(r->references_anchor || d->event_id != CW_ID_NONE)))
				continue;
			if (d->kind == CW_MET_BY_EVENT && d->id == s->anchors[k].id)
				continue;
			if ((lo != CW_TIME_NONE && d->at <= lo) || (hi != CW_TIME_NONE && d->at >= hi))
				continue;
			d->used = true;
			s->anchors[k].match = (long)j;
			break;
		}
	}
	for (size_t k = 0; k < s->n_anchors; k++) {
		const struct obl_anchor *a = &s->anchors[k];
		struct cw_obligation *o = obl_new(c, r, CW_OBL_EVENT, a->id, CW_TIME_NONE);
		cw_time due = cw_period_before(&r->period, a->at, c->cal, c->nation, c->eod);
		cw_time learned = learned_at(c, r, &c->f->events[a->ev]);

		/* PF-START-6W: "If arrangement has started then PF co-ordinator
		 * to be notified immediately": the council cannot be late before
		 * it knew; learned after the due time, it is due `immediately`. */
		if (learned != CW_TIME_NONE && learned > due) {
			struct cw_period now_p = { 0, CW_UNIT_HOURS };
			const char *text = json_string_value(cw_rule_interpretation(r, "immediately"));

			if (text && !cw_period_parse(text, &now_p, NULL))
				now_p = (struct cw_period){ 0, CW_UNIT_HOURS };
			due = obl_due(c, &now_p, learned);
		}
		obl_set_due(c, o, a->at, due);
		if (a->match >= 0)
			obl_set_met(c, o, &s->done[a->match]);
		obl_finish(c, o);
	}
}

/* The London midnight starting the person's age-th birthday; a 29 February
 * birthday falls on 28 February in other years. CW_TIME_NONE without a
 * date of birth. */
cw_time obl_birthday_at(const struct cw_facts *f, int age)
{
	int y, m, d;

	if (f->date_of_birth == CW_DAY_NONE)
		return CW_TIME_NONE;
	cw_day_to_ymd(f->date_of_birth, &y, &m, &d);
	y += age;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		d = 28;
	return obl_day_start(cw_day_from_ymd(y, m, d));
}

/* after_event on a birthday: one obligation, due a period after the
 * birthday, met by the first completion on or after it. */
void obl_birthday(struct obl_ctx *c, const struct cw_rule *r)
{
	struct obl_scratch *s = c->s;
	cw_time at = obl_birthday_at(c->f, r->anchor.birthday);
	struct cw_obligation *o;

	if (!r->has_period || at == CW_TIME_NONE)
		return;
	if (c->f->date_of_death != CW_DAY_NONE && obl_day_start(c->f->date_of_death) < at)
		return;
	if (!obl_applies(c, r, at))
		return;
	obl_collect_done(c, r, true);
	o = obl_new(c, r, CW_OBL_BIRTHDAY, r->anchor.birthday, CW_TIME_NONE);
	obl_set_due(c, o, at, obl_due(c, &r->period, at));
	for (size_t j = 0; j < s->n_done; j++)
		if (s->done[j].at >= at) {
			obl_set_met(c, o, &s->done[j]);
			break;
		}
	obl_finish(c, o);
}
