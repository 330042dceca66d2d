/* changes.c - which changed persons a pass still has to read: change markers already processed are skipped. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "changes.h"

/* One change marker: a person and its changed_at in microseconds. */
struct change_pair {
	int64_t person;
	int64_t us;
};

/* An open-addressing set of pairs; person INT64_MIN marks a free slot. */
struct pair_set {
	struct change_pair *slot;
	size_t cap; /* a power of two, or 0 */
	size_t n;
};

struct cw_changes {
	struct pair_set processed; /* the pairs of the last completed pass */
	struct change_pair *seen;  /* this pass's pairs */
	size_t n_seen, cap_seen;
	int64_t *persons; /* this pass's persons to read, ascending, unique */
	size_t n_persons, cap_persons;
	bool overflow;	  /* out of memory: a person may be missing */
	size_t already;	  /* pairs of this pass found processed */
};

#define FREE_SLOT INT64_MIN

static uint64_t pair_hash(const struct change_pair *c)
{
	uint64_t h = (uint64_t)c->person * 0x9E3779B97F4A7C15ULL ^ (uint64_t)c->us * 0xC2B2AE3D27D4EB4FULL;

	return h ^ (h >> 29);
}

static void set_free(struct pair_set *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

static bool set_has(const struct pair_set *s, const struct change_pair *c)
{
	if (!s->cap)
		return false;
	for (size_t i = pair_hash(c) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->slot[i].person == FREE_SLOT)
			return false;
		if (s->slot[i].person == c->person && s->slot[i].us == c->us)
			return true;
	}
}

/* Builds the set of n pairs (at most half full); false when out of memory. */
static bool set_build(struct pair_set *s, const struct change_pair *v, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	s->slot = malloc(cap * sizeof(*s->slot));
	if (!s->slot)
		return false;
	s->cap = cap;
	s->n = 0;
	for (size_t i = 0; i < cap; i++)
		s->slot[i].person = FREE_SLOT;
	for (size_t k = 0; k < n; k++) {
		size_t i = pair_hash(&v[k]) & (cap - 1);

		while (s->slot[i].person != FREE_SLOT &&
		       !(s->slot[i].person == v[k].person && s->slot[i].us == v[k].us))
			i = (i + 1) & (cap - 1);
		if (s->slot[i].person == FREE_SLOT)
			s->n++;
		s->slot[i] = v[k];
	}
	return true;
}

struct cw_changes *cw_changes_new(void)
{
	return calloc(1, sizeof(struct cw_changes));
}

void cw_changes_free(struct cw_changes *ch)
{
	if (!ch)
		return;
	set_free(&ch->processed);
	free(ch->seen);
	free(ch->persons);
	free(ch);
}

/* Each row: person_id, changed_at in microseconds. A full array is left as
 * it is, and the row's person read regardless (nothing lost, only skipped
 * less). */
static void on_pair_rows(const PGresult *res, void *arg)
{
	struct cw_changes *ch = arg;
	int rows = PQntuples(res);

	for (int r = 0; r < rows; r++) {
		struct change_pair c = { strtoll(PQgetvalue(res, r, 0), NULL, 10),
					 strtoll(PQgetvalue(res, r, 1), NULL, 10) };

		if (ch->n_seen == ch->cap_seen) {
			size_t cap = ch->cap_seen ? 2 * ch->cap_seen : 1024;
			struct change_pair *v = realloc(ch->seen, cap * sizeof(*v));

			if (v) {
				ch->seen = v;
				ch->cap_seen = cap;
			}
		}
		if (ch->n_seen < ch->cap_seen)
			ch->seen[ch->n_seen++] = c;
		if (set_has(&ch->processed, &c)) {
			ch->already++;
			continue;
		}
		/* persons as they come; sorted and made unique at the end */
		if (ch->n_persons == ch->cap_persons) {
			size_t cap = ch->cap_persons ? 2 * ch->cap_persons : 1024;
			int64_t *v = realloc(ch->persons, cap * sizeof(*v));

			if (!v) {
				ch->overflow = true;
				continue;
			}
			ch->persons = v;
			ch->cap_persons = cap;
		}
		ch->persons[ch->n_persons++] = c.person;
	}
}

