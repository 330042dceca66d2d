/* retention.c - one person's retention: each category's end, destroy_on, holds and state. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "casewatch/period.h"
#include "casewatch/retention.h"

static const char *const state_names[CW_RET_STATE_COUNT] = {
	[CW_RET_OPEN] = "open",		    [CW_RET_KEPT] = "kept",
	[CW_RET_INCOMPLETE] = "incomplete", [CW_RET_RETAINED] = "retained",
	[CW_RET_HELD] = "held",		    [CW_RET_DUE] = "due",
};

static const char *const scope_names[CW_HOLD_SCOPE_COUNT] = {
	[CW_HOLD_ALL] = "all",
	[CW_HOLD_CATEGORY] = "category",
	[CW_HOLD_PERIOD] = "period",
	[CW_HOLD_PERSONS] = "persons",
};

/* The state as docs/retention.md and the JSON spell it. */
const char *cw_retention_state_name(enum cw_retention_state state)
{
	if ((int)state < 0 || state >= CW_RET_STATE_COUNT)
		return "?";
	return state_names[state];
}

/* The scope as casewatch.hold and casewatchctl hold spell it. */
const char *cw_hold_scope_name(enum cw_hold_scope scope)
{
	if ((int)scope < 0 || scope >= CW_HOLD_SCOPE_COUNT)
		return "?";
	return scope_names[scope];
}

bool cw_hold_scope_parse(const char *text, enum cw_hold_scope *out)
{
	for (int i = 0; text && i < CW_HOLD_SCOPE_COUNT; i++)
		if (!strcmp(text, scope_names[i])) {
			*out = (enum cw_hold_scope)i;
			return true;
		}
	return false;
}

/* "Open" is an involvement with no end, or one ending after the day:
 * vocabulary.md's "end is null or in the future". */
static bool inv_open(const struct cw_facts_involvement *inv, cw_day day)
{
	return inv->end == CW_DAY_NONE || inv->end > day;
}

/* An involvement counts for a rule when its category is the rule's and,
 * for a rule restricted to outcomes (RET-YJ-REPR), its outcome is one of
 * them. */
static bool inv_counts(const struct cw_rule *r, const struct cw_codes *cats,
		       const struct cw_facts_involvement *inv)
{
	if (!inv->category || !cw_codes_has(cats, inv->category))
		return false;
	if (r->applies_outcomes.n && cw_codes_has(&r->applies_involvements, inv->category))
		return inv->outcome && cw_codes_has(&r->applies_outcomes, inv->outcome);
	return true;
}

/* The civil date a record is about: its event, else its finalisation,
 * else when writing began. */
static cw_day record_day(const struct cw_facts_record *rec)
{
	cw_time t = rec->event_at != CW_TIME_NONE ? rec->event_at
		    : rec->finalised_at != CW_TIME_NONE ? rec->finalised_at
							: rec->entered_at;

	return t == CW_TIME_NONE ? CW_DAY_NONE : cw_london_day(t);
}

/* True when every keep term counts from records (RET-FIN): such a rule
 * without applies_to applies to the persons who have those records. */
static bool keeps_only_records(const struct cw_rule *r)
{
	if (!r->n_keep)
		return false;
	for (size_t i = 0; i < r->n_keep; i++)
		if (r->keep[i].anchor.kind != CW_ANCHOR_RECORD)
			return false;
	return true;
}

/* applies_to for retention and hold rules. */
static bool rule_applies(const struct cw_rule *r, const struct cw_facts *f)
{
	if (r->applies_involvements.n || r->applies_outcomes.n) {
		for (size_t i = 0; i < f->n_involvements; i++) {
			const struct cw_facts_involvement *inv = &f->involvements[i];

			if (r->applies_involvements.n &&
			    !(inv->category && cw_codes_has(&r->applies_involvements, inv->category)))
				continue;
			if (r->applies_outcomes.n &&
			    !(inv->outcome && cw_codes_has(&r->applies_outcomes, inv->outcome)))
				continue;
			return true;
		}
		return false;
	}
	if (r->kind == CW_RULE_RETENTION && keeps_only_records(r)) {
		for (size_t i = 0; i < f->n_records; i++)
			for (size_t k = 0; k < r->n_keep; k++)
				if (f->records[i].type &&
				    cw_codes_has(&r->keep[k].anchor.records, f->records[i].type))
					return true;
		return false;
	}
	return true;
}

