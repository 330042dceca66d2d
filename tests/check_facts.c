/* check_facts.c - the facts document parser: good rows kept, each bad row reported by id. */
#include "config.h"

#include <string.h>

#include <check.h>
#include <jansson.h>

#include "casewatch/facts.h"
#include "casewatch/facts_builder.h"
#include "testutil.h"

/* Parses a JSON text into facts; the document is freed before returning,
 * so the facts must own everything they point at. */
static bool parse(const char *text, struct cw_facts *f, struct cw_error *err)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);
	bool ok;

	ck_assert_msg(doc != NULL, "test JSON: %s (line %d)", jerr.text, jerr.line);
	ok = cw_facts_from_json(doc, f, err);
	json_decref(doc);
	return ok;
}

/* The formatted problem i. */
static const char *problem(const struct cw_facts *f, size_t i)
{
	static char buf[CW_FACTS_PROBLEM_STRLEN];

	ck_assert_uint_lt(i, f->n_problems);
	cw_facts_problem_format(f, &f->problems[i], buf);
	return buf;
}

/* The example document of FACTS.md, completed with every row kind. */
static const char *good =
	"{\"person_id\": 1001, \"kind\": \"child\", \"date_of_birth\": \"2015-03-02\","
	" \"date_of_death\": null, \"nation\": \"scotland\", \"team_id\": 7, \"worker_id\": 55,"
	" \"involvements\": [{\"id\": 1, \"category\": \"cin\", \"start\": \"2025-01-10\", \"end\": null,"
	"   \"order_date\": null, \"outcome\": null}],"
	" \"events\": [{\"id\": 10, \"type\": \"visit\", \"at\": \"2026-11-20T10:00:00+00:00\","
	"   \"cancelled\": false, \"related_event_id\": null},"
	"  {\"id\": 11, \"type\": \"task\", \"at\": \"2026-11-20T10:00:00.987654+01:00\","
	"   \"cancelled\": true, \"related_event_id\": 10, \"fee_paid_at\": \"2026-11-20T10:00:00Z\","
	"   \"until_18\": true}],"
	" \"records\": [{\"id\": 100, \"type\": \"visit_record\", \"event_id\": 10,"
	"   \"event_at\": \"2026-11-20T10:00:00+00:00\", \"entered_at\": \"2026-11-21T09:00:00+00:00\","
	"   \"finalised_at\": \"2026-11-21T09:30:00.5+00:00\", \"late_flag\": false,"
	"   \"has_late_reason\": true, \"author_id\": 55},"
	"  {\"id\": 101, \"type\": \"case_note\", \"event_id\": null, \"event_at\": null,"
	"   \"entered_at\": null, \"finalised_at\": null, \"late_flag\": true,"
	"   \"has_late_reason\": false, \"author_id\": null}],"
	" \"hazards\": [{\"id\": 5, \"start\": \"2025-05-01\", \"review_due\": \"2025-11-01\","
	"   \"active\": true, \"ended\": null, \"has_description\": true,"
	"   \"reviews\": [\"2025-10-01T09:00:00+00:00\", \"2025-04-01T09:00:00+01:00\"]}],"
	" \"deletions\": [{\"record_id\": 300, \"deleted_at\": \"2026-11-20T10:00:00Z\","
	"   \"deleted_by\": 9, \"deleted_by_role\": \"team_manager\", \"has_reason\": true}],"
	" \"info_sharing\": [{\"id\": 8, \"kind\": \"sharing\", \"at\": \"2026-11-20T10:00:00+00:00\","
	"   \"missing\": [\"lawful_basis\", \"method\"]}],"
	" \"restricted_access\": [{\"id\": 4, \"record_id\": 200, \"accessed_by\": 31,"
	"   \"accessed_by_role\": \"edt\", \"allowed\": false, \"at\": \"2026-11-20T10:00:00+00:00\"}]}";

