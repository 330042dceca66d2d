/* policy_rule.c - turning one effective rule's JSON into a validated struct cw_rule. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "casewatch/policy.h"
#include "casewatch/vocabulary.h"
#include "policy_internal.h"

/* A short excerpt of a profile's text, for an error message to quote. */
#define ECHO(text) cw_error_echo((text), (char[CW_ERROR_ECHO_STRLEN]){ 0 })

static const char *const kind_names[CW_RULE_KIND_COUNT] = {
	[CW_RULE_AFTER_EVENT] = "after_event",
	[CW_RULE_BEFORE_EVENT] = "before_event",
	[CW_RULE_SAME_WORKING_DAY] = "same_working_day",
	[CW_RULE_RECURRING] = "recurring",
	[CW_RULE_CONTENT] = "content",
	[CW_RULE_RETENTION] = "retention",
	[CW_RULE_HOLD] = "hold",
	[CW_RULE_DESTRUCTION] = "destruction",
};

/* Bit masks of kinds, for which keys a kind may use. */
#define K(kind) (1u << (kind))
#define K_DEADLINE (K(CW_RULE_AFTER_EVENT) | K(CW_RULE_BEFORE_EVENT) | K(CW_RULE_SAME_WORKING_DAY) | K(CW_RULE_RECURRING))
#define K_ALL ((1u << CW_RULE_KIND_COUNT) - 1)

static const struct {
	const char *key;
	unsigned kinds;
} rule_keys[] = {
	{ "id", K_ALL },
	{ "kind", K_ALL },
	{ "title", K_ALL },
	{ "source", K_ALL },
	{ "words", K_ALL },
	{ "enabled", K_ALL },
	{ "audience", K_ALL },
	{ "interpretation", K_ALL },
	{ "applies_to", K_ALL },
	{ "note", K_ALL },
	{ "anchor", K_DEADLINE },
	{ "satisfied_by", K_DEADLINE },
	{ "period", K_DEADLINE },
	{ "warn", K_DEADLINE & ~K(CW_RULE_SAME_WORKING_DAY) },
	{ "escalations", K_DEADLINE },
	{ "suspend", K_DEADLINE },
	{ "first", K(CW_RULE_RECURRING) },
	{ "from_age", K(CW_RULE_RECURRING) },
	{ "check", K(CW_RULE_CONTENT) | K(CW_RULE_DESTRUCTION) },
	{ "params", K(CW_RULE_CONTENT) | K(CW_RULE_DESTRUCTION) },
	{ "keep", K(CW_RULE_RETENTION) },
	{ "scheduled", K(CW_RULE_RETENTION) },
	{ "instead", K(CW_RULE_RETENTION) },
	{ "scope", K(CW_RULE_HOLD) },
	{ "starts", K(CW_RULE_HOLD) },
	{ "ends", K(CW_RULE_HOLD) },
	{ "while", K(CW_RULE_HOLD) },
	{ "until", K(CW_RULE_HOLD) },
};

/* The checks content and destruction rules may name (docs/profiles.md). */
static const char *const checks[] = {
	"required_records",  /* MIN-CONTENT, PR-RECORDED */
	"required_fields",   /* HAZARD-FIELDS, EVENT-TIME, SHARE-FIELDS */
	"late_flag",	     /* LATE-FLAG */
	"delete_reason",     /* DELETE-REASON */
	"rollback_rate",     /* ROLLBACK-RATE */
	"acknowledged",	     /* FORGET-ACK */
	"restricted_access", /* RESTRICTED-ACCESS */
	"trace_sent",	     /* TRACE-SENT */
	"retention_ended",   /* NO-EARLY-DESTROY */
	"destruction_register", /* DESTROY-LIST */
	NULL,
};

/* Interpretation keys the engine reads as periods. */
static const char *const period_keys[] = {
	"event_period", /* recurring: a restarting event makes an update due this soon (CHRON-3M) */
	"immediately",	/* before_event: due this long after the council learned of it, if later */
	"until_18_after",  /* recurring on events: from this long after an until_18 anchor ... */
	"until_18_period", /* ... cycles take this period (ST-LAC-VISIT) */
	NULL,
};

/* Everything a rule's validation needs to hand. */
struct ctx {
	struct cw_policy *policy;
	const struct policy_rule_src *src;
	struct cw_policy_errors *errs;
	struct cw_rule *r;
	bool ok;
};

/* The kind as profiles spell it. */
const char *cw_rule_kind_name(enum cw_rule_kind kind)
{
	if ((int)kind < 0 || kind >= CW_RULE_KIND_COUNT)
		return "?";
	return kind_names[kind];
}

/* Exact match against the kinds profiles may name. */
bool cw_rule_kind_parse(const char *text, enum cw_rule_kind *out)
{
	for (int k = 0; k < CW_RULE_KIND_COUNT; k++)
		if (!strcmp(text, kind_names[k])) {
			*out = (enum cw_rule_kind)k;
			return true;
		}
	return false;
}

/* One of the council's choices, or NULL when the rule makes none. */
const json_t *cw_rule_interpretation(const struct cw_rule *rule, const char *key)
{
	return rule->interpretation ? json_object_get(rule->interpretation, key) : NULL;
}

/* Linear: code lists hold a handful of entries. */
bool cw_codes_has(const struct cw_codes *codes, const char *code)
{
	for (size_t i = 0; i < codes->n; i++)
		if (!strcmp(codes->v[i], code))
			return true;
	return false;
}

/* Reports an error at rules[i].KEY+SUB in the file that set KEY (or, for a
 * key the rule lacks, the file that last defined the rule). */
