/*
 * obligation_batch.h - a page's persons and obligations, sent to
 * casewatch.reconcile_set() as parallel typed arrays.
 *
 * The poller adds each person of a page (cw_obatch_person) and then that
 * person's computed obligations (cw_obatch_add); the batch copies what it
 * needs, so a profile reloaded meanwhile does not matter. Submitting sends
 * the whole page, or one person of it (the retry after a refused page),
 * with a digest per person of exactly what is computed for them: the store
 * skips a person whose digest it already holds, and a page leaves out the
 * obligations of a person whose digest was the stored one when the page
 * was read (docs/lifecycle.md).
 */
#ifndef CASEWATCH_DAEMON_OBLIGATION_BATCH_H
#define CASEWATCH_DAEMON_OBLIGATION_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casewatch/facts.h"
#include "casewatch/obligation.h"
#include "db.h"

struct cw_obatch;

/* cw_obatch_submit's person for "every person of the batch". */
#define CW_OBATCH_ALL SIZE_MAX

struct cw_obatch *cw_obatch_new(void);
void cw_obatch_free(struct cw_obatch *b);
/* Empties the batch, keeping its memory for the next page. */
void cw_obatch_clear(struct cw_obatch *b);

/* A person of the page: the obligations added next are theirs. A person
 * added with none owes nothing (what is open for them is withdrawn). */
void cw_obatch_person(struct cw_obatch *b, int64_t person_id);
/* The digest casewatch.person_digest held for the current person when the
 * page was read: their obligations are left out of a page sent whole when
 * they digest to it. */
void cw_obatch_stored_digest(struct cw_obatch *b, int64_t digest);
/* Adds an obligation of the current person, as casewatch.reconcile_set()
 * takes it (team from the facts); false, adding nothing, when it lacks a
 * rule id or an audience. */
bool cw_obatch_add(struct cw_obatch *b, const struct cw_obligation *o, const struct cw_facts *f);

/* The current person's open destruction decision (due, reviewed or
 * approved) no longer stands: submitting withdraws it
 * (casewatch.destruction_withdraw) in the transaction of the reconcile. */
void cw_obatch_withdraw_decision(struct cw_obatch *b);

/* The severity ("info", "notice", "warning" or "err"; a static string) of
 * the finding just added, where the store's default (warning) does not
 * fit; false when the last row added is no finding. */
bool cw_obatch_set_severity(struct cw_obatch *b, const char *severity);

size_t cw_obatch_persons(const struct cw_obatch *b);
/* Persons whose obligations the last submit left out as unchanged. */
size_t cw_obatch_left_out(const struct cw_obatch *b);
int64_t cw_obatch_person_id(const struct cw_obatch *b, size_t i);

/* The store's name for what an obligation hangs on ("event", ...): one of
 * casewatch.alert.anchor_kind's CHECK list (docs/schema.md tabulates them). */
const char *cw_obatch_anchor_name(enum cw_obligation_anchor a);

/* Writes the whole batch's parameters now (what submitting every person
 * sends), so that a page is formatted while the one before is written;
 * adding to the batch after this is not allowed until it is cleared. */
void cw_obatch_seal(struct cw_obatch *b);

/* Queues SELECT count(*) FROM casewatch.reconcile_set(...) for every
 * person of the batch (CW_OBATCH_ALL) or person i alone, at now_text. */
bool cw_obatch_submit(struct cw_obatch *b, struct cw_db *db, size_t person, const char *now_text,
		      cw_db_done_fn done, void *arg, struct cw_error *err);

#endif /* CASEWATCH_DAEMON_OBLIGATION_BATCH_H */
