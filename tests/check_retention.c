/* check_retention.c - retention dates worked by hand from the policies' own sentences, and a property test. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "casewatch/calendar.h"
#include "casewatch/facts.h"
#include "casewatch/policy.h"
#include "casewatch/retention.h"
#include "testutil.h"

static struct cw_calendar *cal;
static struct cw_policy *southwark, *lifted, *statutory, *brighton, *coventry, *hull;
static char tmpdir[] = "/tmp/check_retention.XXXXXX";

/* Loads a profile, failing loudly with the loader's messages. */
static struct cw_policy *load(const char *profile, const char *dir)
{
	struct cw_policy *p = cw_test_policy(profile, dir);

	if (!p)
		abort();
	return p;
}

/* "lifted" extends southwark by name, so it is loaded from a directory
 * that links the shipped profiles beside it. */
static void setup(void)
{
	static const char *const links[] = { "default", "southwark", NULL };
	char profiles[4200], from[4300], to[4300];
	snprintf(profiles, sizeof(profiles), "%s", cw_test_srcpath("profiles"));
	cal = cw_test_calendar();
	if (!mkdtemp(tmpdir))
		abort();
	for (int i = 0; links[i]; i++) {
		snprintf(from, sizeof(from), "%s/%s.json", profiles, links[i]);
		snprintf(to, sizeof(to), "%s/%s.json", tmpdir, links[i]);
		if (symlink(from, to))
			abort();
	}
	snprintf(to, sizeof(to), "%s/lifted.json", tmpdir);
	if (symlink(cw_test_srcpath("tests/data/retention/lifted.json"), to))
		abort();
	southwark = load("southwark", profiles);
	statutory = load("statutory-england", profiles);
	brighton = load("brighton-hove", profiles);
	coventry = load("coventry", profiles);
	hull = load("hull", profiles);
	lifted = load("lifted", tmpdir);
}

static void teardown(void)
{
	char path[4200];

	for (const char *const *n = (const char *const[]){ "default", "southwark", "lifted", NULL }; *n; n++) {
		snprintf(path, sizeof(path), "%s/%s.json", tmpdir, *n);
		unlink(path);
	}
	rmdir(tmpdir);
	cw_policy_free(southwark);
	cw_policy_free(lifted);
	cw_policy_free(statutory);
	cw_policy_free(brighton);
	cw_policy_free(coventry);
	cw_policy_free(hull);
	cw_calendar_free(cal);
}

static cw_day D(const char *iso)
{
	cw_day d;

	if (!cw_day_parse(iso, &d))
		ck_abort_msg("bad test date %s", iso);
	return d;
}

/* Facts from a JSON text, arrays it omits empty (testutil.c). */
#define facts(text, f) cw_test_facts((text), (f))

/* Computes and returns the retention of a facts text on a day. */
static struct cw_retention R;
static const struct cw_retention *ret(const struct cw_policy *p, const char *text, const char *day,
				      const struct cw_hold *holds, size_t n)
{
	struct cw_facts f;

	facts(text, &f);
	cw_retention_compute(&f, p, holds, n, D(day), cal, &R);
	cw_facts_free(&f);
	return &R;
}

/* The category of a rule, or NULL. */
static const struct cw_retention_category *find_cat(const struct cw_retention *r, const char *id)
{
	for (size_t i = 0; i < r->n_categories; i++)
		if (!strcmp(r->categories[i].rule->id, id))
			return &r->categories[i];
	return NULL;
}

/* The category of a rule, which must be there. */
static const struct cw_retention_category *cat(const struct cw_retention *r, const char *id)
{
	static const struct cw_retention_category none;
	const struct cw_retention_category *c = find_cat(r, id);

	ck_assert_msg(c != NULL, "no category %s", id);
	return c ? c : &none;
}

static void day_is(cw_day got, const char *want)
{
	char buf[CW_DAY_STRLEN] = "none";

	if (got != CW_DAY_NONE)
		cw_day_format(got, buf);
	ck_assert_str_eq(buf, want);
}

#define STATE(r, s) ck_assert_str_eq(cw_retention_state_name((r)->state), s)
#define BASIS(r, want) ck_assert_str_eq((r)->basis ? (r)->basis->id : "none", want)

/* 003 §5.13: "CHILDREN IN NEED 25 years from the date of birth of the
 * child named in the records." Born 2001-03-04: destruction allowed from
 * 2026-03-04, not a day before. */
START_TEST(cin_25_years_from_birth)
{
	const char *p = "{\"person_id\": 1, \"date_of_birth\": \"2001-03-04\", \"involvements\": "
			"[{\"id\": 11, \"category\": \"cin\", \"start\": \"2005-01-01\", \"end\": \"2012-12-31\"}]}";
	const struct cw_retention *r = ret(lifted, p, "2026-03-03", NULL, 0);

	STATE(r, "retained");
	day_is(r->destroy_on, "2026-03-04");
	BASIS(r, "RET-CIN");
	day_is(r->next_change, "2026-03-04");
	ck_assert_uint_eq(r->n_categories, 1);
	day_is(r->categories[0].terms[0].anchor, "2001-03-04");
	r = ret(lifted, p, "2026-03-04", NULL, 0);
	STATE(r, "due");
	ck_assert_uint_eq(r->n_holds, 0);
	/* Southwark itself states no end to the IICSA hold: due but held. */
	r = ret(southwark, p, "2026-03-04", NULL, 0);
	STATE(r, "held");
	ck_assert_uint_eq(r->n_holds, 1);
	ck_assert_str_eq(r->holds[0].source, "HOLD-INQUIRY");
	day_is(r->holds[0].ends, "none");
	day_is(r->destroy_on, "2026-03-04");
}
END_TEST