static void rerr(struct ctx *c, const char *key, const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void rerr(struct ctx *c, const char *key, const char *sub, const char *fmt, ...)
{
	const json_t *origin = key ? json_object_get(c->src->origins, key) : NULL;
	const char *file = c->src->file;
	int index = c->src->index;
	char msg[CW_ERROR_MAX], ek[CW_ERROR_ECHO_STRLEN], es[CW_ERROR_ECHO_STRLEN];
	va_list ap;

	if (origin) {
		file = json_string_value(json_array_get(origin, 0));
		index = (int)json_integer_value(json_array_get(origin, 1));
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cw_policy_errors_add(c->errs, "%s: rules[%d]%s%s%s: %s", file, index, key ? "." : "",
			     key ? cw_error_echo(key, ek) : "", sub ? cw_error_echo(sub, es) : "", msg);
	c->ok = false;
}

/* Memory owned by the policy; running out is reported as an error of the
 * rule, so a half-built rule is never mistaken for a valid one. */
static void *ralloc(struct ctx *c, size_t size)
{
	void *p = policy_alloc(c->policy, size);

	if (!p)
		rerr(c, NULL, NULL, "out of memory");
	return p;
}

/* An array of codes (or one code) from a vocabulary. */
static void parse_codes(struct ctx *c, const char *key, const char *sub, const json_t *v,
			enum cw_vocab vocab, struct cw_codes *out)
{
	size_t i, n;
	json_t *e;

	if (json_is_string(v)) {
		out->v = ralloc(c, sizeof(*out->v));
		if (!out->v)
			return;
		if (!cw_vocabulary_has(vocab, json_string_value(v)))
			rerr(c, key, sub, "unknown %s \"%s\" (see docs/vocabulary.md)",
			     cw_vocabulary_name(vocab), ECHO(json_string_value(v)));
		out->v[0] = json_string_value(v);
		out->n = 1;
		return;
	}
	if (!json_is_array(v)) {
		rerr(c, key, sub, "expected a list of %s codes", cw_vocabulary_name(vocab));
		return;
	}
	n = json_array_size(v);
	out->v = ralloc(c, (n ? n : 1) * sizeof(*out->v));
	if (!out->v)
		return;
	json_array_foreach(v, i, e) {
		char where[256];

		snprintf(where, sizeof(where), "%s[%zu]", sub ? sub : "", i);
		if (!json_is_string(e)) {
			rerr(c, key, where, "expected a %s code (a string)", cw_vocabulary_name(vocab));
			continue;
		}
		if (!cw_vocabulary_has(vocab, json_string_value(e))) {
			rerr(c, key, where, "unknown %s \"%s\" (see docs/vocabulary.md)",
			     cw_vocabulary_name(vocab), ECHO(json_string_value(e)));
			continue;
		}
		out->v[out->n++] = json_string_value(e);
	}
}

/* A period value (string or object). */
static bool parse_period(struct ctx *c, const char *key, const char *sub, const json_t *v,
			 struct cw_period *out)
{
	struct cw_error err;
	char where[256];

	if (cw_period_from_json(v, out, &err))
		return true;
	/* err starts with ".unit: ", ".amount: " or ": ". */
	if (err.msg[0] == '.') {
		const char *colon = strchr(err.msg, ':');
		size_t n = colon ? (size_t)(colon - err.msg) : 0;

		snprintf(where, sizeof(where), "%s%.*s", sub ? sub : "", (int)n, err.msg);
		rerr(c, key, where, "%s", colon ? colon + 2 : err.msg);
	} else {
		rerr(c, key, sub, "%s", err.msg + 2);
	}
	return false;
}

/* A string member, or an error when it is required and missing. key NULL
 * means a member of the rule itself; else a member of rule.key+sub. */
static const char *get_string(struct ctx *c, const json_t *obj, const char *key, const char *sub,
			      const char *member, bool required)
{
	const json_t *v = json_object_get(obj, member);
	char where[256];

	snprintf(where, sizeof(where), "%s.%s", sub ? sub : "", member);
	if (!v || !json_is_string(v) || !*json_string_value(v)) {
		if (!v && !required)
			return NULL;
		if (key)
			rerr(c, key, where, "%s", v ? "expected a non-empty string" : "missing");
		else
			rerr(c, member, NULL, "%s", v ? "expected a non-empty string" : "missing");
		return NULL;
	}
	return json_string_value(v);
}

/* Rejects keys an object does not know, naming the ones it does. */
static void only_keys(struct ctx *c, const char *key, const char *sub, const json_t *obj,
		      const char *const *known, const char *expected)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v) {
		bool found = false;
		char where[256], ek[CW_ERROR_ECHO_STRLEN];

		for (int i = 0; known[i]; i++)
			found = found || !strcmp(known[i], k);
		if (!found) {
			snprintf(where, sizeof(where), "%s.%s", sub ? sub : "", cw_error_echo(k, ek));
			rerr(c, key, where, "unknown key (expected %s)", expected);
		}
	}
}

/* An anchor object: one of events, involvements, hazard, birthday, records,
 * confidential (recurring) or death (retention). */
static void parse_anchor(struct ctx *c, const char *key, const char *sub, const json_t *v,
			 struct cw_anchor *a)
{
	static const char *const known[] = { "events", "involvements", "at", "hazard", "birthday", "records",
					     "except", "death", "confidential", NULL };
	const json_t *events, *invs, *hazard, *birthday, *records, *at, *except, *death, *confidential;
	char where[256];
	int kinds;

