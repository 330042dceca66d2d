/* facts.c - parsing one person's facts document into struct cw_facts. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/facts.h"
#include "casewatch/vocabulary.h"

/* Arena chunks: big enough that a typical person fits in one. */
#define ARENA_CHUNK 16384
#define ARENA_ALIGN 16

struct chunk {
	struct chunk *next;
	size_t size, used;
	/* data follows, aligned */
};

/* Bump allocator plus the problems vector; reset between persons. */
struct cw_facts_arena {
	struct chunk *head, *cur;
	struct cw_facts_problem *problems;
	size_t n_problems, cap_problems;
};

/* Parsing state for one row: where problems are attributed. */
struct row_ctx {
	struct cw_facts *f;
	enum cw_facts_row row;
	int64_t row_id;
	size_t index;
};

static const char *const row_names[CW_ROW_COUNT] = {
	[CW_ROW_PERSON] = "person",	      [CW_ROW_INVOLVEMENT] = "involvement",
	[CW_ROW_EVENT] = "event",	      [CW_ROW_RECORD] = "record",
	[CW_ROW_HAZARD] = "hazard",	      [CW_ROW_DELETION] = "deletion",
	[CW_ROW_SHARING] = "info_sharing",    [CW_ROW_ACCESS] = "restricted_access",
	[CW_ROW_ACCESS_REQUEST] = "access_request",
};

/* The JSON array each row kind comes from. */
static const char *const row_arrays[CW_ROW_COUNT] = {
	[CW_ROW_PERSON] = "",		      [CW_ROW_INVOLVEMENT] = "involvements",
	[CW_ROW_EVENT] = "events",	      [CW_ROW_RECORD] = "records",
	[CW_ROW_HAZARD] = "hazards",	      [CW_ROW_DELETION] = "deletions",
	[CW_ROW_SHARING] = "info_sharing",    [CW_ROW_ACCESS] = "restricted_access",
	[CW_ROW_ACCESS_REQUEST] = "access_requests",
};

/* Out of memory is not a data problem: the daemon cannot go on. */
static void oom(void)
{
	fprintf(stderr, "casewatch: out of memory\n");
	abort();
}

