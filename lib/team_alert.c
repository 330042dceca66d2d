/* team_alert.c - team-level alerts from roll-backs per team and month (ROLLBACK-RATE): a pure function. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "casewatch/team_alert.h"

bool cw_team_rule(const struct cw_rule *r)
{
	return r->enabled && r->kind == CW_RULE_CONTENT && r->check && !strcmp(r->check, "rollback_rate");
}

unsigned cw_team_escalate_above(const struct cw_rule *r)
{
	const json_t *v = r->params ? json_object_get(r->params, "escalate_above") : NULL;

	/* policy load refused anything but a whole number 0..1000000 */
	return json_is_integer(v) ? (unsigned)json_integer_value(v) : CW_TEAM_ESCALATE_ABOVE_DEFAULT;
}

void cw_team_period(cw_time t, cw_time *start, cw_time *end)
{
	int y, m, d;

	cw_day_to_ymd(cw_london_day(t), &y, &m, &d);
	*start = cw_london_to_utc(cw_day_from_ymd(y, m, 1), 0);
	*end = cw_london_to_utc(cw_day_add_months(cw_day_from_ymd(y, m, 1), 1), 0);
}

void cw_team_alerts_init(struct cw_team_alerts *out)
{
	memset(out, 0, sizeof(*out));
}

void cw_team_alerts_free(struct cw_team_alerts *out)
{
	free(out->v);
	cw_team_alerts_init(out);
}

/* Roll-backs by team, then time, then id: a team's are side by side and
 * in the order they happened. */
static int rollback_cmp(const void *a, const void *b)
{
	const struct cw_rollback *x = a, *y = b;

	if (x->team_id != y->team_id)
		return x->team_id < y->team_id ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return (x->rollback_id > y->rollback_id) - (x->rollback_id < y->rollback_id);
}

static bool push(struct cw_team_alerts *out, const struct cw_team_alert *a)
{
	if (out->n == out->cap) {
		size_t cap = out->cap ? 2 * out->cap : 16;
		struct cw_team_alert *v = realloc(out->v, cap * sizeof(*v));

		if (!v)
			return false;
		out->v = v;
		out->cap = cap;
	}
	out->v[out->n++] = *a;
	return true;
}

/* One rule over the period's roll-backs, sorted by team and time. */
static bool rule_alerts(const struct cw_rule *r, const struct cw_rollback *v, size_t n, cw_time start,
			struct cw_team_alerts *out)
{
	unsigned above = cw_team_escalate_above(r);

	for (size_t i = 0; i < n;) {
		struct cw_team_alert a = {
			.rule_id = r->id, .audience = r->audience ? r->audience : "service_manager",
			.team_id = v[i].team_id, .period_start = start, .first_at = v[i].at,
			.escalate_at = CW_TEAM_NO_ESCALATION,
		};

		for (; i < n && v[i].team_id == a.team_id; i++) {
			a.counted++;
			/* "must be agreed by the appropriate Team Manager": the
			 * first that was not escalates at once. */
			if (!v[i].agreed && a.unagreed++ == 0 && a.escalate_at == CW_TEAM_NO_ESCALATION)
				a.escalate_at = v[i].at;
			/* "will be exceptional": the roll-back that takes the
			 * month past the profile's number escalates. */
			if (a.counted == above + 1 && a.escalate_at == CW_TEAM_NO_ESCALATION)
				a.escalate_at = v[i].at;
		}
		if (!push(out, &a))
			return false;
	}
	return true;
}

bool cw_team_alerts_compute(const struct cw_policy *policy, const struct cw_rollback *rows, size_t n, cw_time now,
			    struct cw_team_alerts *out)
{
	struct cw_rollback *v = n ? malloc(n * sizeof(*v)) : NULL;
	cw_time start, end;
	size_t k = 0;
	bool ok = true;

	out->n = 0;
	if (n && !v)
		return false;
	cw_team_period(now, &start, &end);
	for (size_t i = 0; i < n; i++)
		if (rows[i].team_id != CW_TEAM_NO_TEAM && rows[i].at >= start && rows[i].at < end)
			v[k++] = rows[i];
	if (k)
		qsort(v, k, sizeof(*v), rollback_cmp); /* (v is NULL when there are no rows) */
	for (size_t i = 0; ok && i < cw_policy_rule_count(policy); i++) {
		const struct cw_rule *r = cw_policy_rule_at(policy, i);

		if (cw_team_rule(r))
			ok = rule_alerts(r, v, k, start, out);
	}
	free(v);
	return ok;
}