	if (!json_is_object(v)) {
		rerr(c, key, sub, "expected an object naming events, involvements, hazard, birthday or records");
		return;
	}
	only_keys(c, key, sub, v, known,
		  "events, involvements, at, hazard, birthday, records, except, death, confidential");
	events = json_object_get(v, "events");
	invs = json_object_get(v, "involvements");
	hazard = json_object_get(v, "hazard");
	birthday = json_object_get(v, "birthday");
	records = json_object_get(v, "records");
	at = json_object_get(v, "at");
	except = json_object_get(v, "except");
	death = json_object_get(v, "death");
	confidential = json_object_get(v, "confidential");
	kinds = !!invs + !!hazard + !!birthday + !!records + !!death + !!confidential;
	if (kinds > 1) {
		rerr(c, key, sub, "an anchor names one of involvements, hazard, birthday, records, confidential or death");
		return;
	}
	/* The confidential section is monitored on a cycle (CONF-REVIEW, 003
	 * §5.7): only a recurring rule counts from it. */
	if (confidential) {
		snprintf(where, sizeof(where), "%s.confidential", sub ? sub : "");
		if (!json_is_true(confidential))
			rerr(c, key, where, "expected true");
		else if (strcmp(key, "anchor"))
			rerr(c, key, where, "only a recurring rule's anchor is the confidential section");
		if (events)
			rerr(c, key, sub, "events combine only with involvements, and only on recurring rules");
		a->kind = CW_ANCHOR_CONFIDENTIAL;
		return;
	}
	/* Only a retention period counts from a death (ST-RET-LAC): no
	 * recording deadline does. */
	if (death && (strcmp(key, "keep") && strcmp(key, "instead"))) {
		rerr(c, key, sub, "\"death\" anchors only retention periods (keep)");
		return;
	}
	if (death) {
		snprintf(where, sizeof(where), "%s.death", sub ? sub : "");
		if (!json_is_true(death))
			rerr(c, key, where, "expected true");
		a->kind = CW_ANCHOR_DEATH;
		return;
	}
	if (!kinds && !events) {
		rerr(c, key, sub, "empty anchor (name events, involvements, hazard, birthday or records)");
		return;
	}
	if (events && json_is_string(events) && !strcmp(json_string_value(events), "all")) {
		/* A general rule ("all records"): every event type for now; the
		 * loader takes out those other rules of the profile cover. */
		size_t n;
		const char *const *all = cw_vocabulary_codes(CW_VOCAB_EVENT, &n);

		snprintf(where, sizeof(where), "%s.except", sub ? sub : "");
		if (except)
			parse_codes(c, key, where, except, CW_VOCAB_EVENT, &a->except);
		a->general = true;
		a->events.v = ralloc(c, n * sizeof(*a->events.v));
		for (size_t i = 0; a->events.v && i < n; i++)
			if (!cw_codes_has(&a->except, all[i]))
				a->events.v[a->events.n++] = all[i];
		a->kind = CW_ANCHOR_EVENT;
		if (c->r->kind == CW_RULE_RECURRING || c->r->kind == CW_RULE_BEFORE_EVENT)
			rerr(c, key, sub, "\"events\": \"all\" is for after_event and same_working_day rules");
	} else if (events) {
		snprintf(where, sizeof(where), "%s.events", sub ? sub : "");
		parse_codes(c, key, where, events, CW_VOCAB_EVENT, &a->events);
		a->kind = CW_ANCHOR_EVENT;
	}
	if (except && !a->general) {
		snprintf(where, sizeof(where), "%s.except", sub ? sub : "");
		rerr(c, key, where, "\"except\" only goes with \"events\": \"all\"");
	}
	if (invs) {
		snprintf(where, sizeof(where), "%s.involvements", sub ? sub : "");
		parse_codes(c, key, where, invs, CW_VOCAB_INVOLVEMENT, &a->involvements);
		a->kind = CW_ANCHOR_INVOLVEMENT;
	}
	if (hazard) {
		if (!json_is_true(hazard)) {
			snprintf(where, sizeof(where), "%s.hazard", sub ? sub : "");
			rerr(c, key, where, "expected true");
		}
		a->kind = CW_ANCHOR_HAZARD;
	}
	if (birthday) {
		snprintf(where, sizeof(where), "%s.birthday", sub ? sub : "");
		if (!json_is_integer(birthday) || json_integer_value(birthday) < 0 ||
		    json_integer_value(birthday) > 120)
			rerr(c, key, where, "expected an age in years (0 = date of birth)");
		else
			a->birthday = (int)json_integer_value(birthday);
		a->kind = CW_ANCHOR_BIRTHDAY;
	}
	if (records) {
		snprintf(where, sizeof(where), "%s.records", sub ? sub : "");
		parse_codes(c, key, where, records, CW_VOCAB_RECORD, &a->records);
		a->kind = CW_ANCHOR_RECORD;
	}
	if (at) {
		const char *s = json_string_value(at);

		snprintf(where, sizeof(where), "%s.at", sub ? sub : "");
		if (events && !invs && s && !strcmp(s, "fee_paid") && c->r->kind == CW_RULE_AFTER_EVENT)
			a->at = CW_AT_FEE_PAID;
		else if (!invs)
			rerr(c, key, where, "\"at\" applies to involvement anchors, and \"fee_paid\" to after_event ones");
		else if (s && !strcmp(s, "start"))
			a->at = CW_AT_START;
		else if (s && !strcmp(s, "end"))
			a->at = CW_AT_END;
		else if (s && !strcmp(s, "order_date"))
			a->at = CW_AT_ORDER_DATE;
		else
			rerr(c, key, where, "expected \"start\", \"end\" or \"order_date\"");
	}
	if (events && kinds && !(c->r->kind == CW_RULE_RECURRING && invs))
		rerr(c, key, sub, "events combine only with involvements, and only on recurring rules");
}

