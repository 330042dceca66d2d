/* capability.c - what each rule kind, anchor and check needs, against what the facts provide. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "casewatch/capability.h"

/* Field names required_fields may use, per entity: exactly what the facts
 * carry (docs/facts.md). Records and hazards are checked in the engine
 * from their own columns; information-sharing rows arrive with the names
 * of the fields they lack (records.info_sharing_missing()). */
static const char *const record_fields[] = {
	"entered_at", "occurred_at", "event_at", "author_id", "author", NULL,
};
static const char *const hazard_fields[] = {
	"start_date", "start", "description", "review_date", "review_due", NULL,
};
static const char *const sharing_fields[] = {
	"occurred_at", "recorded_by", "signed", "reason", "request_summary", "with_consent",
	"no_consent_reason", "consented_by", "consent_limits", "subject_informed",
	"not_informed_reason", "counterpart_name", "counterpart_job_title",
	"counterpart_organisation", "counterpart_phone", "identity_check", "decided_to_share",
	"decision_reason", "information_type", "method", "outcome", "receipt_confirmation", NULL,
};
static const char *const deletion_fields[] = { "deleted_by", "reason", NULL };
static const char *const late_fields[] = { "late_flag", "late_reason", NULL };
/* Staff roles the facts carry (deleted_by_role, accessed_by_role). */
static const char *const staff_roles[] = {
	"worker", "practice_supervisor", "team_manager", "service_manager", "records_officer", "iro", "edt", NULL,
};

static const struct {
	const char *of;
	const char *const *fields;
} entities[] = {
	{ "record", record_fields },
	{ "hazard", hazard_fields },
	{ "information_sharing", sharing_fields },
	{ "info_sharing", sharing_fields },
	{ NULL, NULL },
};

/* Per check: the facts it reads, whether the facts carry them, and the
 * params keys the engine reads (any other key is a choice it ignores). */
static const struct check_need {
	const char *check;
	bool provided;
	const char *needs;
	const char *const params[6];
} checks[] = {
	{ "required_records", true, "records[].type, finalised_at", { "records", "up_to_date" } },
	{ "required_fields", true, "the entity's own fields",
	  { "of", "fields", "request_received_fields", "request_made_fields" } },
	{ "late_flag", true, "records[].late_flag, has_late_reason", { "fields" } },
	{ "delete_reason", true, "deletions[]", { "min_role", "fields" } },
	{ "restricted_access", true, "restricted_access[].allowed, accessed_by_role", { "allowed" } },
	{ "rollback_rate", true, "records.team_rollback, counted per team and month (team-level alerts)",
	  { "per", "period", "escalate_above" } },
	{ "acknowledged", true, "forget_requests[] and records[] of params.records", { "records" } },
	{ "trace_sent", true, "info_sharing[] rows of kind sharing", { "fields" } },
	{ NULL, false, NULL, { "" } },
};

static const char *const cap_names[] = {
	[CW_CAP_EVALUATED] = "evaluated", [CW_CAP_PARTIAL] = "partial", [CW_CAP_NEVER] = "never",
	[CW_CAP_ELSEWHERE] = "elsewhere", [CW_CAP_DISABLED] = "disabled",
};

const char *cw_capability_name(enum cw_capability cap)
{
	if ((int)cap < 0 || cap > CW_CAP_DISABLED)
		return "?";
	return cap_names[cap];
}

const char *const *cw_capability_fields(const char *of, size_t *n)
{
	for (size_t i = 0; of && entities[i].of; i++)
		if (!strcmp(entities[i].of, of)) {
			size_t k = 0;

			while (entities[i].fields[k])
				k++;
			*n = k;
			return entities[i].fields;
		}
	*n = 0;
	return NULL;
}

/* True when the NULL-terminated list holds s. */
static bool listed(const char *const *list, const char *s)
{
	for (size_t i = 0; list && list[i]; i++)
		if (list[i][0] && !strcmp(list[i], s))
			return true;
	return false;
}

/* Writes the reason (if asked for) and returns the verdict. */
static enum cw_capability say(enum cw_capability cap, char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static enum cw_capability say(enum cw_capability cap, char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (why && n) {
		va_start(ap, fmt);
		vsnprintf(why, n, fmt, ap);
		va_end(ap);
	}
	return cap;
}

/* The first name of a params list the facts do not carry for `of`, or NULL. */
static const char *unknown_field(const json_t *list, const char *const *known)
{
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e)
		if (json_is_string(e) && !listed(known, json_string_value(e)))
			return json_string_value(e);
	return NULL;
}

/* Content rules: the check's facts, its params keys and its field names. */
static enum cw_capability content(const struct cw_rule *r, char *why, size_t n)
{
	const struct check_need *need = NULL;
	const char *key;
	json_t *v;

