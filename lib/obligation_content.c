/* obligation_content.c - content and data-quality findings (rules.md section 3). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obligation_internal.h"

/* Staff roles from least to most senior ("team manager or above"). */
static const char *const role_ladder[] = {
	"worker", "practice_supervisor", "team_manager", "service_manager", NULL,
};

/* A growing comma-separated list of names, truncated with "..." when full. */
struct detail {
	char buf[CW_OBLIGATION_DETAIL_MAX];
	size_t len;
	bool full;
};

/* Appends one item (a field name or "field: what"). */
static void detail_add(struct detail *d, const char *a, const char *b)
{
	char item[CW_OBLIGATION_DETAIL_MAX];
	size_t n;

	if (d->full)
		return;
	n = (size_t)snprintf(item, sizeof(item), "%s%s%s", a, b ? ": " : "", b ? b : "");
	if (d->len + (d->len ? 1 : 0) + n + 4 >= sizeof(d->buf)) {
		memcpy(d->buf + d->len, "...", 4);
		d->len += 3;
		d->full = true;
		return;
	}
	if (d->len)
		d->buf[d->len++] = ',';
	memcpy(d->buf + d->len, item, n + 1);
	d->len += n;
}

/* Anchor order by time, then id. */
static int cmp_anchor_at(const void *a, const void *b)
{
	const struct obl_anchor *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Emits one finding of the rule on a row. */
static void violation(struct obl_ctx *c, const struct cw_rule *r, enum cw_obligation_anchor kind,
		      int64_t id, const struct detail *d)
{
	struct cw_obligation *o = obl_new(c, r, kind, id, CW_TIME_NONE);

	o->violation = true;
	memcpy(o->detail, d->buf, d->len + 1);
	obl_finish(c, o);
}

/* True when a params list (array of strings) names the field. */
static bool names(const json_t *list, const char *field)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
		if (json_is_string(e) && !strcmp(json_string_value(e), field))
			return true;
	return false;
}

/* True when the field list asks for any of the aliases. */
static bool wants(const json_t *fields, const char *a, const char *b)
{
	return names(fields, a) || (b && names(fields, b));
}

/* required_records (MIN-CONTENT, PR-RECORDED): while the rule applies
 * (its applies_to involvements open now), a finalised record of each type
 * must exist. One finding on the person listing the missing types. */
static void required_records(struct obl_ctx *c, const struct cw_rule *r)
{
	const json_t *types = json_object_get(r->params, "records");
	const json_t *fresh = json_object_get(r->params, "up_to_date");
	struct detail d = { .len = 0 };
	size_t i;
	json_t *t;

	if (!json_is_array(types) || !obl_applies(c, r, c->now))
		return;
	d.buf[0] = '\0';
	json_array_foreach(types, i, t) {
		const char *type = json_string_value(t);
		const char *within = json_string_value(json_object_get(fresh, type ? type : ""));
		struct cw_period p;
		bool found = false, current = false;

		/* "an up to date assessment and plan": with params.up_to_date
		 * naming a period for the type, only a record finalised within
		 * that period before now counts. */
		if (!within || !cw_period_parse(within, &p, NULL))
			within = NULL;
		for (size_t j = 0; type && j < c->f->n_records && !current; j++) {
			const struct cw_facts_record *rec = &c->f->records[j];

			if (rec->finalised_at == CW_TIME_NONE || rec->finalised_at > c->now || !rec->type ||
			    strcmp(rec->type, type))
				continue;
			found = true;
			current = !within || obl_due(c, &p, rec->finalised_at) >= c->now;
		}
		if (type && !found)
			detail_add(&d, type, NULL);
		else if (type && !current)
			detail_add(&d, type, "out of date");
	}
	if (d.len)
		violation(c, r, CW_OBL_PERSON, c->f->person_id, &d);
}

/* Adds the parser's problems about one row to a detail, except those on
 * fields the check already reports as missing. */
static bool row_problems(const struct obl_ctx *c, enum cw_facts_row row, int64_t id, struct detail *d)
{
	bool any = false;

	for (size_t i = 0; i < c->f->n_problems; i++) {
		const struct cw_facts_problem *p = &c->f->problems[i];

		if (p->row != row || p->row_id != id || p->dropped)
			continue;
		any = true;
		if (row == CW_ROW_RECORD && p->field &&
		    (!strcmp(p->field, "event_at") || !strcmp(p->field, "entered_at") ||
		     !strcmp(p->field, "author_id")))
			continue;
		detail_add(d, p->field ? p->field : "row", p->what);
	}
	return any;
}