/* The person's n-th birthday (29 February clamps to 28 February). */
static cw_day birthday(const struct cw_facts *f, int age)
{
	if (f->date_of_birth == CW_DAY_NONE)
		return CW_DAY_NONE;
	return cw_day_add_months(f->date_of_birth, 12 * age);
}

/* Where one keep term counts from. */
static void term_anchor(const struct cw_rule *r, const struct cw_facts *f,
			struct cw_retention_term *t)
{
	const struct cw_anchor *a = &t->keep->anchor;
	bool found = false, open = false;

	t->anchor = CW_DAY_NONE;
	t->anchor_id = CW_ID_NONE;
	switch (a->kind) {
	case CW_ANCHOR_BIRTHDAY:
		t->anchor = birthday(f, a->birthday);
		if (t->anchor == CW_DAY_NONE)
			t->missing = "date_of_birth";
		return;
	case CW_ANCHOR_DEATH:
		t->anchor = f->date_of_death;
		if (t->anchor == CW_DAY_NONE)
			t->missing = "date_of_death";
		return;
	case CW_ANCHOR_INVOLVEMENT:
		/* The latest of the person's involvements in the categories:
		 * "case closure" is the end of the last one. */
		for (size_t i = 0; i < f->n_involvements; i++) {
			const struct cw_facts_involvement *inv = &f->involvements[i];
			cw_day d = a->at == CW_AT_START ? inv->start
				   : a->at == CW_AT_END ? inv->end
							: inv->order_date;

			if (!inv_counts(r, &a->involvements, inv))
				continue;
			found = true;
			if (a->at == CW_AT_END && inv->end == CW_DAY_NONE)
				open = true;
			if (d != CW_DAY_NONE && (t->anchor == CW_DAY_NONE || d > t->anchor)) {
				t->anchor = d;
				t->anchor_id = inv->id;
			}
		}
		if (!found)
			t->missing = "involvement";
		else if (open)
			t->missing = "involvement end"; /* still open: the closure is not known yet */
		else if (t->anchor == CW_DAY_NONE)
			t->missing = a->at == CW_AT_START ? "involvement start"
				     : a->at == CW_AT_END ? "involvement end"
							  : "order_date";
		if (t->missing) {
			t->anchor = CW_DAY_NONE;
			t->anchor_id = CW_ID_NONE;
		}
		return;
	case CW_ANCHOR_RECORD:
		for (size_t i = 0; i < f->n_records; i++) {
			const struct cw_facts_record *rec = &f->records[i];
			cw_day d;

			if (!rec->type || !cw_codes_has(&a->records, rec->type))
				continue;
			found = true;
			d = record_day(rec);
			if (d != CW_DAY_NONE && (t->anchor == CW_DAY_NONE || d > t->anchor)) {
				t->anchor = d;
				t->anchor_id = rec->id;
			}
		}
		if (t->anchor == CW_DAY_NONE)
			t->missing = found ? "record date" : "record";
		return;
	case CW_ANCHOR_NONE:
	case CW_ANCHOR_EVENT:
	case CW_ANCHOR_HAZARD:
	case CW_ANCHOR_CONFIDENTIAL: /* recurring rules only (policy_rule.c) */
		break;
	}
	t->missing = "anchor"; /* policy validation refuses these on keep terms */
}

/* Whether an "instead" variant's condition holds; *missing names what is
 * needed to decide when it cannot be decided. */
