/* facts_reader.c - a page of persons' facts: one flat query per relation, merged by person. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casewatch/facts_builder.h"
#include "facts_reader.h"

/* The relations of the facts, in the order the builder takes them. */
enum rel { R_PERSON, R_INVOLVEMENT, R_EVENT, R_RECORD, R_HAZARD, R_REVIEW, R_DELETION, R_SHARING,
	   R_ACCESS, R_FORGET, R_ACCESS_REQUEST, R_COUNT };

/* What is read from each view: person_id first, then the row's columns in
 * the order merge() reads them. */
static const struct {
	const char *view, *columns, *order;
} rels[R_COUNT] = {
	[R_PERSON] = { "facts_person",
		       "person_id, kind, records.day_number(date_of_birth), "
		       "records.day_number(date_of_death), nation, team_id, worker_id",
		       "person_id" },
	[R_INVOLVEMENT] = { "facts_involvement",
			    "person_id, involvement_id, category, records.day_number(started_on), "
			    "records.day_number(ended_on), records.day_number(order_date), outcome",
			    "person_id, involvement_id" },
	[R_EVENT] = { "facts_event",
		      "person_id, event_id, event_type, records.epoch(occurred_at), cancelled, "
		      "related_event_id, records.epoch(fee_paid_at), until_18",
		      "person_id, event_id" },
	[R_RECORD] = { "facts_record",
		       "person_id, record_id, record_type, event_id, records.epoch(event_at), "
		       "records.epoch(entered_at), records.epoch(finalised_at), late_flag, "
		       "has_late_reason, author_id, confidential",
		       "person_id, record_id" },
	[R_HAZARD] = { "facts_hazard",
		       "person_id, hazard_id, records.day_number(started_on), "
		       "records.day_number(review_due_on), active, records.day_number(ended_on), "
		       "has_description",
		       "person_id, hazard_id" },
	[R_REVIEW] = { "facts_hazard_review", "person_id, hazard_id, records.epoch(reviewed_at)",
		       "person_id, hazard_id, reviewed_at, review_id" },
	[R_DELETION] = { "facts_deletion",
			 "person_id, record_id, records.epoch(deleted_at), deleted_by, deleted_by_role, "
			 "has_reason",
			 "person_id, deletion_id" },
	[R_SHARING] = { "facts_info_sharing", "person_id, sharing_id, kind, records.epoch(occurred_at), missing",
			"person_id, sharing_id" },
	[R_ACCESS] = { "facts_restricted_access",
		       "person_id, access_id, record_id, accessed_by, accessed_by_role, allowed, "
		       "records.epoch(accessed_at)",
		       "person_id, access_id" },
	[R_FORGET] = { "facts_forget_request", "person_id, request_id, records.epoch(received_at)",
		       "person_id, request_id" },
	[R_ACCESS_REQUEST] = { "facts_access_request",
			       "person_id, request_id, event_id, records.epoch(received_at), "
			       "records.epoch(closed_at)",
			       "person_id, request_id" },
};

struct cw_facts_reader {
	char *sql_range[R_COUNT]; /* WHERE person_id BETWEEN $1 AND $2 */
	char *sql_list[R_COUNT];  /* WHERE person_id = ANY ($1) */
	bool prepared;		  /* this connection has the statements */
	unsigned serial;	  /* in their names: readers sharing a connection do not clash */
	unsigned generation;	  /* in their names: a failed attempt leaves no clash */
	PGresult *res[R_COUNT];	  /* the page's results, kept until it is merged */
	bool after;		  /* the page's ids come first in its results */
	int results;		  /* results of the page's script so far */
	struct cw_facts_reader_also also;
	int64_t *ids;
	size_t n_ids, cap_ids;
	char *scratch;		  /* a text[] being split */
	size_t cap_scratch;
	bool busy;		  /* a page is being read, or held until merged */
	bool deferred;		  /* cw_facts_reader_fetch: kept until merged */
	bool held;		  /* a fetched page's results wait to be merged */
	cw_facts_reader_person_fn person;
	cw_facts_reader_done_fn done;
	void *arg;
	struct cw_facts facts;
};

