/* facts_dump.c - prints persons' struct cw_facts canonically, read as JSON or streamed (tests/facts-stream.sh). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "casewatch/facts.h"
#include "db.h"
#include "facts_reader.h"
#include "log.h"

/*
 * facts_dump json          stdin: "person_id<TAB>document" lines (an empty
 *                          document: no such person), as psql -At prints
 *                          SELECT id, records.person_facts(id)
 * facts_dump range [PAGE]  every person of records.person, streamed as a sweep
 *                          reads them: a page after an id, its ids read with it
 * facts_dump list [PAGE]   stdin: person ids, ascending; streamed by id list
 *
 * Each person is printed the same way whichever way it was read, every
 * field and every problem, so diff compares the two forms. The database
 * is the one libpq's environment names (PGHOST, PGDATABASE ...).
 */

static const char *code(const char *s)
{
	return s ? s : "-";
}

static void num(const char *name, int64_t v, int64_t none)
{
	if (v == none)
		printf(" %s=-", name);
	else
		printf(" %s=%" PRId64, name, v);
}

static void dump(int64_t id, const struct cw_facts *f)
{
	if (!f) {
		printf("person %" PRId64 " gone\n", id);
		return;
	}
	printf("person %" PRId64 " kind=%s", f->person_id, code(f->kind));
	num("dob", f->date_of_birth, CW_DAY_NONE);
	num("dod", f->date_of_death, CW_DAY_NONE);
	printf(" nation=%s", f->has_nation ? cw_nation_name(f->nation) : "-");
	num("team", f->team_id, CW_ID_NONE);
	num("worker", f->worker_id, CW_ID_NONE);
	printf("\n");
	for (size_t i = 0; i < f->n_involvements; i++) {
		const struct cw_facts_involvement *x = &f->involvements[i];

		printf("  involvement %" PRId64 " category=%s", x->id, code(x->category));
		num("start", x->start, CW_DAY_NONE);
		num("end", x->end, CW_DAY_NONE);
		num("order", x->order_date, CW_DAY_NONE);
		printf(" outcome=%s\n", code(x->outcome));
	}
	for (size_t i = 0; i < f->n_events; i++) {
		const struct cw_facts_event *x = &f->events[i];

		printf("  event %" PRId64 " type=%s", x->id, code(x->type));
		num("at", x->at, CW_TIME_NONE);
		printf(" cancelled=%d", x->cancelled);
		num("related", x->related_event_id, CW_ID_NONE);
		num("fee_paid", x->fee_paid_at, CW_TIME_NONE);
		printf(" until_18=%d\n", x->until_18);
	}
	for (size_t i = 0; i < f->n_records; i++) {
		const struct cw_facts_record *x = &f->records[i];

		printf("  record %" PRId64 " type=%s", x->id, code(x->type));
		num("event", x->event_id, CW_ID_NONE);
		num("event_at", x->event_at, CW_TIME_NONE);
		num("entered", x->entered_at, CW_TIME_NONE);
		num("finalised", x->finalised_at, CW_TIME_NONE);
		printf(" late=%d reason=%d", x->late_flag, x->has_late_reason);
		num("author", x->author_id, CW_ID_NONE);
		printf(" confidential=%d\n", x->confidential);
	}
	for (size_t i = 0; i < f->n_hazards; i++) {
		const struct cw_facts_hazard *x = &f->hazards[i];

		printf("  hazard %" PRId64, x->id);
		num("start", x->start, CW_DAY_NONE);
		num("review_due", x->review_due, CW_DAY_NONE);
		printf(" active=%d", x->active);
		num("ended", x->ended, CW_DAY_NONE);
		printf(" description=%d reviews=[", x->has_description);
		for (size_t j = 0; j < x->n_reviews; j++)
			printf("%s%" PRId64, j ? "," : "", x->reviews[j]);
		printf("]\n");
	}
	for (size_t i = 0; i < f->n_deletions; i++) {
		const struct cw_facts_deletion *x = &f->deletions[i];

		printf("  deletion %" PRId64, x->record_id);
		num("at", x->deleted_at, CW_TIME_NONE);
		num("by", x->deleted_by, CW_ID_NONE);
		printf(" role=%s reason=%d\n", code(x->deleted_by_role), x->has_reason);
	}
	for (size_t i = 0; i < f->n_sharing; i++) {
		const struct cw_facts_sharing *x = &f->sharing[i];

		printf("  info_sharing %" PRId64 " kind=%s", x->id, code(x->kind));
		num("at", x->at, CW_TIME_NONE);
		printf(" missing=[");
		for (size_t j = 0; j < x->n_missing; j++)
			printf("%s%s", j ? "," : "", x->missing[j]);
		printf("]\n");
	}
	for (size_t i = 0; i < f->n_access; i++) {
		const struct cw_facts_access *x = &f->access[i];

		printf("  access %" PRId64, x->id);
		num("record", x->record_id, CW_ID_NONE);
		num("by", x->accessed_by, CW_ID_NONE);
		printf(" role=%s allowed=%d", code(x->accessed_by_role), x->allowed);
		num("at", x->at, CW_TIME_NONE);
		printf("\n");
	}
	for (size_t i = 0; i < f->n_forget; i++) {
		printf("  forget_request %" PRId64, f->forget[i].id);
		num("received", f->forget[i].received_at, CW_TIME_NONE);
		printf("\n");
	}
	for (size_t i = 0; i < f->n_access_requests; i++) {
		const struct cw_facts_access_request *x = &f->access_requests[i];

		printf("  access_request %" PRId64, x->id);
		num("event", x->event_id, CW_ID_NONE);
		num("received", x->received_at, CW_TIME_NONE);
		num("closed", x->closed_at, CW_TIME_NONE);
		printf("\n");
	}
	for (size_t i = 0; i < f->n_problems; i++) {
		const struct cw_facts_problem *p = &f->problems[i];
		char buf[CW_FACTS_PROBLEM_STRLEN];

		cw_facts_problem_format(f, p, buf);
		printf("  problem %s", cw_facts_row_name(p->row));
		num("id", p->row_id, CW_ID_NONE);
		printf(" index=%zu field=%s what=%s code=%s dropped=%d | %s\n", p->index, code(p->field),
		       p->what, code(p->code), p->dropped, buf);
	}
}

