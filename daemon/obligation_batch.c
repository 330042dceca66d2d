/* obligation_batch.c - a page's obligations as the typed arrays casewatch.reconcile_set() takes. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "obligation_batch.h"

/* One obligation as sent; strings are offsets into the batch's pool. */
struct obatch_row {
	int64_t anchor_id, team_id, met_by, late_by; /* CW_ID_NONE / 0: none */
	cw_time cycle_start, warn_at, due_at, met_at; /* CW_TIME_NONE: none */
	const char *anchor_kind;		      /* a static name */
	const char *severity;			      /* a finding's, a static name; NULL: the store's default */
	size_t rule, audience;			      /* pool offsets */
	size_t esc_first, esc_n;		      /* into the batch's steps */
	bool suspended, finding;
};

/* An escalation step. */
struct obatch_step {
	cw_time at;
	size_t to; /* pool offset */
};

/* A person of the page and their rows [first, first + n). */
struct obatch_person {
	int64_t id;
	size_t first, n;
	int64_t stored;	 /* the digest casewatch.person_digest held when the page was read */
	bool has_stored;
	bool withdraw; /* its destruction decision is withdrawn in the same transaction */
};

/* A growing text buffer: one array literal. */
struct sbuf {
	char *s;
	size_t len, cap;
};

/* The parameters, in reconcile_set's order (the last, now, is the caller's). */
enum {
	P_IDS, P_DIGESTS, P_PERSON, P_RULE, P_ANCHOR_KIND, P_ANCHOR_ID, P_CYCLE, P_TEAM, P_AUDIENCE,
	P_WARN, P_DUE, P_ESC_AT, P_ESC_TO, P_MET_AT, P_MET_BY, P_LATE, P_SUSPENDED, P_KIND, P_SEVERITY,
	P_COUNT
};

/* A page's parameters as text, and the scratch of the escalation steps. */
struct obatch_params {
	struct sbuf a[P_COUNT], withdraw, omitted, steps_at, steps_to;
	size_t left_out;
};

struct cw_obatch {
	struct obatch_person *persons;
	size_t n_persons, cap_persons;
	struct obatch_row *rows;
	size_t n_rows, cap_rows;
	struct obatch_step *steps;
	size_t n_steps, cap_steps;
	char *pool;
	size_t pool_len, pool_cap;
	size_t left_out; /* persons whose obligations the last submit left out */
	struct obatch_params sealed; /* the whole batch's, once computed */
	bool is_sealed;
};

static void params_free(struct obatch_params *q);

/* Grows *v (elements of size) to hold one more; aborts when memory is out,
 * like the JSON it replaces did on allocation failure in jansson's hands. */
static void *grow(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? 2 * *cap : 64;
	v = realloc(v, *cap * size);
	if (!v)
		abort();
	return v;
}

static size_t pool_add(struct cw_obatch *b, const char *s)
{
	size_t n = strlen(s) + 1, at = b->pool_len;

	while (b->pool_len + n > b->pool_cap) {
		b->pool_cap = b->pool_cap ? 2 * b->pool_cap : 4096;
		b->pool = realloc(b->pool, b->pool_cap);
		if (!b->pool)
			abort();
	}
	memcpy(b->pool + at, s, n);
	b->pool_len += n;
	return at;
}

struct cw_obatch *cw_obatch_new(void)
{
	return calloc(1, sizeof(struct cw_obatch));
}

void cw_obatch_free(struct cw_obatch *b)
{
	if (!b)
		return;
	free(b->persons);
	free(b->rows);
	free(b->steps);
	free(b->pool);
	params_free(&b->sealed);
	free(b);
}

void cw_obatch_clear(struct cw_obatch *b)
{
	b->n_persons = b->n_rows = b->n_steps = b->pool_len = 0;
	b->is_sealed = false;
}

void cw_obatch_person(struct cw_obatch *b, int64_t person_id)
{
	b->persons = grow(b->persons, &b->cap_persons, b->n_persons, sizeof(*b->persons));
	b->persons[b->n_persons++] = (struct obatch_person){ .id = person_id, .first = b->n_rows };
}

void cw_obatch_stored_digest(struct cw_obatch *b, int64_t digest)
{
	if (!b->n_persons)
		return;
	b->persons[b->n_persons - 1].stored = digest;
	b->persons[b->n_persons - 1].has_stored = true;
}