static bool variant_holds(const struct cw_rule *r, const struct cw_keep_variant *v,
			  const struct cw_facts *f, const char **missing)
{
	if (v->died_before) {
		if (f->date_of_death == CW_DAY_NONE)
			return false;
		if (f->date_of_birth == CW_DAY_NONE) {
			*missing = "date_of_birth";
			return false;
		}
		return f->date_of_death < birthday(f, v->died_before);
	}
	if (v->outcomes.n) {
		/* Every involvement of the rule's categories ended so: one
		 * approval among refused applications keeps the longer period. */
		bool any = false;

		for (size_t i = 0; i < f->n_involvements; i++) {
			const struct cw_facts_involvement *inv = &f->involvements[i];

			if (!inv->category || !cw_codes_has(&r->applies_involvements, inv->category))
				continue;
			if (!inv->outcome || !cw_codes_has(&v->outcomes, inv->outcome))
				return false;
			any = true;
		}
		return any;
	}
	return false;
}

/* One applicable rule: its variant, terms and combined end. */
static void category(const struct cw_rule *r, const struct cw_facts *f,
		     const struct cw_calendar *cal, enum cw_nation nation,
		     struct cw_retention_category *c)
{
	const struct cw_keep *keep = r->keep;
	size_t n_keep = r->n_keep;

	memset(c, 0, sizeof(*c));
	c->rule = r;
	c->scheduled = r->scheduled;
	c->ends = CW_DAY_NONE;
	if (!r->scheduled)
		return;
	for (size_t i = 0; i < r->n_variants; i++) {
		const char *missing = NULL;

		if (variant_holds(r, &r->variants[i], f, &missing)) {
			c->variant = &r->variants[i];
			keep = c->variant->keep;
			n_keep = c->variant->n_keep;
			break;
		}
		if (missing) {
			c->missing = missing; /* cannot tell which period applies */
			return;
		}
	}
	if (n_keep > CW_RETENTION_MAX_TERMS)
		n_keep = CW_RETENTION_MAX_TERMS;
	for (size_t i = 0; i < n_keep; i++) {
		struct cw_retention_term *t = &c->terms[c->n_terms++];

		t->keep = &keep[i];
		t->ends = CW_DAY_NONE;
		term_anchor(r, f, t);
		if (!t->missing && t->keep->period.unit == CW_UNIT_WORKDAYS && !cal)
			t->missing = "working-day calendar";
		if (!t->missing)
			t->ends = cw_period_shift_day(&t->keep->period, t->anchor, 1, cal, nation);
		if (t->missing && !c->missing)
			c->missing = t->missing;
	}
	if (c->missing)
		return;
	/* "whichever is later" (default) or earlier: interpretation.combine. */
	for (size_t i = 0; i < c->n_terms; i++) {
		cw_day e = c->terms[i].ends;

		if (i == 0 || (r->combine_earlier ? e < c->ends : e > c->ends))
			c->ends = e;
	}
}

/* Does any involvement overlap [from, to] (to CW_DAY_NONE: still running)? */
static bool involved_between(const struct cw_facts *f, cw_day from, cw_day to)
{
	for (size_t i = 0; i < f->n_involvements; i++) {
		const struct cw_facts_involvement *inv = &f->involvements[i];

		if (inv->start != CW_DAY_NONE && to != CW_DAY_NONE && inv->start > to)
			continue;
		if (inv->end != CW_DAY_NONE && from != CW_DAY_NONE && inv->end < from)
			continue;
		return true;
	}
	return false;
}

bool cw_hold_covers(const struct cw_hold *h, const struct cw_facts *f, cw_day day)
{
	if (h->starts != CW_DAY_NONE && day < h->starts)
		return false;
	if (h->ends != CW_DAY_NONE && day > h->ends)
		return false;
	switch (h->scope) {
	case CW_HOLD_ALL:
		return true;
	case CW_HOLD_CATEGORY:
		for (size_t i = 0; i < f->n_involvements; i++)
			if (h->category && f->involvements[i].category &&
			    !strcmp(h->category, f->involvements[i].category))
				return true;
		return false;
	case CW_HOLD_PERIOD:
		return involved_between(f, h->from, h->to);
	case CW_HOLD_PERSONS:
		for (size_t i = 0; i < h->n_persons; i++)
			if (h->persons[i] == f->person_id)
				return true;
		return false;
	case CW_HOLD_SCOPE_COUNT:
		break;
	}
	return false;
}

