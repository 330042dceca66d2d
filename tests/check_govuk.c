/* check_govuk.c - loading GOV.UK bank-holidays.json and the one-off file. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casewatch/calendar.h"
#include "testutil.h"

static struct cw_calendar *cal;
static char path[512];

static cw_day D(const char *text)
{
	cw_day d;

	ck_assert_msg(cw_day_parse(text, &d), "bad test date %s", text);
	return d;
}

static void setup(void)
{
	struct cw_error err;
	const char *tmp = getenv("TMPDIR");

	cal = cw_calendar_new(cw_test_srcpath("data/holidays/one-off.json"), &err);
	ck_assert_msg(cal != NULL, "%s", err.msg);
	snprintf(path, sizeof(path), "%s/bank-holidays.%ld.json", tmp && *tmp ? tmp : "/tmp", (long)getpid());
}

static void teardown(void)
{
	cw_calendar_free(cal);
	unlink(path);
}

/* Writes a test document to the temporary file. */
static void write_doc(const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* A digest of the calendar over 1990-2030: changes if any day changes. */
static unsigned long digest(void)
{
	unsigned long h = 5381;
	cw_day last = D("2030-12-31");

	for (cw_day d = D("1990-01-01"); d <= last; d++)
		for (int n = 0; n < CW_NATION_COUNT; n++)
			h = h * 33 + cw_calendar_is_workday(cal, (enum cw_nation)n, d) * 2u +
			    (cw_calendar_holiday(cal, (enum cw_nation)n, d) != NULL);
	return h;
}

/* Loading must fail, say `expected`, and leave the calendar untouched. */
static void assert_load_fails(const char *doc, const char *expected)
{
	struct cw_error err;
	unsigned long before = digest();
	char want[2048];

	write_doc(doc);
	ck_assert(!cw_calendar_load_govuk(cal, path, &err));
	snprintf(want, sizeof(want), "%s: %s", path, expected);
	ck_assert_msg(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
	ck_assert_msg(digest() == before, "calendar changed by a failed load");
}

/* GOV.UK's own 2025-2026 lists agree with the rules: loading changes nothing. */
START_TEST(test_real_file_agrees)
{
	struct cw_error err;
	unsigned long before = digest();

	ck_assert_msg(cw_calendar_load_govuk(cal, cw_test_srcpath("tests/data/govuk-2025-2026.json"), &err),
		      "%s", err.msg);
	ck_assert(digest() == before);
	ck_assert_str_eq(cw_calendar_holiday(cal, CW_NATION_SCOTLAND, D("2025-12-01")),
			 "St Andrew\u2019s Day (substitute day)");
}
END_TEST

/* A document's year replaces the calendar's year, for the divisions it has. */
START_TEST(test_override_year)
{
	struct cw_error err;

	write_doc("{\"england-and-wales\": {\"division\": \"england-and-wales\", \"events\": [\n"
		  "  {\"title\": \"New Year's Day\", \"date\": \"2025-01-01\", \"notes\": \"\", \"bunting\": true},\n"
		  "  {\"title\": \"Extra day\", \"date\": \"2025-07-07\", \"notes\": \"\", \"bunting\": true},\n"
		  "  {\"title\": \"Christmas Day\", \"date\": \"2025-12-25\", \"notes\": \"\", \"bunting\": true}\n"
		  "]}}\n");
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("2025-12-26")));
	ck_assert_msg(cw_calendar_load_govuk(cal, path, &err), "%s", err.msg);
	ck_assert_str_eq(cw_calendar_holiday(cal, CW_NATION_ENGLAND_WALES, D("2025-07-07")), "Extra day");
	/* Boxing Day 2025 and Good Friday 2025 were not in the document's year. */
	ck_assert(cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("2025-12-26")));
	ck_assert(cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("2025-04-18")));
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("2025-12-25")));
	/* Other years and other divisions are untouched. */
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("2026-12-28")));
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("2024-12-26")));
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_SCOTLAND, D("2025-12-26")));
	ck_assert(cw_calendar_is_workday(cal, CW_NATION_SCOTLAND, D("2025-07-07")));
	/* Working-day arithmetic uses the new tables. */
	ck_assert_int_eq(cw_calendar_add_workdays(cal, CW_NATION_ENGLAND_WALES, D("2025-12-23"), 5),
			 D("2025-12-31"));
	ck_assert_int_eq(cw_calendar_workdays_between(cal, CW_NATION_ENGLAND_WALES, D("2025-07-04"),
						      D("2025-07-08")),
			 1);
}
END_TEST