/* json: one "id<TAB>document" line per person. */
static int from_json(void)
{
	struct cw_facts f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int status = 0;

	cw_facts_init(&f);
	while ((n = getline(&line, &cap, stdin)) > 0) {
		char *tab = strchr(line, '\t');
		int64_t id = strtoll(line, NULL, 10);
		json_error_t jerr;
		struct cw_error err;
		json_t *doc;

		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (!tab || !tab[1]) {
			dump(id, NULL);
			continue;
		}
		doc = json_loads(tab + 1, 0, &jerr);
		if (!doc || !cw_facts_from_json(doc, &f, &err)) {
			fprintf(stderr, "facts_dump: person %" PRId64 ": %s\n", id, doc ? err.msg : jerr.text);
			status = 1;
		} else {
			dump(id, &f);
		}
		json_decref(doc);
	}
	free(line);
	cw_facts_free(&f);
	return status;
}

/* The streamed modes' state. */
static struct {
	struct event_base *base;
	struct cw_db *db;
	struct cw_facts_reader *reader;
	bool dense;
	int page;
	int64_t *ids; /* list: all of stdin; range: the current page */
	size_t n_ids, cap_ids, next;
	int64_t cursor;
	bool failed, finished;
} st;

static void push_id(int64_t id)
{
	if (st.n_ids == st.cap_ids) {
		st.cap_ids = st.cap_ids ? st.cap_ids * 2 : 1024;
		st.ids = realloc(st.ids, st.cap_ids * sizeof(*st.ids));
		if (!st.ids)
			abort();
	}
	st.ids[st.n_ids++] = id;
}

static void next_page(void);