/* docs/profiles.md: "29 February + 1 y = 28 February". A child in need
 * born 2004-02-29: 25 years end on 2029-02-28, and the CP plan's 35 years
 * on 2039-02-28 (neither is a leap year). */
START_TEST(leap_day_birthdays)
{
	const struct cw_retention *r = ret(
		lifted,
		"{\"person_id\": 2, \"date_of_birth\": \"2004-02-29\", \"involvements\": ["
		"{\"id\": 21, \"category\": \"cin\", \"start\": \"2006-01-01\", \"end\": \"2007-01-01\"},"
		"{\"id\": 22, \"category\": \"cp_plan\", \"start\": \"2006-02-01\", \"end\": \"2006-12-01\"}]}",
		"2030-01-01", NULL, 0);

	day_is(cat(r, "RET-CIN")->ends, "2029-02-28");
	day_is(cat(r, "RET-CP")->ends, "2039-02-28");
	day_is(r->destroy_on, "2039-02-28");
	BASIS(r, "RET-CP");
	STATE(r, "retained");
	/* "Reprimand or final warning - ... up to young person's 18th
	 * birthday": the 18th birthday of a 29 February child is 28 February
	 * 2022 (2022 is not a leap year). */
	r = ret(lifted,
		"{\"person_id\": 3, \"date_of_birth\": \"2004-02-29\", \"involvements\": ["
		"{\"id\": 31, \"category\": \"youth_justice\", \"start\": \"2017-01-01\", \"end\": \"2017-06-30\","
		" \"outcome\": \"reprimand\"}]}",
		"2030-01-01", NULL, 0);
	day_is(cat(r, "RET-YJ-REPR")->terms[1].anchor, "2022-02-28");
	/* Born 1996-02-29, on a CP plan: 35 years end on 2031-02-28, and
	 * destruction is allowed that very day. */
	r = ret(lifted,
		"{\"person_id\": 4, \"date_of_birth\": \"1996-02-29\", \"involvements\": ["
		"{\"id\": 41, \"category\": \"cp_plan\", \"start\": \"2000-01-01\", \"end\": \"2001-01-01\"}]}",
		"2031-02-28", NULL, 0);
	day_is(r->destroy_on, "2031-02-28");
	STATE(r, "due");
}
END_TEST

/* 003 §5.13: "Reprimand or final warning - 3 years after closure of case
 * or up to young person's 18th birthday." (interpretation.combine: the
 * later) and "Client files - retain for 10 years after closure of case." */
START_TEST(youth_justice_whichever_is_later)
{
	/* Born 2000-01-10, 18 on 2018-01-10; closed 2015-05-01, and closure
	 * + 3 y = 2018-05-01 is the later. */
	const struct cw_retention *r = ret(
		lifted,
		"{\"person_id\": 5, \"date_of_birth\": \"2000-01-10\", \"involvements\": ["
		"{\"id\": 51, \"category\": \"youth_justice\", \"start\": \"2014-01-01\", \"end\": \"2015-05-01\","
		" \"outcome\": \"final_warning\"}]}",
		"2020-01-01", NULL, 0);
	const struct cw_retention_category *c = cat(r, "RET-YJ-REPR");

	ck_assert_ptr_nonnull(c);
	day_is(c->terms[0].ends, "2018-05-01");
	day_is(c->terms[1].ends, "2018-01-10");
	day_is(c->ends, "2018-05-01");
	ck_assert_ptr_null(find_cat(r, "RET-YJ-CONV")); /* "Conviction": not this outcome */
	day_is(cat(r, "RET-YJ")->ends, "2025-05-01");
	day_is(r->destroy_on, "2025-05-01");
	BASIS(r, "RET-YJ");

	/* Closed at 12: closure + 3 y = 2015-02-01, the 18th birthday
	 * 2018-01-10 is later. */
	r = ret(lifted,
		"{\"person_id\": 6, \"date_of_birth\": \"2000-01-10\", \"involvements\": ["
		"{\"id\": 61, \"category\": \"youth_justice\", \"start\": \"2011-06-01\", \"end\": \"2012-02-01\","
		" \"outcome\": \"reprimand\"}]}",
		"2020-01-01", NULL, 0);
	day_is(cat(r, "RET-YJ-REPR")->ends, "2018-01-10");

	/* "Conviction - 5 years after close of case": the last closure of the
	 * person's convictions counts. */
	r = ret(lifted,
		"{\"person_id\": 7, \"date_of_birth\": \"2000-01-10\", \"involvements\": ["
		"{\"id\": 71, \"category\": \"youth_justice\", \"start\": \"2014-01-01\", \"end\": \"2014-03-01\","
		" \"outcome\": \"conviction\"},"
		"{\"id\": 72, \"category\": \"youth_justice\", \"start\": \"2016-01-01\", \"end\": \"2016-08-31\","
		" \"outcome\": \"conviction\"}]}",
		"2020-01-01", NULL, 0);
	day_is(cat(r, "RET-YJ-CONV")->ends, "2021-08-31");
	ck_assert_int_eq(cat(r, "RET-YJ-CONV")->terms[0].anchor_id, 72);
}
END_TEST