/* satisfied_by: {records: [...], events: [...], references_anchor: bool}. */
static void parse_satisfied(struct ctx *c, const json_t *v)
{
	static const char *const known[] = { "records", "events", "references_anchor", NULL };
	const json_t *ref;

	if (!json_is_object(v)) {
		rerr(c, "satisfied_by", NULL, "expected an object with records and/or events");
		return;
	}
	only_keys(c, "satisfied_by", NULL, v, known, "records, events, references_anchor");
	if (json_is_string(json_object_get(v, "records")) &&
	    !strcmp(json_string_value(json_object_get(v, "records")), "any")) {
		/* Any record that names the anchor event: a general rule does not
		 * care what kind of record answers a visit or a meeting. */
		size_t n;
		const char *const *all = cw_vocabulary_codes(CW_VOCAB_RECORD, &n);

		c->r->satisfied_records.v = (const char **)all;
		c->r->satisfied_records.n = n;
		c->r->satisfied_any_record = true;
		if (!json_is_true(json_object_get(v, "references_anchor")))
			rerr(c, "satisfied_by", ".records",
			     "\"any\" needs \"references_anchor\": true (else any record would meet every event)");
	} else if (json_object_get(v, "records"))
		parse_codes(c, "satisfied_by", ".records", json_object_get(v, "records"), CW_VOCAB_RECORD,
			    &c->r->satisfied_records);
	if (json_object_get(v, "events"))
		parse_codes(c, "satisfied_by", ".events", json_object_get(v, "events"), CW_VOCAB_EVENT,
			    &c->r->satisfied_events);
	ref = json_object_get(v, "references_anchor");
	if (ref && !json_is_boolean(ref))
		rerr(c, "satisfied_by", ".references_anchor", "expected true or false");
	c->r->references_anchor = json_is_true(ref);
	if (!c->r->satisfied_records.n && !c->r->satisfied_events.n && c->ok)
		rerr(c, "satisfied_by", NULL, "names no record or event type, so the rule can never be met");
}

/* escalations: [{after, audience}], strictly after the due time and ascending. */
static void parse_escalations(struct ctx *c, const json_t *v)
{
	static const char *const known[] = { "after", "audience", NULL };
	struct cw_escalation *e;
	size_t i, n;
	json_t *step;

	if (!json_is_array(v)) {
		rerr(c, "escalations", NULL, "expected a list of {\"after\": PERIOD, \"audience\": CODE}");
		return;
	}
	n = json_array_size(v);
	if (n > CW_POLICY_MAX_ESCALATIONS) {
		rerr(c, "escalations", NULL, "%zu steps; a rule may have at most %d", n,
		     CW_POLICY_MAX_ESCALATIONS);
		return;
	}
	e = ralloc(c, (n ? n : 1) * sizeof(*e));
	if (!e)
		return;
	c->r->escalations = e;
	json_array_foreach(v, i, step) {
		char where[64];
		const char *aud;

		snprintf(where, sizeof(where), "[%zu]", i);
		if (!json_is_object(step)) {
			rerr(c, "escalations", where, "expected {\"after\": PERIOD, \"audience\": CODE}");
			continue;
		}
		only_keys(c, "escalations", where, step, known, "after, audience");
		snprintf(where, sizeof(where), "[%zu].after", i);
		if (!json_object_get(step, "after")) {
			rerr(c, "escalations", where, "missing (how long after the due time)");
			continue;
		}
		if (!parse_period(c, "escalations", where, json_object_get(step, "after"), &e[i].after))
			continue;
		if (e[i].after.amount == 0)
			rerr(c, "escalations", where,
			     "escalation at or before its due time (\"after\" counts from the due time and must be more than 0)");
		else if (i > 0 && cw_period_nominal_seconds(&e[i].after) <=
					  cw_period_nominal_seconds(&e[i - 1].after))
			rerr(c, "escalations", where, "escalation does not come after the previous step");
		snprintf(where, sizeof(where), "[%zu]", i);
		aud = get_string(c, step, "escalations", where, "audience", true);
		if (aud && !cw_vocabulary_has(CW_VOCAB_AUDIENCE, aud)) {
			snprintf(where, sizeof(where), "[%zu].audience", i);
			rerr(c, "escalations", where, "unknown audience \"%s\" (see docs/vocabulary.md)", ECHO(aud));
		}
		e[i].audience = aud;
	}
	c->r->n_escalations = n;
}

/* A list of periods (recurring "first"). */
static void parse_first(struct ctx *c, const json_t *v)
{
	struct cw_period *f;
	size_t i, n;
	json_t *e;

	if (!json_is_array(v)) {
		rerr(c, "first", NULL, "expected a list of periods");
		return;
	}
	n = json_array_size(v);
	f = ralloc(c, (n ? n : 1) * sizeof(*f));
	if (!f)
		return;
	json_array_foreach(v, i, e) {
		char where[64];

		snprintf(where, sizeof(where), "[%zu]", i);
		if (parse_period(c, "first", where, e, &f[i]) && f[i].amount == 0)
			rerr(c, "first", where, "zero period: the occurrence would be due at once, forever");
	}
	c->r->first = f;
	c->r->n_first = n;
}

/* from_age: [{age, period}] ascending. */
static void parse_from_age(struct ctx *c, const json_t *v)
{
	static const char *const known[] = { "age", "period", NULL };
	struct cw_age_period *a;
	size_t i, n;
	json_t *e;

	if (!json_is_array(v)) {
		rerr(c, "from_age", NULL, "expected a list of {\"age\": N, \"period\": PERIOD}");
		return;
	}
	n = json_array_size(v);
	a = ralloc(c, (n ? n : 1) * sizeof(*a));
	if (!a)
		return;
	json_array_foreach(v, i, e) {
		char where[64];
		const json_t *age;

		snprintf(where, sizeof(where), "[%zu]", i);
		if (!json_is_object(e)) {
			rerr(c, "from_age", where, "expected {\"age\": N, \"period\": PERIOD}");
			continue;
		}
		only_keys(c, "from_age", where, e, known, "age, period");
		age = json_object_get(e, "age");
		snprintf(where, sizeof(where), "[%zu].age", i);
		if (!json_is_integer(age) || json_integer_value(age) < 0 || json_integer_value(age) > 120)
			rerr(c, "from_age", where, "expected an age in years");
		else
			a[i].age = (int)json_integer_value(age);
		snprintf(where, sizeof(where), "[%zu].period", i);
		if (parse_period(c, "from_age", where, json_object_get(e, "period"), &a[i].period) &&
		    a[i].period.amount == 0)
			rerr(c, "from_age", where, "zero period on a recurring rule");
	}
	c->r->age_periods = a;
	c->r->n_age_periods = n;
}

