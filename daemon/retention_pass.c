/* retention_pass.c - one person's retention as records-officer notices in the reconcile batch; the placed holds a pass reads. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "retention_pass.h"

const char cw_retention_holds_sql[] =
	"SELECT hold_id, scope, category, involved_from::text, involved_to::text, "
	"array_to_string(person_ids, ','), reason, starts::text, ends::text "
	"FROM casewatch.hold WHERE ends IS NULL OR ends >= $1::date ORDER BY hold_id";

const char cw_retention_gone_sql[] = "SELECT casewatch.retention_gone($1::timestamptz, $2::text)";

const char *cw_retention_no_early_rule(const struct cw_policy *policy)
{
	for (size_t i = 0; i < cw_policy_rule_count(policy); i++) {
		const struct cw_rule *r = cw_policy_rule_at(policy, i);

		if (r->kind == CW_RULE_DESTRUCTION && r->enabled && r->check && !strcmp(r->check, "retention_ended"))
			return r->id;
	}
	return NULL;
}

void cw_retention_holds_init(struct cw_retention_holds *h)
{
	memset(h, 0, sizeof(*h));
	h->notice_days = CW_RETENTION_UPCOMING_DAYS;
	h->grace_seconds = 30 * 86400;
}

void cw_retention_holds_clear(struct cw_retention_holds *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free((char *)h->v[i].category);
		free((char *)h->v[i].reason);
		free((int64_t *)h->v[i].persons);
	}
	h->n = 0;
	h->n_vanished = 0;
	h->n_approved = 0;
}

void cw_retention_holds_free(struct cw_retention_holds *h)
{
	cw_retention_holds_clear(h);
	free(h->v);
	free(h->vanished);
	free(h->approved);
	cw_retention_holds_init(h);
}

const char cw_retention_vanished_sql[] =
	"SELECT d.person_id, (SELECT a.team_id FROM casewatch.alert a WHERE a.person_id = d.person_id"
	" AND a.rule_id = $1 AND a.anchor_kind = 'person' ORDER BY a.alert_id DESC LIMIT 1),"
	" floor(extract(epoch FROM d.changed_at))::bigint"
	" FROM casewatch.destruction d WHERE d.state = 'vanished' ORDER BY d.person_id";

const char cw_retention_approved_sql[] =
	"SELECT person_id, floor(extract(epoch FROM coalesce(approved_at, changed_at)))::bigint, state"
	" FROM casewatch.destruction WHERE state IN ('due', 'reviewed', 'approved')"
	" OR (state = 'withdrawn' AND reviewed_by IS NOT NULL) ORDER BY person_id";

/* A bigint column into *out; false when NULL or not a number. */
static bool col_int(const PGresult *res, int row, int col, int64_t *out)
{
	char *end;

	if (PQgetisnull(res, row, col))
		return false;
	errno = 0;
	*out = strtoll(PQgetvalue(res, row, col), &end, 10);
	return !errno && *end == '\0' && end != PQgetvalue(res, row, col);
}

bool cw_retention_approved_add_row(struct cw_retention_holds *h, const PGresult *res, int row)
{
	struct cw_retention_approved x;

	if (h->n_approved == h->cap_approved) {
		size_t cap = h->cap_approved ? 2 * h->cap_approved : 16;
		struct cw_retention_approved *v = realloc(h->approved, cap * sizeof(*v));

		if (!v)
			return false;
		h->approved = v;
		h->cap_approved = cap;
	}
	if (!col_int(res, row, 0, &x.person_id) || !col_int(res, row, 1, &x.at) || PQgetisnull(res, row, 2))
		return false;
	x.state = PQgetvalue(res, row, 2)[0]; /* due, reviewed, approved, withdrawn */
	if (!strchr("draw", x.state) || !x.state)
		return false;
	h->approved[h->n_approved++] = x;
	return true;
}

bool cw_retention_vanished_add_row(struct cw_retention_holds *h, const PGresult *res, int row)
{
	struct cw_retention_vanished x;
	char *end;

	if (h->n_vanished == h->cap_vanished) {
		size_t cap = h->cap_vanished ? 2 * h->cap_vanished : 16;
		struct cw_retention_vanished *v = realloc(h->vanished, cap * sizeof(*v));

		if (!v)
			return false;
		h->vanished = v;
		h->cap_vanished = cap;
	}
	x.person_id = strtoll(PQgetvalue(res, row, 0), &end, 10);
	if (*end)
		return false;
	x.team_id = CW_ID_NONE;
	if (!PQgetisnull(res, row, 1)) {
		x.team_id = strtoll(PQgetvalue(res, row, 1), &end, 10);
		if (*end)
			return false;
	}
	if (!col_int(res, row, 2, &x.at))
		return false;
	h->vanished[h->n_vanished++] = x;
	return true;
}