START_TEST(test_syntax_error)
{
	/* jansson points at the last character of the bad token: line 3 is
	 * `    "events": oops`, whose 'oops' ends in column 18. */
	assert_load_fails("{\n  \"scotland\": {\n    \"events\": oops\n  }\n}\n",
			  "line 3, column 18: invalid token near 'oops'");
	assert_load_fails("", "line 1, column 0: '[' or '{' expected near end of file");
	assert_load_fails("{\"scotland\": {\"events\": []}, \"scotland\": {\"events\": []}}",
			  "line 1, column 39: duplicate object key");
}
END_TEST

START_TEST(test_semantic_errors)
{
	assert_load_fails("{\"scotland\": {\"division\": \"scotland\", \"events\": ["
			  "{\"title\": \"a\", \"date\": \"2025-01-01\"},"
			  "{\"title\": \"b\", \"date\": \"2025-01-02\"},"
			  "{\"title\": \"c\", \"date\": \"2025-04-18\"},"
			  "{\"title\": \"d\", \"date\": \"2025-02-30\"}]}}",
			  "scotland.events[3].date: \"2025-02-30\" is not a valid date");
	assert_load_fails("{\"wales\": {\"division\": \"wales\", \"events\": []}}",
			  "wales: unknown division");
	assert_load_fails("{\"england-and-wales\": {\"events\": [{\"date\": \"2025-01-01\"}]}}",
			  "england-and-wales.events[0].title: missing");
	assert_load_fails("{\"england-and-wales\": {\"events\": [{\"title\": 3, \"date\": \"2025-01-01\"}]}}",
			  "england-and-wales.events[0].title: expected a non-empty string");
	assert_load_fails("{\"northern-ireland\": {\"events\": [{\"title\": \"a\", \"date\": \"2025-01-01\"},"
			  "{\"title\": \"b\", \"date\": \"2101-01-01\"}]}}",
			  "northern-ireland.events[1].date: 2101-01-01 is outside 1970-2100");
	assert_load_fails("{\"northern-ireland\": {\"events\": [{\"title\": \"b\", \"date\": \"1969-12-25\"}]}}",
			  "northern-ireland.events[0].date: 1969-12-25 is outside 1970-2100");
	assert_load_fails("{\"scotland\": {\"events\": [{\"title\": \"a\", \"date\": \"2025-12-25\"},"
			  "{\"title\": \"b\", \"date\": \"2025-12-26\"},"
			  "{\"title\": \"c\", \"date\": \"2025-12-25\"}]}}",
			  "scotland.events[2].date: 2025-12-25 is listed twice");
	assert_load_fails("{\"scotland\": {\"events\": [{\"title\": \"a\"}]}}", "scotland.events[0].date: missing");
	assert_load_fails("{\"scotland\": {\"events\": [{\"title\": \"a\", \"date\": 20250101}]}}",
			  "scotland.events[0].date: expected a string");
	assert_load_fails("{\"scotland\": {\"events\": {}}}", "scotland.events: expected an array");
	assert_load_fails("{\"scotland\": {\"division\": \"scotland\"}}", "scotland.events: missing");
	assert_load_fails("{\"scotland\": {\"division\": \"england-and-wales\", \"events\": []}}",
			  "scotland.division: expected \"scotland\"");
	assert_load_fails("{\"scotland\": [1]}", "scotland: expected an object");
	assert_load_fails("[1, 2]", "expected an object of divisions at the top level");
	assert_load_fails("{\"scotland\": {\"events\": [7]}}", "scotland.events[0]: expected an object");
	assert_load_fails("{\"scotland\": {\"events\": [{\"title\": \"a\", \"date\": \"2025-12-25\", "
			  "\"notes\": false}]}}",
			  "scotland.events[0].notes: expected a string");
	/* GOV.UK files may not move days: that is the one-off file's extension. */
	assert_load_fails("{\"scotland\": {\"events\": [{\"title\": \"a\", \"date\": \"2025-12-24\", "
			  "\"replaces\": \"2025-12-25\"}]}}",
			  "scotland.events[0].replaces: only the one-off file may move days");
}
END_TEST