	for (size_t i = 0; checks[i].check && !need; i++)
		if (r->check && !strcmp(checks[i].check, r->check))
			need = &checks[i];
	if (!need)
		return say(CW_CAP_NEVER, why, n, "check \"%s\" is not evaluated by the engine",
			   r->check ? r->check : "(none)");
	if (!need->provided)
		return say(CW_CAP_NEVER, why, n, "check %s needs %s", need->check, need->needs);
	if (!strcmp(need->check, "required_fields")) {
		const char *of = json_string_value(json_object_get(r->params, "of"));
		static const char *const lists[] = { "fields", "request_received_fields",
						     "request_made_fields", NULL };
		const char *const *known;
		size_t nk;

		known = cw_capability_fields(of, &nk);
		if (!known)
			return say(CW_CAP_NEVER, why, n, "required_fields of \"%s\": the facts carry no such entity",
				   of ? of : "(none)");
		for (size_t i = 0; lists[i]; i++) {
			const char *bad = unknown_field(json_object_get(r->params, lists[i]), known);

			if (bad)
				return say(CW_CAP_PARTIAL, why, n,
					   "params.%s: field \"%s\" is not one the facts carry for %s (docs/facts.md)",
					   lists[i], bad, of);
		}
	}
	if (!strcmp(need->check, "restricted_access")) {
		const char *bad = unknown_field(json_object_get(r->params, "allowed"), staff_roles);

		if (bad)
			return say(CW_CAP_PARTIAL, why, n, "params.allowed: \"%s\" is not a staff role the facts carry", bad);
	}
	if (!strcmp(need->check, "trace_sent")) {
		const char *bad = unknown_field(json_object_get(r->params, "fields"), sharing_fields);

		if (bad)
			return say(CW_CAP_PARTIAL, why, n,
				   "params.fields: field \"%s\" is not one the facts carry for information_sharing (docs/facts.md)",
				   bad);
	}
	if (!strcmp(need->check, "rollback_rate")) {
		const char *per = json_string_value(json_object_get(r->params, "per"));
		const char *period = json_string_value(json_object_get(r->params, "period"));

		/* team-level alerts count per team and London calendar month */
		if (json_object_get(r->params, "per") && (!per || strcmp(per, "team")))
			return say(CW_CAP_NEVER, why, n, "check rollback_rate counts per team only (params.per \"team\")");
		if (json_object_get(r->params, "period") && (!period || strcmp(period, "month")))
			return say(CW_CAP_NEVER, why, n,
				   "check rollback_rate counts per calendar month only (params.period \"month\")");
	}
	if (!strcmp(need->check, "delete_reason") || !strcmp(need->check, "late_flag")) {
		const char *const *known = need->check[0] == 'd' ? deletion_fields : late_fields;
		const char *bad = unknown_field(json_object_get(r->params, "fields"), known);

		if (bad)
			return say(CW_CAP_PARTIAL, why, n, "params.fields: \"%s\" is not read by the engine", bad);
	}
	json_object_foreach((json_t *)r->params, key, v)
		if (!listed(need->params, key))
			return say(CW_CAP_PARTIAL, why, n, "params.%s is not read by the engine", key);
	return say(CW_CAP_EVALUATED, why, n, "%s", "");
}

enum cw_capability cw_capability_of(const struct cw_rule *r, char *why, size_t n)
{
	if (why && n)
		why[0] = '\0';
	if (!r->enabled)
		return CW_CAP_DISABLED;
	switch (r->kind) {
	case CW_RULE_AFTER_EVENT:
	case CW_RULE_SAME_WORKING_DAY:
		if (r->anchor.kind != CW_ANCHOR_EVENT && r->anchor.kind != CW_ANCHOR_BIRTHDAY)
			return say(CW_CAP_NEVER, why, n, "a deadline is anchored on events or a birthday only");
		break;
	case CW_RULE_BEFORE_EVENT:
		if (r->anchor.kind != CW_ANCHOR_EVENT)
			return say(CW_CAP_NEVER, why, n, "a before-event deadline is anchored on events only");
		break;
	case CW_RULE_RECURRING:
		if (r->anchor.kind == CW_ANCHOR_NONE || r->anchor.kind == CW_ANCHOR_RECORD)
			return say(CW_CAP_NEVER, why, n,
				   "a recurring rule runs on involvements, hazards, events, a birthday or the confidential section");
		break;
	case CW_RULE_CONTENT:
		return content(r, why, n);
	case CW_RULE_RETENTION:
	case CW_RULE_HOLD:
	case CW_RULE_DESTRUCTION:
	case CW_RULE_KIND_COUNT:
		return say(CW_CAP_ELSEWHERE, why, n, "%s rules are the retention engine's, not the obligation engine's",
			   cw_rule_kind_name(r->kind));
	}
	if (!r->has_period)
		return say(CW_CAP_NEVER, why, n, "no period");
	if (r->kind == CW_RULE_RECURRING && r->anchor.kind == CW_ANCHOR_INVOLVEMENT && r->anchor.events.n &&
	    !cw_rule_interpretation(r, "event_period"))
		return say(CW_CAP_PARTIAL, why, n,
			   "its anchor events make an update due only a whole period after them: set interpretation.event_period");
	if (r->anchor.general && !r->anchor.events.n)
		return say(CW_CAP_NEVER, why, n, "\"events\": \"all\" is left with no event type: other rules cover them all");
	return CW_CAP_EVALUATED;
}

bool cw_capability_unstated_choice(const struct cw_rule *r, char *why, size_t n)
{
	bool calendar = r->has_period && cw_period_is_day_based(&r->period) && r->period.unit != CW_UNIT_WORKDAYS;

	if (!r->enabled || (r->kind != CW_RULE_AFTER_EVENT && r->kind != CW_RULE_RECURRING))
		return false;
	for (size_t i = 0; i < r->n_first; i++)
		calendar = calendar || (cw_period_is_day_based(&r->first[i]) && r->first[i].unit != CW_UNIT_WORKDAYS);
	if (!calendar || r->anchor.kind == CW_ANCHOR_HAZARD)
		return false; /* hazards: their own review date decides (own_review_date) */
	if (cw_rule_interpretation(r, "non_working_due") ||
	    (cw_rule_interpretation(r, "days") &&
	     !strcmp(json_string_value(cw_rule_interpretation(r, "days")) ?: "", "working")))
		return false;
	say(CW_CAP_EVALUATED, why, n,
	    "a calendar deadline may fall on a weekend or bank holiday: say so in interpretation.non_working_due (\"next_working_day\" or \"keep\") or count working days (days: \"working\")");
	return true;
}