/* required_fields of records (EVENT-TIME): each finalised record has the
 * listed times and author; and the parser's problems about records and
 * events become findings of this rule instead of log lines. */
static void record_fields(struct obl_ctx *c, const struct cw_rule *r, const json_t *fields)
{
	const struct cw_facts *f = c->f;

	c->absorbed = true;
	for (size_t i = 0; i < f->n_records; i++) {
		const struct cw_facts_record *rec = &f->records[i];
		struct detail d = { .len = 0 };
		bool problems;

		d.buf[0] = '\0';
		if (rec->finalised_at != CW_TIME_NONE) {
			if (wants(fields, "entered_at", NULL) && rec->entered_at == CW_TIME_NONE)
				detail_add(&d, "entered_at", NULL);
			if (wants(fields, "occurred_at", "event_at") && rec->event_at == CW_TIME_NONE)
				detail_add(&d, "event_at", NULL);
			if (wants(fields, "author_id", "author") && rec->author_id == CW_ID_NONE)
				detail_add(&d, "author_id", NULL);
		}
		problems = f->n_problems && row_problems(c, CW_ROW_RECORD, rec->id, &d);
		if (d.len || problems)
			violation(c, r, CW_OBL_RECORD, rec->id, &d);
	}
	for (size_t i = 0; i < f->n_events; i++) {
		struct detail d = { .len = 0 };

		d.buf[0] = '\0';
		if (f->n_problems && row_problems(c, CW_ROW_EVENT, f->events[i].id, &d))
			violation(c, r, CW_OBL_EVENT, f->events[i].id, &d);
	}
}

/* required_fields of hazards (HAZARD-FIELDS): start, description, review date. */
static void hazard_fields(struct obl_ctx *c, const struct cw_rule *r, const json_t *fields)
{
	for (size_t i = 0; i < c->f->n_hazards; i++) {
		const struct cw_facts_hazard *h = &c->f->hazards[i];
		struct detail d = { .len = 0 };

		d.buf[0] = '\0';
		if (wants(fields, "start_date", "start") && h->start == CW_DAY_NONE)
			detail_add(&d, "start_date", NULL);
		if (wants(fields, "description", NULL) && !h->has_description)
			detail_add(&d, "description", NULL);
		if (wants(fields, "review_date", "review_due") && h->review_due == CW_DAY_NONE)
			detail_add(&d, "review_date", NULL);
		if (d.len)
			violation(c, r, CW_OBL_HAZARD, h->id, &d);
	}
}

/* required_fields of information sharing (SHARE-FIELDS): the records
 * interface lists what each row lacks; the rule's list for the row's
 * direction (params.fields, request_received_fields, request_made_fields)
 * says which of those count. Without a list, every missing field counts. */
static void sharing_fields(struct obl_ctx *c, const struct cw_rule *r)
{
	for (size_t i = 0; i < c->f->n_sharing; i++) {
		const struct cw_facts_sharing *x = &c->f->sharing[i];
		const json_t *list = json_object_get(r->params, "fields");
		struct detail d = { .len = 0 };

		d.buf[0] = '\0';
		if (x->kind && !strcmp(x->kind, "request_received"))
			list = json_object_get(r->params, "request_received_fields");
		else if (x->kind && !strcmp(x->kind, "request_made"))
			list = json_object_get(r->params, "request_made_fields");
		for (size_t j = 0; j < x->n_missing; j++)
			if (!json_is_array(list) || names(list, x->missing[j]))
				detail_add(&d, x->missing[j], NULL);
		if (d.len)
			violation(c, r, CW_OBL_SHARING, x->id, &d);
	}
}

/* trace_sent (TRACE-SENT, MIRRA 10): "Where information is sent to another
 * agency a record should be made on an individual's file so that this can
 * be traced in future": each information-sharing row of kind "sharing"
 * (information sent) has the fields params.fields names (to whom, when,
 * what), as the records interface reports them missing. */
