/* check_policy.c - loading profiles: shipped ones, extends/overrides, every error message. */
#include "config.h"
#include "paths.h"

#include <stdlib.h>
#include <string.h>

#include "casewatch/policy.h"
#include "casewatch/vocabulary.h"
#include "testutil.h"

/* Every rule id of rules.md sections 1-4 and 4b, written out by hand. */
static const char *const spec_ids[] = {
	/* 1. recording deadlines */
	"CP-24H", "CV-SIGHARM", "NOTE-5WD", "CV-2WD", "SW-24H", "REF-24H", "EH-REF-48H", "CFA-30D",
	"CFA-AUTH-45D", "EHA-20WD", "TAF-20WD", "STAR-20WD", "CIN-PLAN-5D", "STRAT-1WD",
	"ICPC-REPORT-2WD", "CORE-MIN-5D", "RCPC-REPORT-5WD", "RCPC-DEC-24H", "LAC-PLAN-10WD",
	"PLACE-PLAN-5D", "LACR-PLAN-5D", "LACR-REC-5WD", "LACR-MIN-20WD", "PERM-4M", "VISIT-CP-1WD",
	"VISIT-5D", "CONTACT-5D", "SUPER-5WD", "MGR-DEC-REF-24H", "MGR-DEC-3WD", "LPM-3WD",
	"PPL-LETTER-1WD", "PPL-MEET-3WD", "LOI-1WD", "SWET-2W", "ORDER-2WD", "EXPERT-3WD",
	"PF-NOTIFY-24H", "PF-VISIT-7WD", "PF-START-6W", "MGR-INFORMED-24H", "SAR-40D",
	/* 2. recurring */
	"SUMMARY-3M", "CHRON-3M", "EH-CHRON-1M", "HAZARD-6M", "PATHWAY-6M", "CONF-REVIEW", "AUDIT-CYCLE",
	/* 3. contents */
	"MIN-CONTENT", "PR-RECORDED", "HAZARD-FIELDS", "EVENT-TIME", "LATE-FLAG", "DELETE-REASON",
	"ROLLBACK-RATE", "SHARE-FIELDS", "FORGET-ACK", "RESTRICTED-ACCESS",
	/* 4. retention */
	"RET-CIN", "RET-CP", "RET-LAC", "RET-ADOPT", "RET-YJ", "RET-YJ-REPR", "RET-YJ-CONV", "RET-LEAVE",
	"RET-FOSTER", "RET-SUPER", "RET-DISAB", "RET-FIN", "RET-ASYLUM", "RET-GUARD", "RET-S47-NFA",
	"HOLD-INQUIRY", "HOLD-SAR", "NO-EARLY-DESTROY", "DESTROY-LIST", "TRACE-SENT",
	/* 4b. statutory England */
	"ST-ASSESS-45WD", "ST-REF-DEC-1WD", "ST-ICPC-15WD", "ST-CORE-10WD", "ST-RCPC", "ST-LACR",
	"ST-LAC-VISIT", "ST-HEALTH", "ST-PEP-20WD", "ST-NEEDS-16", "ST-RET-LAC", "ST-RET-FOSTER",
};

static const char *const shipped[] = {
	"default", "statutory-england", "brighton-hove", "coventry", "enfield", "southwark", "hull",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char profiles_dir[4096];
static char data_dir[4096];

static void setup(void)
{
	snprintf(profiles_dir, sizeof(profiles_dir), "%s", cw_test_srcpath("profiles"));
	snprintf(data_dir, sizeof(data_dir), "%s", cw_test_srcpath("tests/data/profiles"));
}

/* Loads a shipped profile by name, failing the test with every error. */
static struct cw_policy *load(const char *name, const char *dir)
{
	struct cw_policy_errors errs;
	struct cw_policy *p;

	cw_policy_errors_init(&errs);
	p = cw_policy_load(name, dir, &errs);
	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "# %s\n", errs.msg[i]);
	ck_assert_msg(p != NULL, "%s did not load (%zu errors)", name, errs.count);
	ck_assert_int_eq(errs.count, 0);
	cw_policy_errors_free(&errs);
	return p;
}