/* Where the merge is in one result. */
struct cursor {
	const PGresult *res;
	int row, n;
};

static void oom(void)
{
	fprintf(stderr, "casewatchd: out of memory\n");
	abort();
}

static char *format_sql(enum rel i, const char *where)
{
	static const char *const fmt = "SELECT %s FROM records.%s WHERE %s ORDER BY %s";
	int n = snprintf(NULL, 0, fmt, rels[i].columns, rels[i].view, where, rels[i].order);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;

	if (!s)
		oom();
	snprintf(s, (size_t)n + 1, fmt, rels[i].columns, rels[i].view, where, rels[i].order);
	return s;
}

/* A statement's name on the connection, e.g. "cw_facts_3_range_4". */
static void statement_name(const struct cw_facts_reader *r, bool dense, int rel, char *buf, size_t size)
{
	snprintf(buf, size, "cw_facts_%u_%u_%s_%d", r->serial, r->generation, dense ? "range" : "list", rel);
}

struct cw_facts_reader *cw_facts_reader_new(void)
{
	static unsigned serials;
	struct cw_facts_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->serial = serials++;
	for (int i = 0; i < R_COUNT; i++) {
		r->sql_range[i] = format_sql((enum rel)i, "person_id >= $1::bigint AND person_id <= $2::bigint");
		r->sql_list[i] = format_sql((enum rel)i, "person_id = ANY ($1::bigint[])");
	}
	cw_facts_init(&r->facts);
	return r;
}

static void clear_results(struct cw_facts_reader *r)
{
	for (int i = 0; i < R_COUNT; i++) {
		PQclear(r->res[i]);
		r->res[i] = NULL;
	}
}

void cw_facts_reader_reset(struct cw_facts_reader *r)
{
	r->prepared = false;
}

void cw_facts_reader_free(struct cw_facts_reader *r)
{
	if (!r)
		return;
	clear_results(r);
	for (int i = 0; i < R_COUNT; i++) {
		free(r->sql_range[i]);
		free(r->sql_list[i]);
	}
	free(r->ids);
	free(r->scratch);
	cw_facts_free(&r->facts);
	free(r);
}

/* A decimal integer as PostgreSQL prints it. */
static int64_t parse_int(const char *s)
{
	bool neg = *s == '-';
	uint64_t v = 0;

	if (neg)
		s++;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return neg ? -(int64_t)v : (int64_t)v;
}

static int64_t col_id(const struct cursor *c, int col)
{
	return PQgetisnull(c->res, c->row, col) ? CW_ID_NONE : parse_int(PQgetvalue(c->res, c->row, col));
}

static cw_time col_time(const struct cursor *c, int col)
{
	return PQgetisnull(c->res, c->row, col) ? CW_TIME_NONE : parse_int(PQgetvalue(c->res, c->row, col));
}

static cw_day col_day(const struct cursor *c, int col)
{
	return PQgetisnull(c->res, c->row, col) ? CW_DAY_NONE
						: (cw_day)parse_int(PQgetvalue(c->res, c->row, col));
}

static const char *col_text(const struct cursor *c, int col)
{
	return PQgetisnull(c->res, c->row, col) ? NULL : PQgetvalue(c->res, c->row, col);
}

static enum cw_facts_bool col_bool(const struct cursor *c, int col)
{
	if (PQgetisnull(c->res, c->row, col))
		return CW_FACTS_NULL;
	return PQgetvalue(c->res, c->row, col)[0] == 't' ? CW_FACTS_TRUE : CW_FACTS_FALSE;
}

/* The person id of the cursor's row: INT64_MAX past the end, INT64_MIN
 * for a row without one (passed over). */
static int64_t cur_person(const struct cursor *c)
{
	if (c->row >= c->n)
		return INT64_MAX;
	if (PQgetisnull(c->res, c->row, 0))
		return INT64_MIN;
	return parse_int(PQgetvalue(c->res, c->row, 0));
}

/* Moves the cursor to the first row of person id (or past it); true if
 * there is one. Rows of persons not in the page are passed over. */
static bool seek(struct cursor *c, int64_t id)
{
	int64_t p;

	while ((p = cur_person(c)) < id)
		c->row++;
	return p == id;
}