/* "ADOPTION 100 years after date of Adoption Order"; "FOSTER CARERS 30
 * years from end of last placement"; "FINANCE RECORDS Retain for 7
 * years."; "CHILDREN'S GUARDIAN RECORDS Retained by Guardian." */
START_TEST(adoption_foster_finance_guardian)
{
	const struct cw_retention *r = ret(
		lifted,
		"{\"person_id\": 8, \"date_of_birth\": \"2008-07-01\", \"involvements\": ["
		"{\"id\": 81, \"category\": \"adoption\", \"start\": \"2009-01-01\", \"end\": \"2010-06-01\","
		" \"order_date\": \"2010-05-05\"}]}",
		"2030-01-01", NULL, 0);

	day_is(r->destroy_on, "2110-05-05");
	BASIS(r, "RET-ADOPT");

	r = ret(lifted,
		"{\"person_id\": 9, \"kind\": \"carer\", \"involvements\": ["
		"{\"id\": 91, \"category\": \"fostering\", \"start\": \"1990-01-01\", \"end\": \"2001-01-01\"},"
		"{\"id\": 92, \"category\": \"fostering\", \"start\": \"2002-01-01\", \"end\": \"2005-07-31\"}]}",
		"2030-01-01", NULL, 0);
	day_is(r->destroy_on, "2035-07-31");
	BASIS(r, "RET-FOSTER");

	/* Finance applies to persons with finance records, from the latest. */
	r = ret(lifted,
		"{\"person_id\": 10, \"kind\": \"adult\", \"records\": ["
		"{\"id\": 101, \"type\": \"finance\", \"event_at\": \"2019-04-05T12:00:00Z\", \"entered_at\": \"2019-04-05T12:00:00Z\", \"finalised_at\": \"2019-04-06T09:00:00Z\"},"
		"{\"id\": 102, \"type\": \"finance\", \"entered_at\": \"2017-01-01T12:00:00Z\", \"finalised_at\": \"2017-01-01T12:00:00Z\"}]}",
		"2026-04-04", NULL, 0);
	day_is(r->destroy_on, "2026-04-05");
	BASIS(r, "RET-FIN");
	STATE(r, "retained");
	r = ret(lifted, "{\"person_id\": 11, \"kind\": \"adult\"}", "2030-01-01", NULL, 0);
	ck_assert_uint_eq(r->n_categories, 0);
	STATE(r, "kept"); /* no rule applies: nothing allows destruction */
	BASIS(r, "none");

	/* The guardian's record is never scheduled here, whatever else. */
	r = ret(lifted,
		"{\"person_id\": 12, \"date_of_birth\": \"1990-01-01\", \"involvements\": ["
		"{\"id\": 121, \"category\": \"guardian\", \"start\": \"1995-01-01\", \"end\": \"1996-01-01\"},"
		"{\"id\": 122, \"category\": \"cin\", \"start\": \"1995-01-01\", \"end\": \"1996-01-01\"}]}",
		"2030-01-01", NULL, 0);
	STATE(r, "kept");
	BASIS(r, "RET-GUARD");
	day_is(r->destroy_on, "none");
}
END_TEST

/* Missing anchors: named, never due. */
START_TEST(missing_anchors)
{
	const struct cw_retention *r = ret(
		lifted,
		"{\"person_id\": 13, \"involvements\": ["
		"{\"id\": 131, \"category\": \"cin\", \"start\": \"1990-01-01\", \"end\": \"1991-01-01\"}]}",
		"2090-01-01", NULL, 0);

	STATE(r, "incomplete");
	ck_assert_str_eq(r->categories[0].missing, "date_of_birth");
	day_is(r->destroy_on, "none");
	BASIS(r, "none");

	/* An adoption without its order date. */
	r = ret(lifted,
		"{\"person_id\": 14, \"date_of_birth\": \"1950-01-01\", \"involvements\": ["
		"{\"id\": 141, \"category\": \"adoption\", \"start\": \"1951-01-01\", \"end\": \"1952-01-01\"}]}",
		"2200-01-01", NULL, 0);
	STATE(r, "incomplete");
	ck_assert_str_eq(cat(r, "RET-ADOPT")->missing, "order_date");

	/* Open: never due, even with every birth-based period long ended. */
	r = ret(lifted,
		"{\"person_id\": 15, \"date_of_birth\": \"1950-01-01\", \"involvements\": ["
		"{\"id\": 151, \"category\": \"cin\", \"start\": \"1951-01-01\"}]}",
		"2090-01-01", NULL, 0);
	STATE(r, "open");
	ck_assert_int_eq(r->open_involvement, 151);
	/* An end in the future is still open; it closes the day after. */
	r = ret(lifted,
		"{\"person_id\": 16, \"date_of_birth\": \"1950-01-01\", \"involvements\": ["
		"{\"id\": 161, \"category\": \"cin\", \"start\": \"1951-01-01\", \"end\": \"2090-06-30\"}]}",
		"2090-01-01", NULL, 0);
	STATE(r, "open");
	day_is(r->next_change, "2090-07-01");
	/* A youth-justice client file still open has no closure yet. */
	r = ret(lifted,
		"{\"person_id\": 17, \"date_of_birth\": \"2000-01-01\", \"involvements\": ["
		"{\"id\": 171, \"category\": \"youth_justice\", \"start\": \"2015-01-01\", \"outcome\": \"other\"}]}",
		"2030-01-01", NULL, 0);
	STATE(r, "open");
	ck_assert_str_eq(cat(r, "RET-YJ")->missing, "involvement end");
}
END_TEST