START_TEST(test_good_document)
{
	struct cw_facts f;
	struct cw_error err;

	cw_facts_init(&f);
	ck_assert(parse(good, &f, &err));
	ck_assert_uint_eq(f.n_problems, 0);
	ck_assert_int_eq(f.person_id, 1001);
	ck_assert_str_eq(f.kind, "child");
	/* 2015-03-02 is day 16496 after 1970-01-01 (date arithmetic by hand / python). */
	ck_assert_int_eq(f.date_of_birth, 16496);
	ck_assert_int_eq(f.date_of_death, CW_DAY_NONE);
	ck_assert(f.has_nation);
	ck_assert_int_eq(f.nation, CW_NATION_SCOTLAND);
	ck_assert_int_eq(f.team_id, 7);
	ck_assert_int_eq(f.worker_id, 55);

	ck_assert_uint_eq(f.n_involvements, 1);
	ck_assert_str_eq(f.involvements[0].category, "cin");
	ck_assert_int_eq(f.involvements[0].start, 20098); /* 2025-01-10 */
	ck_assert_int_eq(f.involvements[0].end, CW_DAY_NONE);
	ck_assert_ptr_null(f.involvements[0].outcome);

	ck_assert_uint_eq(f.n_events, 2);
	ck_assert_str_eq(f.events[0].type, "visit");
	/* 2026-11-20T10:00:00Z = 1795168800 (date -u -d ... +%s). */
	ck_assert_int_eq(f.events[0].at, 1795168800);
	ck_assert(!f.events[0].cancelled);
	ck_assert_int_eq(f.events[0].related_event_id, CW_ID_NONE);
	/* 10:00:00.987654+01:00 = 09:00:00Z, the fraction truncated. */
	ck_assert_int_eq(f.events[1].at, 1795165200);
	ck_assert(f.events[1].cancelled);
	ck_assert_int_eq(f.events[1].related_event_id, 10);
	ck_assert_int_eq(f.events[0].fee_paid_at, CW_TIME_NONE);
	ck_assert_int_eq(f.events[1].fee_paid_at, 1795168800);
	ck_assert(!f.events[0].until_18);
	ck_assert(f.events[1].until_18);

	ck_assert_uint_eq(f.n_records, 2);
	ck_assert_int_eq(f.records[0].id, 100);
	ck_assert_str_eq(f.records[0].type, "visit_record");
	ck_assert_int_eq(f.records[0].event_id, 10);
	ck_assert_int_eq(f.records[0].event_at, 1795168800);
	ck_assert_int_eq(f.records[0].entered_at, 1795251600);   /* 2026-11-21T09:00Z */
	ck_assert_int_eq(f.records[0].finalised_at, 1795253400); /* 2026-11-21T09:30Z */
	ck_assert(!f.records[0].late_flag);
	ck_assert(f.records[0].has_late_reason);
	ck_assert_int_eq(f.records[0].author_id, 55);
	ck_assert_int_eq(f.records[1].event_id, CW_ID_NONE);
	ck_assert_int_eq(f.records[1].finalised_at, CW_TIME_NONE);
	ck_assert_int_eq(f.records[1].author_id, CW_ID_NONE);
	ck_assert(f.records[1].late_flag);

	ck_assert_uint_eq(f.n_hazards, 1);
	ck_assert_int_eq(f.hazards[0].start, 20209);	  /* 2025-05-01 */
	ck_assert_int_eq(f.hazards[0].review_due, 20393); /* 2025-11-01 */
	ck_assert(f.hazards[0].active && f.hazards[0].has_description);
	ck_assert_int_eq(f.hazards[0].ended, CW_DAY_NONE);
	ck_assert_uint_eq(f.hazards[0].n_reviews, 2);
	/* Sorted: 2025-04-01T09:00+01:00 = 08:00Z = 1743494400, then 2025-10-01T09:00Z. */
	ck_assert_int_eq(f.hazards[0].reviews[0], 1743494400);
	ck_assert_int_eq(f.hazards[0].reviews[1], 1759309200);

	ck_assert_uint_eq(f.n_deletions, 1);
	ck_assert_int_eq(f.deletions[0].record_id, 300);
	ck_assert_int_eq(f.deletions[0].deleted_at, 1795168800);
	ck_assert_int_eq(f.deletions[0].deleted_by, 9);
	ck_assert_str_eq(f.deletions[0].deleted_by_role, "team_manager");
	ck_assert(f.deletions[0].has_reason);

	ck_assert_uint_eq(f.n_sharing, 1);
	ck_assert_str_eq(f.sharing[0].kind, "sharing");
	ck_assert_uint_eq(f.sharing[0].n_missing, 2);
	ck_assert_str_eq(f.sharing[0].missing[0], "lawful_basis");
	ck_assert_str_eq(f.sharing[0].missing[1], "method");

	ck_assert_uint_eq(f.n_access, 1);
	ck_assert_int_eq(f.access[0].record_id, 200);
	ck_assert_int_eq(f.access[0].accessed_by, 31);
	ck_assert_str_eq(f.access[0].accessed_by_role, "edt");
	ck_assert(!f.access[0].allowed);
	cw_facts_free(&f);
}
END_TEST

