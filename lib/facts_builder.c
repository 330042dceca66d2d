/* facts_builder.c - one person's facts built row by row: arena, validation, problems. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/facts_builder.h"
#include "casewatch/vocabulary.h"

/* Arena chunks: big enough that a typical person fits in one. */
#define ARENA_CHUNK 16384
#define ARENA_ALIGN 16

const char cw_facts_bad_code[] = "";

struct chunk {
	struct chunk *next;
	size_t size, used;
	/* data follows, aligned */
};

/* A growable array, kept from person to person. */
struct vec {
	void *v;
	size_t n, cap;
};

/* Where the rows of one kind are. */
struct kind_state {
	struct vec rows;   /* the kept rows */
	size_t seen;	   /* rows offered, kept or not: the next row's index */
	bool open;	   /* rows added since the kind was last closed */
	bool last_kept;	   /* the last row offered was kept */
	int64_t last_id;   /* and its id (CW_ID_NONE if it had none) */
	size_t last_index; /* and its index */
};

/* Bump allocator, problems and row vectors; reset between persons. */
struct cw_facts_arena {
	struct chunk *head, *cur;
	struct cw_facts_problem *problems;
	size_t n_problems, cap_problems;
	struct kind_state kinds[CW_ROW_COUNT];
	struct vec pending; /* the last hazard's reviews, or info_sharing's missing names */
};

/* Where problems are attributed. */
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
	[CW_ROW_FORGET] = "forget_request",
	[CW_ROW_ACCESS_REQUEST] = "access_request",
};

/* The JSON array each row kind comes from. */
static const char *const row_arrays[CW_ROW_COUNT] = {
	[CW_ROW_PERSON] = "",		      [CW_ROW_INVOLVEMENT] = "involvements",
	[CW_ROW_EVENT] = "events",	      [CW_ROW_RECORD] = "records",
	[CW_ROW_HAZARD] = "hazards",	      [CW_ROW_DELETION] = "deletions",
	[CW_ROW_SHARING] = "info_sharing",    [CW_ROW_ACCESS] = "restricted_access",
	[CW_ROW_FORGET] = "forget_requests",
	[CW_ROW_ACCESS_REQUEST] = "access_requests",
};

/* The size of one kept row of each kind. */
static const size_t row_sizes[CW_ROW_COUNT] = {
	[CW_ROW_PERSON] = 0,
	[CW_ROW_INVOLVEMENT] = sizeof(struct cw_facts_involvement),
	[CW_ROW_EVENT] = sizeof(struct cw_facts_event),
	[CW_ROW_RECORD] = sizeof(struct cw_facts_record),
	[CW_ROW_HAZARD] = sizeof(struct cw_facts_hazard),
	[CW_ROW_DELETION] = sizeof(struct cw_facts_deletion),
	[CW_ROW_SHARING] = sizeof(struct cw_facts_sharing),
	[CW_ROW_ACCESS] = sizeof(struct cw_facts_access),
	[CW_ROW_FORGET] = sizeof(struct cw_facts_forget),
	[CW_ROW_ACCESS_REQUEST] = sizeof(struct cw_facts_access_request),
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

/* Room for one more element of `size` bytes; returns it zeroed. */
static void *vec_push(struct vec *v, size_t size)
{
	char *slot;

	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *p = realloc(v->v, cap * size);

		if (!p)
			oom();
		v->v = p;
		v->cap = cap;
	}
	slot = (char *)v->v + v->n++ * size;
	memset(slot, 0, size);
	return slot;
}