/* Care Planning Regulations 2010, reg 50 (statutory-england ST-RET-LAC):
 * "kept until the 75th anniversary of the child's date of birth or, if
 * the child dies before 18, for 15 years from the date of death." */
START_TEST(death_before_and_after_18)
{
	const struct cw_retention *r = ret(
		statutory,
		"{\"person_id\": 20, \"date_of_birth\": \"2010-06-01\", \"date_of_death\": \"2020-03-15\","
		" \"involvements\": [{\"id\": 201, \"category\": \"looked_after\", \"start\": \"2012-01-01\", \"end\": \"2020-03-15\"}]}",
		"2035-03-14", NULL, 0);
	const struct cw_retention_category *c = cat(r, "ST-RET-LAC");

	ck_assert_ptr_nonnull(c->variant);
	ck_assert_int_eq(c->variant->died_before, 18);
	day_is(r->destroy_on, "2035-03-15");
	STATE(r, "retained");
	r = ret(statutory,
		"{\"person_id\": 20, \"date_of_birth\": \"2010-06-01\", \"date_of_death\": \"2020-03-15\","
		" \"involvements\": [{\"id\": 201, \"category\": \"looked_after\", \"start\": \"2012-01-01\", \"end\": \"2020-03-15\"}]}",
		"2035-03-15", NULL, 0);
	STATE(r, "due");

	/* Died at 19: the 75th anniversary of birth stands. */
	r = ret(statutory,
		"{\"person_id\": 21, \"date_of_birth\": \"2010-06-01\", \"date_of_death\": \"2029-06-01\","
		" \"involvements\": [{\"id\": 211, \"category\": \"looked_after\", \"start\": \"2012-01-01\", \"end\": \"2028-06-01\"}]}",
		"2040-01-01", NULL, 0);
	ck_assert_ptr_null(cat(r, "ST-RET-LAC")->variant);
	day_is(r->destroy_on, "2085-06-01");
	/* Died on the 18th birthday: not "before 18". */
	r = ret(statutory,
		"{\"person_id\": 22, \"date_of_birth\": \"2010-06-01\", \"date_of_death\": \"2028-06-01\","
		" \"involvements\": [{\"id\": 221, \"category\": \"looked_after\", \"start\": \"2012-01-01\", \"end\": \"2028-06-01\"}]}",
		"2040-01-01", NULL, 0);
	day_is(r->destroy_on, "2085-06-01");
	/* A death with no date of birth: which period applies is unknown. */
	r = ret(statutory,
		"{\"person_id\": 23, \"date_of_death\": \"2020-03-15\","
		" \"involvements\": [{\"id\": 231, \"category\": \"looked_after\", \"start\": \"2012-01-01\", \"end\": \"2020-03-15\"}]}",
		"2040-01-01", NULL, 0);
	STATE(r, "incomplete");
	ck_assert_str_eq(cat(r, "ST-RET-LAC")->missing, "date_of_birth");
	/* Southwark's own LAC rule has no death variant: 75 years from birth. */
	r = ret(lifted,
		"{\"person_id\": 20, \"date_of_birth\": \"2010-06-01\", \"date_of_death\": \"2020-03-15\","
		" \"involvements\": [{\"id\": 201, \"category\": \"looked_after\", \"start\": \"2012-01-01\", \"end\": \"2020-03-15\"}]}",
		"2040-01-01", NULL, 0);
	day_is(r->destroy_on, "2085-06-01");
	/* Fostering Services Regs 2011 reg 32: "at least ten years from the
	 * date approval ends". */
	r = ret(statutory,
		"{\"person_id\": 24, \"kind\": \"carer\", \"involvements\": ["
		"{\"id\": 241, \"category\": \"fostering\", \"start\": \"2010-01-01\", \"end\": \"2016-09-30\"}]}",
		"2026-09-30", NULL, 0);
	day_is(r->destroy_on, "2026-09-30");
	STATE(r, "due");
	/* "... records of applications that were refused or withdrawn for at
	 * least three years." */
	r = ret(statutory,
		"{\"person_id\": 25, \"kind\": \"carer\", \"involvements\": ["
		"{\"id\": 251, \"category\": \"fostering\", \"start\": \"2020-01-01\", \"end\": \"2020-05-31\","
		" \"outcome\": \"withdrawn\"}]}",
		"2023-05-31", NULL, 0);
	ck_assert_ptr_nonnull(cat(r, "ST-RET-FOSTER")->variant);
	day_is(r->destroy_on, "2023-05-31");
	STATE(r, "due");
	/* A refused application and a later approval: ten years, from the
	 * end of the approval. */
	r = ret(statutory,
		"{\"person_id\": 26, \"kind\": \"carer\", \"involvements\": ["
		"{\"id\": 261, \"category\": \"fostering\", \"start\": \"2010-01-01\", \"end\": \"2010-03-01\","
		" \"outcome\": \"refused\"},"
		"{\"id\": 262, \"category\": \"fostering\", \"start\": \"2012-01-01\", \"end\": \"2018-12-31\"}]}",
		"2023-05-31", NULL, 0);
	ck_assert_ptr_null(cat(r, "ST-RET-FOSTER")->variant);
	day_is(r->destroy_on, "2028-12-31");
}
END_TEST