/* Lists a covering hold (all are counted, the first few listed). */
static void add_hold(struct cw_retention *out, const struct cw_retention_hold *h)
{
	out->n_holds++;
	if (out->n_holds_listed < CW_RETENTION_MAX_HOLDS)
		out->holds[out->n_holds_listed++] = *h;
}

/* The next day after `day` the state may change by itself. */
static void next_change(struct cw_retention *out, cw_day day, cw_day d)
{
	if (d != CW_DAY_NONE && d > day && (out->next_change == CW_DAY_NONE || d < out->next_change))
		out->next_change = d;
}

/* The records' access request answering an event, or NULL. */
static const struct cw_facts_access_request *request_of(const struct cw_facts *f, int64_t event_id)
{
	for (size_t i = 0; i < f->n_access_requests; i++)
		if (f->access_requests[i].event_id == event_id)
			return &f->access_requests[i];
	return NULL;
}

/* HOLD-SAR: each access request the records list holds the record from its
 * receipt until it is closed (completed or withdrawn), that day included. */
static void request_holds(const struct cw_rule *r, const struct cw_facts *f, cw_day day,
			  struct cw_retention *out)
{
	for (size_t i = 0; i < f->n_access_requests; i++) {
		const struct cw_facts_access_request *q = &f->access_requests[i];
		struct cw_retention_hold h = { .id = CW_ID_NONE, .source = r->id, .event_id = q->event_id,
					       .request_id = q->id };

		/* No receipt date: held since ever, never released on a guess. */
		h.starts = q->received_at == CW_TIME_NONE ? CW_DAY_NONE : cw_london_day(q->received_at);
		h.ends = q->closed_at == CW_TIME_NONE ? CW_DAY_NONE : cw_london_day(q->closed_at);
		if (h.starts != CW_DAY_NONE && h.starts > day) {
			next_change(out, day, h.starts);
			continue;
		}
		if (h.ends != CW_DAY_NONE && h.ends < day)
			continue;
		add_hold(out, &h);
		if (h.ends != CW_DAY_NONE)
			next_change(out, day, h.ends + 1);
	}
}

/* HOLD-SAR and the like: held from each event of the `while` types until a
 * record of the `until` types is finalised after it (through that day). An
 * access_request event the records list a request for is held by that
 * request instead (request_holds), which says itself when it closed. */
static void event_holds(const struct cw_rule *r, const struct cw_facts *f, cw_day day,
			struct cw_retention *out)
{
	bool requests = cw_codes_has(&r->hold_while, "access_request");

	if (requests)
		request_holds(r, f, day, out);
	for (size_t i = 0; i < f->n_events; i++) {
		const struct cw_facts_event *e = &f->events[i];
		struct cw_retention_hold h = { .id = CW_ID_NONE, .source = r->id, .event_id = e->id,
					       .request_id = CW_ID_NONE };
		cw_time closed = CW_TIME_NONE;

		if (e->cancelled || e->at == CW_TIME_NONE || !e->type ||
		    !cw_codes_has(&r->hold_while, e->type))
			continue;
		if (requests && !strcmp(e->type, "access_request") && request_of(f, e->id))
			continue;
		h.starts = cw_london_day(e->at);
		if (h.starts > day) {
			next_change(out, day, h.starts);
			continue;
		}
		for (size_t k = 0; k < f->n_records; k++) {
			const struct cw_facts_record *rec = &f->records[k];

			if (rec->type && cw_codes_has(&r->hold_until, rec->type) &&
			    rec->finalised_at != CW_TIME_NONE && rec->finalised_at >= e->at &&
			    (closed == CW_TIME_NONE || rec->finalised_at < closed))
				closed = rec->finalised_at;
		}
		h.ends = closed == CW_TIME_NONE ? CW_DAY_NONE : cw_london_day(closed);
		if (h.ends != CW_DAY_NONE && h.ends < day)
			continue;
		add_hold(out, &h);
		if (h.ends != CW_DAY_NONE)
			next_change(out, day, h.ends + 1);
	}
}