static void trace_sent(struct obl_ctx *c, const struct cw_rule *r)
{
	const json_t *list = json_object_get(r->params, "fields");

	for (size_t i = 0; i < c->f->n_sharing; i++) {
		const struct cw_facts_sharing *x = &c->f->sharing[i];
		struct detail d = { .len = 0 };

		if (!x->kind || (strcmp(x->kind, "sharing") && strcmp(x->kind, "shared")))
			continue;
		d.buf[0] = '\0';
		for (size_t j = 0; j < x->n_missing; j++)
			if (!json_is_array(list) || names(list, x->missing[j]))
				detail_add(&d, x->missing[j], NULL);
		if (d.len)
			violation(c, r, CW_OBL_SHARING, x->id, &d);
	}
}

/* acknowledged (FORGET-ACK, MIRRA 9): "their request should be
 * acknowledged as part of the record": each forget request needs a
 * finalised record of params.records (forget_ack) finalised at or after
 * it; acknowledgements pair with requests in time order, one each. */
static void acknowledged(struct obl_ctx *c, const struct cw_rule *r)
{
	const json_t *types = json_object_get(r->params, "records");
	struct obl_scratch *s = c->s;
	size_t next = 0;

	/* The acknowledgements, by finalisation time, in the done list. */
	s->n_done = 0;
	for (size_t i = 0; i < c->f->n_records; i++) {
		const struct cw_facts_record *rec = &c->f->records[i];

		if (rec->finalised_at == CW_TIME_NONE || rec->finalised_at > c->now || !rec->type ||
		    !json_is_array(types) || !names(types, rec->type))
			continue;
		s->done = obl_grow(s->done, &s->cap_done, s->n_done + 1, sizeof(*s->done));
		s->done[s->n_done++] = (struct obl_done){ .at = rec->finalised_at, .kind = CW_MET_BY_RECORD,
							  .id = rec->id };
	}
	if (s->n_done > 1)
		qsort(s->done, s->n_done, sizeof(*s->done), obl_cmp_done);
	/* The requests, by receipt (anchors reused as a sort buffer). */
	s->n_anchors = 0;
	for (size_t i = 0; i < c->f->n_forget; i++) {
		if (c->f->forget[i].received_at == CW_TIME_NONE)
			continue; /* the facts parser reported it */
		s->anchors = obl_grow(s->anchors, &s->cap_anchors, s->n_anchors + 1, sizeof(*s->anchors));
		s->anchors[s->n_anchors++] = (struct obl_anchor){ i, c->f->forget[i].received_at,
								 c->f->forget[i].id, -1 };
	}
	if (s->n_anchors > 1)
		qsort(s->anchors, s->n_anchors, sizeof(*s->anchors), cmp_anchor_at);
	for (size_t k = 0; k < s->n_anchors; k++) {
		struct detail d = { .len = 0 };

		while (next < s->n_done && s->done[next].at < s->anchors[k].at)
			next++;
		if (next < s->n_done) {
			next++;
			continue;
		}
		d.buf[0] = '\0';
		detail_add(&d, json_string_value(json_array_get(types, 0)) ?: "acknowledgement", NULL);
		violation(c, r, CW_OBL_FORGET, s->anchors[k].id, &d);
	}
}

/* Ascending record indices, for de-duplicating the late list. */
static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* late_flag (LATE-FLAG): a record that met an obligation after its due
 * time says it is late, by its late flag or a late reason (params.fields,
 * if given, says which of late_flag and late_reason count). */
static void late_flag(struct obl_ctx *c, const struct cw_rule *r)
{
	struct obl_scratch *s = c->s;
	const json_t *fields = json_object_get(r->params, "fields");

	if (s->n_late > 1)
		qsort(s->late, s->n_late, sizeof(*s->late), cmp_size);
	for (size_t i = 0; i < s->n_late; i++) {
		const struct cw_facts_record *rec = &c->f->records[s->late[i]];
		struct detail d = { .len = 0 };

		if (i > 0 && s->late[i] == s->late[i - 1])
			continue;
		if ((rec->late_flag && (!json_is_array(fields) || names(fields, "late_flag"))) ||
		    (rec->has_late_reason && (!json_is_array(fields) || names(fields, "late_reason"))))
			continue;
		if (c->horizon >= 0 && rec->finalised_at < c->now - c->horizon)
			continue;
		d.buf[0] = '\0';
		detail_add(&d, "late_flag", NULL);
		violation(c, r, CW_OBL_RECORD, rec->id, &d);
	}
}

/* A role's place on the ladder, or -1 when it is not on it. */
static int rank(const char *role)
{
	for (int i = 0; role && role_ladder[i]; i++)
		if (!strcmp(role_ladder[i], role))
			return i;
	return -1;
}