/* 000 note: destruction "can resume at the end of the Inquiry's Judicial
 * Review period, currently set for 20th January 2023"; 003 §5.13 states no
 * end. Hull's RET-S47-NFA ships off (its document sets no period). */
START_TEST(profile_holds)
{
	const char *p = "{\"person_id\": 30}";
	const struct cw_retention *r = ret(brighton, p, "2023-01-20", NULL, 0);

	ck_assert_uint_eq(r->n_holds, 1);
	ck_assert_str_eq(r->holds[0].source, "HOLD-INQUIRY");
	day_is(r->holds[0].ends, "2023-01-20");
	day_is(r->next_change, "2023-01-21");
	r = ret(brighton, p, "2023-01-21", NULL, 0);
	ck_assert_uint_eq(r->n_holds, 0);
	r = ret(southwark, p, "2099-01-01", NULL, 0);
	ck_assert_uint_eq(r->n_holds, 1);

	/* The IICSA moratorium lifting: a CIN record due in 2021 was held
	 * until the hold ended, then due. */
	p = "{\"person_id\": 31, \"date_of_birth\": \"1996-05-01\", \"involvements\": ["
	    "{\"id\": 311, \"category\": \"cin\", \"start\": \"2000-01-01\", \"end\": \"2001-01-01\"}]}";
	r = ret(lifted, p, "2023-01-20", NULL, 0);
	STATE(r, "held");
	day_is(r->next_change, "2023-01-21");
	r = ret(lifted, p, "2023-01-21", NULL, 0);
	STATE(r, "due");

	r = ret(hull, "{\"person_id\": 32, \"involvements\": [{\"id\": 321, \"category\": \"s47_nfa\","
		      " \"start\": \"2000-01-01\", \"end\": \"2000-02-01\"}]}",
		"2090-01-01", NULL, 0);
	ck_assert_uint_eq(r->n_categories, 0);
	STATE(r, "kept");
}
END_TEST

/* 001 §5.5 and HOLD-SAR: a record subject to an open access request is
 * not destroyed; it returns to the schedule when the disclosure is made. */
START_TEST(hold_sar)
{
	const char *open = "{\"person_id\": 40, \"date_of_birth\": \"1990-01-01\", \"involvements\": ["
			   "{\"id\": 401, \"category\": \"cin\", \"start\": \"1995-01-01\", \"end\": \"1996-01-01\"}],"
			   " \"events\": [{\"id\": 402, \"type\": \"access_request\", \"at\": \"2026-01-10T10:00:00Z\"}]}";
	const char *closed = "{\"person_id\": 40, \"date_of_birth\": \"1990-01-01\", \"involvements\": ["
			     "{\"id\": 401, \"category\": \"cin\", \"start\": \"1995-01-01\", \"end\": \"1996-01-01\"}],"
			     " \"events\": [{\"id\": 402, \"type\": \"access_request\", \"at\": \"2026-01-10T10:00:00Z\"}],"
			     " \"records\": [{\"id\": 403, \"type\": \"sar_disclosure\", \"event_id\": 402,"
			     " \"entered_at\": \"2026-02-01T10:00:00Z\", \"finalised_at\": \"2026-02-05T16:00:00Z\"}]}";
	const struct cw_retention *r = ret(lifted, open, "2026-01-09", NULL, 0);

	STATE(r, "due");
	day_is(r->next_change, "2026-01-10");
	r = ret(lifted, open, "2026-03-01", NULL, 0);
	STATE(r, "held");
	ck_assert_str_eq(r->holds[0].source, "HOLD-SAR");
	ck_assert_int_eq(r->holds[0].event_id, 402);
	r = ret(lifted, closed, "2026-02-05", NULL, 0);
	STATE(r, "held");
	r = ret(lifted, closed, "2026-02-06", NULL, 0);
	STATE(r, "due");
	/* The records list the request: withdrawn on 2026-01-20 without a
	 * disclosure, it holds through that day and no longer. */
	{
		const char *withdrawn =
			"{\"person_id\": 40, \"date_of_birth\": \"1990-01-01\", \"involvements\": ["
			"{\"id\": 401, \"category\": \"cin\", \"start\": \"1995-01-01\", \"end\": \"1996-01-01\"}],"
			" \"events\": [{\"id\": 402, \"type\": \"access_request\", \"at\": \"2026-01-10T10:00:00Z\"}],"
			" \"access_requests\": [{\"id\": 7, \"event_id\": 402, \"received_at\": \"2026-01-10T10:00:00Z\","
			" \"closed_at\": \"2026-01-20T16:00:00Z\"}]}";
		const char *no_event =
			"{\"person_id\": 41, \"date_of_birth\": \"1990-01-01\", \"involvements\": ["
			"{\"id\": 411, \"category\": \"cin\", \"start\": \"1995-01-01\", \"end\": \"1996-01-01\"}],"
			" \"access_requests\": [{\"id\": 8, \"received_at\": \"2026-02-01T10:00:00Z\", \"closed_at\": null}]}";

		r = ret(lifted, withdrawn, "2026-01-20", NULL, 0);
		STATE(r, "held");
		ck_assert_uint_eq(r->n_holds, 1); /* the request, not the event as well */
		ck_assert_int_eq(r->holds[0].request_id, 7);
		day_is(r->next_change, "2026-01-21");
		r = ret(lifted, withdrawn, "2026-01-21", NULL, 0);
		STATE(r, "due");
		r = ret(lifted, no_event, "2026-01-31", NULL, 0);
		STATE(r, "due");
		day_is(r->next_change, "2026-02-01");
		r = ret(lifted, no_event, "2030-01-01", NULL, 0);
		STATE(r, "held");
		ck_assert_int_eq(r->holds[0].request_id, 8);
	}
	/* Coventry's own profile: the hold is listed on a person it has no
	 * schedule for (kept), so a person is never shown as free of it. */
	r = ret(coventry, open, "2026-03-01", NULL, 0);
	STATE(r, "kept");
	ck_assert_uint_eq(r->n_holds, 1);
}
END_TEST