/* Splits a text[] in PostgreSQL's output form ({a,"b c",NULL}) and adds
 * each element as a missing field of the last info_sharing row. */
static void add_missing_names(struct cw_facts_reader *r, const char *text)
{
	size_t len = strlen(text);
	const char *p = text;
	char *out;

	if (len + 1 > r->cap_scratch) {
		char *s = realloc(r->scratch, len + 1);

		if (!s)
			oom();
		r->scratch = s;
		r->cap_scratch = len + 1;
	}
	if (*p != '{')
		return;
	p++;
	while (*p && *p != '}') {
		bool quoted = *p == '"';
		char *start = out = r->scratch;

		if (quoted) {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1])
					p++;
				*out++ = *p;
			}
			if (*p == '"')
				p++;
		} else {
			while (*p && *p != ',' && *p != '}')
				*out++ = *p++;
		}
		*out = '\0';
		cw_facts_add_missing(&r->facts, !quoted && !strcmp(start, "NULL") ? NULL : start);
		if (*p == ',')
			p++;
	}
}

/* Builds the facts of person id from the rows under the cursors. */
static void build_person(struct cw_facts_reader *r, struct cursor *c, int64_t id)
{
	struct cw_facts *f = &r->facts;
	struct cursor *k;
	int64_t last_hazard = CW_ID_NONE;
	int review_start = 0;

	k = &c[R_PERSON];
	cw_facts_begin(f, &(struct cw_facts_person_row){
				  .person_id = id, .kind = col_text(k, 1), .date_of_birth = col_day(k, 2),
				  .date_of_death = col_day(k, 3), .nation = col_text(k, 4),
				  .team_id = col_id(k, 5), .worker_id = col_id(k, 6) });
	for (k = &c[R_INVOLVEMENT]; seek(k, id); k->row++)
		cw_facts_add_involvement(f, &(struct cw_facts_involvement_row){
						    .id = col_id(k, 1), .category = col_text(k, 2),
						    .start = col_day(k, 3), .end = col_day(k, 4),
						    .order_date = col_day(k, 5), .outcome = col_text(k, 6) });
	for (k = &c[R_EVENT]; seek(k, id); k->row++)
		cw_facts_add_event(f, &(struct cw_facts_event_row){
					      .id = col_id(k, 1), .type = col_text(k, 2), .at = col_time(k, 3),
					      .cancelled = col_bool(k, 4), .related_event_id = col_id(k, 5),
					      .fee_paid_at = col_time(k, 6), .until_18 = col_bool(k, 7) });
	for (k = &c[R_RECORD]; seek(k, id); k->row++)
		cw_facts_add_record(f, &(struct cw_facts_record_row){
					       .id = col_id(k, 1), .type = col_text(k, 2), .event_id = col_id(k, 3),
					       .event_at = col_time(k, 4), .entered_at = col_time(k, 5),
					       .finalised_at = col_time(k, 6), .late_flag = col_bool(k, 7),
					       .has_late_reason = col_bool(k, 8), .author_id = col_id(k, 9),
					       .confidential = col_bool(k, 10) });
	seek(&c[R_REVIEW], id);
	for (k = &c[R_HAZARD]; seek(k, id); k->row++) {
		struct cursor *v = &c[R_REVIEW];
		int64_t hazard = col_id(k, 1);

		cw_facts_add_hazard(f, &(struct cw_facts_hazard_row){
					       .id = hazard, .start = col_day(k, 2), .review_due = col_day(k, 3),
					       .active = col_bool(k, 4), .ended = col_day(k, 5),
					       .has_description = col_bool(k, 6) });
		/* Reviews come in hazard order too; a repeated hazard id gets
		 * the same reviews again, as the document nests them. */
		if (hazard == last_hazard && hazard != CW_ID_NONE)
			v->row = review_start;
		while (cur_person(v) == id && col_id(v, 1) < hazard)
			v->row++;
		review_start = v->row;
		last_hazard = hazard;
		for (; cur_person(v) == id && col_id(v, 1) == hazard && hazard != CW_ID_NONE; v->row++)
			cw_facts_add_review(f, col_time(v, 2));
	}
	for (k = &c[R_DELETION]; seek(k, id); k->row++)
		cw_facts_add_deletion(f, &(struct cw_facts_deletion_row){
						 .record_id = col_id(k, 1), .deleted_at = col_time(k, 2),
						 .deleted_by = col_id(k, 3), .deleted_by_role = col_text(k, 4),
						 .has_reason = col_bool(k, 5) });
	for (k = &c[R_SHARING]; seek(k, id); k->row++) {
		const char *missing = col_text(k, 4);

		cw_facts_add_sharing(f, &(struct cw_facts_sharing_row){
						.id = col_id(k, 1), .kind = col_text(k, 2), .at = col_time(k, 3) });
		if (missing)
			add_missing_names(r, missing);
	}
	for (k = &c[R_ACCESS]; seek(k, id); k->row++)
		cw_facts_add_access(f, &(struct cw_facts_access_row){
					       .id = col_id(k, 1), .record_id = col_id(k, 2),
					       .accessed_by = col_id(k, 3), .accessed_by_role = col_text(k, 4),
					       .allowed = col_bool(k, 5), .at = col_time(k, 6) });
	for (k = &c[R_FORGET]; seek(k, id); k->row++)
		cw_facts_add_forget(f, &(struct cw_facts_forget_row){ .id = col_id(k, 1),
								       .received_at = col_time(k, 2) });
	for (k = &c[R_ACCESS_REQUEST]; seek(k, id); k->row++)
		cw_facts_add_access_request(f, &(struct cw_facts_access_request_row){
						       .id = col_id(k, 1), .event_id = col_id(k, 2),
						       .received_at = col_time(k, 3), .closed_at = col_time(k, 4) });
	cw_facts_finish(f);
}