const char *cw_obatch_anchor_name(enum cw_obligation_anchor a)
{
	switch (a) {
	case CW_OBL_EVENT:
		return "event";
	case CW_OBL_INVOLVEMENT:
		return "involvement";
	case CW_OBL_HAZARD:
		return "hazard";
	case CW_OBL_RECORD:
		return "record";
	case CW_OBL_DELETION:
		return "deletion";
	case CW_OBL_SHARING:
		return "info_sharing";
	case CW_OBL_ACCESS:
		return "restricted_access";
	case CW_OBL_FORGET:
		return "forget_request";
	case CW_OBL_BIRTHDAY: /* anchor id is the age; the rule id keeps keys apart */
	case CW_OBL_PERSON:
	case CW_OBL_ANCHOR_COUNT:
		break;
	}
	/* No default: -Wswitch names a new anchor kind left unmapped here. */
	return "person";
}

bool cw_obatch_add(struct cw_obatch *b, const struct cw_obligation *o, const struct cw_facts *f)
{
	struct obatch_row r;

	if (!b->n_persons || !o->rule_id || !o->audience_base)
		return false;
	for (size_t i = 0; i < o->n_escalations; i++)
		if (!o->escalate_to[i])
			return false;
	r = (struct obatch_row){
		.anchor_id = o->anchor_id,
		.team_id = f->team_id,
		.met_by = o->met ? o->met_by : CW_ID_NONE,
		.late_by = o->met && o->late_by > 0 ? o->late_by : 0,
		.cycle_start = o->cycle_start,
		.warn_at = o->violation ? CW_TIME_NONE : o->warn_at,
		.due_at = o->due_at,
		.met_at = o->met ? o->met_at : CW_TIME_NONE,
		.anchor_kind = cw_obatch_anchor_name(o->anchor_kind),
		.rule = pool_add(b, o->rule_id),
		.audience = pool_add(b, o->audience_base),
		.esc_first = b->n_steps,
		.esc_n = o->n_escalations,
		.suspended = o->suspended,
		.finding = o->violation,
	};
	for (size_t i = 0; i < o->n_escalations; i++) {
		b->steps = grow(b->steps, &b->cap_steps, b->n_steps, sizeof(*b->steps));
		b->steps[b->n_steps++] = (struct obatch_step){ o->escalate_at[i], pool_add(b, o->escalate_to[i]) };
	}
	b->rows = grow(b->rows, &b->cap_rows, b->n_rows, sizeof(*b->rows));
	b->rows[b->n_rows++] = r;
	b->persons[b->n_persons - 1].n++;
	return true;
}

size_t cw_obatch_left_out(const struct cw_obatch *b)
{
	return b->left_out;
}

size_t cw_obatch_persons(const struct cw_obatch *b)
{
	return b->n_persons;
}

int64_t cw_obatch_person_id(const struct cw_obatch *b, size_t i)
{
	return b->persons[i].id;
}

