/*
 * policy.h - policy profiles: the recording rules a council enforces, as data.
 *
 * A profile is a JSON file (docs/profiles.md documents every field). It may
 * extend another profile by name (looked up in the same directory) and
 * override single rules by id, or disable them. Loading resolves the chain,
 * applies the overrides, validates every effective rule and yields an
 * immutable struct cw_policy that may be shared read-only.
 *
 * For the obligation engine: iterate cw_policy_rule_count()/_rule_at(), skip
 * rules whose `enabled` is false, and read each struct cw_rule's fields:
 * kind, anchor (event types, involvement categories, hazard, birthday),
 * satisfied_by codes, period (plus `first` for recurring schedules), warn,
 * escalations (period after the due time + audience), audience, suspension
 * (suspend_while / suspend_until event types) and the interpretation
 * choices. Deadlines come from period.h with cw_policy_nation() and
 * cw_policy_end_of_day(): due = cw_period_due(period, anchor) (or
 * cw_period_before() for before_event), warn = cw_period_before(warn, due),
 * escalation i = cw_period_due(escalations[i].after, due); lib/explain.c is
 * the reference for these formulas. Every pointer stays valid until
 * cw_policy_free().
 */
#ifndef CASEWATCH_POLICY_H
#define CASEWATCH_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/period.h"

/* Escalation steps a rule may have (policy check refuses more). */
#define CW_POLICY_MAX_ESCALATIONS 8

enum cw_rule_kind {
	CW_RULE_AFTER_EVENT,	   /* a record due a period after an anchor event */
	CW_RULE_BEFORE_EVENT,	   /* a record due a period before a (future) event */
	CW_RULE_SAME_WORKING_DAY,  /* warn at cw_period_end_of_working_day(), due after period */
	CW_RULE_RECURRING,	   /* refreshed every period while a case is open / hazard active */
	CW_RULE_CONTENT,	   /* a record is incomplete or malformed (rules.md section 3) */
	CW_RULE_RETENTION,	   /* how long a record is kept (rules.md section 4) */
	CW_RULE_HOLD,		   /* something that stops destruction */
	CW_RULE_DESTRUCTION,	   /* conditions on destroying records */
	CW_RULE_KIND_COUNT
};

/* What starts a rule's clock. */
enum cw_anchor_kind {
	CW_ANCHOR_NONE,	       /* content, hold and destruction rules */
	CW_ANCHOR_EVENT,       /* each event of anchor.events */
	CW_ANCHOR_INVOLVEMENT, /* each involvement of anchor.involvements (at start, end or order date) */
	CW_ANCHOR_HAZARD,      /* each active hazard, from loading or last review */
	CW_ANCHOR_BIRTHDAY,    /* the person's anchor.birthday-th birthday (0: date of birth) */
	CW_ANCHOR_RECORD,      /* each record of anchor.records (e.g. finance) */
	CW_ANCHOR_DEATH,       /* the person's date of death (retention keep terms only) */
	CW_ANCHOR_CONFIDENTIAL, /* recurring: the confidential section, from its first entry (CONF-REVIEW) */
};

/* Which date of an involvement anchors the rule. */
enum cw_involvement_point {
	CW_AT_START,	  /* opening (default) */
	CW_AT_END,	  /* closure; for fostering the end of the last placement */
	CW_AT_ORDER_DATE, /* adoption order */
	CW_AT_FEE_PAID,	  /* event anchors: the event's fee_paid_at (Coventry's SAR-40D) */
};

/* A list of vocabulary codes (strings owned by the policy). */
struct cw_codes {
	size_t n;
	const char **v;
};

struct cw_anchor {
	enum cw_anchor_kind kind;
	struct cw_codes events;	      /* event types; on recurring rules: events that restart the period */
	bool general;		      /* "events": "all": every event type but `except` and those
				       * another enabled deadline rule of the profile anchors on
				       * (resolved into `events` at load) */
	struct cw_codes except;	      /* general: event types left out, with the profile's reason */
	struct cw_codes involvements; /* involvement categories */
	enum cw_involvement_point at;
	int birthday;		      /* CW_ANCHOR_BIRTHDAY */
	struct cw_codes records;      /* CW_ANCHOR_RECORD */
};

struct cw_escalation {
	struct cw_period after; /* counted from the due time, like cw_period_due() */
	const char *audience;
};

/* One term of a retention rule: keep until anchor + period. */
struct cw_keep {
	struct cw_anchor anchor;
	struct cw_period period;
};

/* Keep terms that replace a retention rule's own when a condition holds:
 * a death before an age (died_before > 0), or every involvement of the
 * rule's applies_to categories having one of these outcomes. */
struct cw_keep_variant {
	int died_before;	  /* 0: not this condition */
	struct cw_codes outcomes; /* empty: not this condition */
	size_t n_keep;
	const struct cw_keep *keep;
	size_t n_variants;
	const struct cw_keep_variant *variants; /* "instead": the first that holds wins */
};

/* A recurring rule's period from a given age on (ST-HEALTH: yearly from 5). */
struct cw_age_period {
	int age;
	struct cw_period period;
};