static void stop(const char *what, const struct cw_db_error *err)
{
	if (err) {
		fprintf(stderr, "facts_dump: %s: %s\n", what, err->message);
		st.failed = true;
	}
	st.finished = true;
	event_base_loopbreak(st.base);
}

static void on_person(int64_t id, const struct cw_facts *facts, void *arg)
{
	(void)arg;
	dump(id, facts);
}

static void on_page_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	(void)db;
	(void)arg;
	if (err) {
		stop("reading facts", err);
		return;
	}
	next_page();
}

/* A sweep's page is in: its persons, then the next page after its last. */
static void on_after_done(struct cw_db *db, const struct cw_db_error *err, void *arg)
{
	const int64_t *ids;
	size_t n;

	(void)db;
	(void)arg;
	if (err) {
		stop("reading facts", err);
		return;
	}
	n = cw_facts_reader_page_ids(st.reader, &ids);
	if (n == 0) {
		cw_facts_reader_discard(st.reader);
		stop(NULL, NULL);
		return;
	}
	st.cursor = ids[n - 1];
	cw_facts_reader_merge(st.reader, on_person, NULL);
	next_page();
}

/* range: the next page after the cursor; list: the next slice. */
static void next_page(void)
{
	struct cw_error e;
	bool ok;

	if (st.dense) {
		ok = cw_facts_reader_fetch_after(st.reader, st.db, st.cursor, (size_t)st.page, NULL, on_after_done,
						 NULL, &e);
	} else {
		size_t n = st.n_ids - st.next;

		if (n == 0) {
			stop(NULL, NULL);
			return;
		}
		if (n > (size_t)st.page)
			n = (size_t)st.page;
		ok = cw_facts_reader_read(st.reader, st.db, st.ids + st.next, n, on_person, on_page_done,
					  NULL, &e);
		st.next += n;
	}
	if (!ok) {
		fprintf(stderr, "facts_dump: %s\n", e.msg);
		st.failed = true;
		stop(NULL, NULL);
	}
}

static void on_ready(struct cw_db *db, void *arg)
{
	(void)db;
	(void)arg;
	cw_facts_reader_reset(st.reader);
	if (!st.finished)
		next_page();
}

static void on_lost(struct cw_db *db, void *arg)
{
	struct cw_db_status s;

	(void)arg;
	cw_db_get_status(db, &s);
	fprintf(stderr, "facts_dump: database: %s\n", s.last_error);
	st.failed = true;
	st.finished = true;
	event_base_loopbreak(st.base);
}

static int streamed(bool dense, int page)
{
	struct cw_db_options opts = { .conninfo = "", .connect_timeout_ms = 10000, .retry_base_ms = 100,
				      .retry_cap_ms = 1000 };
	struct cw_log_options lo = { .targets = CW_LOG_TO_STDERR, .level = CW_LOG_WARNING,
				     .ident = "facts_dump", .ratelimit_ms = 0 };

	cw_log_configure(&lo);
	st.dense = dense;
	st.page = page;
	if (!dense) {
		char line[64];

		while (fgets(line, sizeof(line), stdin))
			push_id(strtoll(line, NULL, 10));
	}
	st.base = event_base_new();
	st.reader = cw_facts_reader_new();
	st.db = cw_db_new(st.base, &opts, on_ready, on_lost, NULL);
	cw_db_start(st.db);
	event_base_dispatch(st.base);
	cw_db_free(st.db);
	cw_facts_reader_free(st.reader);
	event_base_free(st.base);
	free(st.ids);
	return st.failed || !st.finished ? 1 : 0;
}

int main(int argc, char **argv)
{
	int page = argc > 2 ? atoi(argv[2]) : 1000;

	if (argc >= 2 && !strcmp(argv[1], "json"))
		return from_json();
	if (argc >= 2 && page > 0 && (!strcmp(argv[1], "range") || !strcmp(argv[1], "list")))
		return streamed(!strcmp(argv[1], "range"), page);
	fprintf(stderr, "usage: facts_dump json | range [PAGE] | list [PAGE]\n");
	return 2;
}