START_TEST(test_bad_rows_reported)
{
	static const char *doc =
		"{\"person_id\": 1001, \"nation\": \"wales\","
		" \"involvements\": [7, {\"id\": 2, \"category\": \"cinn\", \"start\": \"2025-02-30\"}],"
		" \"events\": [{\"id\": 10, \"type\": \"visit\", \"at\": null},"
		"   {\"type\": \"task\", \"at\": \"2026-11-20T10:00:00+00:00\"},"
		"   {\"id\": 12, \"type\": \"task\", \"at\": \"2026-11-20T10:00:00\"},"
		"   {\"id\": 10, \"type\": \"task\", \"at\": \"2026-11-20T10:00:00Z\"}],"
		" \"records\": [{\"id\": 100, \"type\": \"Free text here\", \"event_id\": \"x\","
		"   \"finalised_at\": \"2026-11-21T09:30:00+00:00\"}],"
		" \"hazards\": [{\"id\": 5, \"reviews\": [\"soon\", \"2025-10-01T09:00:00Z\"]}],"
		" \"deletions\": [{\"deleted_at\": \"2026-11-20T10:00:00Z\"}],"
		" \"info_sharing\": [{\"id\": 8, \"missing\": [\"method\", 3]}],"
		" \"restricted_access\": [{\"id\": 4, \"accessed_by\": 31}]}";
	static const char *const expect[] = {
		"person 1001: nation: unknown nation (the profile's is used) \"wales\"",
		"person 1001: involvements[0]: not an object (row left out)",
		"person 1001: involvement 2: category: unknown involvement category \"cinn\"",
		"person 1001: involvement 2: start: not a date YYYY-MM-DD",
		"person 1001: event 10: at: missing",
		"person 1001: events[1]: id: missing (row left out)",
		"person 1001: event 12: at: not a timestamp with a UTC offset",
		"person 1001: event 10: id: duplicate id (row left out)",
		"person 1001: record 100: type: unknown record type",
		"person 1001: record 100: event_id: not an integer id",
		"person 1001: hazard 5: reviews: an entry is not a timestamp with a UTC offset",
		"person 1001: deletions[0]: record_id: missing (row left out)",
		"person 1001: info_sharing 8: kind: missing",
		"person 1001: info_sharing 8: missing: an entry is not a field name",
		"person 1001: restricted_access 4: allowed: missing",
	};
	struct cw_facts f;
	struct cw_error err;

	cw_facts_init(&f);
	ck_assert(parse(doc, &f, &err));
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
		ck_assert_str_eq(problem(&f, i), expect[i]);
	ck_assert_uint_eq(f.n_problems, sizeof(expect) / sizeof(expect[0]));
	/* Nothing good is lost: the rows with ids are kept. */
	ck_assert(!f.has_nation);
	ck_assert_uint_eq(f.n_involvements, 1);
	ck_assert_int_eq(f.involvements[0].start, CW_DAY_NONE);
	ck_assert_uint_eq(f.n_events, 2);
	ck_assert_int_eq(f.events[0].id, 10);
	ck_assert_int_eq(f.events[0].at, CW_TIME_NONE);
	ck_assert_int_eq(f.events[1].id, 12);
	ck_assert_uint_eq(f.n_records, 1);
	/* The code that looks like free text is kept for matching but not echoed. */
	ck_assert_str_eq(f.records[0].type, "Free text here");
	ck_assert_int_eq(f.records[0].finalised_at, 1795253400);
	ck_assert_uint_eq(f.n_hazards, 1);
	ck_assert_uint_eq(f.hazards[0].n_reviews, 1);
	ck_assert_uint_eq(f.n_deletions, 0);
	ck_assert_uint_eq(f.n_sharing, 1);
	ck_assert_uint_eq(f.sharing[0].n_missing, 1);
	ck_assert_uint_eq(f.n_access, 1);
	/* Unknown permission is not reported as a breach. */
	ck_assert(f.access[0].allowed);
	cw_facts_free(&f);
}
END_TEST