/* Holds placed by records officers: each scope, a start and an end. */
START_TEST(placed_holds)
{
	static const int64_t ids[] = { 7, 50 };
	const char *p = "{\"person_id\": 50, \"date_of_birth\": \"1990-01-01\", \"involvements\": ["
			"{\"id\": 501, \"category\": \"cin\", \"start\": \"1995-01-01\", \"end\": \"1996-01-01\"}]}";
	struct cw_hold h = { .id = 1, .source = "placed", .reason = "inquiry", .scope = CW_HOLD_ALL,
			     .from = CW_DAY_NONE, .to = CW_DAY_NONE, .starts = D("2026-01-01"),
			     .ends = D("2026-06-30") };
	const struct cw_retention *r = ret(lifted, p, "2025-12-31", &h, 1);

	STATE(r, "due");
	day_is(r->next_change, "2026-01-01");
	r = ret(lifted, p, "2026-06-30", &h, 1);
	STATE(r, "held");
	ck_assert_int_eq(r->holds[0].id, 1);
	ck_assert_str_eq(r->holds[0].reason, "inquiry");
	day_is(r->next_change, "2026-07-01");
	r = ret(lifted, p, "2026-07-01", &h, 1);
	STATE(r, "due");

	h.ends = CW_DAY_NONE;
	h.scope = CW_HOLD_CATEGORY;
	h.category = "cp_plan";
	STATE(ret(lifted, p, "2026-07-01", &h, 1), "due");
	h.category = "cin";
	STATE(ret(lifted, p, "2026-07-01", &h, 1), "held");

	/* People whose involvement overlaps 1996-01-01 .. 1999-12-31. */
	h.scope = CW_HOLD_PERIOD;
	h.from = D("1996-01-01");
	h.to = D("1999-12-31");
	STATE(ret(lifted, p, "2026-07-01", &h, 1), "held");
	h.from = D("1996-01-02");
	STATE(ret(lifted, p, "2026-07-01", &h, 1), "due");

	h.scope = CW_HOLD_PERSONS;
	h.persons = ids;
	h.n_persons = 1;
	STATE(ret(lifted, p, "2026-07-01", &h, 1), "due");
	h.n_persons = 2;
	STATE(ret(lifted, p, "2026-07-01", &h, 1), "held");
}
END_TEST

/* The JSON carries what casewatchctl retention explain promises. */
START_TEST(json_shape)
{
	const struct cw_retention *r = ret(
		southwark,
		"{\"person_id\": 1, \"date_of_birth\": \"2001-03-04\", \"involvements\": "
		"[{\"id\": 11, \"category\": \"cin\", \"start\": \"2005-01-01\", \"end\": \"2012-12-31\"}]}",
		"2026-03-04", NULL, 0);
	json_t *j = cw_retention_to_json(r);

	ck_assert_str_eq(json_string_value(json_object_get(j, "state")), "held");
	ck_assert_str_eq(json_string_value(json_object_get(j, "destroy_on")), "2026-03-04");
	ck_assert_str_eq(json_string_value(json_object_get(j, "basis")), "RET-CIN");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "holds")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(j, "holds"), 0), "source")),
			 "HOLD-INQUIRY");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(json_array_get(json_object_get(j, "categories"), 0), "terms"), 0),
				 "period")),
			 "25y");
	json_decref(j);
}
END_TEST

/* A reload must not shorten a period silently (issue: "a reload that
 * would shorten a period is refused unless the configuration confirms it"). */
START_TEST(shortened_periods)
{
	char why[128] = "";
	struct cw_policy *shorter;
	char dir[4200];

	ck_assert(!cw_retention_shortened(southwark, southwark, why, sizeof(why)));
	ck_assert(!cw_retention_shortened(southwark, lifted, why, sizeof(why))); /* holds only */
	snprintf(dir, sizeof(dir), "%s/shorter.json", tmpdir);
	ck_assert(!symlink(cw_test_srcpath("tests/data/retention/shorter.json"), dir));
	shorter = load("shorter", tmpdir);
	ck_assert(cw_retention_shortened(southwark, shorter, why, sizeof(why)));
	ck_assert_str_eq(why, "RET-CIN: keep[0] 25y -> 20y");
	ck_assert(!cw_retention_shortened(shorter, southwark, why, sizeof(why))); /* longer again */
	/* Southwark's schedule against a profile without it. */
	ck_assert(cw_retention_shortened(southwark, brighton, why, sizeof(why)));
	ck_assert_str_eq(why, "RET-CIN: removed or disabled");
	cw_policy_free(shorter);
	unlink(dir);
}
END_TEST