struct cw_rule {
	const char *id;
	enum cw_rule_kind kind;
	const char *title;
	const char *source_document;	/* seed file or regulation */
	const char *source_section;
	const char *words;		/* the policy's own words */
	bool enabled;

	struct cw_anchor anchor;
	struct cw_codes applies_involvements; /* only persons with one of these (empty: all) */
	struct cw_codes applies_outcomes;     /* ... and with one of these youth-justice outcomes */

	struct cw_codes satisfied_records; /* a finalised record of one of these types */
	bool satisfied_any_record;	   /* "records": "any": every type (satisfied_records lists them) */
	struct cw_codes satisfied_events;  /* or an event of one of these types */
	bool references_anchor;		   /* the record must point at the anchor event */

	bool has_period;
	struct cw_period period;	   /* due period; repeat period for recurring rules */
	size_t n_first;
	const struct cw_period *first;	   /* recurring: the first occurrences, each from the previous */
	size_t n_age_periods;
	const struct cw_age_period *age_periods; /* recurring: period from an age on */
	bool has_warn;
	struct cw_period warn;		   /* "due soon" starts this long before the due time */
	size_t n_escalations;
	const struct cw_escalation *escalations; /* ascending */
	bool due_next_working_day;	   /* interpretation.non_working_due "next_working_day" */
	const char *audience;		   /* who is told first (default "worker") */

	struct cw_codes suspend_while;	   /* suspended after an event of these types ... */
	struct cw_codes suspend_until;	   /* ... until a later event of these types */

	/* content */
	const char *check;		   /* e.g. "min_content"; docs/profiles.md lists them */
	const json_t *params;		   /* the check's parameters (object) or NULL */

	/* retention */
	bool scheduled;			   /* false: never scheduled here (RET-GUARD) */
	bool combine_earlier;		   /* several keep terms: earliest instead of latest */
	size_t n_keep;
	const struct cw_keep *keep;
	size_t n_variants;
	const struct cw_keep_variant *variants; /* "instead": the first that holds wins */

	/* hold */
	const char *scope;
	bool has_hold_start, has_hold_end;
	cw_day hold_start, hold_end;
	struct cw_codes hold_while;	   /* held after an event of these types ... */
	struct cw_codes hold_until;	   /* ... until a record of these types */

	struct cw_codes learned_from;	   /* before_event: interpretation.learned_from, the event
					    * by which the council learns of the anchor (PF-START-6W) */
	const json_t *interpretation;	   /* object of council-changeable choices, or NULL */
	const json_t *json;		   /* the effective rule as JSON */
	const char *file;		   /* the profile file that last defined or overrode it */
	int index;			   /* its index in that file's rules array */
};

struct cw_policy;

/* All the errors one load found, one message each. */
struct cw_policy_errors {
	size_t count;
	size_t cap;
	char **msg;
};

void cw_policy_errors_init(struct cw_policy_errors *errs);
void cw_policy_errors_free(struct cw_policy_errors *errs);
void cw_policy_errors_add(struct cw_policy_errors *errs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The directory profiles are looked up in by name: $CASEWATCH_PROFILEDIR if
 * set, else the installed CW_DATADIR "/profiles". */
const char *cw_policy_default_dir(void);

/* Loads a profile. `profile` is a path when it contains '/' or ends in
 * ".json", else a name looked up as dir/NAME.json (dir NULL: the default
 * directory). Collects every error it finds into errs (which the caller has
 * initialised) and returns NULL if there was any. */
struct cw_policy *cw_policy_load(const char *profile, const char *dir, struct cw_policy_errors *errs);
/* Validates a profile without keeping it; returns the number of errors added. */
size_t cw_policy_check(const char *profile, const char *dir, struct cw_policy_errors *errs);
void cw_policy_free(struct cw_policy *policy);

const char *cw_policy_name(const struct cw_policy *policy);
const char *cw_policy_title(const struct cw_policy *policy);
/* The file the profile was loaded from. */
const char *cw_policy_file(const struct cw_policy *policy);
enum cw_nation cw_policy_nation(const struct cw_policy *policy);
/* Seconds after London midnight at which day-based periods fall due. */
int cw_policy_end_of_day(const struct cw_policy *policy);

/* The effective rules in order: the base profile's first, then additions. */
size_t cw_policy_rule_count(const struct cw_policy *policy);
const struct cw_rule *cw_policy_rule_at(const struct cw_policy *policy, size_t i);
/* Lookup by id (exact); NULL if the profile has no such rule. */
const struct cw_rule *cw_policy_rule_find(const struct cw_policy *policy, const char *id);
/* The effective profile as JSON (settings plus merged rules); new reference. */
json_t *cw_policy_to_json(const struct cw_policy *policy);

/* "after_event", "before_event", ... */
const char *cw_rule_kind_name(enum cw_rule_kind kind);
bool cw_rule_kind_parse(const char *text, enum cw_rule_kind *out);
/* A value of the rule's interpretation object, or NULL. */
const json_t *cw_rule_interpretation(const struct cw_rule *rule, const char *key);
/* True when code is in the list. */
bool cw_codes_has(const struct cw_codes *codes, const char *code);

#endif /* CASEWATCH_POLICY_H */