START_TEST(test_missing_arrays)
{
	struct cw_facts f;
	struct cw_error err;

	cw_facts_init(&f);
	ck_assert(parse("{\"person_id\": 7, \"events\": {}, \"records\": []}", &f, &err));
	ck_assert_uint_eq(f.n_problems, 6);
	ck_assert_str_eq(problem(&f, 0), "person 7: involvements: missing (expected an array)");
	ck_assert_str_eq(problem(&f, 1), "person 7: events: not an array");
	ck_assert_str_eq(problem(&f, 2), "person 7: hazards: missing (expected an array)");
	ck_assert_uint_eq(f.n_events, 0);
	ck_assert_uint_eq(f.n_records, 0);
	cw_facts_free(&f);
}
END_TEST

/* forget_requests is optional (interfaces from before it), but checked
 * when present. */
START_TEST(test_forget_requests)
{
	struct cw_facts f;
	struct cw_error err;
	static const char *base = "\"involvements\": [], \"events\": [], \"records\": [], \"hazards\": [],"
				  " \"deletions\": [], \"info_sharing\": [], \"restricted_access\": []";
	char doc[512];

	cw_facts_init(&f);
	snprintf(doc, sizeof(doc), "{\"person_id\": 7, %s}", base);
	ck_assert(parse(doc, &f, &err));
	ck_assert_uint_eq(f.n_problems, 0);
	ck_assert_uint_eq(f.n_forget, 0);
	snprintf(doc, sizeof(doc),
		 "{\"person_id\": 7, %s, \"forget_requests\": [{\"id\": 3, \"received_at\": \"2026-11-20T10:00:00Z\"},"
		 " {\"id\": 4}, {\"id\": 3, \"received_at\": \"2026-11-21T10:00:00Z\"}]}", base);
	ck_assert(parse(doc, &f, &err));
	ck_assert_uint_eq(f.n_forget, 2);
	ck_assert_int_eq(f.forget[0].id, 3);
	ck_assert_int_eq(f.forget[0].received_at, 1795168800);
	ck_assert_int_eq(f.forget[1].received_at, CW_TIME_NONE);
	ck_assert_uint_eq(f.n_problems, 2);
	ck_assert_str_eq(problem(&f, 0), "person 7: forget_request 4: received_at: missing");
	ck_assert_str_eq(problem(&f, 1), "person 7: forget_request 3: id: duplicate id (row left out)");
	/* Present but not an array of objects. */
	snprintf(doc, sizeof(doc), "{\"person_id\": 7, %s, \"forget_requests\": {}}", base);
	ck_assert(parse(doc, &f, &err));
	ck_assert_uint_eq(f.n_problems, 1);
	ck_assert_str_eq(problem(&f, 0), "person 7: forget_requests: not an array");
	snprintf(doc, sizeof(doc), "{\"person_id\": 7, %s, \"forget_requests\": [5, {\"id\": 6,"
		 " \"received_at\": \"2026-11-20\"}]}", base);
	ck_assert(parse(doc, &f, &err));
	ck_assert_uint_eq(f.n_forget, 1);
	ck_assert_uint_eq(f.n_problems, 2);
	ck_assert_str_eq(problem(&f, 0), "person 7: forget_requests[0]: not an object (row left out)");
	ck_assert_str_eq(problem(&f, 1),
			 "person 7: forget_request 6: received_at: not a timestamp with a UTC offset");
	cw_facts_free(&f);
}
END_TEST

START_TEST(test_document_errors)
{
	struct cw_facts f;
	struct cw_error err;

	cw_facts_init(&f);
	ck_assert(!parse("[1, 2]", &f, &err));
	ck_assert_str_eq(err.msg, "facts: the document is not a JSON object");
	ck_assert(!parse("{\"events\": []}", &f, &err));
	ck_assert_str_eq(err.msg, "facts: person_id: missing");
	ck_assert(!parse("{\"person_id\": \"1001\"}", &f, &err));
	ck_assert_str_eq(err.msg, "facts: person_id: not an integer");
	cw_facts_free(&f);
}
END_TEST