/* A list of keep terms [{anchor, period}] at KEY+SUB (keep, or a variant's
 * keep under instead). */
static void parse_keep_terms(struct ctx *c, const char *key, const char *sub, const json_t *v,
			     const struct cw_keep **out, size_t *n_out)
{
	static const char *const known[] = { "anchor", "period", NULL };
	struct cw_keep *k;
	size_t i, n;
	json_t *e;

	if (!json_is_array(v) || !json_array_size(v)) {
		rerr(c, key, sub, "expected a non-empty list of {\"anchor\": ..., \"period\": PERIOD}");
		return;
	}
	n = json_array_size(v);
	k = ralloc(c, n * sizeof(*k));
	if (!k)
		return;
	json_array_foreach(v, i, e) {
		char where[128];

		snprintf(where, sizeof(where), "%s[%zu]", sub ? sub : "", i);
		if (!json_is_object(e)) {
			rerr(c, key, where, "expected {\"anchor\": ..., \"period\": PERIOD}");
			continue;
		}
		only_keys(c, key, where, e, known, "anchor, period");
		snprintf(where, sizeof(where), "%s[%zu].anchor", sub ? sub : "", i);
		if (!json_object_get(e, "anchor"))
			rerr(c, key, where, "missing (what the period counts from)");
		else
			parse_anchor(c, key, where, json_object_get(e, "anchor"), &k[i].anchor);
		if (k[i].anchor.kind == CW_ANCHOR_EVENT || k[i].anchor.kind == CW_ANCHOR_HAZARD)
			rerr(c, key, where, "a retention period counts from a birthday, an involvement, records or a death");
		snprintf(where, sizeof(where), "%s[%zu].period", sub ? sub : "", i);
		if (!json_object_get(e, "period"))
			rerr(c, key, where, "missing");
		else if (parse_period(c, key, where, json_object_get(e, "period"), &k[i].period) &&
			 k[i].period.unit == CW_UNIT_HOURS)
			rerr(c, key, where, "a retention period counts whole days (d, wd, w, m, y)");
	}
	*out = k;
	*n_out = n;
}

/* instead: [{when: {died_before: AGE} | {outcomes: [...]}, keep: [...]}]:
 * the first variant whose condition holds replaces the rule's keep terms
 * (ST-RET-LAC: 15 years from a death before 18; ST-RET-FOSTER: 3 years for
 * a refused or withdrawn application). */
static void parse_instead(struct ctx *c, const json_t *v)
{
	static const char *const known[] = { "when", "keep", NULL };
	static const char *const known_when[] = { "died_before", "outcomes", NULL };
	struct cw_keep_variant *x;
	size_t i, n;
	json_t *e;

	if (!json_is_array(v) || !json_array_size(v)) {
		rerr(c, "instead", NULL, "expected a non-empty list of {\"when\": ..., \"keep\": [...]}");
		return;
	}
	n = json_array_size(v);
	x = ralloc(c, n * sizeof(*x));
	if (!x)
		return;
	memset(x, 0, n * sizeof(*x));
	json_array_foreach(v, i, e) {
		const json_t *when, *died, *outs;
		char where[64];

		snprintf(where, sizeof(where), "[%zu]", i);
		if (!json_is_object(e)) {
			rerr(c, "instead", where, "expected {\"when\": ..., \"keep\": [...]}");
			continue;
		}
		only_keys(c, "instead", where, e, known, "when, keep");
		when = json_object_get(e, "when");
		snprintf(where, sizeof(where), "[%zu].when", i);
		if (!json_is_object(when)) {
			rerr(c, "instead", where, "expected {\"died_before\": AGE} or {\"outcomes\": [...]}");
			continue;
		}
		only_keys(c, "instead", where, when, known_when, "died_before, outcomes");
		died = json_object_get(when, "died_before");
		outs = json_object_get(when, "outcomes");
		if (!!died + !!outs != 1) {
			rerr(c, "instead", where, "names exactly one of died_before or outcomes");
			continue;
		}
		if (died) {
			snprintf(where, sizeof(where), "[%zu].when.died_before", i);
			if (!json_is_integer(died) || json_integer_value(died) < 1 ||
			    json_integer_value(died) > 120)
				rerr(c, "instead", where, "expected an age in years");
			else
				x[i].died_before = (int)json_integer_value(died);
		} else {
			snprintf(where, sizeof(where), "[%zu].when.outcomes", i);
			parse_codes(c, "instead", where, outs, CW_VOCAB_OUTCOME, &x[i].outcomes);
			if (!c->r->applies_involvements.n)
				rerr(c, "instead", where,
				     "an outcome variant needs applies_to.involvements (whose outcomes it reads)");
		}
		snprintf(where, sizeof(where), "[%zu].keep", i);
		if (!json_object_get(e, "keep"))
			rerr(c, "instead", where, "missing (how long the record is kept instead)");
		else
			parse_keep_terms(c, "instead", where, json_object_get(e, "keep"), &x[i].keep,
					 &x[i].n_keep);
	}
	c->r->variants = x;
	c->r->n_variants = n;
}