/* All the messages a bad profile produces, joined by newlines. */
static char *errors_of(const char *file)
{
	struct cw_policy_errors errs;
	size_t len = 1;
	char *all;

	cw_policy_errors_init(&errs);
	ck_assert_ptr_null(cw_policy_load(file, NULL, &errs));
	ck_assert_uint_gt(errs.count, 0);
	for (size_t i = 0; i < errs.count; i++)
		len += strlen(errs.msg[i]) + 1;
	all = calloc(1, len);
	ck_assert_ptr_nonnull(all);
	for (size_t i = 0; i < errs.count; i++) {
		strcat(all, errs.msg[i]);
		strcat(all, "\n");
	}
	cw_policy_errors_free(&errs);
	return all;
}

#define HAS(all, needle) ck_assert_msg(strstr((all), (needle)) != NULL, "missing \"%s\" in:\n%s", (needle), (all))

START_TEST(every_shipped_profile_loads)
{
	for (size_t i = 0; i < N(shipped); i++) {
		struct cw_policy *p = load(shipped[i], profiles_dir);

		ck_assert_str_eq(cw_policy_name(p), shipped[i]);
		ck_assert_uint_gt(cw_policy_rule_count(p), 0);
		for (size_t r = 0; r < cw_policy_rule_count(p); r++) {
			const struct cw_rule *rule = cw_policy_rule_at(p, r);

			ck_assert_ptr_nonnull(rule->source_document);
			ck_assert_ptr_nonnull(rule->source_section);
			ck_assert_msg(rule->words && strlen(rule->words) > 10, "%s has no words", rule->id);
			ck_assert_ptr_eq(cw_policy_rule_find(p, rule->id), rule);
		}
		cw_policy_free(p);
	}
}
END_TEST

START_TEST(every_spec_id_is_shipped)
{
	struct cw_policy *p[N(shipped)];

	for (size_t i = 0; i < N(shipped); i++)
		p[i] = load(shipped[i], profiles_dir);
	for (size_t k = 0; k < N(spec_ids); k++) {
		bool found = false;

		for (size_t i = 0; i < N(shipped) && !found; i++)
			found = cw_policy_rule_find(p[i], spec_ids[k]) != NULL;
		ck_assert_msg(found, "rule %s is in no shipped profile", spec_ids[k]);
	}
	for (size_t i = 0; i < N(shipped); i++)
		cw_policy_free(p[i]);
}
END_TEST

START_TEST(default_profile)
{
	static const char *const card[] = { "CP-24H", "NOTE-5WD", "SUMMARY-3M", "HAZARD-6M" };
	struct cw_policy *p = load("default", profiles_dir);
	const struct cw_rule *r;

	ck_assert_int_eq(cw_policy_nation(p), CW_NATION_ENGLAND_WALES);
	ck_assert_int_eq(cw_policy_end_of_day(p), 86399);
	for (size_t i = 0; i < N(card); i++) {
		r = cw_policy_rule_find(p, card[i]);
		ck_assert_msg(r && r->enabled, "%s missing or disabled", card[i]);
	}
	r = cw_policy_rule_find(p, "CP-24H");
	ck_assert_int_eq(r->kind, CW_RULE_AFTER_EVENT);
	ck_assert_int_eq(r->anchor.kind, CW_ANCHOR_EVENT);
	ck_assert(cw_codes_has(&r->anchor.events, "s47_enquiry"));
	ck_assert(cw_codes_has(&r->anchor.events, "cp_activity"));
	ck_assert(cw_codes_has(&r->satisfied_records, "cp_record"));
	ck_assert_int_eq(r->period.amount, 24);
	ck_assert_int_eq(r->period.unit, CW_UNIT_HOURS);
	ck_assert_uint_eq(r->n_escalations, 2);
	ck_assert_str_eq(r->escalations[0].audience, "team_manager");
	ck_assert_str_eq(r->escalations[1].audience, "service_manager");
	r = cw_policy_rule_find(p, "HAZARD-6M");
	ck_assert_int_eq(r->kind, CW_RULE_RECURRING);
	ck_assert_int_eq(r->anchor.kind, CW_ANCHOR_HAZARD);
	ck_assert_int_eq(r->period.amount, 6);
	ck_assert_int_eq(r->period.unit, CW_UNIT_MONTHS);
	ck_assert_ptr_null(cw_policy_rule_find(p, "CV-2WD"));
	cw_policy_free(p);
}
END_TEST