START_TEST(test_timestamp_forms)
{
	/* All the same instant, 2026-11-20T10:00:00Z = 1795168800. */
	static const char *const same[] = {
		"2026-11-20T10:00:00+00:00", "2026-11-20T10:00:00Z", "2026-11-20 10:00:00+00",
		"2026-11-20T11:30:00.123456+01:30", "2026-11-20T05:00:00-0500",
	};
	static const char *const bad[] = {
		"2026-11-20T10:00:00", "2026-11-20", "2026-02-30T10:00:00Z", "2026-11-20T24:00:00Z",
		"2026-11-20T10:00:00.Z", "2026-11-20T10:00:00+00:00x",
	};
	struct cw_facts f;
	struct cw_error err;
	char doc[256];

	cw_facts_init(&f);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"person_id\": 1, \"events\": [{\"id\": 1, \"type\": \"task\", \"at\": \"%s\"}]}",
			 same[i]);
		ck_assert(parse(doc, &f, &err));
		ck_assert_msg(f.events[0].at == 1795168800, "%s", same[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"person_id\": 1, \"events\": [{\"id\": 1, \"type\": \"task\", \"at\": \"%s\"}]}",
			 bad[i]);
		ck_assert(parse(doc, &f, &err));
		ck_assert_msg(f.events[0].at == CW_TIME_NONE, "%s accepted", bad[i]);
	}
	cw_facts_free(&f);
}
END_TEST

START_TEST(test_reuse)
{
	struct cw_facts f;
	struct cw_error err;
	char big[65536];
	size_t n = 0;

	/* A person bigger than one arena chunk, then a small one in the same facts. */
	cw_facts_init(&f);
	n += (size_t)snprintf(big + n, sizeof(big) - n, "{\"person_id\": 1, \"events\": [");
	for (int i = 0; i < 600; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
				      "%s{\"id\": %d, \"type\": \"task\", \"at\": \"2026-11-20T10:00:00Z\"}",
				      i ? "," : "", i);
	snprintf(big + n, sizeof(big) - n, "]}");
	ck_assert(parse(big, &f, &err));
	ck_assert_uint_eq(f.n_events, 600);
	ck_assert_int_eq(f.events[599].id, 599);
	ck_assert(parse(good, &f, &err));
	ck_assert_int_eq(f.person_id, 1001);
	ck_assert_uint_eq(f.n_events, 2);
	ck_assert_uint_eq(f.n_problems, 0);
	ck_assert_str_eq(f.records[0].type, "visit_record");
	cw_facts_free(&f);
	cw_facts_free(&f); /* idempotent */
}
END_TEST

START_TEST(test_years_outside)
{
	/* PostgreSQL prints instants and dates of other years like this; they
	 * are reported as such, not as malformed, the same as the streamed
	 * form reports the epoch seconds records.epoch() gives for them. */
	static const char *const times[] = {
		"10000-01-01T00:00:00+00:00", "0044-03-15T10:00:00+00:00 BC", "infinity", "-infinity",
		"0000-12-31T23:59:59+00:00",
	};
	static const char *const days[] = { "12000-01-01", "0044-03-15 BC", "infinity", "-infinity" };
	struct cw_facts f;
	struct cw_error err;
	char doc[256];

	cw_facts_init(&f);
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"person_id\": 1, \"events\": [{\"id\": 1, \"type\": \"task\", \"at\": \"%s\"}]}",
			 times[i]);
		ck_assert(parse(doc, &f, &err));
		ck_assert_uint_eq(f.n_events, 1);
		ck_assert_msg(f.events[0].at == CW_TIME_NONE, "%s accepted", times[i]);
		/* After "involvements: missing (expected an array)". */
		ck_assert_str_eq(problem(&f, 1), "person 1: event 1: at: not a time in the years 1-9999");
	}
	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"person_id\": 1, \"date_of_birth\": \"%s\"}", days[i]);
		ck_assert(parse(doc, &f, &err));
		ck_assert_msg(f.date_of_birth == CW_DAY_NONE, "%s accepted", days[i]);
		ck_assert_str_eq(problem(&f, 0), "person 1: date_of_birth: not a date in the years 1-9999");
	}
	/* The first and last instants and days of the range are kept. */
	ck_assert(parse("{\"person_id\": 1, \"date_of_birth\": \"0001-01-01\", \"date_of_death\": \"9999-12-31\","
			" \"events\": [{\"id\": 1, \"type\": \"task\", \"at\": \"0001-01-01T00:00:00+00:00\"},"
			" {\"id\": 2, \"type\": \"task\", \"at\": \"9999-12-31T23:59:59Z\"}]}", &f, &err));
	ck_assert_int_eq(f.date_of_birth, CW_FACTS_DAY_MIN);
	ck_assert_int_eq(f.date_of_death, CW_FACTS_DAY_MAX);
	ck_assert_int_eq(f.events[0].at, CW_FACTS_TIME_MIN);
	ck_assert_int_eq(f.events[1].at, CW_FACTS_TIME_MAX);
	/* ... and one second or day beyond is not (the offset moves it out). */
	ck_assert(parse("{\"person_id\": 1, \"events\": [{\"id\": 1, \"type\": \"task\","
			" \"at\": \"0001-01-01T00:00:00+01:00\"}]}", &f, &err));
	ck_assert_int_eq(f.events[0].at, CW_TIME_NONE);
	cw_facts_free(&f);
}
END_TEST