static int id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The collection is read: sort the persons and drop repeats, then the caller. */
struct collect_done {
	struct cw_changes *ch;
	cw_db_done_fn done;
	void *arg;
};

static void on_collected(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct collect_done cd = *(struct collect_done *)arg;
	struct cw_changes *ch = cd.ch;
	size_t n = 0;

	free(arg);
	if (!err && ch->overflow) {
		static const struct cw_db_error oom = { .message = "changes: out of memory" };

		err = &oom;
	}
	if (ch->n_persons > 1) {
		qsort(ch->persons, ch->n_persons, sizeof(*ch->persons), id_cmp);
		for (size_t i = 0; i < ch->n_persons; i++)
			if (n == 0 || ch->persons[n - 1] != ch->persons[i])
				ch->persons[n++] = ch->persons[i];
		ch->n_persons = n;
	}
	cd.done(db, err, cd.arg);
}

bool cw_changes_collect(struct cw_changes *ch, struct cw_db *db, const char *since, int64_t overlap_ms,
			cw_db_done_fn done, void *arg, struct cw_error *err)
{
	static const char *const sql =
		"SELECT person_id, (extract(epoch FROM changed_at) * 1000000)::bigint"
		" FROM records.changed_person"
		" WHERE changed_at > $1::timestamptz - $2::interval AND person_id IS NOT NULL";
	char overlap[32];
	const char *params[2] = { since, overlap };
	struct collect_done *cd = malloc(sizeof(*cd));
	struct cw_db_job *job;

	if (!cd)
		return cw_error_set(err, "changes: out of memory");
	*cd = (struct collect_done){ ch, done, arg };
	ch->n_seen = 0;
	ch->n_persons = 0;
	ch->already = 0;
	ch->overflow = false;
	snprintf(overlap, sizeof(overlap), "%" PRId64 " milliseconds", overlap_ms);
	job = cw_db_job_new(false);
	cw_db_job_add(job, sql, 2, params, 0, on_pair_rows, ch);
	if (!cw_db_submit(db, job, on_collected, cd, err)) {
		free(cd);
		return false;
	}
	return true;
}

size_t cw_changes_count(const struct cw_changes *ch)
{
	return ch->n_persons;
}

const int64_t *cw_changes_persons(const struct cw_changes *ch)
{
	return ch->persons;
}

size_t cw_changes_pairs(const struct cw_changes *ch)
{
	return ch->n_seen;
}

size_t cw_changes_already(const struct cw_changes *ch)
{
	return ch->already;
}

size_t cw_changes_page(const struct cw_changes *ch, int64_t after, size_t max, char *buf, size_t size)
{
	size_t lo = 0, hi = ch->n_persons, n = 0, len = 1;

	/* the first person after `after` */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ch->persons[mid] <= after)
			lo = mid + 1;
		else
			hi = mid;
	}
	buf[0] = '{';
	for (size_t i = lo; i < ch->n_persons && n < max && len + 22 < size; i++, n++)
		len += (size_t)snprintf(buf + len, size - len, "%s%" PRId64, n ? "," : "", ch->persons[i]);
	snprintf(buf + len, size - len, "}");
	return n;
}

void cw_changes_commit(struct cw_changes *ch)
{
	struct pair_set fresh = { 0 };

	if (!set_build(&fresh, ch->seen, ch->n_seen)) {
		cw_changes_forget(ch);
		return;
	}
	set_free(&ch->processed);
	ch->processed = fresh;
	/* the pairs now live in the set: the array's memory goes back */
	free(ch->seen);
	ch->seen = NULL;
	ch->n_seen = ch->cap_seen = 0;
}

void cw_changes_forget(struct cw_changes *ch)
{
	set_free(&ch->processed);
}