START_TEST(council_overrides)
{
	struct cw_policy *p = load("coventry", profiles_dir);
	const struct cw_rule *r;

	/* Coventry's two working days replace five-day notes. */
	r = cw_policy_rule_find(p, "NOTE-5WD");
	ck_assert(r && !r->enabled);
	ck_assert(cw_policy_rule_find(p, "CV-2WD")->enabled);
	/* Inherited from default, unchanged. */
	ck_assert(cw_policy_rule_find(p, "CP-24H")->enabled);
	r = cw_policy_rule_find(p, "CV-SIGHARM");
	ck_assert_int_eq(r->kind, CW_RULE_SAME_WORKING_DAY);
	ck_assert_int_eq(r->period.amount, 24);
	r = cw_policy_rule_find(p, "SAR-40D");
	ck_assert_int_eq(r->period.unit, CW_UNIT_DAYS);
	ck_assert_int_eq(r->period.amount, 40);
	ck_assert_str_eq(r->audience, "records_officer");
	cw_policy_free(p);
}
END_TEST

START_TEST(interpretations_are_applied)
{
	struct cw_policy *p = load("enfield", profiles_dir);
	const struct cw_rule *r;

	/* "days": "working" turns CIN-PLAN-5D's 5 d into 5 wd. */
	r = cw_policy_rule_find(p, "CIN-PLAN-5D");
	ck_assert_int_eq(r->period.unit, CW_UNIT_WORKDAYS);
	ck_assert_str_eq(json_string_value(cw_rule_interpretation(r, "days")), "working");
	/* SWET-2W's "2 weeks" has no such interpretation: weeks stay weeks. */
	ck_assert_int_eq(cw_policy_rule_find(p, "SWET-2W")->period.unit, CW_UNIT_WEEKS);
	r = cw_policy_rule_find(p, "EH-REF-48H");
	ck_assert_uint_eq(r->suspend_while.n, 1);
	ck_assert_str_eq(r->suspend_while.v[0], "consent_requested");
	ck_assert_str_eq(r->suspend_until.v[0], "consent_signed");
	r = cw_policy_rule_find(p, "ICPC-REPORT-2WD");
	ck_assert_int_eq(r->kind, CW_RULE_BEFORE_EVENT);
	r = cw_policy_rule_find(p, "AUDIT-CYCLE");
	ck_assert(!r->enabled && !r->has_period);
	cw_policy_free(p);

	p = load("southwark", profiles_dir);
	r = cw_policy_rule_find(p, "RET-YJ-REPR");
	ck_assert_int_eq(r->kind, CW_RULE_RETENTION);
	ck_assert_uint_eq(r->n_keep, 2);
	ck_assert(!r->combine_earlier);
	ck_assert_int_eq(r->keep[0].anchor.at, CW_AT_END);
	ck_assert_int_eq(r->keep[0].period.amount, 3);
	ck_assert_int_eq(r->keep[1].anchor.kind, CW_ANCHOR_BIRTHDAY);
	ck_assert_int_eq(r->keep[1].anchor.birthday, 18);
	ck_assert(cw_codes_has(&r->applies_outcomes, "reprimand"));
	ck_assert(!cw_policy_rule_find(p, "RET-GUARD")->scheduled);
	cw_policy_free(p);

	p = load("brighton-hove", profiles_dir);
	r = cw_policy_rule_find(p, "HOLD-INQUIRY");
	ck_assert(r->has_hold_end);
	ck_assert_int_eq(r->hold_end, cw_day_from_ymd(2023, 1, 20));
	cw_policy_free(p);

	p = load("statutory-england", profiles_dir);
	r = cw_policy_rule_find(p, "ST-LACR");
	ck_assert_uint_eq(r->n_first, 2);
	ck_assert_int_eq(r->first[0].amount, 20);
	ck_assert_int_eq(r->first[0].unit, CW_UNIT_WORKDAYS);
	ck_assert_int_eq(r->first[1].unit, CW_UNIT_MONTHS);
	ck_assert_int_eq(r->period.amount, 6);
	r = cw_policy_rule_find(p, "ST-HEALTH");
	ck_assert_uint_eq(r->n_age_periods, 1);
	ck_assert_int_eq(r->age_periods[0].age, 5);
	ck_assert_int_eq(r->age_periods[0].period.unit, CW_UNIT_YEARS);
	r = cw_policy_rule_find(p, "ST-NEEDS-16");
	ck_assert_int_eq(r->anchor.kind, CW_ANCHOR_BIRTHDAY);
	ck_assert_int_eq(r->anchor.birthday, 16);
	cw_policy_free(p);
}
END_TEST