/* The profile's holds (HOLD-INQUIRY, HOLD-SAR) and the placed ones. */
static void collect_holds(const struct cw_facts *f, const struct cw_policy *policy,
			  const struct cw_hold *holds, size_t n_holds, cw_day day,
			  struct cw_retention *out)
{
	for (size_t i = 0; i < cw_policy_rule_count(policy); i++) {
		const struct cw_rule *r = cw_policy_rule_at(policy, i);
		struct cw_hold h;

		if (r->kind != CW_RULE_HOLD || !r->enabled || !rule_applies(r, f))
			continue;
		if (r->hold_while.n) {
			event_holds(r, f, day, out);
			continue;
		}
		/* A profile hold covers every person it applies to: its scope
		 * is words ("records relating to the care of children"). */
		memset(&h, 0, sizeof(h));
		h.id = CW_ID_NONE;
		h.source = r->id;
		h.scope = CW_HOLD_ALL;
		h.starts = r->has_hold_start ? r->hold_start : CW_DAY_NONE;
		h.ends = r->has_hold_end ? r->hold_end : CW_DAY_NONE;
		if (cw_hold_covers(&h, f, day)) {
			struct cw_retention_hold x = { .id = CW_ID_NONE, .source = r->id,
						       .starts = h.starts, .ends = h.ends,
						       .event_id = CW_ID_NONE, .request_id = CW_ID_NONE };

			add_hold(out, &x);
			if (h.ends != CW_DAY_NONE)
				next_change(out, day, h.ends + 1);
		} else if (h.starts != CW_DAY_NONE && h.starts > day) {
			next_change(out, day, h.starts);
		}
	}
	for (size_t i = 0; i < n_holds; i++) {
		const struct cw_hold *h = &holds[i];

		if (cw_hold_covers(h, f, day)) {
			struct cw_retention_hold x = { .id = h->id, .source = h->source ? h->source : "placed",
						       .reason = h->reason, .starts = h->starts,
						       .ends = h->ends, .event_id = CW_ID_NONE,
						       .request_id = CW_ID_NONE };

			add_hold(out, &x);
			if (h->ends != CW_DAY_NONE)
				next_change(out, day, h->ends + 1);
		} else if (h->starts != CW_DAY_NONE && h->starts > day && cw_hold_covers(h, f, h->starts)) {
			next_change(out, day, h->starts);
		}
	}
}

void cw_retention_compute(const struct cw_facts *f, const struct cw_policy *policy,
			  const struct cw_hold *holds, size_t n_holds, cw_day day,
			  const struct cw_calendar *cal, struct cw_retention *out)
{
	enum cw_nation nation = f->has_nation ? f->nation : cw_policy_nation(policy);
	const struct cw_rule *kept = NULL;
	bool missing = false;

	memset(out, 0, sizeof(*out));
	out->person_id = f->person_id;
	out->day = day;
	out->destroy_on = CW_DAY_NONE;
	out->open_involvement = CW_ID_NONE;
	out->next_change = CW_DAY_NONE;

	for (size_t i = 0; i < f->n_involvements; i++)
		if (inv_open(&f->involvements[i], day)) {
			if (out->open_involvement == CW_ID_NONE)
				out->open_involvement = f->involvements[i].id;
			if (f->involvements[i].end != CW_DAY_NONE)
				next_change(out, day, f->involvements[i].end + 1);
		}

	for (size_t i = 0; i < cw_policy_rule_count(policy); i++) {
		const struct cw_rule *r = cw_policy_rule_at(policy, i);
		struct cw_retention_category *c;

		if (r->kind != CW_RULE_RETENTION || !r->enabled || !rule_applies(r, f))
			continue;
		if (out->n_categories == CW_RETENTION_MAX_CATEGORIES) {
			missing = true; /* never due on a partial view */
			break;
		}
		c = &out->categories[out->n_categories++];
		category(r, f, cal, nation, c);
		if (!c->scheduled && !kept)
			kept = r;
		if (c->missing)
			missing = true;
		/* The latest end decides; the first rule wins a tie. */
		if (c->ends != CW_DAY_NONE && (out->destroy_on == CW_DAY_NONE || c->ends > out->destroy_on)) {
			out->destroy_on = c->ends;
			out->basis = r;
		}
	}
	collect_holds(f, policy, holds, n_holds, day, out);

	if (kept || missing || !out->n_categories) {
		out->destroy_on = CW_DAY_NONE;
		out->basis = kept;
	}
	next_change(out, day, out->destroy_on);

	if (out->open_involvement != CW_ID_NONE)
		out->state = CW_RET_OPEN;
	else if (kept || !out->n_categories)
		out->state = CW_RET_KEPT;
	else if (missing)
		out->state = CW_RET_INCOMPLETE;
	else if (day < out->destroy_on)
		out->state = CW_RET_RETAINED;
	else if (out->n_holds)
		out->state = CW_RET_HELD;
	else
		out->state = CW_RET_DUE;
}