static void sb_put(struct sbuf *sb, const char *s, size_t n)
{
	while (sb->len + n + 1 > sb->cap) {
		sb->cap = sb->cap ? 2 * sb->cap : 1024;
		sb->s = realloc(sb->s, sb->cap);
		if (!sb->s)
			abort();
	}
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

/* The next element's separator: "{" first, "," after. */
static void sb_sep(struct sbuf *sb)
{
	sb_put(sb, sb->len ? "," : "{", 1);
}

static void sb_null(struct sbuf *sb)
{
	sb_sep(sb);
	sb_put(sb, "NULL", 4);
}

/* v in decimal, by hand (a first sweep writes millions); its length. */
static size_t format_id(int64_t v, char buf[24])
{
	char tmp[24];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, len = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		buf[len++] = '-';
	while (n)
		buf[len++] = tmp[--n];
	buf[len] = '\0';
	return len;
}

static void sb_id(struct sbuf *sb, int64_t v, bool none_is_null)
{
	char buf[24];

	if (none_is_null && v == CW_ID_NONE) {
		sb_null(sb);
		return;
	}
	sb_sep(sb);
	sb_put(sb, buf, format_id(v, buf));
}

static void sb_time(struct sbuf *sb, cw_time t)
{
	char buf[CW_CLOCK_UTC_STRLEN];

	if (t == CW_TIME_NONE) {
		sb_null(sb);
		return;
	}
	cw_clock_format_utc(t, buf);
	sb_sep(sb);
	sb_put(sb, buf, strlen(buf));
}

/* A text element, always quoted: backslash and quote escaped. */
static void sb_text(struct sbuf *sb, const char *s)
{
	sb_sep(sb);
	sb_put(sb, "\"", 1);
	while (*s) {
		size_t n = strcspn(s, "\"\\");

		sb_put(sb, s, n);
		s += n;
		if (*s) {
			sb_put(sb, "\\", 1);
			sb_put(sb, s++, 1);
		}
	}
	sb_put(sb, "\"", 1);
}

static void sb_close(struct sbuf *sb)
{
	if (!sb->len)
		sb_put(sb, "{", 1);
	sb_put(sb, "}", 1);
}

/* FNV-1a 64 over the values sent for a person: the same obligations give
 * the same digest, any difference (a time, a step, one more or fewer) a
 * different one but for a 2^-64 chance. */
static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int64_t person_digest(const struct cw_obatch *b, const struct obatch_person *pe)
{
	uint64_t h = fnv(14695981039346656037ULL, &pe->n, sizeof(pe->n));

	for (size_t i = pe->first; i < pe->first + pe->n; i++) {
		const struct obatch_row *r = &b->rows[i];
		int64_t v[9] = { r->anchor_id, r->team_id, r->met_by, r->late_by, r->cycle_start, r->warn_at,
				 r->due_at, r->met_at, (int64_t)r->esc_n };
		unsigned char flags[2] = { r->suspended, r->finding };

		h = fnv(h, v, sizeof(v));
		h = fnv(h, flags, sizeof(flags));
		h = fnv(h, r->anchor_kind, strlen(r->anchor_kind) + 1);
		h = fnv(h, r->severity ? r->severity : "", r->severity ? strlen(r->severity) + 1 : 1);
		h = fnv(h, b->pool + r->rule, strlen(b->pool + r->rule) + 1);
		h = fnv(h, b->pool + r->audience, strlen(b->pool + r->audience) + 1);
		for (size_t k = r->esc_first; k < r->esc_first + r->esc_n; k++) {
			h = fnv(h, &b->steps[k].at, sizeof(b->steps[k].at));
			h = fnv(h, b->pool + b->steps[k].to, strlen(b->pool + b->steps[k].to) + 1);
		}
	}
	return (int64_t)h;
}

/* Sent a page at a time, a person's obligations are left out when their
 * digest is the one the store held as the page was read: the store then
 * checks that it still is (012_unchanged.sql). A person sent alone (the
 * retry of a refused page) is always sent whole. */
static bool person_left_out(const struct obatch_person *pe, int64_t digest, size_t person)
{
	return person == CW_OBATCH_ALL && pe->has_stored && pe->stored == digest;
}

/* Writes the parameters of every person (CW_OBATCH_ALL) or person i alone
 * into q, whose buffers are emptied first (their memory kept). */
static void params_build(const struct cw_obatch *b, size_t person, struct obatch_params *q)
{
	struct sbuf *a = q->a;
	size_t from = person == CW_OBATCH_ALL ? 0 : person;
	size_t to = person == CW_OBATCH_ALL ? b->n_persons : person + 1;

	for (int i = 0; i < P_COUNT; i++)
		a[i].len = 0;
	q->withdraw.len = q->omitted.len = 0;
	q->left_out = 0;
	for (size_t i = from; i < to; i++) {
		const struct obatch_person *pe = &b->persons[i];
		int64_t digest = person_digest(b, pe);

		sb_id(&a[P_IDS], pe->id, false);
		sb_id(&a[P_DIGESTS], digest, false);
		if (pe->withdraw)
			sb_id(&q->withdraw, pe->id, false);
		if (person_left_out(pe, digest, person)) {
			sb_id(&q->omitted, pe->id, false);
			q->left_out++;
			continue;
		}
		for (size_t k = pe->first; k < pe->first + pe->n; k++) {
			const struct obatch_row *r = &b->rows[k];

			sb_id(&a[P_PERSON], pe->id, false);
			sb_text(&a[P_RULE], b->pool + r->rule);
			sb_text(&a[P_ANCHOR_KIND], r->anchor_kind);
			sb_id(&a[P_ANCHOR_ID], r->anchor_id, false);
			sb_time(&a[P_CYCLE], r->cycle_start);
			sb_id(&a[P_TEAM], r->team_id, true);
			sb_text(&a[P_AUDIENCE], b->pool + r->audience);
			sb_time(&a[P_WARN], r->warn_at);
			sb_time(&a[P_DUE], r->due_at);
			/* the steps as one array literal each, quoted as an element */
			if (r->esc_n) {
				q->steps_at.len = q->steps_to.len = 0;
				for (size_t s = r->esc_first; s < r->esc_first + r->esc_n; s++) {
					sb_time(&q->steps_at, b->steps[s].at);
					sb_text(&q->steps_to, b->pool + b->steps[s].to);
				}
				sb_close(&q->steps_at);
				sb_close(&q->steps_to);
				sb_text(&a[P_ESC_AT], q->steps_at.s);
				sb_text(&a[P_ESC_TO], q->steps_to.s);
			} else {
				sb_null(&a[P_ESC_AT]);
				sb_null(&a[P_ESC_TO]);
			}
			sb_time(&a[P_MET_AT], r->met_at);
			sb_id(&a[P_MET_BY], r->met_by, true);
			if (r->late_by > 0)
				sb_id(&a[P_LATE], r->late_by, false);
			else
				sb_null(&a[P_LATE]);
			sb_sep(&a[P_SUSPENDED]);
			sb_put(&a[P_SUSPENDED], r->suspended ? "t" : "f", 1);
			sb_text(&a[P_KIND], r->finding ? "finding" : "obligation");
			if (r->severity)
				sb_text(&a[P_SEVERITY], r->severity);
			else
				sb_null(&a[P_SEVERITY]);
		}
	}
	for (int i = 0; i < P_COUNT; i++)
		sb_close(&a[i]);
	sb_close(&q->omitted);
	sb_close(&q->withdraw);
}

static void params_free(struct obatch_params *q)
{
	for (int i = 0; i < P_COUNT; i++)
		free(q->a[i].s);
	free(q->withdraw.s);
	free(q->omitted.s);
	free(q->steps_at.s);
	free(q->steps_to.s);
	memset(q, 0, sizeof(*q));
}

void cw_obatch_seal(struct cw_obatch *b)
{
	params_build(b, CW_OBATCH_ALL, &b->sealed);
	b->is_sealed = true;
}

bool cw_obatch_submit(struct cw_obatch *b, struct cw_db *db, size_t person, const char *now_text,
		      cw_db_done_fn done, void *arg, struct cw_error *err)
{
	static const char *const sql =
		"SELECT count(*) FROM casewatch.reconcile_set($1::bigint[], $2::bigint[], $3::bigint[],"
		" $4::text[], $5::text[], $6::bigint[], $7::timestamptz[], $8::bigint[], $9::text[],"
		" $10::timestamptz[], $11::timestamptz[], $12::text[], $13::text[], $14::timestamptz[],"
		" $15::bigint[], $16::bigint[], $17::boolean[], $18::text[], $19::text[], $20::timestamptz,"
		" $21::bigint[])";
	/* A decision withdrawn with the reconcile that tells of it, so
	 * neither stands without the other (006_retention.sql). */
	static const char *const withdraw_sql =
		"SELECT count(w.person_id) FROM unnest($1::bigint[]) AS p(id)"
		" CROSS JOIN LATERAL casewatch.destruction_withdraw(p.id, $2::timestamptz) w";
	struct obatch_params alone = { 0 }, *q = &alone;
	const char *params[P_COUNT + 2];
	struct cw_db_job *job;
	bool withdraws, ok;

	if (person == CW_OBATCH_ALL) {
		if (!b->is_sealed)
			cw_obatch_seal(b);
		q = &b->sealed;
	} else {
		params_build(b, person, q);
	}
	b->left_out = q->left_out;
	for (int i = 0; i < P_COUNT; i++)
		params[i] = q->a[i].s;
	params[P_COUNT] = now_text;
	params[P_COUNT + 1] = q->omitted.s;
	withdraws = strcmp(q->withdraw.s, "{}") != 0;
	job = cw_db_job_new(withdraws);
	if (withdraws) {
		const char *wparams[2] = { q->withdraw.s, now_text };

		cw_db_job_add(job, withdraw_sql, 2, wparams, 0, NULL, arg);
	}
	cw_db_job_add(job, sql, P_COUNT + 2, params, 0, NULL, arg);
	ok = cw_db_submit(db, job, done, arg, err);
	params_free(&alone);
	return ok;
}

void cw_obatch_withdraw_decision(struct cw_obatch *b)
{
	if (b->n_persons)
		b->persons[b->n_persons - 1].withdraw = true;
}

bool cw_obatch_set_severity(struct cw_obatch *b, const char *severity)
{
	if (!b->n_rows || !b->rows[b->n_rows - 1].finding)
		return false;
	b->rows[b->n_rows - 1].severity = severity;
	return true;
}
