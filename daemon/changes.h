/*
 * changes.h - which changed persons a pass still has to read.
 *
 * A pass reads the change markers in its window (records.changed_person,
 * changed_at > watermark - change_overlap) as (person, changed_at) pairs.
 * A person is read when one of its pairs was not in the window of the last
 * pass that completed: the overlap is there for markers that commit late,
 * and such a marker is a pair nobody has seen, while a person whose every
 * marker was already processed has nothing new to show. After a pass that
 * completed, the pairs it saw become the processed set (so it never holds
 * more than one window); after one that did not, the old set stays and
 * the next pass reads again whatever is new since.
 *
 * A sweep collects the pairs of its own window too (before it reads any
 * person), so the first pass after it does not read the whole overlap
 * again.
 */
#ifndef CASEWATCH_DAEMON_CHANGES_H
#define CASEWATCH_DAEMON_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct cw_changes;

struct cw_changes *cw_changes_new(void);
void cw_changes_free(struct cw_changes *ch);

/* Reads the pairs with changed_at > since - overlap (since: a timestamptz
 * text; overlap_ms: milliseconds) and works out the persons to read; done
 * runs when the read has finished. */
bool cw_changes_collect(struct cw_changes *ch, struct cw_db *db, const char *since, int64_t overlap_ms,
			cw_db_done_fn done, void *arg, struct cw_error *err);

/* The persons to read, ascending, after cw_changes_collect. */
size_t cw_changes_count(const struct cw_changes *ch);
const int64_t *cw_changes_persons(const struct cw_changes *ch);
/* The pairs the last collect saw, and how many of them were processed before. */
size_t cw_changes_pairs(const struct cw_changes *ch);
size_t cw_changes_already(const struct cw_changes *ch);

/* Writes "{id,id,...}" of up to max persons after `after` into buf (size
 * bytes; 21 per id and 3 more are always enough); returns how many. */
size_t cw_changes_page(const struct cw_changes *ch, int64_t after, size_t max, char *buf, size_t size);

/* The pass completed: what it collected is processed. */
void cw_changes_commit(struct cw_changes *ch);
/* Forgets everything processed (e.g. the watermark went back). */
void cw_changes_forget(struct cw_changes *ch);

#endif /* CASEWATCH_DAEMON_CHANGES_H */
