/* facts.c - one person's facts document (JSON) read through the facts builder. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "casewatch/facts.h"
#include "casewatch/facts_builder.h"

/* Just outside the years 1-9999: what a well-formed timestamp or date of
 * another year (PostgreSQL prints "10000-01-01", "0044-03-15 BC",
 * "infinity") becomes, so the builder reports it like the streamed form. */
#define TIME_BEFORE (CW_FACTS_TIME_MIN - 1)
#define TIME_AFTER (CW_FACTS_TIME_MAX + 1)
#define DAY_BEFORE (CW_FACTS_DAY_MIN - 1)
#define DAY_AFTER (CW_FACTS_DAY_MAX + 1)

/* Two digits at s, or -1. */
static int digits2(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* "YYYY-MM-DD" at the start of s, validated; false otherwise. */
static bool parse_ymd(const char *s, cw_day *out)
{
	int y, m, d, yy, mm, dd;

	for (int i = 0; i < 4; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	if (s[4] != '-' || s[7] != '-')
		return false;
	m = digits2(s + 5);
	d = digits2(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	*out = cw_day_from_ymd(y, m, d);
	cw_day_to_ymd(*out, &yy, &mm, &dd);
	return yy == y && mm == m && dd == d;
}

/* A timestamptz as PostgreSQL prints it in JSON: "YYYY-MM-DDTHH:MM:SS",
 * optional fraction (truncated), then "Z" or an offset "+HH", "+HH:MM",
 * "+HHMM". A space may stand for the "T". Without an offset it is refused:
 * the instant would be ambiguous. */
static bool parse_timestamp(const char *s, cw_time *out)
{
	cw_day day;
	int h, mi, sec, oh = 0, om = 0, sign = 1;
	const char *p;

	if (strlen(s) < 19 || !parse_ymd(s, &day) || (s[10] != 'T' && s[10] != ' '))
		return false;
	h = digits2(s + 11);
	mi = digits2(s + 14);
	sec = digits2(s + 17);
	if (s[13] != ':' || s[16] != ':' || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return false;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' && p[1] == '\0') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		oh = digits2(p + 1);
		if (oh < 0 || oh > 15)
			return false;
		p += 3;
		if (*p == ':')
			p++;
		if (*p) {
			om = digits2(p);
			if (om < 0 || om > 59)
				return false;
			p += 2;
		}
	} else {
		return false;
	}
	if (*p)
		return false;
	*out = (cw_time)day * 86400 + h * 3600 + mi * 60 + (sec > 59 ? 59 : sec) -
	       sign * (oh * 3600 + om * 60);
	return true;
}

/* A date "YYYY-MM-DD" and nothing else. */
static bool parse_date(const char *s, cw_day *out)
{
	return strlen(s) == 10 && parse_ymd(s, out);
}

/* A value of another year than 1-9999 in PostgreSQL's spelling: -1 before,
 * 1 after, 0 if s is not one. `parse` says whether the rest is well formed
 * once the year is a four-digit one. */
static int outside_years(const char *s, bool (*parse)(const char *, void *))
{
	char buf[64];
	size_t n = strlen(s), digits = strspn(s, "0123456789");
	cw_time scratch[1];

	if (!strcmp(s, "infinity"))
		return 1;
	if (!strcmp(s, "-infinity"))
		return -1;
	if (n >= sizeof(buf))
		return 0;
	if (n > 3 && !strcmp(s + n - 3, " BC")) {
		memcpy(buf, s, n - 3);
		buf[n - 3] = '\0';
		return parse(buf, scratch) ? -1 : 0;
	}
	if (digits > 4 && digits < 12 && s[digits] == '-') {
		snprintf(buf, sizeof(buf), "2000%s", s + digits);
		return parse(buf, scratch) ? 1 : 0;
	}
	return 0;
}

static bool parse_timestamp_any(const char *s, void *out)
{
	return parse_timestamp(s, out);
}

static bool parse_date_any(const char *s, void *out)
{
	return parse_date(s, out);
}

/* An instant member: CW_TIME_NONE (null), CW_FACTS_BAD_TIME, or a time. */
static cw_time json_time(const json_t *v)
{
	cw_time t;
	int side;

	if (!v || json_is_null(v))
		return CW_TIME_NONE;
	if (!json_is_string(v))
		return CW_FACTS_BAD_TIME;
	if (parse_timestamp(json_string_value(v), &t))
		return t;
	side = outside_years(json_string_value(v), parse_timestamp_any);
	return side < 0 ? TIME_BEFORE : side > 0 ? TIME_AFTER : CW_FACTS_BAD_TIME;
}

/* A date member: CW_DAY_NONE (null), CW_FACTS_BAD_DAY, or a day. */
static cw_day json_day(const json_t *v)
{
	cw_day d;
	int side;

	if (!v || json_is_null(v))
		return CW_DAY_NONE;
	if (!json_is_string(v))
		return CW_FACTS_BAD_DAY;
	if (parse_date(json_string_value(v), &d))
		return d;
	side = outside_years(json_string_value(v), parse_date_any);
	return side < 0 ? DAY_BEFORE : side > 0 ? DAY_AFTER : CW_FACTS_BAD_DAY;
}

/* An id member: CW_ID_NONE (null), CW_FACTS_BAD_ID, or the id. */
static int64_t json_id(const json_t *v)
{
	if (!v || json_is_null(v))
		return CW_ID_NONE;
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : CW_FACTS_BAD_ID;
}

/* A code member: NULL (null), cw_facts_bad_code (not a string), the string. */
static const char *json_code(const json_t *v)
{
	if (!v || json_is_null(v))
		return NULL;
	return json_is_string(v) ? json_string_value(v) : cw_facts_bad_code;
}

static enum cw_facts_bool json_bool(const json_t *v)
{
	if (!v || json_is_null(v))
		return CW_FACTS_NULL;
	if (!json_is_boolean(v))
		return CW_FACTS_BAD;
	return json_is_true(v) ? CW_FACTS_TRUE : CW_FACTS_FALSE;
}

#define M(row, name) json_object_get(row, name)

static void add_involvement(struct cw_facts *f, const json_t *r)
{
	struct cw_facts_involvement_row x = {
		.id = json_id(M(r, "id")), .category = json_code(M(r, "category")),
		.start = json_day(M(r, "start")), .end = json_day(M(r, "end")),
		.order_date = json_day(M(r, "order_date")), .outcome = json_code(M(r, "outcome")),
	};

	cw_facts_add_involvement(f, &x);
}

static void add_event(struct cw_facts *f, const json_t *r)
{
	struct cw_facts_event_row x = {
		.id = json_id(M(r, "id")), .type = json_code(M(r, "type")), .at = json_time(M(r, "at")),
		.cancelled = json_bool(M(r, "cancelled")),
		.related_event_id = json_id(M(r, "related_event_id")),
		.fee_paid_at = json_time(M(r, "fee_paid_at")), .until_18 = json_bool(M(r, "until_18")),
	};

	cw_facts_add_event(f, &x);
}

static void add_record(struct cw_facts *f, const json_t *r)
{
	struct cw_facts_record_row x = {
		.id = json_id(M(r, "id")), .type = json_code(M(r, "type")),
		.event_id = json_id(M(r, "event_id")), .event_at = json_time(M(r, "event_at")),
		.entered_at = json_time(M(r, "entered_at")),
		.finalised_at = json_time(M(r, "finalised_at")),
		.late_flag = json_bool(M(r, "late_flag")),
		.has_late_reason = json_bool(M(r, "has_late_reason")),
		.author_id = json_id(M(r, "author_id")),
		.confidential = json_bool(M(r, "confidential")),
	};

	cw_facts_add_record(f, &x);
}

static void add_hazard(struct cw_facts *f, const json_t *r)
{
	struct cw_facts_hazard_row x = {
		.id = json_id(M(r, "id")), .start = json_day(M(r, "start")),
		.review_due = json_day(M(r, "review_due")), .active = json_bool(M(r, "active")),
		.ended = json_day(M(r, "ended")), .has_description = json_bool(M(r, "has_description")),
	};
	const json_t *reviews = M(r, "reviews"), *v;
	size_t i;

	cw_facts_add_hazard(f, &x);
	if (json_is_array(reviews)) {
		json_array_foreach(reviews, i, v)
			cw_facts_add_review(f, json_time(v));
	} else if (reviews && !json_is_null(reviews)) {
		cw_facts_add_problem(f, CW_ROW_HAZARD, "reviews", "not an array");
	}
}

static void add_deletion(struct cw_facts *f, const json_t *r)
{
	struct cw_facts_deletion_row x = {
		.record_id = json_id(M(r, "record_id")), .deleted_at = json_time(M(r, "deleted_at")),
		.deleted_by = json_id(M(r, "deleted_by")),
		.deleted_by_role = json_code(M(r, "deleted_by_role")),
		.has_reason = json_bool(M(r, "has_reason")),
	};

	cw_facts_add_deletion(f, &x);
}

static void add_sharing(struct cw_facts *f, const json_t *r)
{
	struct cw_facts_sharing_row x = {
		.id = json_id(M(r, "id")), .kind = json_code(M(r, "kind")), .at = json_time(M(r, "at")),
	};
	const json_t *missing = M(r, "missing"), *v;
	size_t i;

	cw_facts_add_sharing(f, &x);
	if (json_is_array(missing)) {
		json_array_foreach(missing, i, v)
			cw_facts_add_missing(f, json_is_string(v) ? json_string_value(v) : NULL);
	} else if (missing && !json_is_null(missing)) {
		cw_facts_add_problem(f, CW_ROW_SHARING, "missing", "not an array");
	}
}

static void add_access(struct cw_facts *f, const json_t *r)
{
	struct cw_facts_access_row x = {
		.id = json_id(M(r, "id")), .record_id = json_id(M(r, "record_id")),
		.accessed_by = json_id(M(r, "accessed_by")),
		.accessed_by_role = json_code(M(r, "accessed_by_role")),
		.allowed = json_bool(M(r, "allowed")), .at = json_time(M(r, "at")),
	};

	cw_facts_add_access(f, &x);
}

static void add_forget(struct cw_facts *f, const json_t *r)
{
	struct cw_facts_forget_row x = {
		.id = json_id(M(r, "id")), .received_at = json_time(M(r, "received_at")),
	};

	cw_facts_add_forget(f, &x);
}

static void add_access_request(struct cw_facts *f, const json_t *r)
{
	struct cw_facts_access_request_row x = {
		.id = json_id(M(r, "id")), .event_id = json_id(M(r, "event_id")),
		.received_at = json_time(M(r, "received_at")), .closed_at = json_time(M(r, "closed_at")),
	};

	cw_facts_add_access_request(f, &x);
}

/* One array of the document, row by row. */
static void add_rows(struct cw_facts *f, const json_t *doc, enum cw_facts_row kind,
		     void (*add)(struct cw_facts *, const json_t *))
{
	const json_t *arr = json_object_get(doc, cw_facts_row_array(kind)), *row;
	size_t i;

	if (!json_is_array(arr)) {
		cw_facts_add_rows_problem(f, kind, arr && !json_is_null(arr) ? "not an array"
									 : "missing (expected an array)");
		return;
	}
	json_array_foreach(arr, i, row) {
		if (json_is_object(row))
			add(f, row);
		else
			cw_facts_add_unusable(f, kind, "not an object");
	}
}

bool cw_facts_from_json(const json_t *doc, struct cw_facts *facts, struct cw_error *err)
{
	struct cw_facts_person_row person;
	const json_t *id;

	/* An empty person first, so the facts never keep the previous one's. */
	person = (struct cw_facts_person_row){ .person_id = CW_ID_NONE, .date_of_birth = CW_DAY_NONE,
					       .date_of_death = CW_DAY_NONE, .team_id = CW_ID_NONE,
					       .worker_id = CW_ID_NONE };
	cw_facts_begin(facts, &person);
	cw_facts_finish(facts);
	if (!json_is_object(doc))
		return cw_error_set(err, "facts: the document is not a JSON object");
	id = json_object_get(doc, "person_id");
	if (!json_is_integer(id))
		return cw_error_set(err, "facts: person_id: %s",
				    id && !json_is_null(id) ? "not an integer" : "missing");
	person.person_id = (int64_t)json_integer_value(id);
	person.kind = json_code(M(doc, "kind"));
	person.date_of_birth = json_day(M(doc, "date_of_birth"));
	person.date_of_death = json_day(M(doc, "date_of_death"));
	person.nation = json_code(M(doc, "nation"));
	person.team_id = json_id(M(doc, "team_id"));
	person.worker_id = json_id(M(doc, "worker_id"));
	cw_facts_begin(facts, &person);
	add_rows(facts, doc, CW_ROW_INVOLVEMENT, add_involvement);
	add_rows(facts, doc, CW_ROW_EVENT, add_event);
	add_rows(facts, doc, CW_ROW_RECORD, add_record);
	add_rows(facts, doc, CW_ROW_HAZARD, add_hazard);
	add_rows(facts, doc, CW_ROW_DELETION, add_deletion);
	add_rows(facts, doc, CW_ROW_SHARING, add_sharing);
	add_rows(facts, doc, CW_ROW_ACCESS, add_access);
	/* Optional: a document from an interface before forget requests
	 * existed still gives clean facts (absent: none). */
	if (json_object_get(doc, cw_facts_row_array(CW_ROW_FORGET)))
		add_rows(facts, doc, CW_ROW_FORGET, add_forget);
	/* Optional: documents of interfaces from before it list none. */
	if (json_object_get(doc, cw_facts_row_array(CW_ROW_ACCESS_REQUEST)))
		add_rows(facts, doc, CW_ROW_ACCESS_REQUEST, add_access_request);
	cw_facts_finish(facts);
	return true;
}