/* suspend: {while: [events], until: [events]}. */
static void parse_suspend(struct ctx *c, const json_t *v)
{
	static const char *const known[] = { "while", "until", NULL };

	if (!json_is_object(v)) {
		rerr(c, "suspend", NULL, "expected {\"while\": [events], \"until\": [events]}");
		return;
	}
	only_keys(c, "suspend", NULL, v, known, "while, until");
	if (!json_object_get(v, "while"))
		rerr(c, "suspend", ".while", "missing (which events suspend the rule)");
	else
		parse_codes(c, "suspend", ".while", json_object_get(v, "while"), CW_VOCAB_EVENT,
			    &c->r->suspend_while);
	if (!json_object_get(v, "until"))
		rerr(c, "suspend", ".until", "missing: the rule would stay suspended for ever");
	else
		parse_codes(c, "suspend", ".until", json_object_get(v, "until"), CW_VOCAB_EVENT,
			    &c->r->suspend_until);
	for (size_t i = 0; i < c->r->suspend_while.n; i++)
		if (cw_codes_has(&c->r->anchor.events, c->r->suspend_while.v[i]))
			rerr(c, "suspend", ".while",
			     "the rule can never fire: its own anchor event \"%s\" suspends it",
			     ECHO(c->r->suspend_while.v[i]));
}

/* interpretation: an object of council choices; the known ones are applied. */
static void parse_interpretation(struct ctx *c, const json_t *v)
{
	const json_t *days, *combine, *susp;
	const char *k;
	json_t *e;

	if (!json_is_object(v)) {
		rerr(c, "interpretation", NULL, "expected an object");
		return;
	}
	c->r->interpretation = v;
	json_object_foreach((json_t *)v, k, e) {
		if (!json_is_string(e) && !json_is_number(e) && !json_is_boolean(e)) {
			char where[128];

			snprintf(where, sizeof(where), ".%s", k);
			rerr(c, "interpretation", where, "expected a string, number or true/false");
		}
	}
	days = json_object_get(v, "days");
	if (days) {
		const char *s = json_string_value(days);

		if (!s || (strcmp(s, "working") && strcmp(s, "calendar")))
			rerr(c, "interpretation", ".days", "expected \"working\" or \"calendar\"");
	}
	combine = json_object_get(v, "combine");
	if (combine) {
		const char *s = json_string_value(combine);

		if (!s || (strcmp(s, "later") && strcmp(s, "earlier")))
			rerr(c, "interpretation", ".combine", "expected \"later\" or \"earlier\"");
		c->r->combine_earlier = s && !strcmp(s, "earlier");
	}
	susp = json_object_get(v, "apply_suspension");
	if (susp && !json_is_boolean(susp))
		rerr(c, "interpretation", ".apply_suspension", "expected true or false");
	for (int i = 0; period_keys[i]; i++) {
		const json_t *p = json_object_get(v, period_keys[i]);
		char where[64];
		struct cw_period ignored;

		snprintf(where, sizeof(where), ".%s", period_keys[i]);
		if (p)
			parse_period(c, "interpretation", where, p, &ignored);
	}
	if ((e = json_object_get(v, "learned_from")))
		parse_codes(c, "interpretation", ".learned_from", e, CW_VOCAB_EVENT, &c->r->learned_from);
	if ((e = json_object_get(v, "non_working_due"))) {
		const char *s = json_string_value(e);

		if (!s || (strcmp(s, "next_working_day") && strcmp(s, "keep")))
			rerr(c, "interpretation", ".non_working_due", "expected \"next_working_day\" or \"keep\"");
		c->r->due_next_working_day = s && !strcmp(s, "next_working_day") &&
					     (c->r->kind == CW_RULE_AFTER_EVENT || c->r->kind == CW_RULE_RECURRING);
	}
	if ((e = json_object_get(v, "own_review_date"))) {
		const char *s = json_string_value(e);

		if (!s || (strcmp(s, "earlier_wins") && strcmp(s, "ignored")))
			rerr(c, "interpretation", ".own_review_date", "expected \"earlier_wins\" or \"ignored\"");
	}
}

/* "days": "working" turns d into wd, "calendar" wd into d. */
static void apply_days(const struct cw_rule *r, struct cw_period *p)
{
	const char *days = json_string_value(cw_rule_interpretation(r, "days"));

	if (!days)
		return;
	if (!strcmp(days, "working") && p->unit == CW_UNIT_DAYS)
		p->unit = CW_UNIT_WORKDAYS;
	else if (!strcmp(days, "calendar") && p->unit == CW_UNIT_WORKDAYS)
		p->unit = CW_UNIT_DAYS;
}

/* applies_to: {involvements, outcomes}. */
static void parse_applies(struct ctx *c, const json_t *v)
{
	static const char *const known[] = { "involvements", "outcomes", NULL };

	if (!json_is_object(v)) {
		rerr(c, "applies_to", NULL, "expected {\"involvements\": [...], \"outcomes\": [...]}");
		return;
	}
	only_keys(c, "applies_to", NULL, v, known, "involvements, outcomes");
	if (json_object_get(v, "involvements"))
		parse_codes(c, "applies_to", ".involvements", json_object_get(v, "involvements"),
			    CW_VOCAB_INVOLVEMENT, &c->r->applies_involvements);
	if (json_object_get(v, "outcomes"))
		parse_codes(c, "applies_to", ".outcomes", json_object_get(v, "outcomes"), CW_VOCAB_OUTCOME,
			    &c->r->applies_outcomes);
}

/* A hold's dates and conditions. */
static void parse_hold(struct ctx *c, const json_t *rule)
{
	const json_t *v;

	c->r->scope = get_string(c, rule, NULL, NULL, "scope", c->r->enabled);
	if ((v = json_object_get(rule, "starts"))) {
		if (!json_is_string(v) || !cw_day_parse(json_string_value(v), &c->r->hold_start))
			rerr(c, "starts", NULL, "expected a date \"YYYY-MM-DD\"");
		else
			c->r->has_hold_start = true;
	}
	if ((v = json_object_get(rule, "ends"))) {
		if (!json_is_string(v) || !cw_day_parse(json_string_value(v), &c->r->hold_end))
			rerr(c, "ends", NULL, "expected a date \"YYYY-MM-DD\"");
		else
			c->r->has_hold_end = true;
	}
	if (c->r->has_hold_start && c->r->has_hold_end && c->r->hold_end < c->r->hold_start)
		rerr(c, "ends", NULL, "the hold ends before it starts");
	if ((v = json_object_get(rule, "while")))
		parse_codes(c, "while", NULL, v, CW_VOCAB_EVENT, &c->r->hold_while);
	if ((v = json_object_get(rule, "until")))
		parse_codes(c, "until", NULL, v, CW_VOCAB_RECORD, &c->r->hold_until);
	if (c->r->hold_while.n && !c->r->hold_until.n)
		rerr(c, "until", NULL, "missing: a hold started by an event must say which record ends it");
}