/* Walks the page's results side by side, person by person. */
static void merge(struct cw_facts_reader *r)
{
	struct cursor c[R_COUNT];

	for (int i = 0; i < R_COUNT; i++) {
		c[i].res = r->res[i];
		c[i].row = 0;
		c[i].n = r->res[i] ? PQntuples(r->res[i]) : 0;
	}
	for (size_t i = 0; i < r->n_ids; i++) {
		int64_t id = r->ids[i];

		if (!seek(&c[R_PERSON], id)) {
			r->person(id, NULL, r->arg);
			continue;
		}
		build_person(r, c, id);
		/* A person listed twice by a council's view counts once. */
		while (cur_person(&c[R_PERSON]) == id)
			c[R_PERSON].row++;
		r->person(id, &r->facts, r->arg);
	}
}

/* Room for n ids. */
static void ids_reserve(struct cw_facts_reader *r, size_t n)
{
	int64_t *v;

	if (n <= r->cap_ids)
		return;
	v = realloc(r->ids, n * sizeof(*v));
	if (!v)
		oom();
	r->ids = v;
	r->cap_ids = n;
}

static void take_ids(struct cw_facts_reader *r, const PGresult *res)
{
	size_t n = (size_t)PQntuples(res);

	ids_reserve(r, n);
	/* the page's ids: the first result of a page read after an id */
	for (size_t i = 0; i < n; i++)
		r->ids[i] = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
	r->n_ids = n;
}

/* Each result of the page's script, in its order: after an id the ids and
 * the bounds set, by a list the list set; one per relation, kept until the
 * page is merged; then the caller's statement's. The BEGIN's is not kept
 * by the caller. */
static void on_result(const PGresult *res, void *arg)
{
	struct cw_facts_reader *r = arg;
	int k;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return;
	/* CW_DB_KEEP_RESULT: every set of rows is ours to free. */
	k = r->results++ - (r->after ? 2 : 1);
	if (k >= 0 && k < R_COUNT) {
		PQclear(r->res[k]);
		r->res[k] = (PGresult *)res;
		return;
	}
	if (k == -2)
		take_ids(r, res);
	else if (k == R_COUNT && r->also.on_rows)
		r->also.on_rows(res, r->also.arg);
	PQclear((PGresult *)res);
}