/* Forgets everything allocated but keeps the memory for the next person. */
static void arena_reset(struct cw_facts_arena *a)
{
	a->cur = a->head;
	if (a->head)
		a->head->used = 0;
	a->n_problems = 0;
	for (int k = 0; k < CW_ROW_COUNT; k++) {
		struct kind_state *ks = &a->kinds[k];

		ks->rows.n = 0;
		ks->seen = 0;
		ks->open = false;
		ks->last_kept = false;
		ks->last_id = CW_ID_NONE;
		ks->last_index = 0;
	}
	a->pending.n = 0;
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
		for (int k = 0; k < CW_ROW_COUNT; k++)
			free(a->kinds[k].rows.v);
		free(a->pending.v);
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

const char *cw_facts_row_array(enum cw_facts_row row)
{
	if ((int)row < 0 || row >= CW_ROW_COUNT)
		return "?";
	return row_arrays[row];
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
static void problem(const struct row_ctx *rc, const char *field, const char *what, const char *code,
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
			snprintf(row, sizeof(row), "%s[%zu]: ", cw_facts_row_array(p->row), p->index);
	}
	if (p->code)
		snprintf(code, sizeof(code), " \"%s\"", p->code);
	snprintf(buf, CW_FACTS_PROBLEM_STRLEN, "person %lld: %s%s%s%s%s%s",
		 (long long)facts->person_id, row, p->field ? p->field : "", p->field ? ": " : "",
		 p->what, code, p->dropped ? " (row left out)" : "");
}

/* An id: CW_ID_NONE when null (a problem if required) or unusable. */
static int64_t take_id(const struct row_ctx *rc, const char *field, int64_t v, bool required)
{
	if (v == CW_FACTS_BAD_ID) {
		problem(rc, field, "not an integer id", NULL, false);
		return CW_ID_NONE;
	}
	if (v == CW_ID_NONE && required)
		problem(rc, field, "missing", NULL, false);
	return v;
}

/* An instant: CW_TIME_NONE when null (a problem if required), unusable or
 * outside the years 1-9999. */
static cw_time take_time(const struct row_ctx *rc, const char *field, cw_time v, bool required)
{
	if (v == CW_TIME_NONE) {
		if (required)
			problem(rc, field, "missing", NULL, false);
		return CW_TIME_NONE;
	}
	if (v == CW_FACTS_BAD_TIME) {
		problem(rc, field, "not a timestamp with a UTC offset", NULL, false);
		return CW_TIME_NONE;
	}
	if (v < CW_FACTS_TIME_MIN || v > CW_FACTS_TIME_MAX) {
		problem(rc, field, "not a time in the years 1-9999", NULL, false);
		return CW_TIME_NONE;
	}
	return v;
}

/* A date: CW_DAY_NONE when null (a problem if required), unusable or
 * outside the years 1-9999. */
static cw_day take_day(const struct row_ctx *rc, const char *field, cw_day v, bool required)
{
	if (v == CW_DAY_NONE) {
		if (required)
			problem(rc, field, "missing", NULL, false);
		return CW_DAY_NONE;
	}
	if (v == CW_FACTS_BAD_DAY) {
		problem(rc, field, "not a date YYYY-MM-DD", NULL, false);
		return CW_DAY_NONE;
	}
	if (v < CW_FACTS_DAY_MIN || v > CW_FACTS_DAY_MAX) {
		problem(rc, field, "not a date in the years 1-9999", NULL, false);
		return CW_DAY_NONE;
	}
	return v;
}

/* A boolean; null gives dflt. */
static bool take_bool(const struct row_ctx *rc, const char *field, enum cw_facts_bool v, bool dflt)
{
	switch (v) {
	case CW_FACTS_FALSE:
		return false;
	case CW_FACTS_TRUE:
		return true;
	case CW_FACTS_NULL:
		return dflt;
	case CW_FACTS_BAD:
	default:
		problem(rc, field, "not true or false", NULL, false);
		return dflt;
	}
}

/* A code (copied); unknown codes of a vocabulary (vocab >= 0) are kept
 * and reported with `unknown`. */
static const char *take_code(const struct row_ctx *rc, const char *field, const char *s, int vocab,
			     const char *unknown, bool required)
{
	if (!s) {
		if (required)
			problem(rc, field, "missing", NULL, false);
		return NULL;
	}
	if (s == cw_facts_bad_code || !*s) {
		problem(rc, field, "not a code (a non-empty string)", NULL, false);
		return NULL;
	}
	if (vocab >= 0 && !cw_vocabulary_has((enum cw_vocab)vocab, s))
		problem(rc, field, unknown, s, false);
	return arena_strdup(rc->f->arena, s);
}

/* Ascending order of instants, for hazard reviews. */
static int cmp_time(const void *a, const void *b)
{
	cw_time x = *(const cw_time *)a, y = *(const cw_time *)b;

	return x < y ? -1 : x > y;
}

/* The last kept row of a kind (NULL if the last one offered was dropped). */
static void *last_row(struct cw_facts_arena *a, enum cw_facts_row kind)
{
	struct kind_state *ks = &a->kinds[kind];

	if (!ks->last_kept || ks->rows.n == 0)
		return NULL;
	return (char *)ks->rows.v + (ks->rows.n - 1) * row_sizes[kind];
}

/* The last hazard's reviews or info_sharing row's missing names move from
 * the pending vector to the arena, where they stay put. */
static void complete_row(struct cw_facts *f, enum cw_facts_row kind)
{
	struct cw_facts_arena *a = f->arena;
	size_t n = a->pending.n;

	if (kind == CW_ROW_HAZARD) {
		struct cw_facts_hazard *h = last_row(a, kind);

		if (h && n > 0) {
			cw_time *t = arena_alloc(a, n * sizeof(*t));

			memcpy(t, a->pending.v, n * sizeof(*t));
			qsort(t, n, sizeof(*t), cmp_time);
			h->reviews = t;
			h->n_reviews = n;
		}
	} else if (kind == CW_ROW_SHARING) {
		struct cw_facts_sharing *s = last_row(a, kind);

		if (s && n > 0) {
			const char **names = arena_alloc(a, n * sizeof(*names));

			memcpy(names, a->pending.v, n * sizeof(*names));
			s->missing = names;
			s->n_missing = n;
		}
	} else {
		return;
	}
	a->pending.n = 0;
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

/* The id of a kept row (deletions are identified by the record's id). */
static int64_t row_id_of(enum cw_facts_row kind, const void *row)
{
	if (kind == CW_ROW_DELETION)
		return ((const struct cw_facts_deletion *)row)->record_id;
	/* Every other row type begins with its int64_t id. */
	return *(const int64_t *)row;
}

/* Leaves out every row whose id an earlier row of the same kind already
 * has (keys must stay unique), reporting each; O(n log n). The rows kept
 * stay in their order. */
static void drop_duplicates(struct cw_facts *f, enum cw_facts_row kind)
{
	struct cw_facts_arena *a = f->arena;
	struct vec *rows = &a->kinds[kind].rows;
	size_t n = rows->n, stride = row_sizes[kind], k = 0;
	char *base = rows->v;
	bool *drop, any = false;
	struct id_pos *v;

	if (n < 2)
		return;
	v = arena_alloc(a, n * sizeof(*v));
	drop = arena_alloc(a, n * sizeof(*drop));
	for (size_t i = 0; i < n; i++) {
		v[i].id = row_id_of(kind, base + i * stride);
		v[i].pos = i;
		drop[i] = false;
	}
	qsort(v, n, sizeof(*v), cmp_id_pos);
	for (size_t i = 1; i < n; i++)
		if (v[i].id == v[i - 1].id)
			any = drop[v[i].pos] = true;
	if (!any)
		return;
	for (size_t i = 0; i < n; i++) {
		if (drop[i]) {
			struct row_ctx rc = { f, kind, row_id_of(kind, base + i * stride), i };

			if (kind == CW_ROW_DELETION)
				problem(&rc, "record_id", "duplicate deletion of the record", NULL, true);
			else
				problem(&rc, "id", "duplicate id", NULL, true);
			continue;
		}
		if (k != i)
			memmove(base + k * stride, base + i * stride, stride);
		k++;
	}
	rows->n = k;
}

/* Closes every kind before `kind` that has rows since it was closed. */
static void advance_to(struct cw_facts *f, enum cw_facts_row kind)
{
	struct cw_facts_arena *a = f->arena;

	for (int k = CW_ROW_INVOLVEMENT; k < (int)kind && k < CW_ROW_COUNT; k++) {
		if (!a->kinds[k].open)
			continue;
		complete_row(f, (enum cw_facts_row)k);
		drop_duplicates(f, (enum cw_facts_row)k);
		a->kinds[k].open = false;
	}
}

/* Starts a row of `kind`: its place, or NULL (reported) when it has no
 * usable id. rc is set for the row's problems. */
static void *begin_row(struct cw_facts *f, enum cw_facts_row kind, int64_t id, const char *id_field,
		       struct row_ctx *rc)
{
	struct cw_facts_arena *a = f->arena;
	struct kind_state *ks = &a->kinds[kind];

	advance_to(f, kind);
	if (ks->open)
		complete_row(f, kind);
	ks->open = true;
	rc->f = f;
	rc->row = kind;
	rc->row_id = CW_ID_NONE;
	rc->index = ks->seen++;
	ks->last_index = rc->index;
	ks->last_id = CW_ID_NONE;
	ks->last_kept = false;
	if (id == CW_ID_NONE || id == CW_FACTS_BAD_ID) {
		problem(rc, id_field, id == CW_ID_NONE ? "missing" : "not an integer id", NULL, true);
		return NULL;
	}
	rc->row_id = id;
	ks->last_id = id;
	ks->last_kept = true;
	return vec_push(&ks->rows, row_sizes[kind]);
}

void cw_facts_begin(struct cw_facts *f, const struct cw_facts_person_row *in)
{
	static const char *const kinds[] = { "child", "carer", "adult", NULL };
	struct cw_facts_arena *a = f->arena;
	struct row_ctx rc = { f, CW_ROW_PERSON, in->person_id, 0 };

	if (!a) {
		a = calloc(1, sizeof(*a));
		if (!a)
			oom();
	}
	arena_reset(a);
	cw_facts_init(f);
	f->arena = a;
	f->person_id = in->person_id;
	f->kind = take_code(&rc, "kind", in->kind, -1, NULL, false);
	if (f->kind) {
		bool known = false;

		for (int i = 0; kinds[i]; i++)
			known = known || !strcmp(kinds[i], f->kind);
		if (!known)
			problem(&rc, "kind", "unknown person kind", f->kind, false);
	}
	f->date_of_birth = take_day(&rc, "date_of_birth", in->date_of_birth, false);
	f->date_of_death = take_day(&rc, "date_of_death", in->date_of_death, false);
	f->has_nation = false;
	if (in->nation == cw_facts_bad_code) {
		problem(&rc, "nation", "not a string", NULL, false);
	} else if (in->nation) {
		f->has_nation = cw_nation_parse(in->nation, &f->nation);
		if (!f->has_nation)
			problem(&rc, "nation", "unknown nation (the profile's is used)", in->nation, false);
	}
	f->team_id = take_id(&rc, "team_id", in->team_id, false);
	f->worker_id = take_id(&rc, "worker_id", in->worker_id, false);
}

void cw_facts_add_involvement(struct cw_facts *f, const struct cw_facts_involvement_row *in)
{
	struct row_ctx rc;
	struct cw_facts_involvement *x = begin_row(f, CW_ROW_INVOLVEMENT, in->id, "id", &rc);

	if (!x)
		return;
	x->id = in->id;
	x->category = take_code(&rc, "category", in->category, CW_VOCAB_INVOLVEMENT,
				"unknown involvement category", true);
	x->start = take_day(&rc, "start", in->start, true);
	x->end = take_day(&rc, "end", in->end, false);
	x->order_date = take_day(&rc, "order_date", in->order_date, false);
	x->outcome = take_code(&rc, "outcome", in->outcome, CW_VOCAB_OUTCOME, "unknown outcome", false);
	if (x->start != CW_DAY_NONE && x->end != CW_DAY_NONE && x->end < x->start)
		problem(&rc, "end", "before start", NULL, false);
}

void cw_facts_add_event(struct cw_facts *f, const struct cw_facts_event_row *in)
{
	struct row_ctx rc;
	struct cw_facts_event *x = begin_row(f, CW_ROW_EVENT, in->id, "id", &rc);

	if (!x)
		return;
	x->id = in->id;
	x->type = take_code(&rc, "type", in->type, CW_VOCAB_EVENT, "unknown event type", true);
	x->at = take_time(&rc, "at", in->at, true);
	x->cancelled = take_bool(&rc, "cancelled", in->cancelled, false);
	x->related_event_id = take_id(&rc, "related_event_id", in->related_event_id, false);
	x->fee_paid_at = take_time(&rc, "fee_paid_at", in->fee_paid_at, false);
	x->until_18 = take_bool(&rc, "until_18", in->until_18, false);
}

void cw_facts_add_record(struct cw_facts *f, const struct cw_facts_record_row *in)
{
	struct row_ctx rc;
	struct cw_facts_record *x = begin_row(f, CW_ROW_RECORD, in->id, "id", &rc);

	if (!x)
		return;
	x->id = in->id;
	x->type = take_code(&rc, "type", in->type, CW_VOCAB_RECORD, "unknown record type", true);
	x->event_id = take_id(&rc, "event_id", in->event_id, false);
	/* Missing times and author are content findings (EVENT-TIME), not
	 * problems of the row: only unusable values are reported here. */
	x->event_at = take_time(&rc, "event_at", in->event_at, false);
	x->entered_at = take_time(&rc, "entered_at", in->entered_at, false);
	x->finalised_at = take_time(&rc, "finalised_at", in->finalised_at, false);
	x->late_flag = take_bool(&rc, "late_flag", in->late_flag, false);
	x->has_late_reason = take_bool(&rc, "has_late_reason", in->has_late_reason, false);
	x->author_id = take_id(&rc, "author_id", in->author_id, false);
	x->confidential = take_bool(&rc, "confidential", in->confidential, false);
}

void cw_facts_add_hazard(struct cw_facts *f, const struct cw_facts_hazard_row *in)
{
	struct row_ctx rc;
	struct cw_facts_hazard *x = begin_row(f, CW_ROW_HAZARD, in->id, "id", &rc);

	if (!x)
		return;
	x->id = in->id;
	x->start = take_day(&rc, "start", in->start, false);
	x->review_due = take_day(&rc, "review_due", in->review_due, false);
	x->active = take_bool(&rc, "active", in->active, true);
	x->ended = take_day(&rc, "ended", in->ended, false);
	x->has_description = take_bool(&rc, "has_description", in->has_description, false);
	x->n_reviews = 0;
	x->reviews = NULL;
}

/* The context of the last row of a kind, for problems added after it. */
static void last_ctx(struct cw_facts *f, enum cw_facts_row kind, struct row_ctx *rc)
{
	const struct kind_state *ks = &f->arena->kinds[kind];

	rc->f = f;
	rc->row = kind;
	rc->row_id = kind == CW_ROW_PERSON ? f->person_id : ks->last_id;
	rc->index = kind == CW_ROW_PERSON ? 0 : ks->last_index;
}

void cw_facts_add_review(struct cw_facts *f, cw_time at)
{
	struct cw_facts_arena *a = f->arena;
	struct row_ctx rc;

	/* A review of a hazard left out goes with it. */
	if (!a->kinds[CW_ROW_HAZARD].open || !a->kinds[CW_ROW_HAZARD].last_kept)
		return;
	last_ctx(f, CW_ROW_HAZARD, &rc);
	if (at == CW_TIME_NONE || at == CW_FACTS_BAD_TIME) {
		problem(&rc, "reviews", "an entry is not a timestamp with a UTC offset", NULL, false);
		return;
	}
	if (at < CW_FACTS_TIME_MIN || at > CW_FACTS_TIME_MAX) {
		problem(&rc, "reviews", "an entry is not a time in the years 1-9999", NULL, false);
		return;
	}
	*(cw_time *)vec_push(&a->pending, sizeof(cw_time)) = at;
}

void cw_facts_add_deletion(struct cw_facts *f, const struct cw_facts_deletion_row *in)
{
	struct row_ctx rc;
	struct cw_facts_deletion *x = begin_row(f, CW_ROW_DELETION, in->record_id, "record_id", &rc);

	if (!x)
		return;
	x->record_id = in->record_id;
	x->deleted_at = take_time(&rc, "deleted_at", in->deleted_at, true);
	x->deleted_by = take_id(&rc, "deleted_by", in->deleted_by, false);
	x->deleted_by_role = take_code(&rc, "deleted_by_role", in->deleted_by_role, -1, NULL, false);
	x->has_reason = take_bool(&rc, "has_reason", in->has_reason, false);
}

void cw_facts_add_sharing(struct cw_facts *f, const struct cw_facts_sharing_row *in)
{
	struct row_ctx rc;
	struct cw_facts_sharing *x = begin_row(f, CW_ROW_SHARING, in->id, "id", &rc);

	if (!x)
		return;
	x->id = in->id;
	x->kind = take_code(&rc, "kind", in->kind, -1, NULL, true);
	x->at = take_time(&rc, "at", in->at, false);
	x->n_missing = 0;
	x->missing = NULL;
}

void cw_facts_add_missing(struct cw_facts *f, const char *field)
{
	struct cw_facts_arena *a = f->arena;
	struct row_ctx rc;

	if (!a->kinds[CW_ROW_SHARING].open || !a->kinds[CW_ROW_SHARING].last_kept)
		return;
	if (!field || field == cw_facts_bad_code || !*field) {
		last_ctx(f, CW_ROW_SHARING, &rc);
		problem(&rc, "missing", "an entry is not a field name", NULL, false);
		return;
	}
	*(const char **)vec_push(&a->pending, sizeof(const char *)) = arena_strdup(a, field);
}

void cw_facts_add_access(struct cw_facts *f, const struct cw_facts_access_row *in)
{
	struct row_ctx rc;
	struct cw_facts_access *x = begin_row(f, CW_ROW_ACCESS, in->id, "id", &rc);

	if (!x)
		return;
	x->id = in->id;
	x->record_id = take_id(&rc, "record_id", in->record_id, false);
	x->accessed_by = take_id(&rc, "accessed_by", in->accessed_by, true);
	x->accessed_by_role = take_code(&rc, "accessed_by_role", in->accessed_by_role, -1, NULL, false);
	/* An access whose permission is unknown is reported as a data
	 * problem, not as a breach: a breach alert goes to the service
	 * manager and must not be raised on a guess. */
	if (in->allowed != CW_FACTS_FALSE && in->allowed != CW_FACTS_TRUE)
		problem(&rc, "allowed", in->allowed == CW_FACTS_NULL ? "missing" : "not true or false",
			NULL, false);
	x->allowed = in->allowed != CW_FACTS_FALSE;
	x->at = take_time(&rc, "at", in->at, false);
}

void cw_facts_add_forget(struct cw_facts *f, const struct cw_facts_forget_row *in)
{
	struct row_ctx rc;
	struct cw_facts_forget *x = begin_row(f, CW_ROW_FORGET, in->id, "id", &rc);

	if (!x)
		return;
	x->id = in->id;
	x->received_at = take_time(&rc, "received_at", in->received_at, true);
}

void cw_facts_add_access_request(struct cw_facts *f, const struct cw_facts_access_request_row *in)
{
	struct row_ctx rc;
	struct cw_facts_access_request *x = begin_row(f, CW_ROW_ACCESS_REQUEST, in->id, "id", &rc);

	if (!x)
		return;
	x->id = in->id;
	x->event_id = take_id(&rc, "event_id", in->event_id, false);
	x->received_at = take_time(&rc, "received_at", in->received_at, true);
	x->closed_at = take_time(&rc, "closed_at", in->closed_at, false);
}

void cw_facts_add_unusable(struct cw_facts *f, enum cw_facts_row kind, const char *what)
{
	struct cw_facts_arena *a = f->arena;
	struct kind_state *ks = &a->kinds[kind];
	struct row_ctx rc;

	if (kind == CW_ROW_PERSON || kind >= CW_ROW_COUNT)
		return;
	advance_to(f, kind);
	if (ks->open)
		complete_row(f, kind);
	ks->open = true;
	ks->last_kept = false;
	ks->last_id = CW_ID_NONE;
	ks->last_index = ks->seen++;
	last_ctx(f, kind, &rc);
	problem(&rc, NULL, what, NULL, true);
}

void cw_facts_add_rows_problem(struct cw_facts *f, enum cw_facts_row kind, const char *what)
{
	struct row_ctx rc = { f, CW_ROW_PERSON, f->person_id, 0 };

	if (kind == CW_ROW_PERSON || kind >= CW_ROW_COUNT)
		return;
	advance_to(f, kind);
	problem(&rc, row_arrays[kind], what, NULL, false);
}

void cw_facts_add_problem(struct cw_facts *f, enum cw_facts_row kind, const char *field,
			  const char *what)
{
	struct row_ctx rc;

	if (kind >= CW_ROW_COUNT)
		return;
	/* A problem of a row left out goes with it. */
	if (kind != CW_ROW_PERSON && !f->arena->kinds[kind].last_kept)
		return;
	last_ctx(f, kind, &rc);
	problem(&rc, field, what, NULL, false);
}

void cw_facts_finish(struct cw_facts *f)
{
	struct cw_facts_arena *a = f->arena;

	advance_to(f, CW_ROW_COUNT);
	f->n_involvements = a->kinds[CW_ROW_INVOLVEMENT].rows.n;
	f->involvements = a->kinds[CW_ROW_INVOLVEMENT].rows.v;
	f->n_events = a->kinds[CW_ROW_EVENT].rows.n;
	f->events = a->kinds[CW_ROW_EVENT].rows.v;
	f->n_records = a->kinds[CW_ROW_RECORD].rows.n;
	f->records = a->kinds[CW_ROW_RECORD].rows.v;
	f->n_hazards = a->kinds[CW_ROW_HAZARD].rows.n;
	f->hazards = a->kinds[CW_ROW_HAZARD].rows.v;
	f->n_deletions = a->kinds[CW_ROW_DELETION].rows.n;
	f->deletions = a->kinds[CW_ROW_DELETION].rows.v;
	f->n_sharing = a->kinds[CW_ROW_SHARING].rows.n;
	f->sharing = a->kinds[CW_ROW_SHARING].rows.v;
	f->n_access = a->kinds[CW_ROW_ACCESS].rows.n;
	f->access = a->kinds[CW_ROW_ACCESS].rows.v;
	f->n_forget = a->kinds[CW_ROW_FORGET].rows.n;
	f->forget = a->kinds[CW_ROW_FORGET].rows.v;
	f->n_access_requests = a->kinds[CW_ROW_ACCESS_REQUEST].rows.n;
	f->access_requests = a->kinds[CW_ROW_ACCESS_REQUEST].rows.v;
	f->problems = a->problems;
	f->n_problems = a->n_problems;
}