/* Binary search: the rows come ordered by person. */
static const struct cw_retention_vanished *vanished_find(const struct cw_retention_holds *h, int64_t person_id)
{
	size_t lo = 0, hi = h->n_vanished;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->vanished[mid].person_id == person_id)
			return &h->vanished[mid];
		if (h->vanished[mid].person_id < person_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The approval of the person's destruction, or NULL (binary search). */
static const struct cw_retention_approved *approved_find(const struct cw_retention_holds *h, int64_t person_id)
{
	size_t lo = 0, hi = h->n_approved;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->approved[mid].person_id == person_id)
			return &h->approved[mid];
		if (h->approved[mid].person_id < person_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A date column: CW_DAY_NONE for NULL; false when it is not a date. */
static bool col_day(const PGresult *res, int row, int col, cw_day *out)
{
	*out = CW_DAY_NONE;
	if (PQgetisnull(res, row, col))
		return true;
	return cw_day_parse(PQgetvalue(res, row, col), out);
}

/* "1,2,3" into a fresh array. */
static bool parse_ids(const char *text, int64_t **out, size_t *n)
{
	size_t cap = 1;
	const char *s;

	for (s = text; *s; s++)
		cap += *s == ',';
	*out = malloc(cap * sizeof(**out));
	*n = 0;
	if (!*out)
		return false;
	for (s = text; *s;) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno || end == s || (*end && *end != ','))
			return false;
		(*out)[(*n)++] = v;
		s = *end ? end + 1 : end;
	}
	return true;
}

bool cw_retention_holds_add_row(struct cw_retention_holds *h, const PGresult *res, int row)
{
	struct cw_hold x = { .source = CW_RETENTION_PLACED_RULE };
	int64_t *persons = NULL;
	size_t n_persons = 0;
	char *end;

	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 16;
		struct cw_hold *v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return false;
		h->v = v;
		h->cap = cap;
	}
	x.id = strtoll(PQgetvalue(res, row, 0), &end, 10);
	if (*end || !cw_hold_scope_parse(PQgetvalue(res, row, 1), &x.scope) ||
	    !col_day(res, row, 3, &x.from) || !col_day(res, row, 4, &x.to) ||
	    !col_day(res, row, 7, &x.starts) || !col_day(res, row, 8, &x.ends))
		return false;
	if (!PQgetisnull(res, row, 5) && !parse_ids(PQgetvalue(res, row, 5), &persons, &n_persons)) {
		free(persons);
		return false;
	}
	x.persons = persons;
	x.n_persons = n_persons;
	x.category = PQgetisnull(res, row, 2) ? NULL : strdup(PQgetvalue(res, row, 2));
	x.reason = strdup(PQgetvalue(res, row, 6));
	if (!x.reason || (!PQgetisnull(res, row, 2) && !x.category)) {
		free((char *)x.category);
		free((char *)x.reason);
		free(persons);
		return false;
	}
	h->v[h->n++] = x;
	return true;
}

/* A records-officer obligation or finding on the person as a whole. */
static struct cw_obligation person_notice(const char *rule, int64_t person_id)
{
	return (struct cw_obligation){
		.rule_id = rule, .person_id = person_id, .anchor_kind = CW_OBL_PERSON, .anchor_id = person_id,
		.cycle_start = CW_TIME_NONE, .anchor_at = CW_TIME_NONE, .warn_at = CW_TIME_NONE,
		.due_at = CW_TIME_NONE, .audience_base = "records_officer", .audience = "records_officer",
		.met_at = CW_TIME_NONE, .met_by = CW_ID_NONE, .next_at = CW_TIME_NONE,
	};
}

/* The rule id a hold's notice carries. */
static const char *hold_rule(const struct cw_retention_hold *h)
{
	return h->id != CW_ID_NONE ? CW_RETENTION_PLACED_RULE : h->source;
}