START_TEST(extends_and_overrides)
{
	struct cw_policy *p = load("override", data_dir);
	const struct cw_rule *r;

	ck_assert_uint_eq(cw_policy_rule_count(p), 3);
	ck_assert_int_eq(cw_policy_end_of_day(p), 17 * 3600);
	/* Base order first, then the additions. */
	ck_assert_str_eq(cw_policy_rule_at(p, 0)->id, "T-NOTE-5WD");
	ck_assert_str_eq(cw_policy_rule_at(p, 1)->id, "T-CP-24H");
	ck_assert_str_eq(cw_policy_rule_at(p, 2)->id, "T-NEW-1M");
	r = cw_policy_rule_find(p, "T-NOTE-5WD");
	ck_assert_int_eq(r->period.amount, 3);
	ck_assert_str_eq(r->words, "Notes within three working days.");
	/* Keys the override did not touch come from the base. */
	ck_assert_str_eq(r->title, "Test note");
	ck_assert_uint_eq(r->n_escalations, 1);
	ck_assert(!cw_policy_rule_find(p, "T-CP-24H")->enabled);
	ck_assert(cw_policy_rule_find(p, "T-CP-24H")->references_anchor);
	ck_assert_ptr_null(cw_policy_rule_find(p, "T-MISSING"));
	cw_policy_free(p);
	/* The same file loads by path too. */
	{
		char path[4200];

		snprintf(path, sizeof(path), "%s/override.json", data_dir);
		p = load(path, NULL);
		ck_assert_str_eq(cw_policy_name(p), "override");
		cw_policy_free(p);
	}
}
END_TEST

START_TEST(default_dir_from_environment)
{
	struct cw_policy *p;

	setenv("CASEWATCH_PROFILEDIR", data_dir, 1);
	ck_assert_str_eq(cw_policy_default_dir(), data_dir);
	p = load("base", NULL);
	ck_assert_str_eq(cw_policy_name(p), "base");
	cw_policy_free(p);
	unsetenv("CASEWATCH_PROFILEDIR");
	ck_assert_str_eq(cw_policy_default_dir(), CW_DATADIR "/profiles");
}
END_TEST

/* One bad file, every error at once, each naming file and JSON path. */
START_TEST(semantic_errors)
{
	char path[4200], *all;

	snprintf(path, sizeof(path), "%s/bad-semantic.json", data_dir);
	all = errors_of(path);
	HAS(all, "bad-semantic.json: rules[0].period.unit: unknown unit \"fortnights\" (expected h, wd, d, w, m, y)");
	HAS(all, "bad-semantic.json: rules[1].anchor.events[1]: unknown event type \"s47\"");
	HAS(all, "bad-semantic.json: rules[2].id: duplicate id \"BAD-2\" (also rules[1])");
	HAS(all, "bad-semantic.json: rules[3].source: missing");
	HAS(all, "bad-semantic.json: rules[4].period: zero period on a recurring rule");
	HAS(all, "bad-semantic.json: rules[5].escalations[0].after: escalation at or before its due time");
	HAS(all, "bad-semantic.json: rules[6].warn: warn period 2w is longer than the period 3d");
	HAS(all, "bad-semantic.json: rules[7].audience: unknown audience \"director\"");
	HAS(all, "bad-semantic.json: rules[8].anchor: missing: the rule can never fire");
	HAS(all, "bad-semantic.json: rules[9].satisfied_by.records[0]: unknown record type \"case_notes\"");
	HAS(all, "bad-semantic.json: rules[10].suspend.while: the rule can never fire");
	HAS(all, "bad-semantic.json: rules[11].escalations[1].after: escalation does not come after the previous step");
	HAS(all, "bad-semantic.json: rules[12].kind: unknown kind \"whenever\"");
	HAS(all, "bad-semantic.json: rules[13].period: unknown unit \" days\" in period \"5 days\"");
	HAS(all, "bad-semantic.json: rules[14].colour: unknown key");
	HAS(all, "bad-semantic.json: rules[15].check: unknown check \"spelling\"");
	HAS(all, "bad-semantic.json: rules[15].period: not used by content rules");
	HAS(all, "bad-semantic.json: rules[16].escalations: 9 steps; a rule may have at most 8");
	HAS(all, "bad-semantic.json: nation: unknown nation \"wales\"");
	HAS(all, "bad-semantic.json: end_of_day: invalid time \"25:00\"");
	HAS(all, "bad-semantic.json: owner: unknown key");
	free(all);
	/* cw_policy_check counts the same errors: 17 bad rules, 3 keys a
	 * content rule does not use, nation, end_of_day, the unknown key. */
	{
		struct cw_policy_errors errs;

		cw_policy_errors_init(&errs);
		ck_assert_uint_eq(cw_policy_check(path, NULL, &errs), 23);
		ck_assert_uint_eq(errs.count, 23);
		cw_policy_errors_free(&errs);
	}
}
END_TEST