/* Two anchors count from the same thing. */
static bool same_anchor(const struct cw_anchor *a, const struct cw_anchor *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case CW_ANCHOR_BIRTHDAY:
		return a->birthday == b->birthday;
	case CW_ANCHOR_INVOLVEMENT:
		if (a->at != b->at || a->involvements.n != b->involvements.n)
			return false;
		for (size_t i = 0; i < a->involvements.n; i++)
			if (!cw_codes_has(&b->involvements, a->involvements.v[i]))
				return false;
		return true;
	case CW_ANCHOR_RECORD:
		if (a->records.n != b->records.n)
			return false;
		for (size_t i = 0; i < a->records.n; i++)
			if (!cw_codes_has(&b->records, a->records.v[i]))
				return false;
		return true;
	default:
		return true;
	}
}

bool cw_retention_shortened(const struct cw_policy *old, const struct cw_policy *fresh, char *why, size_t size)
{
	for (size_t i = 0; i < cw_policy_rule_count(old); i++) {
		const struct cw_rule *o = cw_policy_rule_at(old, i), *n;

		if (o->kind != CW_RULE_RETENTION || !o->enabled || !o->scheduled)
			continue;
		n = cw_policy_rule_find(fresh, o->id);
		if (!n || n->kind != CW_RULE_RETENTION || !n->enabled) {
			snprintf(why, size, "%s: removed or disabled", o->id);
			return true;
		}
		if (!n->scheduled)
			continue; /* kept for ever: nothing comes earlier */
		if (n->n_keep != o->n_keep) {
			snprintf(why, size, "%s: %zu keep terms -> %zu", o->id, o->n_keep, n->n_keep);
			return true;
		}
		if (n->combine_earlier && !o->combine_earlier && o->n_keep > 1) {
			snprintf(why, size, "%s: whichever is later -> earlier", o->id);
			return true;
		}
		if (n->n_variants > o->n_variants) {
			snprintf(why, size, "%s: a new \"instead\" variant", o->id);
			return true;
		}
		for (size_t k = 0; k < o->n_keep; k++) {
			char a[CW_PERIOD_STRLEN], b[CW_PERIOD_STRLEN];

			cw_period_format(&o->keep[k].period, a);
			cw_period_format(&n->keep[k].period, b);
			if (!same_anchor(&o->keep[k].anchor, &n->keep[k].anchor)) {
				snprintf(why, size, "%s: keep[%zu] counts from another anchor", o->id, k);
				return true;
			}
			if (cw_period_nominal_seconds(&n->keep[k].period) < cw_period_nominal_seconds(&o->keep[k].period)) {
				snprintf(why, size, "%s: keep[%zu] %s -> %s", o->id, k, a, b);
				return true;
			}
		}
	}
	return false;
}

/* A day as JSON: "YYYY-MM-DD" or null. */
static json_t *day_json(cw_day d)
{
	char buf[CW_DAY_STRLEN];

	if (d == CW_DAY_NONE)
		return json_null();
	cw_day_format(d, buf);
	return json_string(buf);
}

static json_t *id_json(int64_t id)
{
	return id == CW_ID_NONE ? json_null() : json_integer(id);
}

