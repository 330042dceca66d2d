/*
 * facts_reader.h - one page of persons' facts, read as flat rows and merged by person.
 *
 * For a page of person ids the reader runs one query per relation of the
 * facts (the records.facts_* views of sql/records/facts.sql, as statements
 * prepared once per connection), all in one
 * read-only repeatable-read transaction, each restricted to the page and
 * ordered by (person_id, row id). The page goes out as one script (the
 * server reads the whole page while the daemon computes the page before;
 * only the COMMIT follows), and a sweep's page reads its own ids in it too. Columns are plain: ids, codes, booleans
 * (free text is already reduced to them in SQL), instants as epoch seconds
 * (records.epoch) and dates as day numbers (records.day_number), so there
 * is no JSON and no timestamp text to parse. When every result is in, it
 * walks them side by side like a merge join and builds each person's
 * struct cw_facts through the facts builder (lib/facts_builder.c, the same
 * validation as the JSON form), handing the persons over in id order.
 *
 * Memory: the page's results, freed when the page is over.
 */
#ifndef CASEWATCH_DAEMON_FACTS_READER_H
#define CASEWATCH_DAEMON_FACTS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casewatch/error.h"
#include "casewatch/facts.h"
#include "db.h"

struct cw_facts_reader;

/* In a page read after an id (cw_facts_reader_fetch_after), the page's
 * first and last person ids, as SQL expressions for `also`. */
#define CW_FACTS_PAGE_FIRST "current_setting('casewatch.page_first')::bigint"
#define CW_FACTS_PAGE_LAST "current_setting('casewatch.page_last')::bigint"
/* In a page read by its list of ids, that list. */
#define CW_FACTS_PAGE_IDS "current_setting('casewatch.page_ids')::bigint[]"

/* One more statement read in the page's transaction, after the facts (e.g.
 * what casewatch's store holds for the same persons); on_rows gets its
 * rows when they arrive. */
struct cw_facts_reader_also {
	const char *sql; /* copied into the script; NULL: none */
	cw_db_result_fn on_rows;
	void *arg;
};

/* One person of the page: facts is NULL when the records no longer have
 * the person. The facts are valid only during the call. */
typedef void (*cw_facts_reader_person_fn)(int64_t person_id, const struct cw_facts *facts, void *arg);
/* The page is over: err is NULL when every person was handed over, and no
 * person was handed over when it is not. */
typedef void (*cw_facts_reader_done_fn)(struct cw_db *db, const struct cw_db_error *err, void *arg);

struct cw_facts_reader *cw_facts_reader_new(void);
void cw_facts_reader_free(struct cw_facts_reader *r);
/* A new connection: the statements the reader prepares on it (once, so a
 * page costs one execution per relation, not a planning each) are made again. */
void cw_facts_reader_reset(struct cw_facts_reader *r);

/* Reads the facts of ids[0..n), ascending and distinct (copied), by
 * their list. One page at a time. False (err set, nothing called) if it
 * cannot be submitted. */
bool cw_facts_reader_read(struct cw_facts_reader *r, struct cw_db *db, const int64_t *ids, size_t n,
			  cw_facts_reader_person_fn person, cw_facts_reader_done_fn done, void *arg,
			  struct cw_error *err);
/* Reads a page like cw_facts_reader_read, but keeps its results when done
 * reports success: cw_facts_reader_merge() hands the persons over later
 * (or cw_facts_reader_discard() drops them), and the reader takes no other
 * page meanwhile. So a page can be read on one connection while the
 * persons of the page before are still being written on another. */
bool cw_facts_reader_fetch(struct cw_facts_reader *r, struct cw_db *db, const int64_t *ids, size_t n,
			   const struct cw_facts_reader_also *also, cw_facts_reader_done_fn done, void *arg,
			   struct cw_error *err);
/* Fetches a sweep's page: the first `limit` persons with an id above
 * `after` (records.person), read with their facts in the same snapshot.
 * When done reports success, cw_facts_reader_page_ids() has the ids
 * (none: no person is left after `after`). */
bool cw_facts_reader_fetch_after(struct cw_facts_reader *r, struct cw_db *db, int64_t after, size_t limit,
				 const struct cw_facts_reader_also *also, cw_facts_reader_done_fn done, void *arg,
				 struct cw_error *err);
/* The ids of the page fetched (valid until the reader reads another). */
size_t cw_facts_reader_page_ids(const struct cw_facts_reader *r, const int64_t **ids);
/* True while a fetched page waits to be merged. */
bool cw_facts_reader_fetched(const struct cw_facts_reader *r);
/* Hands the fetched page's persons over in id order, then frees it. */
void cw_facts_reader_merge(struct cw_facts_reader *r, cw_facts_reader_person_fn person, void *arg);
/* Drops a fetched page unmerged (nothing if there is none). */
void cw_facts_reader_discard(struct cw_facts_reader *r);

#endif /* CASEWATCH_DAEMON_FACTS_READER_H */