/* docs/facts.md access_requests[]: optional, parsed like the others. */
START_TEST(facts_access_requests)
{
	struct cw_facts f;
	char msg[CW_FACTS_PROBLEM_STRLEN];

	facts("{\"person_id\": 60, \"access_requests\": ["
	      "{\"id\": 1, \"event_id\": 9, \"received_at\": \"2026-01-10T10:00:00Z\", \"closed_at\": null},"
	      "{\"id\": 2, \"received_at\": \"2026-02-10T10:00:00Z\", \"closed_at\": \"2026-03-01T12:00:00Z\"},"
	      "{\"id\": 3},"
	      "{\"id\": 2, \"received_at\": \"2026-04-10T10:00:00Z\"}]}",
	      &f);
	ck_assert_uint_eq(f.n_access_requests, 3);
	ck_assert_int_eq(f.access_requests[0].event_id, 9);
	ck_assert(f.access_requests[0].closed_at == CW_TIME_NONE);
	ck_assert(f.access_requests[1].closed_at != CW_TIME_NONE);
	ck_assert(f.access_requests[2].received_at == CW_TIME_NONE);
	ck_assert_uint_eq(f.n_problems, 2);
	cw_facts_problem_format(&f, &f.problems[0], msg);
	ck_assert_str_eq(msg, "person 60: access_request 3: received_at: missing");
	cw_facts_problem_format(&f, &f.problems[1], msg);
	ck_assert_str_eq(msg, "person 60: access_request 2: id: duplicate id (row left out)");
	cw_facts_free(&f);
	facts("{\"person_id\": 61}", &f); /* absent: none, and no problem */
	ck_assert_uint_eq(f.n_access_requests, 0);
	ck_assert_uint_eq(f.n_problems, 0);
	cw_facts_free(&f);
}
END_TEST

/* --- the property test ------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static const char *const cats[] = { "cin", "cp_plan", "looked_after", "adoption", "youth_justice",
				     "leaving_care", "fostering", "supervision_order", "disability",
				     "asylum", "early_help", "s47_nfa" };
static const char *const outcomes[] = { "reprimand", "final_warning", "conviction", "other" };

/* A day between 1950 and 2100. */
static cw_day rday(void)
{
	return D("1950-01-01") + (cw_day)rnd(150 * 365);
}

static json_t *jday(cw_day d)
{
	char buf[CW_DAY_STRLEN];

	cw_day_format(d, buf);
	return json_string(buf);
}

/* A person with random involvements, dates, requests and disclosures. */
static json_t *random_person(int64_t id)
{
	json_t *doc = json_pack("{s:I}", "person_id", (json_int_t)id);
	json_t *invs = json_array(), *events = json_array(), *records = json_array();
	cw_day dob = rday();
	int n = (int)rnd(4);

	if (rnd(10))
		json_object_set_new(doc, "date_of_birth", jday(dob));
	if (!rnd(4))
		json_object_set_new(doc, "date_of_death", jday(dob + (cw_day)rnd(40 * 365)));
	for (int i = 0; i < n; i++) {
		cw_day start = dob + (cw_day)rnd(18 * 365);
		json_t *inv = json_pack("{s:I,s:s,s:o}", "id", (json_int_t)(id * 10 + i), "category",
					cats[rnd(sizeof(cats) / sizeof(cats[0]))], "start", jday(start));

		if (rnd(5))
			json_object_set_new(inv, "end", jday(start + (cw_day)rnd(6 * 365)));
		if (rnd(2))
			json_object_set_new(inv, "order_date", jday(start + (cw_day)rnd(400)));
		json_object_set_new(inv, "outcome", json_string(outcomes[rnd(4)]));
		json_array_append_new(invs, inv);
	}
	if (!rnd(3)) {
		cw_day at = rday();
		char ts[40], buf[CW_DAY_STRLEN];

		cw_day_format(at, buf);
		snprintf(ts, sizeof(ts), "%sT10:00:00Z", buf);
		json_array_append_new(events, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)(id * 10 + 8),
							"type", "access_request", "at", ts));
		if (rnd(2)) {
			cw_day_format(at + (cw_day)rnd(90), buf);
			snprintf(ts, sizeof(ts), "%sT15:00:00Z", buf);
			json_array_append_new(records, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)(id * 10 + 9),
								 "type", "sar_disclosure", "entered_at", ts,
								 "finalised_at", ts));
		}
	}
	if (!rnd(4)) {
		char ts[40], buf[CW_DAY_STRLEN];

		cw_day_format(rday(), buf);
		snprintf(ts, sizeof(ts), "%sT12:00:00Z", buf);
		json_array_append_new(records, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)(id * 10 + 7),
							 "type", "finance", "event_at", ts, "entered_at", ts));
	}
	json_object_set_new(doc, "involvements", invs);
	json_object_set_new(doc, "events", events);
	json_object_set_new(doc, "records", records);
	return doc;
}

/* Periods of Southwark's schedule by category, written out here on
 * purpose: the test checks the engine against the seed, not itself. */
static int birth_years(const char *c)
{
	if (!strcmp(c, "cin") || !strcmp(c, "supervision_order") || !strcmp(c, "disability") ||
	    !strcmp(c, "asylum"))
		return 25;
	if (!strcmp(c, "cp_plan"))
		return 35;
	if (!strcmp(c, "looked_after") || !strcmp(c, "leaving_care"))
		return 75;
	return 0;
}