/* The keys every rule shares and the kind-independent checks. */
static void parse_common(struct ctx *c, const json_t *rule)
{
	const json_t *v, *src;
	const char *k, *id = c->r->id;
	json_t *e;

	for (const char *p = id; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-')) {
			rerr(c, "id", NULL, "\"%s\": ids are upper-case letters, digits and '-'", ECHO(id));
			break;
		}
	json_object_foreach((json_t *)rule, k, e) {
		bool known = false, allowed = false;

		for (size_t i = 0; i < sizeof(rule_keys) / sizeof(rule_keys[0]); i++)
			if (!strcmp(rule_keys[i].key, k)) {
				known = true;
				allowed = rule_keys[i].kinds & K(c->r->kind);
			}
		if (!known)
			rerr(c, k, NULL, "unknown key (docs/profiles.md lists a rule's fields)");
		else if (!allowed)
			rerr(c, k, NULL, "not used by %s rules", cw_rule_kind_name(c->r->kind));
	}
	c->r->title = get_string(c, rule, NULL, NULL, "title", true);
	c->r->words = get_string(c, rule, NULL, NULL, "words", true);
	src = json_object_get(rule, "source");
	if (!src) {
		rerr(c, "source", NULL, "missing (every rule must say where it comes from)");
	} else if (!json_is_object(src)) {
		rerr(c, "source", NULL, "expected {\"document\": ..., \"section\": ...}");
	} else {
		static const char *const known[] = { "document", "section", NULL };

		only_keys(c, "source", NULL, src, known, "document, section");
		c->r->source_document = get_string(c, src, "source", "", "document", true);
		c->r->source_section = get_string(c, src, "source", "", "section", true);
	}
	v = json_object_get(rule, "enabled");
	if (v && !json_is_boolean(v))
		rerr(c, "enabled", NULL, "expected true or false");
	c->r->enabled = !v || json_is_true(v);
	c->r->audience = "worker";
	if ((v = json_object_get(rule, "audience"))) {
		if (!json_is_string(v) || !cw_vocabulary_has(CW_VOCAB_AUDIENCE, json_string_value(v)))
			rerr(c, "audience", NULL, "unknown audience %s%s%s (see docs/vocabulary.md)",
			     json_is_string(v) ? "\"" : "", json_is_string(v) ? json_string_value(v) : "(not a string)",
			     json_is_string(v) ? "\"" : "");
		else
			c->r->audience = json_string_value(v);
	}
	if ((v = json_object_get(rule, "interpretation")))
		parse_interpretation(c, v);
	if ((v = json_object_get(rule, "applies_to")))
		parse_applies(c, v);
}

/* Deadline kinds: anchor, satisfied_by, period, warn, escalations, suspend. */
static void parse_deadline(struct ctx *c, const json_t *rule)
{
	struct cw_rule *r = c->r;
	const json_t *v;
	bool must = r->enabled;

	if ((v = json_object_get(rule, "anchor")))
		parse_anchor(c, "anchor", NULL, v, &r->anchor);
	else if (must)
		rerr(c, "anchor", NULL, "missing: the rule can never fire without one");
	if (r->kind != CW_RULE_RECURRING && json_object_get(rule, "anchor") &&
	    r->anchor.kind != CW_ANCHOR_EVENT && r->anchor.kind != CW_ANCHOR_NONE &&
	    !(r->kind == CW_RULE_AFTER_EVENT && r->anchor.kind == CW_ANCHOR_BIRTHDAY))
		rerr(c, "anchor", NULL, "%s rules are anchored on events%s", cw_rule_kind_name(r->kind),
		     r->kind == CW_RULE_AFTER_EVENT ? " or a birthday" : "");
	if (r->kind == CW_RULE_RECURRING && r->anchor.kind == CW_ANCHOR_RECORD)
		rerr(c, "anchor", NULL,
		     "recurring rules are anchored on involvements, hazards, events, a birthday or the confidential section");
	if ((v = json_object_get(rule, "satisfied_by")))
		parse_satisfied(c, v);
	else if (must)
		rerr(c, "satisfied_by", NULL, "missing: nothing could ever meet the rule");
	if ((v = json_object_get(rule, "period"))) {
		if (parse_period(c, "period", NULL, v, &r->period)) {
			r->has_period = true;
			apply_days(r, &r->period);
			if (r->kind == CW_RULE_RECURRING && r->period.amount == 0)
				rerr(c, "period", NULL, "zero period on a recurring rule: it would be due at once, for ever");
		}
	} else if (must) {
		rerr(c, "period", NULL, "missing");
	}
	if ((v = json_object_get(rule, "first")))
		parse_first(c, v);
	if ((v = json_object_get(rule, "from_age")))
		parse_from_age(c, v);
	if ((v = json_object_get(rule, "warn")) && parse_period(c, "warn", NULL, v, &r->warn)) {
		r->has_warn = true;
		apply_days(r, &r->warn);
		if (r->has_period && r->kind != CW_RULE_BEFORE_EVENT &&
		    cw_period_nominal_seconds(&r->warn) > cw_period_nominal_seconds(&r->period) &&
		    !(r->kind == CW_RULE_RECURRING && r->n_first)) {
			char w[CW_PERIOD_STRLEN], p[CW_PERIOD_STRLEN];

			cw_period_format(&r->warn, w);
			cw_period_format(&r->period, p);
			rerr(c, "warn", NULL, "warn period %s is longer than the period %s", w, p);
		}
	}
	if ((v = json_object_get(rule, "escalations")))
		parse_escalations(c, v);
	if ((v = json_object_get(rule, "suspend"))) {
		const json_t *apply = cw_rule_interpretation(r, "apply_suspension");

		parse_suspend(c, v);
		if (json_is_false(apply)) {
			r->suspend_while.n = 0;
			r->suspend_until.n = 0;
		}
	}
}