/* The builder fed directly, as the streamed reader does: plain values,
 * markers for null and unusable ones. */
START_TEST(test_builder)
{
	static const char *const expect[] = {
		"person 7: kind: unknown person kind \"martian\"",
		"person 7: date_of_death: not a date in the years 1-9999",
		"person 7: involvement 3: start: missing",
		"person 7: involvement 3: id: duplicate id (row left out)",
		"person 7: events[0]: id: missing (row left out)",
		"person 7: event 11: type: not a code (a non-empty string)",
		"person 7: event 11: at: not a time in the years 1-9999",
		"person 7: event 11: cancelled: not true or false",
		"person 7: event 11: related_event_id: not an integer id",
		"person 7: event 11: fee_paid_at: not a timestamp with a UTC offset",
		"person 7: event 11: until_18: not true or false",
		"person 7: hazard 5: reviews: an entry is not a time in the years 1-9999",
		"person 7: hazard 5: reviews: an entry is not a timestamp with a UTC offset",
		"person 7: hazards[1]: id: not an integer id (row left out)",
		"person 7: info_sharing 8: missing: an entry is not a field name",
		"person 7: restricted_access 4: accessed_by_role: not a code (a non-empty string)",
		"person 7: restricted_access 4: allowed: missing",
		"person 7: forget_request 2: received_at: missing",
		"person 7: forget_requests[1]: id: missing (row left out)",
		"person 7: forget_request 2: id: duplicate id (row left out)",
	};
	struct cw_facts f;

	cw_facts_init(&f);
	cw_facts_begin(&f, &(struct cw_facts_person_row){ .person_id = 7, .kind = "martian",
							   .date_of_birth = 16496, .date_of_death = 3000000,
							   .nation = "scotland", .team_id = CW_ID_NONE,
							   .worker_id = 55 });
	cw_facts_add_involvement(&f, &(struct cw_facts_involvement_row){
					     .id = 3, .category = "cin", .start = CW_DAY_NONE,
					     .end = CW_DAY_NONE, .order_date = CW_DAY_NONE });
	cw_facts_add_involvement(&f, &(struct cw_facts_involvement_row){
					     .id = 3, .category = "cin", .start = 20098, .end = CW_DAY_NONE,
					     .order_date = CW_DAY_NONE });
	cw_facts_add_event(&f, &(struct cw_facts_event_row){ .id = CW_ID_NONE, .type = "task",
							      .at = 1795168800 });
	cw_facts_add_event(&f, &(struct cw_facts_event_row){
				       .id = 11, .type = cw_facts_bad_code, .at = CW_FACTS_TIME_MAX + 1,
				       .cancelled = CW_FACTS_BAD, .related_event_id = CW_FACTS_BAD_ID,
				       .fee_paid_at = CW_FACTS_BAD_TIME, .until_18 = CW_FACTS_BAD });
	cw_facts_add_hazard(&f, &(struct cw_facts_hazard_row){ .id = 5, .start = CW_DAY_NONE,
								.review_due = CW_DAY_NONE, .active = CW_FACTS_NULL,
								.ended = CW_DAY_NONE,
								.has_description = CW_FACTS_TRUE });
	cw_facts_add_review(&f, 1759309200);
	cw_facts_add_review(&f, CW_FACTS_TIME_MIN - 1);
	cw_facts_add_review(&f, 1743494400);
	cw_facts_add_review(&f, CW_TIME_NONE);
	/* A hazard without an id is left out, and its reviews with it. */
	cw_facts_add_hazard(&f, &(struct cw_facts_hazard_row){ .id = CW_FACTS_BAD_ID });
	cw_facts_add_review(&f, 1743494400);
	cw_facts_add_sharing(&f, &(struct cw_facts_sharing_row){ .id = 8, .kind = "sharing",
								  .at = CW_TIME_NONE });
	cw_facts_add_missing(&f, "method");
	cw_facts_add_missing(&f, NULL);
	cw_facts_add_missing(&f, "outcome");
	cw_facts_add_access(&f, &(struct cw_facts_access_row){ .id = 4, .record_id = CW_ID_NONE,
								.accessed_by = 31,
								.accessed_by_role = cw_facts_bad_code,
								.allowed = CW_FACTS_NULL, .at = CW_TIME_NONE });
	cw_facts_add_forget(&f, &(struct cw_facts_forget_row){ .id = 2, .received_at = CW_TIME_NONE });
	cw_facts_add_forget(&f, &(struct cw_facts_forget_row){ .id = CW_ID_NONE, .received_at = 1795168800 });
	cw_facts_add_forget(&f, &(struct cw_facts_forget_row){ .id = 2, .received_at = 1795168800 });
	cw_facts_add_forget(&f, &(struct cw_facts_forget_row){ .id = 9, .received_at = CW_FACTS_TIME_MIN });
	cw_facts_finish(&f);

	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
		ck_assert_str_eq(problem(&f, i), expect[i]);
	ck_assert_uint_eq(f.n_problems, sizeof(expect) / sizeof(expect[0]));
	ck_assert(f.has_nation && f.nation == CW_NATION_SCOTLAND);
	ck_assert_int_eq(f.date_of_death, CW_DAY_NONE);
	ck_assert_int_eq(f.team_id, CW_ID_NONE);
	ck_assert_uint_eq(f.n_involvements, 1);
	ck_assert_int_eq(f.involvements[0].start, CW_DAY_NONE);
	ck_assert_uint_eq(f.n_events, 1);
	ck_assert_ptr_null(f.events[0].type);
	ck_assert_int_eq(f.events[0].at, CW_TIME_NONE);
	ck_assert_int_eq(f.events[0].related_event_id, CW_ID_NONE);
	ck_assert_uint_eq(f.n_hazards, 1);
	ck_assert(f.hazards[0].active);
	/* The usable reviews, sorted. */
	ck_assert_uint_eq(f.hazards[0].n_reviews, 2);
	ck_assert_int_eq(f.hazards[0].reviews[0], 1743494400);
	ck_assert_int_eq(f.hazards[0].reviews[1], 1759309200);
	ck_assert_uint_eq(f.sharing[0].n_missing, 2);
	ck_assert_str_eq(f.sharing[0].missing[1], "outcome");
	ck_assert(f.access[0].allowed);
	ck_assert_ptr_null(f.access[0].accessed_by_role);
	ck_assert_int_eq(f.events[0].fee_paid_at, CW_TIME_NONE);
	ck_assert(!f.events[0].until_18);
	/* The first of the repeated ids is kept, in order. */
	ck_assert_uint_eq(f.n_forget, 2);
	ck_assert_int_eq(f.forget[0].id, 2);
	ck_assert_int_eq(f.forget[0].received_at, CW_TIME_NONE);
	ck_assert_int_eq(f.forget[1].id, 9);
	ck_assert_int_eq(f.forget[1].received_at, CW_FACTS_TIME_MIN);
	cw_facts_free(&f);
}
END_TEST