static void on_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	struct cw_facts_reader *r = arg;
	cw_facts_reader_done_fn done = r->done;
	void *done_arg = r->arg;

	if (!err && r->deferred) {
		/* Kept (and the reader busy) until cw_facts_reader_merge. */
		r->held = true;
		done(db, NULL, done_arg);
		return;
	}
	if (!err) {
		merge(r);
	} else {
		/* Prepared anew (under new names) before the next page, in case
		 * the statements are what failed. */
		r->prepared = false;
		r->generation++;
	}
	clear_results(r);
	r->busy = false;
	done(db, err, done_arg);
}

/* "{1,2,3}": a bigint[] literal (digits and commas only). */
static char *id_array(const int64_t *ids, size_t n)
{
	size_t cap = n * 21 + 3, len = 0;
	char *s = malloc(cap);

	if (!s)
		oom();
	s[len++] = '{';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s%" PRId64, i ? "," : "", ids[i]);
	s[len++] = '}';
	s[len] = '\0';
	return s;
}

/* The statements were prepared, or not: a failure also fails the page
 * queued behind them, whose on_done asks for new ones. */
static void on_prepared(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	(void)db;
	(void)err;
	(void)arg;
}

/* Queues the PREPARE of every statement on this connection: each page
 * then costs executions, not a planning each (which took longer than
 * the reading itself). */
static bool prepare(struct cw_facts_reader *r, struct cw_db *db, struct cw_error *err)
{
	struct cw_db_job *job = cw_db_job_new(false);

	for (int dense = 0; dense < 2; dense++) {
		for (int i = 0; i < R_COUNT; i++) {
			char name[64], *sql;
			const char *body = dense ? r->sql_range[i] : r->sql_list[i];
			const char *types = dense ? "(bigint, bigint)" : "(bigint[])";
			size_t n;

			statement_name(r, dense, i, name, sizeof(name));
			n = strlen(name) + strlen(types) + strlen(body) + 16;
			sql = malloc(n);
			if (!sql)
				oom();
			snprintf(sql, n, "PREPARE %s %s AS %s", name, types, body);
			cw_db_job_add(job, sql, 0, NULL, 0, NULL, NULL);
			free(sql);
		}
	}
	if (!cw_db_submit(db, job, on_prepared, r, err))
		return false;
	r->prepared = true;
	return true;
}

/* A page's script: one transaction, one round trip. */
static void script_add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void script_add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	if (*len + (size_t)n + 1 > *cap) {
		*cap = 2 * (*len + (size_t)n + 1);
		*buf = realloc(*buf, *cap);
		if (!*buf)
			oom();
	}
	va_start(ap, fmt);
	vsnprintf(*buf + *len, *cap - *len, fmt, ap);
	va_end(ap);
	*len += (size_t)n;
}

/* Reads a page: ids[0..n), by their list; or with ids NULL the first n
 * persons after id `after`, whose ids the script reads first and whose
 * bounds it keeps for the statements after, which read by that range. */
static bool read_page(struct cw_facts_reader *r, struct cw_db *db, const int64_t *ids, size_t n,
		      int64_t after, bool deferred, const struct cw_facts_reader_also *also,
		      cw_facts_reader_person_fn person, cw_facts_reader_done_fn done, void *arg,
		      struct cw_error *err)
{
	struct cw_db_job *job;
	char *script = NULL, *args, *list = NULL;
	bool dense = ids == NULL;
	size_t len = 0, cap = 0;

