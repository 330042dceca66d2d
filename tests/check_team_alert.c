/* check_team_alert.c - team-level alerts: roll-backs counted per team and month (ROLLBACK-RATE, 002 §13). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "casewatch/capability.h"
#include "casewatch/team_alert.h"
#include "testutil.h"

#define T(iso) cw_test_time(iso)

static struct cw_policy *enfield;

static void setup(void)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", cw_test_srcpath("profiles"));
	enfield = cw_test_policy("enfield", dir);
	if (!enfield)
		abort();
}

static void teardown(void)
{
	cw_policy_free(enfield);
}

/* The team's alert among the computed ones, or NULL. */
static const struct cw_team_alert *team(const struct cw_team_alerts *out, int64_t team_id)
{
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i].team_id == team_id)
			return &out->v[i];
	return NULL;
}

/* 002 §13: "Given that casework records cannot be removed 'roll backs' will
 * be exceptional and must be agreed by the appropriate Team Manager with the
 * relevant Service Manager monitoring the frequency of such requests."
 * Enfield reads "exceptional" as one a month per team (escalate_above 1). */
START_TEST(seed_exceptional_and_agreed)
{
	const struct cw_rollback rows[] = {
		/* team 7: two agreed in March, the second escalates */
		{ 1, 7, T("2026-03-02T10:00:00Z"), true },
		{ 2, 7, T("2026-03-12T15:00:00Z"), true },
		/* team 8: one agreed in March (and one in February, not counted) */
		{ 3, 8, T("2026-03-05T09:30:00Z"), true },
		{ 4, 8, T("2026-02-28T23:59:59Z"), false },
		/* team 9: one nobody agreed: escalated at once */
		{ 5, 9, T("2026-03-18T11:00:00Z"), false },
		/* no team: not counted */
		{ 6, CW_TEAM_NO_TEAM, T("2026-03-03T10:00:00Z"), false },
	};
	struct cw_team_alerts out;
	const struct cw_team_alert *a;

	cw_team_alerts_init(&out);
	ck_assert(cw_team_alerts_compute(enfield, rows, sizeof(rows) / sizeof(rows[0]), T("2026-03-20T12:00:00Z"),
					 &out));
	ck_assert_uint_eq(out.n, 3);
	a = team(&out, 7);
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->rule_id, "ROLLBACK-RATE");
	ck_assert_str_eq(a->audience, "service_manager");
	ck_assert_int_eq(a->period_start, T("2026-03-01T00:00:00Z"));
	ck_assert_int_eq(a->first_at, T("2026-03-02T10:00:00Z"));
	ck_assert_int_eq(a->escalate_at, T("2026-03-12T15:00:00Z"));
	ck_assert_uint_eq(a->counted, 2);
	ck_assert_uint_eq(a->unagreed, 0);
	a = team(&out, 8);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->counted, 1);
	ck_assert_int_eq(a->escalate_at, CW_TEAM_NO_ESCALATION);
	a = team(&out, 9);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->unagreed, 1);
	ck_assert_int_eq(a->escalate_at, T("2026-03-18T11:00:00Z"));
	cw_team_alerts_free(&out);
}
END_TEST

/* The period is the London calendar month: in summer time April starts at
 * 23:00 UTC on 31 March. */
START_TEST(london_month)
{
	cw_time start, end;
	const struct cw_rollback rows[] = {
		{ 1, 3, T("2026-03-31T22:59:59Z"), true }, /* 23:59:59 BST on 31 March: March */
		{ 2, 3, T("2026-03-31T23:00:00Z"), true }, /* midnight BST: April */
	};
	struct cw_team_alerts out;

	cw_team_period(T("2026-04-15T12:00:00+01:00"), &start, &end);
	ck_assert_int_eq(start, T("2026-04-01T00:00:00+01:00"));
	ck_assert_int_eq(end, T("2026-05-01T00:00:00+01:00"));
	cw_team_period(T("2026-12-31T23:59:59Z"), &start, &end);
	ck_assert_int_eq(start, T("2026-12-01T00:00:00Z"));
	ck_assert_int_eq(end, T("2027-01-01T00:00:00Z"));
	cw_team_alerts_init(&out);
	ck_assert(cw_team_alerts_compute(enfield, rows, 2, T("2026-04-02T12:00:00Z"), &out));
	ck_assert_uint_eq(out.n, 1);
	ck_assert_uint_eq(out.v[0].counted, 1);
	ck_assert_int_eq(out.v[0].first_at, T("2026-03-31T23:00:00Z"));
	/* no roll-back this month: nothing owed (open alerts are closed) */
	ck_assert(cw_team_alerts_compute(enfield, rows, 2, T("2026-05-02T12:00:00Z"), &out));
	ck_assert_uint_eq(out.n, 0);
	cw_team_alerts_free(&out);
}
END_TEST

/* The first unagreed roll-back escalates even below the count; the count
 * escalates at the roll-back that passes it; the earlier wins. Rows come in
 * any order. */
START_TEST(escalation_order)
{
	const struct cw_rollback rows[] = {
		{ 3, 4, T("2026-06-20T10:00:00Z"), false },
		{ 1, 4, T("2026-06-02T10:00:00Z"), true },
		{ 2, 4, T("2026-06-10T10:00:00Z"), true },
	};
	struct cw_team_alerts out;

	cw_team_alerts_init(&out);
	ck_assert(cw_team_alerts_compute(enfield, rows, 3, T("2026-06-25T12:00:00Z"), &out));
	ck_assert_uint_eq(out.n, 1);
	ck_assert_int_eq(out.v[0].first_at, T("2026-06-02T10:00:00Z"));
	ck_assert_int_eq(out.v[0].escalate_at, T("2026-06-10T10:00:00Z")); /* the second, before the unagreed */
	ck_assert_uint_eq(out.v[0].counted, 3);
	ck_assert_uint_eq(out.v[0].unagreed, 1);
	cw_team_alerts_free(&out);
}
END_TEST

/* No roll-back at all (the daemon's usual month): nothing, and no fault
 * (UBSan once caught qsort() handed the NULL of an empty list). */
START_TEST(no_rollbacks)
{
	struct cw_team_alerts out;

	cw_team_alerts_init(&out);
	ck_assert(cw_team_alerts_compute(enfield, NULL, 0, T("2026-06-25T12:00:00Z"), &out));
	ck_assert_uint_eq(out.n, 0);
	cw_team_alerts_free(&out);
}
END_TEST

/* policy show/check: enfield's rule is evaluated and is a team rule. */
START_TEST(capability)
{
	const struct cw_rule *r = NULL;
	char why[CW_CAPABILITY_REASON_MAX];

	for (size_t i = 0; i < cw_policy_rule_count(enfield); i++)
		if (!strcmp(cw_policy_rule_at(enfield, i)->id, "ROLLBACK-RATE"))
			r = cw_policy_rule_at(enfield, i);
	ck_assert_ptr_nonnull(r);
	ck_assert(cw_team_rule(r));
	ck_assert_uint_eq(cw_team_escalate_above(r), 1);
	ck_assert_int_eq(cw_capability_of(r, why, sizeof(why)), CW_CAP_EVALUATED);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("team_alert");
	TCase *tc = tcase_create("team_alert");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_add_test(tc, seed_exceptional_and_agreed);
	tcase_add_test(tc, london_month);
	tcase_add_test(tc, escalation_order);
	tcase_add_test(tc, no_rollbacks);
	tcase_add_test(tc, capability);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