/* access_requests (HOLD-SAR): built like the other kinds; optional in the
 * document but checked when present. */
START_TEST(test_access_requests)
{
	static const char *const expect[] = {
		"person 8: access_requests[0]: id: missing (row left out)",
		"person 8: access_request 2: event_id: not an integer id",
		"person 8: access_request 2: received_at: not a timestamp with a UTC offset",
		"person 8: access_request 2: closed_at: not a time in the years 1-9999",
		"person 8: access_request 5: received_at: missing",
		"person 8: access_request 2: id: duplicate id (row left out)",
	};
	static const char *base = "\"person_id\": 9, \"involvements\": [], \"events\": [], \"records\": [],"
				  " \"hazards\": [], \"deletions\": [], \"info_sharing\": [],"
				  " \"restricted_access\": []";
	struct cw_facts f;
	struct cw_error err;
	char doc[512];

	cw_facts_init(&f);
	cw_facts_begin(&f, &(struct cw_facts_person_row){ .person_id = 8, .date_of_birth = CW_DAY_NONE,
							   .date_of_death = CW_DAY_NONE, .team_id = CW_ID_NONE,
							   .worker_id = CW_ID_NONE });
	cw_facts_add_access_request(&f, &(struct cw_facts_access_request_row){
						.id = CW_ID_NONE, .received_at = 1795168800 });
	cw_facts_add_access_request(&f, &(struct cw_facts_access_request_row){
						.id = 2, .event_id = CW_FACTS_BAD_ID,
						.received_at = CW_FACTS_BAD_TIME,
						.closed_at = CW_FACTS_TIME_MAX + 1 });
	cw_facts_add_access_request(&f, &(struct cw_facts_access_request_row){
						.id = 2, .event_id = 40, .received_at = 1795168800,
						.closed_at = CW_TIME_NONE });
	cw_facts_add_access_request(&f, &(struct cw_facts_access_request_row){
						.id = 5, .event_id = 41, .received_at = CW_TIME_NONE,
						.closed_at = 1795255200 });
	cw_facts_finish(&f);
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
		ck_assert_str_eq(problem(&f, i), expect[i]);
	ck_assert_uint_eq(f.n_problems, sizeof(expect) / sizeof(expect[0]));
	ck_assert_uint_eq(f.n_access_requests, 2);
	ck_assert_int_eq(f.access_requests[0].id, 2);
	ck_assert_int_eq(f.access_requests[0].event_id, CW_ID_NONE);
	ck_assert_int_eq(f.access_requests[0].received_at, CW_TIME_NONE);
	ck_assert_int_eq(f.access_requests[0].closed_at, CW_TIME_NONE);
	ck_assert_int_eq(f.access_requests[1].id, 5);
	ck_assert_int_eq(f.access_requests[1].event_id, 41);
	ck_assert_int_eq(f.access_requests[1].closed_at, 1795255200);

	/* The JSON form: absent lists none; null or not an array is reported. */
	snprintf(doc, sizeof(doc), "{%s}", base);
	ck_assert(parse(doc, &f, &err));
	ck_assert_uint_eq(f.n_problems, 0);
	ck_assert_uint_eq(f.n_access_requests, 0);
	snprintf(doc, sizeof(doc), "{%s, \"access_requests\": {}}", base);
	ck_assert(parse(doc, &f, &err));
	ck_assert_uint_eq(f.n_problems, 1);
	ck_assert_str_eq(problem(&f, 0), "person 9: access_requests: not an array");
	snprintf(doc, sizeof(doc), "{%s, \"access_requests\": null}", base);
	ck_assert(parse(doc, &f, &err));
	ck_assert_uint_eq(f.n_problems, 1);
	ck_assert_str_eq(problem(&f, 0), "person 9: access_requests: missing (expected an array)");
	snprintf(doc, sizeof(doc),
		 "{%s, \"access_requests\": [7, {\"id\": 3, \"event_id\": 12,"
		 " \"received_at\": \"2026-11-20T10:00:00+00:00\", \"closed_at\": \"10000-01-01T00:00:00+00:00\"}]}",
		 base);
	ck_assert(parse(doc, &f, &err));
	ck_assert_uint_eq(f.n_problems, 2);
	ck_assert_str_eq(problem(&f, 0), "person 9: access_requests[0]: not an object (row left out)");
	ck_assert_str_eq(problem(&f, 1), "person 9: access_request 3: closed_at: not a time in the years 1-9999");
	ck_assert_uint_eq(f.n_access_requests, 1);
	ck_assert_int_eq(f.access_requests[0].event_id, 12);
	ck_assert_int_eq(f.access_requests[0].received_at, 1795168800);
	ck_assert_int_eq(f.access_requests[0].closed_at, CW_TIME_NONE);
	cw_facts_free(&f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("facts");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_good_document);
	tcase_add_test(tc, test_bad_rows_reported);
	tcase_add_test(tc, test_missing_arrays);
	tcase_add_test(tc, test_forget_requests);
	tcase_add_test(tc, test_document_errors);
	tcase_add_test(tc, test_timestamp_forms);
	tcase_add_test(tc, test_reuse);
	tcase_add_test(tc, test_years_outside);
	tcase_add_test(tc, test_builder);
	tcase_add_test(tc, test_access_requests);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return cw_test_run(suite());
}