/* Allocates from the arena, growing it by a chunk when needed. */
static void *arena_alloc(struct cw_facts_arena *a, size_t size)
{
	struct chunk *c = a->cur;
	size_t hdr = (sizeof(struct chunk) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);

	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (size == 0)
		size = ARENA_ALIGN;
	while (c && c->used + size > c->size) {
		c = c->next;
		if (c)
			c->used = 0;
	}
	if (!c) {
		size_t want = size > ARENA_CHUNK ? size : ARENA_CHUNK;

		c = malloc(hdr + want);
		if (!c)
			oom();
		c->size = want;
		c->used = 0;
		/* Insert after the current chunk so reuse order stays simple. */
		if (a->cur) {
			c->next = a->cur->next;
			a->cur->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	a->cur = c;
	c->used += size;
	return (char *)c + hdr + c->used - size;
}

/* A copy of a string in the arena. */
static const char *arena_strdup(struct cw_facts_arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = arena_alloc(a, n);

	memcpy(p, s, n);
	return p;
}

/* Forgets everything allocated but keeps the chunks for the next person. */
static void arena_reset(struct cw_facts_arena *a)
{
	a->cur = a->head;
	if (a->head)
		a->head->used = 0;
	a->n_problems = 0;
}

void cw_facts_init(struct cw_facts *facts)
{
	memset(facts, 0, sizeof(*facts));
	facts->person_id = CW_ID_NONE;
}

void cw_facts_free(struct cw_facts *facts)
{
	struct cw_facts_arena *a = facts->arena;

	if (a) {
		struct chunk *c = a->head;

		while (c) {
			struct chunk *next = c->next;

			free(c);
			c = next;
		}
		free(a->problems);
		free(a);
	}
	cw_facts_init(facts);
}

const char *cw_facts_row_name(enum cw_facts_row row)
{
	if ((int)row < 0 || row >= CW_ROW_COUNT)
		return "?";
	return row_names[row];
}

/* Keeps an unknown code in a problem only if it looks like a code (so free
 * text a council's view put in a code column never reaches a log). */
static const char *safe_code(struct cw_facts_arena *a, const char *s)
{
	size_t n = 0;

	for (const char *p = s; *p; p++, n++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return NULL;
	if (n == 0 || n > 40)
		return NULL;
	return arena_strdup(a, s);
}

/* Records one problem about the current row. */
static void problem(struct row_ctx *rc, const char *field, const char *what, const char *code,
		    bool dropped)
{
	struct cw_facts_arena *a = rc->f->arena;
	struct cw_facts_problem *p;

	if (a->n_problems == a->cap_problems) {
		size_t cap = a->cap_problems ? a->cap_problems * 2 : 16;
		struct cw_facts_problem *v = realloc(a->problems, cap * sizeof(*v));

		if (!v)
			oom();
		a->problems = v;
		a->cap_problems = cap;
	}
	p = &a->problems[a->n_problems++];
	p->row = rc->row;
	p->row_id = rc->row_id;
	p->index = rc->index;
	p->field = field;
	p->what = what;
	p->code = code ? safe_code(a, code) : NULL;
	p->dropped = dropped;
}

void cw_facts_problem_format(const struct cw_facts *facts, const struct cw_facts_problem *p,
			     char buf[CW_FACTS_PROBLEM_STRLEN])
{
	char row[64] = "", code[64] = "";

	if (p->row != CW_ROW_PERSON) {
		if (p->row_id != CW_ID_NONE)
			snprintf(row, sizeof(row), "%s %lld: ", cw_facts_row_name(p->row),
				 (long long)p->row_id);
		else
			snprintf(row, sizeof(row), "%s[%zu]: ", row_arrays[p->row], p->index);
	}
	if (p->code)
		snprintf(code, sizeof(code), " \"%s\"", p->code);
	snprintf(buf, CW_FACTS_PROBLEM_STRLEN, "person %lld: %s%s%s%s%s%s",
		 (long long)facts->person_id, row, p->field ? p->field : "", p->field ? ": " : "",
		 p->what, code, p->dropped ? " (row left out)" : "");
}

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

/* An integer id member; CW_ID_NONE (with a problem when required or bad). */
static int64_t get_id(struct row_ctx *rc, const json_t *obj, const char *field, bool required)
{
	const json_t *v = json_object_get(obj, field);

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (!v || json_is_null(v)) {
		if (required)
			problem(rc, field, "missing", NULL, false);
	} else {
		problem(rc, field, "not an integer id", NULL, false);
	}
	return CW_ID_NONE;
}

/* A vocabulary code member (copied); unknown codes are kept and reported. */
static const char *get_code(struct row_ctx *rc, const json_t *obj, const char *field,
			    int vocab, const char *unknown, bool required)
{
	const json_t *v = json_object_get(obj, field);
	const char *s;

	if (!v || json_is_null(v)) {
		if (required)
			problem(rc, field, "missing", NULL, false);
		return NULL;
	}
	if (!json_is_string(v) || !*json_string_value(v)) {
		problem(rc, field, "not a code (a non-empty string)", NULL, false);
		return NULL;
	}
	s = json_string_value(v);
	if (vocab >= 0 && !cw_vocabulary_has((enum cw_vocab)vocab, s))
		problem(rc, field, unknown, s, false);
	return arena_strdup(rc->f->arena, s);
}

/* A timestamp member; CW_TIME_NONE when null (a problem if required). */
static cw_time get_time(struct row_ctx *rc, const json_t *obj, const char *field, bool required)
{
	const json_t *v = json_object_get(obj, field);
	cw_time t;

	if (!v || json_is_null(v)) {
		if (required)
			problem(rc, field, "missing", NULL, false);
		return CW_TIME_NONE;
	}
	if (!json_is_string(v) || !parse_timestamp(json_string_value(v), &t)) {
		problem(rc, field, "not a timestamp with a UTC offset", NULL, false);
		return CW_TIME_NONE;
	}
	return t;
}

/* A date member "YYYY-MM-DD"; CW_DAY_NONE when null (a problem if required). */
static cw_day get_day(struct row_ctx *rc, const json_t *obj, const char *field, bool required)
{
	const json_t *v = json_object_get(obj, field);
	cw_day d;

	if (!v || json_is_null(v)) {
		if (required)
			problem(rc, field, "missing", NULL, false);
		return CW_DAY_NONE;
	}
	if (!json_is_string(v) || strlen(json_string_value(v)) != 10 ||
	    !parse_ymd(json_string_value(v), &d)) {
		problem(rc, field, "not a date YYYY-MM-DD", NULL, false);
		return CW_DAY_NONE;
	}
	return d;
}

/* A boolean member; null or absent gives dflt. */
static bool get_bool(struct row_ctx *rc, const json_t *obj, const char *field, bool dflt)
{
	const json_t *v = json_object_get(obj, field);

	if (!v || json_is_null(v))
		return dflt;
	if (!json_is_boolean(v)) {
		problem(rc, field, "not true or false", NULL, false);
		return dflt;
	}
	return json_is_true(v);
}

/* Starts a row: an object with an id (or the row is dropped). For
 * deletions the id is the deleted record's. */
static bool begin_row(struct row_ctx *rc, const json_t *row, const char *id_field)
{
	const json_t *v;

	rc->row_id = CW_ID_NONE;
	if (!json_is_object(row)) {
		problem(rc, NULL, "not an object", NULL, true);
		return false;
	}
	v = json_object_get(row, id_field);
	if (!json_is_integer(v)) {
		problem(rc, id_field, v && !json_is_null(v) ? "not an integer id" : "missing", NULL,
			true);
		return false;
	}
	rc->row_id = (int64_t)json_integer_value(v);
	return true;
}

/* The array member for a row kind; NULL (with a problem) if it is not one. */
static const json_t *get_array(struct cw_facts *f, const json_t *doc, enum cw_facts_row row)
{
	const json_t *v = json_object_get(doc, row_arrays[row]);
	struct row_ctx rc = { f, CW_ROW_PERSON, f->person_id, 0 };

	if (json_is_array(v))
		return v;
	problem(&rc, row_arrays[row], v && !json_is_null(v) ? "not an array" : "missing (expected an array)",
		NULL, false);
	return NULL;
}

/* Ascending order of instants, for hazard reviews. */
static int cmp_time(const void *a, const void *b)
{
	cw_time x = *(const cw_time *)a, y = *(const cw_time *)b;

	return x < y ? -1 : x > y;
}

/* An id and the position of its row, for finding repeated ids. */
struct id_pos {
	int64_t id;
	size_t pos;
};

/* Order by id, then position, so the first row with an id comes first. */
static int cmp_id_pos(const void *a, const void *b)
{
	const struct id_pos *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Leaves out every row whose id an earlier row of the same array already
 * has (keys must stay unique), reporting each; O(n log n). Returns the
 * number of rows kept, in their original order. */
static size_t drop_duplicates(struct cw_facts *f, enum cw_facts_row row, void *rows, size_t n,
			      size_t stride, size_t id_offset, const char *field, const char *what)
{
	char *base = rows;
	struct id_pos *v;
	bool *drop, any = false;
	size_t k = 0;

	if (n < 2)
		return n;
	v = arena_alloc(f->arena, n * sizeof(*v));
	drop = arena_alloc(f->arena, n * sizeof(*drop));
	for (size_t i = 0; i < n; i++) {
		memcpy(&v[i].id, base + i * stride + id_offset, sizeof(v[i].id));
		v[i].pos = i;
		drop[i] = false;
	}
	qsort(v, n, sizeof(*v), cmp_id_pos);
	for (size_t i = 1; i < n; i++)
		if (v[i].id == v[i - 1].id)
			any = drop[v[i].pos] = true;
	if (!any)
		return n;
	for (size_t i = 0; i < n; i++) {
		if (drop[i]) {
			struct row_ctx rc = { f, row, CW_ID_NONE, i };

			memcpy(&rc.row_id, base + i * stride + id_offset, sizeof(rc.row_id));
			problem(&rc, field, what, NULL, true);
			continue;
		}
		if (k != i)
			memmove(base + k * stride, base + i * stride, stride);
		k++;
	}
	return k;
}

/* involvements[] */
static void parse_involvements(struct cw_facts *f, const json_t *doc)
{
	const json_t *arr = get_array(f, doc, CW_ROW_INVOLVEMENT), *row;
	struct cw_facts_involvement *v;
	size_t i;

	if (!arr)
		return;
	v = arena_alloc(f->arena, json_array_size(arr) * sizeof(*v));
	json_array_foreach(arr, i, row) {
		struct row_ctx rc = { f, CW_ROW_INVOLVEMENT, CW_ID_NONE, i };
		struct cw_facts_involvement *x = &v[f->n_involvements];

		if (!begin_row(&rc, row, "id"))
			continue;
		x->id = rc.row_id;
		x->category = get_code(&rc, row, "category", CW_VOCAB_INVOLVEMENT,
				       "unknown involvement category", true);
		x->start = get_day(&rc, row, "start", true);
		x->end = get_day(&rc, row, "end", false);
		x->order_date = get_day(&rc, row, "order_date", false);
		x->outcome = get_code(&rc, row, "outcome", CW_VOCAB_OUTCOME, "unknown outcome", false);
		if (x->start != CW_DAY_NONE && x->end != CW_DAY_NONE && x->end < x->start)
			problem(&rc, "end", "before start", NULL, false);
		f->n_involvements++;
	}
	f->n_involvements = drop_duplicates(f, CW_ROW_INVOLVEMENT, v, f->n_involvements, sizeof(*v),
					offsetof(struct cw_facts_involvement, id), "id", "duplicate id");
	f->involvements = v;
}

/* events[] */
static void parse_events(struct cw_facts *f, const json_t *doc)
{
	const json_t *arr = get_array(f, doc, CW_ROW_EVENT), *row;
	struct cw_facts_event *v;
	size_t i;

	if (!arr)
		return;
	v = arena_alloc(f->arena, json_array_size(arr) * sizeof(*v));
	json_array_foreach(arr, i, row) {
		struct row_ctx rc = { f, CW_ROW_EVENT, CW_ID_NONE, i };
		struct cw_facts_event *x = &v[f->n_events];

		if (!begin_row(&rc, row, "id"))
			continue;
		x->id = rc.row_id;
		x->type = get_code(&rc, row, "type", CW_VOCAB_EVENT, "unknown event type", true);
		x->at = get_time(&rc, row, "at", true);
		x->cancelled = get_bool(&rc, row, "cancelled", false);
		x->related_event_id = get_id(&rc, row, "related_event_id", false);
		f->n_events++;
	}
	f->n_events = drop_duplicates(f, CW_ROW_EVENT, v, f->n_events, sizeof(*v),
					offsetof(struct cw_facts_event, id), "id", "duplicate id");
	f->events = v;
}

/* records[] */
static void parse_records(struct cw_facts *f, const json_t *doc)
{
	const json_t *arr = get_array(f, doc, CW_ROW_RECORD), *row;
	struct cw_facts_record *v;
	size_t i;

	if (!arr)
		return;
	v = arena_alloc(f->arena, json_array_size(arr) * sizeof(*v));
	json_array_foreach(arr, i, row) {
		struct row_ctx rc = { f, CW_ROW_RECORD, CW_ID_NONE, i };
		struct cw_facts_record *x = &v[f->n_records];

		if (!begin_row(&rc, row, "id"))
			continue;
		x->id = rc.row_id;
		x->type = get_code(&rc, row, "type", CW_VOCAB_RECORD, "unknown record type", true);
		x->event_id = get_id(&rc, row, "event_id", false);
		/* Missing times and author are content findings (EVENT-TIME),
		 * not parse problems: only malformed values are reported here. */
		x->event_at = get_time(&rc, row, "event_at", false);
		x->entered_at = get_time(&rc, row, "entered_at", false);
		x->finalised_at = get_time(&rc, row, "finalised_at", false);
		x->late_flag = get_bool(&rc, row, "late_flag", false);
		x->has_late_reason = get_bool(&rc, row, "has_late_reason", false);
		x->author_id = get_id(&rc, row, "author_id", false);
		f->n_records++;
	}
	f->n_records = drop_duplicates(f, CW_ROW_RECORD, v, f->n_records, sizeof(*v),
					offsetof(struct cw_facts_record, id), "id", "duplicate id");
	f->records = v;
}

/* hazards[] with their reviews */
static void parse_hazards(struct cw_facts *f, const json_t *doc)
{
	const json_t *arr = get_array(f, doc, CW_ROW_HAZARD), *row;
	struct cw_facts_hazard *v;
	size_t i;

	if (!arr)
		return;
	v = arena_alloc(f->arena, json_array_size(arr) * sizeof(*v));
	json_array_foreach(arr, i, row) {
		struct row_ctx rc = { f, CW_ROW_HAZARD, CW_ID_NONE, i };
		struct cw_facts_hazard *x = &v[f->n_hazards];
		const json_t *reviews, *r;
		cw_time *t;
		size_t j;

		if (!begin_row(&rc, row, "id"))
			continue;
		x->id = rc.row_id;
		x->start = get_day(&rc, row, "start", false);
		x->review_due = get_day(&rc, row, "review_due", false);
		x->active = get_bool(&rc, row, "active", true);
		x->ended = get_day(&rc, row, "ended", false);
		x->has_description = get_bool(&rc, row, "has_description", false);
		x->n_reviews = 0;
		x->reviews = NULL;
		reviews = json_object_get(row, "reviews");
		if (json_is_array(reviews)) {
			t = arena_alloc(f->arena, json_array_size(reviews) * sizeof(*t));
			json_array_foreach(reviews, j, r) {
				if (json_is_string(r) && parse_timestamp(json_string_value(r), &t[x->n_reviews]))
					x->n_reviews++;
				else
					problem(&rc, "reviews", "an entry is not a timestamp with a UTC offset",
						NULL, false);
			}
			qsort(t, x->n_reviews, sizeof(*t), cmp_time);
			x->reviews = t;
		} else if (reviews && !json_is_null(reviews)) {
			problem(&rc, "reviews", "not an array", NULL, false);
		}
		f->n_hazards++;
	}
	f->n_hazards = drop_duplicates(f, CW_ROW_HAZARD, v, f->n_hazards, sizeof(*v),
					offsetof(struct cw_facts_hazard, id), "id", "duplicate id");
	f->hazards = v;
}

/* deletions[] (identified by the deleted record's id) */
static void parse_deletions(struct cw_facts *f, const json_t *doc)
{
	const json_t *arr = get_array(f, doc, CW_ROW_DELETION), *row;
	struct cw_facts_deletion *v;
	size_t i;

	if (!arr)
		return;
	v = arena_alloc(f->arena, json_array_size(arr) * sizeof(*v));
	json_array_foreach(arr, i, row) {
		struct row_ctx rc = { f, CW_ROW_DELETION, CW_ID_NONE, i };
		struct cw_facts_deletion *x = &v[f->n_deletions];

		if (!begin_row(&rc, row, "record_id"))
			continue;
		x->record_id = rc.row_id;
		x->deleted_at = get_time(&rc, row, "deleted_at", true);
		x->deleted_by = get_id(&rc, row, "deleted_by", false);
		x->deleted_by_role = get_code(&rc, row, "deleted_by_role", -1, NULL, false);
		x->has_reason = get_bool(&rc, row, "has_reason", false);
		f->n_deletions++;
	}
	f->n_deletions = drop_duplicates(f, CW_ROW_DELETION, v, f->n_deletions, sizeof(*v),
					offsetof(struct cw_facts_deletion, record_id), "record_id", "duplicate deletion of the record");
	f->deletions = v;
}

/* info_sharing[] */
static void parse_sharing(struct cw_facts *f, const json_t *doc)
{
	const json_t *arr = get_array(f, doc, CW_ROW_SHARING), *row;
	struct cw_facts_sharing *v;
	size_t i;

	if (!arr)
		return;
	v = arena_alloc(f->arena, json_array_size(arr) * sizeof(*v));
	json_array_foreach(arr, i, row) {
		struct row_ctx rc = { f, CW_ROW_SHARING, CW_ID_NONE, i };
		struct cw_facts_sharing *x = &v[f->n_sharing];
		const json_t *missing, *m;
		const char **names;
		size_t j;

		if (!begin_row(&rc, row, "id"))
			continue;
		x->id = rc.row_id;
		x->kind = get_code(&rc, row, "kind", -1, NULL, true);
		x->at = get_time(&rc, row, "at", false);
		x->n_missing = 0;
		x->missing = NULL;
		missing = json_object_get(row, "missing");
		if (json_is_array(missing)) {
			names = arena_alloc(f->arena, json_array_size(missing) * sizeof(*names));
			json_array_foreach(missing, j, m) {
				if (json_is_string(m) && *json_string_value(m))
					names[x->n_missing++] = arena_strdup(f->arena, json_string_value(m));
				else
					problem(&rc, "missing", "an entry is not a field name", NULL, false);
			}
			x->missing = names;
		} else if (missing && !json_is_null(missing)) {
			problem(&rc, "missing", "not an array", NULL, false);
		}
		f->n_sharing++;
	}
	f->n_sharing = drop_duplicates(f, CW_ROW_SHARING, v, f->n_sharing, sizeof(*v),
					offsetof(struct cw_facts_sharing, id), "id", "duplicate id");
	f->sharing = v;
}

/* restricted_access[] */
static void parse_access(struct cw_facts *f, const json_t *doc)
{
	const json_t *arr = get_array(f, doc, CW_ROW_ACCESS), *row;
	struct cw_facts_access *v;
	size_t i;

	if (!arr)
		return;
	v = arena_alloc(f->arena, json_array_size(arr) * sizeof(*v));
	json_array_foreach(arr, i, row) {
		struct row_ctx rc = { f, CW_ROW_ACCESS, CW_ID_NONE, i };
		struct cw_facts_access *x = &v[f->n_access];
		const json_t *allowed;

		if (!begin_row(&rc, row, "id"))
			continue;
		x->id = rc.row_id;
		x->record_id = get_id(&rc, row, "record_id", false);
		x->accessed_by = get_id(&rc, row, "accessed_by", true);
		/* An access whose permission is unknown is reported as a data
		 * problem, not as a breach: a breach alert goes to the service
		 * manager and must not be raised on a guess. */
		allowed = json_object_get(row, "allowed");
		if (!json_is_boolean(allowed))
			problem(&rc, "allowed", allowed && !json_is_null(allowed) ? "not true or false" : "missing",
				NULL, false);
		x->allowed = !json_is_false(allowed);
		x->at = get_time(&rc, row, "at", false);
		f->n_access++;
	}
	f->n_access = drop_duplicates(f, CW_ROW_ACCESS, v, f->n_access, sizeof(*v),
					offsetof(struct cw_facts_access, id), "id", "duplicate id");
	f->access = v;
}

/* access_requests[]: optional (a document without it lists none), so the
 * records interfaces written before it stay valid. */
static void parse_access_requests(struct cw_facts *f, const json_t *doc)
{
	const json_t *arr, *row;
	struct cw_facts_access_request *v;
	size_t i;

	if (!json_object_get(doc, row_arrays[CW_ROW_ACCESS_REQUEST]) ||
	    !(arr = get_array(f, doc, CW_ROW_ACCESS_REQUEST)))
		return;
	v = arena_alloc(f->arena, json_array_size(arr) * sizeof(*v));
	json_array_foreach(arr, i, row) {
		struct row_ctx rc = { f, CW_ROW_ACCESS_REQUEST, CW_ID_NONE, i };
		struct cw_facts_access_request *x = &v[f->n_access_requests];

		if (!begin_row(&rc, row, "id"))
			continue;
		x->id = rc.row_id;
		x->event_id = get_id(&rc, row, "event_id", false);
		x->received_at = get_time(&rc, row, "received_at", true);
		x->closed_at = get_time(&rc, row, "closed_at", false);
		f->n_access_requests++;
	}
	f->n_access_requests = drop_duplicates(f, CW_ROW_ACCESS_REQUEST, v, f->n_access_requests, sizeof(*v),
						offsetof(struct cw_facts_access_request, id), "id", "duplicate id");
	f->access_requests = v;
}

/* The person's own fields. */
static void parse_person(struct cw_facts *f, const json_t *doc)
{
	struct row_ctx rc = { f, CW_ROW_PERSON, f->person_id, 0 };
	const json_t *nation = json_object_get(doc, "nation");
	static const char *const kinds[] = { "child", "carer", "adult", NULL };

	f->kind = get_code(&rc, doc, "kind", -1, NULL, false);
	if (f->kind) {
		bool known = false;

		for (int i = 0; kinds[i]; i++)
			known = known || !strcmp(kinds[i], f->kind);
		if (!known)
			problem(&rc, "kind", "unknown person kind", f->kind, false);
	}
	f->date_of_birth = get_day(&rc, doc, "date_of_birth", false);
	f->date_of_death = get_day(&rc, doc, "date_of_death", false);
	f->has_nation = false;
	if (json_is_string(nation)) {
		f->has_nation = cw_nation_parse(json_string_value(nation), &f->nation);
		if (!f->has_nation)
			problem(&rc, "nation", "unknown nation (the profile's is used)",
				json_string_value(nation), false);
	} else if (nation && !json_is_null(nation)) {
		problem(&rc, "nation", "not a string", NULL, false);
	}
	f->team_id = get_id(&rc, doc, "team_id", false);
	f->worker_id = get_id(&rc, doc, "worker_id", false);
}

bool cw_facts_from_json(const json_t *doc, struct cw_facts *facts, struct cw_error *err)
{
	struct cw_facts_arena *a = facts->arena;
	const json_t *id;

	if (!a) {
		a = calloc(1, sizeof(*a));
		if (!a)
			oom();
	}
	arena_reset(a);
	cw_facts_init(facts);
	facts->arena = a;
	if (!json_is_object(doc))
		return cw_error_set(err, "facts: the document is not a JSON object");
	id = json_object_get(doc, "person_id");
	if (!json_is_integer(id))
		return cw_error_set(err, "facts: person_id: %s",
				    id && !json_is_null(id) ? "not an integer" : "missing");
	facts->person_id = (int64_t)json_integer_value(id);
	parse_person(facts, doc);
	parse_involvements(facts, doc);
	parse_events(facts, doc);
	parse_records(facts, doc);
	parse_hazards(facts, doc);
	parse_deletions(facts, doc);
	parse_sharing(facts, doc);
	parse_access(facts, doc);
	parse_access_requests(facts, doc);
	facts->problems = a->problems;
	facts->n_problems = a->n_problems;
	return true;
}