/* A valid first division does not get applied when a later one is bad. */
START_TEST(test_atomic)
{
	assert_load_fails("{\"england-and-wales\": {\"events\": [{\"title\": \"x\", \"date\": \"2025-07-07\"}]},"
			  " \"scotland\": {\"events\": [{\"title\": \"y\", \"date\": \"2025-13-01\"}]}}",
			  "scotland.events[0].date: \"2025-13-01\" is not a valid date");
	ck_assert(cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("2025-07-07")));
	ck_assert(!cw_calendar_is_workday(cal, CW_NATION_ENGLAND_WALES, D("2025-12-26")));
}
END_TEST

START_TEST(test_missing_file)
{
	struct cw_error err;

	ck_assert(!cw_calendar_load_govuk(cal, "/nonexistent/bank-holidays.json", &err));
	ck_assert_msg(strstr(err.msg, "/nonexistent/bank-holidays.json: ") == err.msg, "%s", err.msg);
}
END_TEST

/* The one-off file: moved days and errors in it. */
START_TEST(test_oneoff_file)
{
	struct cw_error err;
	struct cw_calendar *c;

	/* 2020: Early May moved from Monday 4 to Friday 8 May (VE Day 75). */
	ck_assert(cw_calendar_is_workday(cal, CW_NATION_SCOTLAND, D("2020-05-04")));
	ck_assert_str_eq(cw_calendar_holiday(cal, CW_NATION_SCOTLAND, D("2020-05-08")),
			 "Early May bank holiday (VE day)");

	write_doc("{\"scotland\": {\"events\": [{\"title\": \"Moved\", \"date\": \"2025-06-02\", "
		  "\"replaces\": \"2025-05-27\"}]}}");
	c = cw_calendar_new(path, &err);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err.msg, "scotland.events[0].replaces: 2025-05-27 is not a bank holiday by rule"),
		      "%s", err.msg);

	write_doc("{\"scotland\": {\"events\": [{\"title\": \"Twice\", \"date\": \"2025-12-25\"}]}}");
	c = cw_calendar_new(path, &err);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(err.msg, "scotland.events[0].date: 2025-12-25 is already a bank holiday"), "%s",
		      err.msg);

	write_doc("{\"scotland\": {\"events\": [{\"title\": \"Moved\", \"date\": \"2025-06-02\", "
		  "\"replaces\": \"2025-05-26\"}]}}");
	c = cw_calendar_new(path, &err);
	ck_assert_msg(c != NULL, "%s", err.msg);
	ck_assert(cw_calendar_is_workday(c, CW_NATION_SCOTLAND, D("2025-05-26")));
	ck_assert_str_eq(cw_calendar_holiday(c, CW_NATION_SCOTLAND, D("2025-06-02")), "Moved");
	ck_assert(!cw_calendar_is_workday(c, CW_NATION_ENGLAND_WALES, D("2025-05-26")));
	cw_calendar_free(c);

	ck_assert_ptr_null(cw_calendar_new("/nonexistent/one-off.json", &err));
	ck_assert(strstr(err.msg, "/nonexistent/one-off.json") != NULL);
}
END_TEST

/* NULL finds the file through $CASEWATCH_DATADIR. */
START_TEST(test_default_path)
{
	struct cw_error err;
	struct cw_calendar *c;
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s", cw_test_srcpath("data"));
	setenv("CASEWATCH_DATADIR", dir, 1);
	c = cw_calendar_new(NULL, &err);
	ck_assert_msg(c != NULL, "%s", err.msg);
	ck_assert(!cw_calendar_is_workday(c, CW_NATION_ENGLAND_WALES, D("2023-05-08")));
	cw_calendar_free(c);
	setenv("CASEWATCH_DATADIR", "/nonexistent", 1);
	ck_assert_ptr_null(cw_calendar_new(NULL, &err));
	ck_assert_msg(strstr(err.msg, "/nonexistent/holidays/one-off.json") != NULL, "%s", err.msg);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("govuk");
	TCase *tc = tcase_create("govuk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_real_file_agrees);
	tcase_add_test(tc, test_override_year);
	tcase_add_test(tc, test_syntax_error);
	tcase_add_test(tc, test_semantic_errors);
	tcase_add_test(tc, test_atomic);
	tcase_add_test(tc, test_missing_file);
	tcase_add_test(tc, test_oneoff_file);
	tcase_add_test(tc, test_default_path);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