size_t cw_retention_pass_person(const struct cw_policy *policy, const struct cw_calendar *cal,
				const struct cw_facts *f, cw_time now,
				const struct cw_retention_holds *holds, struct cw_retention *r, struct cw_obatch *into)
{
	cw_day today = cw_london_day(now), warn;
	int window = holds ? holds->notice_days : CW_RETENTION_UPCOMING_DAYS;
	const struct cw_retention_approved *approved = holds ? approved_find(holds, f->person_id) : NULL;
	struct cw_obligation o;
	size_t added = 0;

	cw_retention_compute(f, policy, holds ? holds->v : NULL, holds ? holds->n : 0, today, cal, r);
	if (approved && approved->state != 'w' && r->state != CW_RET_DUE) {
		/* Reopened, changed or held since: the decision no longer
		 * stands, and a held record's approval with it, so the
		 * person leaving the records is NO-EARLY-DESTROY, never
		 * confirmed (docs/retention.md). */
		cw_obatch_withdraw_decision(into);
		cw_log(CW_LOG_NOTICE, "person %" PRId64 ": destruction decision (%s) withdrawn: the record is %s",
		       f->person_id, approved->state == 'a' ? "approved" : approved->state == 'r' ? "reviewed" : "due",
		       cw_retention_state_name(r->state));
	}
	if (approved && (approved->state == 'w' || (approved->state != 'd' && r->state != CW_RET_DUE))) {
		/* The records officer is told a reviewed decision fell, until
		 * the record is reviewed afresh. */
		o = person_notice(CW_RETENTION_WITHDRAWN_RULE, f->person_id);
		o.violation = true;
		if (cw_obatch_add(into, &o, f)) {
			cw_obatch_set_severity(into, "notice");
			added++;
		}
	}
	if (approved && approved->state == 'a' && r->state == CW_RET_DUE &&
	    cw_clock_storable(approved->at + holds->grace_seconds)) {
		/* Approved and still here: overdue once the grace has run out.
		 * Only while due: an approval a reopening or a hold overtook must
		 * not be pressed. */
		o = person_notice(CW_RETENTION_GRACE_RULE, f->person_id);
		o.due_at = approved->at + holds->grace_seconds;
		if (cw_obatch_add(into, &o, f))
			added++;
	}
	if (r->state != CW_RET_RETAINED && r->state != CW_RET_HELD && r->state != CW_RET_DUE)
		return added; /* open, kept, incomplete: nothing to tell; open notices are withdrawn */
	if (r->state == CW_RET_RETAINED &&
	    r->destroy_on - today > (window > CW_RETENTION_STORE_AHEAD_DAYS ? window : CW_RETENTION_STORE_AHEAD_DAYS))
		return added;
	warn = r->destroy_on - window;
	if (!cw_clock_storable(cw_london_to_utc(warn, 0)) || !cw_clock_storable(cw_london_to_utc(r->destroy_on, 0)))
		return added;
	o = person_notice(r->basis->id, f->person_id);
	o.warn_at = cw_london_to_utc(warn, 0);
	o.due_at = cw_london_to_utc(r->destroy_on, 0);
	o.suspended = r->state == CW_RET_HELD;
	if (cw_obatch_add(into, &o, f))
		added++;
	if (r->state != CW_RET_HELD)
		return added;
	/* Held: one finding per kind of hold (the store keys them by rule). */
	for (size_t i = 0; i < r->n_holds_listed; i++) {
		const char *rule = hold_rule(&r->holds[i]);
		bool seen = false;

		for (size_t k = 0; k < i; k++)
			seen = seen || !strcmp(hold_rule(&r->holds[k]), rule);
		if (seen)
			continue;
		o = person_notice(rule, f->person_id);
		o.violation = true;
		if (cw_obatch_add(into, &o, f)) {
			cw_obatch_set_severity(into, "notice");
			added++;
		}
	}
	return added;
}

size_t cw_retention_pass_gone(const struct cw_retention_holds *h, const char *rule, int64_t person_id,
			      struct cw_obatch *into)
{
	const struct cw_retention_vanished *v = rule ? vanished_find(h, person_id) : NULL;
	struct cw_facts gone = { .person_id = person_id };
	struct cw_obligation o;
	size_t added = 0;

	if (!v)
		return 0;
	gone.team_id = v->team_id;
	o = person_notice(rule, person_id);
	o.violation = true;
	if (cw_obatch_add(into, &o, &gone)) {
		cw_obatch_set_severity(into, "err");
		added++;
	}
	/* The service manager's: on the deletion of the person, overdue since
	 * it was found (an alert's key is its rule and anchor, so the second
	 * audience needs its own anchor). */
	o = person_notice(rule, person_id);
	o.anchor_kind = CW_OBL_DELETION;
	o.audience_base = o.audience = "service_manager";
	o.due_at = v->at;
	if (cw_clock_storable(v->at) && cw_obatch_add(into, &o, &gone))
		added++;
	return added;
}