/* Content and destruction rules: a known check with an object of parameters. */
static void parse_check(struct ctx *c, const json_t *rule)
{
	const json_t *params = json_object_get(rule, "params");
	const char *check = get_string(c, rule, NULL, NULL, "check", c->r->enabled);
	bool known = false;

	for (int i = 0; check && checks[i]; i++)
		known = known || !strcmp(checks[i], check);
	if (check && !known)
		rerr(c, "check", NULL, "unknown check \"%s\" (docs/profiles.md lists them)", ECHO(check));
	c->r->check = check;
	if (params && !json_is_object(params)) {
		rerr(c, "params", NULL, "expected an object");
		return;
	}
	c->r->params = params;
	if (params && json_object_get(params, "records"))
		parse_codes(c, "params", ".records", json_object_get(params, "records"), CW_VOCAB_RECORD,
			    &(struct cw_codes){ 0 });
	if (params && json_object_get(params, "fields")) {
		const json_t *f = json_object_get(params, "fields");
		size_t i;
		json_t *e;

		if (!json_is_array(f) || !json_array_size(f))
			rerr(c, "params", ".fields", "expected a non-empty list of field names");
		json_array_foreach(f, i, e) {
			if (!json_is_string(e)) {
				char where[64];

				snprintf(where, sizeof(where), ".fields[%zu]", i);
				rerr(c, "params", where, "expected a field name");
			}
		}
	}
	if (check && !strcmp(check, "required_records") && c->r->enabled &&
	    !(params && json_object_get(params, "records")))
		rerr(c, "params", NULL, "required_records needs params.records");
	if (check && !strcmp(check, "acknowledged") && c->r->enabled &&
	    !(params && json_object_get(params, "records")))
		rerr(c, "params", NULL, "acknowledged needs params.records (the record types that acknowledge)");
	if (check && !strcmp(check, "required_fields") && c->r->enabled &&
	    !(params && json_object_get(params, "fields")))
		rerr(c, "params", NULL, "required_fields needs params.fields");
	if (check && !strcmp(check, "rollback_rate") && params) {
		const json_t *above = json_object_get(params, "escalate_above");

		if (above && (!json_is_integer(above) || json_integer_value(above) < 0 ||
			      json_integer_value(above) > 1000000))
			rerr(c, "params", ".escalate_above", "expected a whole number of roll-backs, 0 to 1000000");
	}
}

/* Builds one rule: the kind first, since it decides which keys are allowed. */
bool policy_rule_build(struct cw_policy *policy, const struct policy_rule_src *src,
		       struct cw_rule *out, struct cw_policy_errors *errs)
{
	struct ctx c = { .policy = policy, .src = src, .errs = errs, .r = out, .ok = true };
	const json_t *rule = src->rule, *kind;

	memset(out, 0, sizeof(*out));
	out->json = rule;
	out->file = src->file;
	out->index = src->index;
	out->id = json_string_value(json_object_get(rule, "id"));
	out->scheduled = true;
	kind = json_object_get(rule, "kind");
	if (!kind) {
		rerr(&c, "kind", NULL, "missing (expected after_event, before_event, same_working_day, recurring, content, retention, hold, destruction; an override must use the id of a rule of the profile it extends)");
		return false;
	}
	if (!json_is_string(kind)) {
		rerr(&c, "kind", NULL, "expected a string (after_event, before_event, same_working_day, recurring, content, retention, hold, destruction)");
		return false;
	}
	if (!cw_rule_kind_parse(json_string_value(kind), &out->kind)) {
		rerr(&c, "kind", NULL,
		     "unknown kind \"%s\" (expected after_event, before_event, same_working_day, recurring, content, retention, hold, destruction)",
		     ECHO(json_string_value(kind)));
		return false;
	}
	parse_common(&c, rule);
	switch (out->kind) {
	case CW_RULE_AFTER_EVENT:
	case CW_RULE_BEFORE_EVENT:
	case CW_RULE_SAME_WORKING_DAY:
	case CW_RULE_RECURRING:
		parse_deadline(&c, rule);
		break;
	case CW_RULE_CONTENT:
	case CW_RULE_DESTRUCTION:
		parse_check(&c, rule);
		break;
	case CW_RULE_RETENTION: {
		const json_t *sch = json_object_get(rule, "scheduled");

		if (sch && !json_is_boolean(sch))
			rerr(&c, "scheduled", NULL, "expected true or false");
		out->scheduled = !sch || json_is_true(sch);
		if (json_object_get(rule, "keep"))
			parse_keep_terms(&c, "keep", NULL, json_object_get(rule, "keep"), &out->keep,
					 &out->n_keep);
		else if (out->scheduled && out->enabled)
			rerr(&c, "keep", NULL, "missing (how long the record is kept)");
		if (!out->scheduled && json_object_get(rule, "keep"))
			rerr(&c, "keep", NULL, "a rule that is never scheduled keeps no period");
		if (json_object_get(rule, "instead")) {
			if (!json_object_get(rule, "keep"))
				rerr(&c, "instead", NULL, "replaces keep terms, so the rule needs keep");
			else
				parse_instead(&c, json_object_get(rule, "instead"));
		}
		break;
	}
	case CW_RULE_HOLD:
		parse_hold(&c, rule);
		break;
	case CW_RULE_KIND_COUNT:
		break;
	}
	return c.ok;
}