/* Independent of the engine: is the person under an open SAR on day? */
static bool sar_open(const struct cw_facts *f, cw_day day)
{
	for (size_t i = 0; i < f->n_events; i++) {
		cw_day from = cw_london_day(f->events[i].at);
		bool closed = false;

		if (from > day)
			continue;
		for (size_t k = 0; k < f->n_records; k++)
			if (!strcmp(f->records[k].type, "sar_disclosure") &&
			    cw_london_day(f->records[k].finalised_at) < day &&
			    f->records[k].finalised_at >= f->events[i].at)
				closed = true;
		if (!closed)
			return true;
	}
	return false;
}

/* Nothing is ever due before every applicable period has ended, while any
 * hold applies, or while the record is open. */
START_TEST(never_due_early)
{
	size_t due = 0, held = 0, seen[CW_RET_STATE_COUNT] = { 0 };

	for (int64_t id = 1; id <= 20000; id++) {
		json_t *doc = random_person(id);
		struct cw_facts f;
		struct cw_error err;
		struct cw_hold holds[3];
		int64_t pid = id;
		size_t nh = rnd(4);
		cw_day day = rday();
		struct cw_retention r;

		cw_facts_init(&f);
		ck_assert(cw_facts_from_json(doc, &f, &err));
		json_decref(doc);
		for (size_t i = 0; i < nh; i++) {
			holds[i] = (struct cw_hold){ .id = (int64_t)i + 1, .source = "placed",
						     .scope = (enum cw_hold_scope)rnd(CW_HOLD_SCOPE_COUNT),
						     .category = cats[rnd(sizeof(cats) / sizeof(cats[0]))],
						     .from = rday(), .to = CW_DAY_NONE, .persons = &pid,
						     .n_persons = 1, .starts = rday(), .ends = CW_DAY_NONE };
			holds[i].to = holds[i].from + (cw_day)rnd(3000);
			if (rnd(2))
				holds[i].ends = holds[i].starts + (cw_day)rnd(3000);
		}
		cw_retention_compute(&f, lifted, holds, nh, day, cal, &r);
		seen[r.state]++;
		if (r.state == CW_RET_HELD)
			held++;
		if (r.state == CW_RET_DUE) {
			due++;
			ck_assert(r.destroy_on != CW_DAY_NONE && r.destroy_on <= day);
			ck_assert_uint_eq(r.n_holds, 0);
			ck_assert(!sar_open(&f, day));
			ck_assert(day > D("2023-01-20")); /* the IICSA hold */
			for (size_t i = 0; i < nh; i++)
				ck_assert_msg(!cw_hold_covers(&holds[i], &f, day), "person %lld due under hold",
					      (long long)id);
			for (size_t i = 0; i < f.n_involvements; i++) {
				const struct cw_facts_involvement *inv = &f.involvements[i];
				int y = birth_years(inv->category);

				ck_assert(inv->end != CW_DAY_NONE && inv->end <= day);
				ck_assert(f.date_of_birth != CW_DAY_NONE || !y);
				if (y)
					ck_assert(cw_day_add_months(f.date_of_birth, 12 * y) <= day);
				if (!strcmp(inv->category, "youth_justice"))
					ck_assert(cw_day_add_months(inv->end, 120) <= day);
				if (!strcmp(inv->category, "fostering"))
					ck_assert(cw_day_add_months(inv->end, 360) <= day);
				if (!strcmp(inv->category, "adoption"))
					ck_assert(inv->order_date != CW_DAY_NONE &&
						  cw_day_add_months(inv->order_date, 1200) <= day);
			}
			for (size_t i = 0; i < r.n_categories; i++)
				ck_assert(r.categories[i].ends != CW_DAY_NONE && r.categories[i].ends <= day);
			/* Due stays due as time passes while nothing covers it. */
			{
				struct cw_retention later;
				cw_day d2 = day + (cw_day)rnd(5000);
				bool covered = sar_open(&f, d2);

				for (size_t i = 0; i < nh; i++)
					covered = covered || cw_hold_covers(&holds[i], &f, d2);
				cw_retention_compute(&f, lifted, holds, nh, d2, cal, &later);
				if (!covered)
					ck_assert_str_eq(cw_retention_state_name(later.state), "due");
			}
		}
		/* Retained: some period ends after the day, and destroy_on says which. */
		if (r.state == CW_RET_RETAINED)
			ck_assert(r.destroy_on > day && r.basis);
		cw_facts_free(&f);
	}
	/* The generator reaches every state, so the checks above ran. */
	for (int s = 0; s < CW_RET_STATE_COUNT; s++)
		ck_assert_msg(seen[s] > 50, "state %s seen %zu times", cw_retention_state_name(s), seen[s]);
	ck_assert(due > 100 && held > 100);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("retention");
	TCase *tc = tcase_create("retention");

	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cin_25_years_from_birth);
	tcase_add_test(tc, leap_day_birthdays);
	tcase_add_test(tc, youth_justice_whichever_is_later);
	tcase_add_test(tc, adoption_foster_finance_guardian);
	tcase_add_test(tc, missing_anchors);
	tcase_add_test(tc, death_before_and_after_18);
	tcase_add_test(tc, profile_holds);
	tcase_add_test(tc, hold_sar);
	tcase_add_test(tc, placed_holds);
	tcase_add_test(tc, json_shape);
	tcase_add_test(tc, shortened_periods);
	tcase_add_test(tc, facts_access_requests);
	tcase_add_test(tc, never_due_early);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