	if (r->busy)
		return cw_error_set(err, "facts reader: a page is already being read");
	if (n == 0)
		return cw_error_set(err, "facts reader: an empty page");
	if (!r->prepared && !prepare(r, db, err))
		return false;
	r->after = ids == NULL;
	r->n_ids = 0;
	if (ids) {
		ids_reserve(r, n);
		memcpy(r->ids, ids, n * sizeof(*ids));
		r->n_ids = n;
	}
	r->person = person;
	r->done = done;
	r->arg = arg;
	r->deferred = deferred;
	r->results = 0;
	r->also = also ? *also : (struct cw_facts_reader_also){ 0 };
	/* One snapshot for the page, so its relations agree with each other
	 * (and with its ids). EXECUTE takes no bind parameters: the
	 * arguments are written into the statement, and they are integers. */
	script_add(&script, &len, &cap, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\n");
	if (r->after) {
		script_add(&script, &len, &cap,
			   "SELECT person_id FROM records.person WHERE person_id > %" PRId64
			   " ORDER BY person_id LIMIT %zu;\n"
			   "SELECT set_config('casewatch.page_first', coalesce(min(p.person_id), 1)::text, true),"
			   " set_config('casewatch.page_last', coalesce(max(p.person_id), 0)::text, true)"
			   " FROM (SELECT person_id FROM records.person WHERE person_id > %" PRId64
			   " ORDER BY person_id LIMIT %zu) p;\n",
			   after, n, after, n);
		args = "(" CW_FACTS_PAGE_FIRST ", " CW_FACTS_PAGE_LAST ")";
	} else {
		char *a = id_array(ids, n);
		size_t l = strlen(a) + 8;

		/* the list kept for the caller's statement (CW_FACTS_PAGE_IDS) */
		script_add(&script, &len, &cap, "SELECT set_config('casewatch.page_ids', '%s', true);\n", a);
		list = malloc(l);
		if (!list)
			oom();
		snprintf(list, l, "('%s')", a);
		free(a);
		args = list;
	}
	for (int i = 0; i < R_COUNT; i++) {
		char name[64];

		statement_name(r, dense, i, name, sizeof(name));
		script_add(&script, &len, &cap, "EXECUTE %s%s;\n", name, args);
	}
	if (r->also.sql)
		script_add(&script, &len, &cap, "%s;\n", r->also.sql);
	free(list);
	job = cw_db_job_new(true);
	cw_db_job_begun_by_step(job);
	cw_db_job_add(job, script, 0, NULL, CW_DB_SCRIPT | CW_DB_KEEP_RESULT, on_result, r);
	free(script);
	/* Busy before submitting: a connection failing as the job is sent
	 * ends it (on_done) before cw_db_submit() returns. */
	r->busy = true;
	if (!cw_db_submit(db, job, on_done, r, err)) {
		r->busy = false;
		return false;
	}
	return true;
}

bool cw_facts_reader_read(struct cw_facts_reader *r, struct cw_db *db, const int64_t *ids, size_t n,
			  cw_facts_reader_person_fn person, cw_facts_reader_done_fn done, void *arg,
			  struct cw_error *err)
{
	if (!ids)
		return cw_error_set(err, "facts reader: no ids");
	return read_page(r, db, ids, n, 0, false, NULL, person, done, arg, err);
}

bool cw_facts_reader_fetch(struct cw_facts_reader *r, struct cw_db *db, const int64_t *ids, size_t n,
			   const struct cw_facts_reader_also *also, cw_facts_reader_done_fn done, void *arg,
			   struct cw_error *err)
{
	if (!ids)
		return cw_error_set(err, "facts reader: no ids");
	return read_page(r, db, ids, n, 0, true, also, NULL, done, arg, err);
}

bool cw_facts_reader_fetch_after(struct cw_facts_reader *r, struct cw_db *db, int64_t after, size_t limit,
				 const struct cw_facts_reader_also *also, cw_facts_reader_done_fn done, void *arg,
				 struct cw_error *err)
{
	return read_page(r, db, NULL, limit, after, true, also, NULL, done, arg, err);
}

size_t cw_facts_reader_page_ids(const struct cw_facts_reader *r, const int64_t **ids)
{
	*ids = r->ids;
	return r->n_ids;
}

bool cw_facts_reader_fetched(const struct cw_facts_reader *r)
{
	return r->held;
}

void cw_facts_reader_merge(struct cw_facts_reader *r, cw_facts_reader_person_fn person, void *arg)
{
	if (!cw_facts_reader_fetched(r))
		return;
	r->person = person;
	r->arg = arg;
	merge(r);
	cw_facts_reader_discard(r);
}

void cw_facts_reader_discard(struct cw_facts_reader *r)
{
	if (!r || !r->held)
		return;
	clear_results(r);
	r->held = false;
	r->busy = false;
	r->deferred = false;
}