/* delete_reason (DELETE-REASON): deleted by params.min_role (default
 * team_manager) or above, with a reason, and (if listed) by a known person. */
static void delete_reason(struct obl_ctx *c, const struct cw_rule *r)
{
	const char *min = json_string_value(json_object_get(r->params, "min_role"));
	const json_t *fields = json_object_get(r->params, "fields");
	int need = rank(min ? min : "team_manager");

	if (need < 0)
		need = rank("team_manager");
	for (size_t i = 0; i < c->f->n_deletions; i++) {
		const struct cw_facts_deletion *x = &c->f->deletions[i];
		struct detail d = { .len = 0 };

		d.buf[0] = '\0';
		if (json_is_array(fields) && names(fields, "deleted_by") && x->deleted_by == CW_ID_NONE)
			detail_add(&d, "deleted_by", NULL);
		if (rank(x->deleted_by_role) < need)
			detail_add(&d, "deleted_by_role", NULL);
		if ((!json_is_array(fields) || names(fields, "reason")) && !x->has_reason)
			detail_add(&d, "reason", NULL);
		if (d.len)
			violation(c, r, CW_OBL_DELETION, x->record_id, &d);
	}
}

/* restricted_access (RESTRICTED-ACCESS): the records interface decides
 * whether each access was allowed by who the person is to the file (the
 * allocated worker, the team's managers, grants); staff whose role is in
 * params.allowed (Enfield: the IRO and EDT) may open any restricted file.
 * Every other access is reported. */
static void restricted_access(struct obl_ctx *c, const struct cw_rule *r)
{
	const json_t *roles = json_object_get(r->params, "allowed");

	for (size_t i = 0; i < c->f->n_access; i++) {
		const struct cw_facts_access *x = &c->f->access[i];
		struct detail d = { .len = 0 };
		char who[48];

		if (x->allowed || (x->accessed_by_role && json_is_array(roles) && names(roles, x->accessed_by_role)))
			continue;
		d.buf[0] = '\0';
		snprintf(who, sizeof(who), "staff %lld", (long long)x->accessed_by);
		detail_add(&d, who, NULL);
		if (x->record_id != CW_ID_NONE) {
			snprintf(who, sizeof(who), "record %lld", (long long)x->record_id);
			detail_add(&d, who, NULL);
		}
		violation(c, r, CW_OBL_ACCESS, x->id, &d);
	}
}

/* Findings in anchor order (kind, then id), whatever the document order. */
static int cmp_finding(const void *a, const void *b)
{
	const struct cw_obligation *x = a, *y = b;

	if (x->anchor_kind != y->anchor_kind)
		return x->anchor_kind < y->anchor_kind ? -1 : 1;
	return x->anchor_id < y->anchor_id ? -1 : x->anchor_id > y->anchor_id;
}

/* One content rule. A check whose facts the records interface does not
 * hand over per person (rollback_rate) gives nothing here;
 * lib/capability.c and docs/obligations.md list it. */
void obl_content(struct obl_ctx *c, const struct cw_rule *r)
{
	const char *check = r->check;
	size_t first = c->out->count;

	if (!check)
		return;
	if (!strcmp(check, "required_records")) {
		required_records(c, r);
	} else if (!strcmp(check, "required_fields")) {
		const char *of = json_string_value(json_object_get(r->params, "of"));
		const json_t *fields = json_object_get(r->params, "fields");

		if (!of)
			return;
		if (!strcmp(of, "record"))
			record_fields(c, r, fields);
		else if (!strcmp(of, "hazard"))
			hazard_fields(c, r, fields);
		else if (!strcmp(of, "information_sharing") || !strcmp(of, "info_sharing"))
			sharing_fields(c, r);
	} else if (!strcmp(check, "late_flag")) {
		late_flag(c, r);
	} else if (!strcmp(check, "delete_reason")) {
		delete_reason(c, r);
	} else if (!strcmp(check, "restricted_access")) {
		restricted_access(c, r);
	} else if (!strcmp(check, "trace_sent")) {
		trace_sent(c, r);
	} else if (!strcmp(check, "acknowledged")) {
		acknowledged(c, r);
	}
	if (c->out->count - first > 1)
		qsort(c->out->v + first, c->out->count - first, sizeof(*c->out->v), cmp_finding);
}