/* A keep term's anchor in words of the profile: {"birthday": 18}, ... */
static json_t *anchor_json(const struct cw_anchor *a)
{
	static const char *const at_names[] = { "start", "end", "order_date" };
	json_t *codes;

	switch (a->kind) {
	case CW_ANCHOR_BIRTHDAY:
		return json_pack("{s:i}", "birthday", a->birthday);
	case CW_ANCHOR_DEATH:
		return json_pack("{s:b}", "death", 1);
	case CW_ANCHOR_INVOLVEMENT:
		codes = json_array();
		for (size_t i = 0; i < a->involvements.n; i++)
			json_array_append_new(codes, json_string(a->involvements.v[i]));
		return json_pack("{s:o,s:s}", "involvements", codes, "at", at_names[a->at]);
	case CW_ANCHOR_RECORD:
		codes = json_array();
		for (size_t i = 0; i < a->records.n; i++)
			json_array_append_new(codes, json_string(a->records.v[i]));
		return json_pack("{s:o}", "records", codes);
	default:
		return json_null();
	}
}

/* One category with its terms. */
static json_t *category_json(const struct cw_retention_category *c)
{
	json_t *terms = json_array(), *cats = json_array(), *x;

	for (size_t i = 0; i < c->rule->applies_involvements.n; i++)
		json_array_append_new(cats, json_string(c->rule->applies_involvements.v[i]));
	for (size_t i = 0; i < c->n_terms; i++) {
		const struct cw_retention_term *t = &c->terms[i];
		char p[CW_PERIOD_STRLEN];

		cw_period_format(&t->keep->period, p);
		json_array_append_new(
			terms, json_pack("{s:o,s:o,s:o,s:s,s:o,s:o}", "anchor", anchor_json(&t->keep->anchor),
					 "anchor_day", day_json(t->anchor), "anchor_id", id_json(t->anchor_id),
					 "period", p, "ends", day_json(t->ends), "missing",
					 t->missing ? json_string(t->missing) : json_null()));
	}
	x = json_pack("{s:s,s:o,s:b,s:s,s:o,s:o,s:o}", "rule", c->rule->id, "applies_to", cats,
		      "scheduled", c->scheduled, "combine", c->rule->combine_earlier ? "earlier" : "later",
		      "terms", terms, "ends", day_json(c->ends), "missing",
		      c->missing ? json_string(c->missing) : json_null());
	if (c->rule->words)
		json_object_set_new(x, "words", json_string(c->rule->words));
	if (c->variant) {
		json_t *when = json_object();

		if (c->variant->died_before)
			json_object_set_new(when, "died_before", json_integer(c->variant->died_before));
		if (c->variant->outcomes.n) {
			json_t *o = json_array();

			for (size_t i = 0; i < c->variant->outcomes.n; i++)
				json_array_append_new(o, json_string(c->variant->outcomes.v[i]));
			json_object_set_new(when, "outcomes", o);
		}
		json_object_set_new(x, "instead", when);
	} else {
		json_object_set_new(x, "instead", json_null());
	}
	return x;
}

json_t *cw_retention_to_json(const struct cw_retention *r)
{
	json_t *cats = json_array(), *holds = json_array();

	for (size_t i = 0; i < r->n_categories; i++)
		json_array_append_new(cats, category_json(&r->categories[i]));
	for (size_t i = 0; i < r->n_holds_listed; i++) {
		const struct cw_retention_hold *h = &r->holds[i];

		json_array_append_new(
			holds, json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "source", h->source, "id", id_json(h->id),
					 "reason", h->reason ? json_string(h->reason) : json_null(), "starts",
					 day_json(h->starts), "ends", day_json(h->ends), "event_id",
					 id_json(h->event_id), "request_id", id_json(h->request_id)));
	}
	return json_pack("{s:I,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:I,s:o}", "person_id", (json_int_t)r->person_id,
			 "day", day_json(r->day), "state", cw_retention_state_name(r->state), "destroy_on",
			 day_json(r->destroy_on), "basis", r->basis ? json_string(r->basis->id) : json_null(),
			 "open_involvement", id_json(r->open_involvement), "categories", cats, "holds", holds,
			 "holds_total", (json_int_t)r->n_holds, "next_change", day_json(r->next_change));
}