START_TEST(syntax_error_has_line_and_column)
{
	char path[4200], *all;

	snprintf(path, sizeof(path), "%s/bad-syntax.json", data_dir);
	all = errors_of(path);
	/* The stray '}' after the comma is on line 4, column 18. */
	HAS(all, "bad-syntax.json:4:18: JSON syntax error:");
	free(all);
}
END_TEST

START_TEST(extends_errors)
{
	char path[4200], *all;

	snprintf(path, sizeof(path), "%s/bad-extends.json", data_dir);
	all = errors_of(path);
	HAS(all, "bad-extends.json: extends: unknown profile \"nonexistent\"");
	free(all);
	snprintf(path, sizeof(path), "%s/cycle-a.json", data_dir);
	all = errors_of(path);
	HAS(all, "extends: cycle");
	free(all);
	/* An error in an override names the overriding file, not the base. */
	snprintf(path, sizeof(path), "%s/bad-override.json", data_dir);
	all = errors_of(path);
	HAS(all, "bad-override.json: rules[1].period.unit: unknown unit \"fortnights\"");
	ck_assert_ptr_null(strstr(all, "base.json"));
	free(all);
	/* A mistyped id in an override is a new rule with no kind. */
	snprintf(path, sizeof(path), "%s/typo-override.json", data_dir);
	all = errors_of(path);
	HAS(all, "typo-override.json: rules[0].kind: missing");
	HAS(all, "an override must use the id of a rule of the profile it extends");
	free(all);
	all = errors_of("no-such-profile-anywhere.json");
	HAS(all, "no-such-profile-anywhere.json: cannot open");
	free(all);
	{
		struct cw_policy_errors errs;

		cw_policy_errors_init(&errs);
		ck_assert_ptr_null(cw_policy_load("no-such-name", data_dir, &errs));
		ck_assert_uint_eq(errs.count, 1);
		ck_assert_ptr_nonnull(strstr(errs.msg[0], "no profile \"no-such-name\" in"));
		cw_policy_errors_free(&errs);
	}
}
END_TEST

START_TEST(vocabulary_tables)
{
	size_t n;

	ck_assert(cw_vocabulary_has(CW_VOCAB_EVENT, "s47_enquiry"));
	ck_assert(!cw_vocabulary_has(CW_VOCAB_EVENT, "s47"));
	ck_assert(cw_vocabulary_has(CW_VOCAB_RECORD, "pr_statement"));
	ck_assert(cw_vocabulary_has(CW_VOCAB_INVOLVEMENT, "private_fostering"));
	ck_assert(cw_vocabulary_has(CW_VOCAB_AUDIENCE, "records_officer"));
	ck_assert(!cw_vocabulary_has(CW_VOCAB_AUDIENCE, "Worker"));
	ck_assert(cw_vocabulary_has(CW_VOCAB_OUTCOME, "final_warning"));
	/* Counts of the tables in docs/vocabulary.md. */
	cw_vocabulary_codes(CW_VOCAB_INVOLVEMENT, &n);
	ck_assert_uint_eq(n, 14);
	cw_vocabulary_codes(CW_VOCAB_EVENT, &n);
	ck_assert_uint_eq(n, 36);
	cw_vocabulary_codes(CW_VOCAB_RECORD, &n);
	ck_assert_uint_eq(n, 47);
	cw_vocabulary_codes(CW_VOCAB_AUDIENCE, &n);
	ck_assert_uint_eq(n, 5);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("policy");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, every_shipped_profile_loads);
	tcase_add_test(tc, every_spec_id_is_shipped);
	tcase_add_test(tc, default_profile);
	tcase_add_test(tc, council_overrides);
	tcase_add_test(tc, interpretations_are_applied);
	tcase_add_test(tc, extends_and_overrides);
	tcase_add_test(tc, default_dir_from_environment);
	tcase_add_test(tc, semantic_errors);
	tcase_add_test(tc, syntax_error_has_line_and_column);
	tcase_add_test(tc, extends_errors);
	tcase_add_test(tc, vocabulary_tables);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
