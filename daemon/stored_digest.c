/* stored_digest.c - a page's persons' digests from casewatch.person_digest, looked up in id order. */
#include "config.h"

#include <stdlib.h>

#include <libpq-fe.h>

#include "log.h"
#include "stored_digest.h"

struct stored_digest {
	int64_t id, digest;
};

struct cw_stored_digests {
	struct stored_digest *v; /* ascending by id */
	size_t n, cap;
	size_t at;		 /* where the last look-up ended */
};

struct cw_stored_digests *cw_stored_digests_new(void)
{
	return calloc(1, sizeof(struct cw_stored_digests));
}

void cw_stored_digests_free(struct cw_stored_digests *d)
{
	if (!d)
		return;
	free(d->v);
	free(d);
}

void cw_stored_digests_clear(struct cw_stored_digests *d)
{
	d->n = d->at = 0;
}

static void on_digest_rows(const PGresult *res, void *arg)
{
	struct cw_stored_digests *d = arg;
	size_t rows = (size_t)PQntuples(res);

	if (d->n + rows > d->cap) {
		size_t cap = d->n + rows;
		struct stored_digest *v = realloc(d->v, cap * sizeof(*v));

		if (!v) {
			cw_log(CW_LOG_ERR, "out of memory");
			abort();
		}
		d->v = v;
		d->cap = cap;
	}
	for (size_t r = 0; r < rows; r++) {
		d->v[d->n].id = strtoll(PQgetvalue(res, (int)r, 0), NULL, 10);
		d->v[d->n].digest = strtoll(PQgetvalue(res, (int)r, 1), NULL, 10);
		d->n++;
	}
}

void cw_stored_digests_also(struct cw_stored_digests *d, bool by_list, struct cw_facts_reader_also *also)
{
	static const char *const after_sql =
		"SELECT person_id, digest FROM casewatch.person_digest WHERE person_id BETWEEN "
		CW_FACTS_PAGE_FIRST " AND " CW_FACTS_PAGE_LAST " ORDER BY person_id";
	static const char *const list_sql =
		"SELECT person_id, digest FROM casewatch.person_digest WHERE person_id = ANY ("
		CW_FACTS_PAGE_IDS ") ORDER BY person_id";

	cw_stored_digests_clear(d);
	*also = (struct cw_facts_reader_also){ .sql = by_list ? list_sql : after_sql, .on_rows = on_digest_rows,
					       .arg = d };
}

bool cw_stored_digests_find(struct cw_stored_digests *d, int64_t id, int64_t *digest)
{
	size_t lo = 0, hi = d->n;

	/* in id order, the next one is at or just after the last */
	if (d->at < d->n && d->v[d->at].id <= id)
		lo = d->at;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	d->at = lo;
	if (lo < d->n && d->v[lo].id == id) {
		*digest = d->v[lo].digest;
		return true;
	}
	return false;
}
